"""Losses: classification on raw scores (softmax cross-entropy, SVM hinge), regression
(mean squared error) and per-element or per-pixel losses for segmentation
(binary cross-entropy with logits, pixel cross-entropy).

Usage::

    loss = criterion(scores, labels)   # a Python float (reduction='mean' or 'sum')
    dscores = criterion.backward()     # dL/dscores, same shape as scores
"""

from __future__ import annotations

import numpy as np

from . import functional_new_blocks as F_blocks
from .functional import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


class Loss:
    """Shared validation, reduction and the backward scaling of the losses."""

    def __init__(self, reduction: str = "mean"):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
        self._cache = None

    def __call__(self, scores: np.ndarray, labels: np.ndarray):
        return self.forward(scores, labels)

    def forward(self, scores, labels):
        scores, labels = self._check(scores, labels)
        per_sample, grad = self._loss_and_grad(scores, labels)
        self._cache = grad
        if self.reduction == "none":
            return per_sample
        total = per_sample.sum()
        return float(total / len(labels) if self.reduction == "mean" else total)

    def backward(self, dloss=1.0) -> np.ndarray:
        """dL/dscores. ``dloss`` is the upstream gradient: a scalar for 'mean'/'sum',
        an array of shape (N,) for 'none'."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before the loss was computed")
        grad = self._cache  # row n holds d loss_n / d scores_n
        if self.reduction == "mean":
            return grad * (dloss / grad.shape[0])
        if self.reduction == "sum":
            return grad * dloss
        return grad * np.asarray(dloss, dtype=grad.dtype).reshape(-1, 1)

    def _check(self, scores, labels):
        if not isinstance(scores, np.ndarray) or not np.issubdtype(scores.dtype, np.floating):
            raise TypeError(f"{self!r}: scores must be a floating-point array (N, classes)")
        if scores.ndim != 2:
            raise ValueError(f"{self!r}: expected scores of shape (N, classes), got {scores.shape}")
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"{self!r}: labels must be integer class indices, got dtype {labels.dtype}"
            )
        if labels.shape != (scores.shape[0],):
            raise ValueError(
                f"{self!r}: expected {scores.shape[0]} labels (one per row of scores), "
                f"got labels of shape {labels.shape}"
            )
        C = scores.shape[1]
        if labels.size and (labels.min() < 0 or labels.max() >= C):
            bad = labels[(labels < 0) | (labels >= C)][0]
            raise ValueError(
                f"{self!r}: label {bad} is out of range for {C} classes (expected 0..{C - 1})"
            )
        return scores, labels

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class SoftmaxCrossEntropy(Loss):
    """L_n = −log softmax(s_n)[y_n] = log Σ_j exp(s_nj) − s_n,y_n

        dL_n/ds_nj = softmax(s_n)_j − 1[j = y_n]

    Computed with the max-shift (log-sum-exp), so scores of 1e4 stay finite.
    """

    def _loss_and_grad(self, scores, labels):
        rows = np.arange(len(labels))
        logp = log_softmax(scores)
        grad = np.exp(logp)
        grad[rows, labels] -= 1
        return -logp[rows, labels], grad


class MulticlassSVM(Loss):
    """Multiclass hinge loss (Weston–Watkins / CS231n):

        L_n = Σ_{j≠y_n} max(0, s_nj − s_n,y_n + margin)
        dL_n/ds_nj = 1[s_nj − s_n,y_n + margin > 0]        for j ≠ y_n
        dL_n/ds_n,y_n = −Σ_{j≠y_n} 1[s_nj − s_n,y_n + margin > 0]

    (``torch.nn.MultiMarginLoss`` is the same sum divided by the number of classes.)
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = float(margin)

    def _loss_and_grad(self, scores, labels):
        rows = np.arange(len(labels))
        correct = scores[rows, labels][:, None]
        margins = np.maximum(0, scores - correct + self.margin)
        margins[rows, labels] = 0
        active = (margins > 0).astype(scores.dtype)
        active[rows, labels] = -active.sum(axis=1)
        return margins.sum(axis=1), active

    def __repr__(self):
        return f"MulticlassSVM(margin={self.margin}, reduction={self.reduction!r})"


# -- losses for regression and segmentation: they average over elements or pixels ------


class _PairLoss(Loss):
    """A loss computed by a functional pair ``(loss, dscores) = fn(scores, targets,
    reduction)``; ``dscores`` already carries the reduction, so backward only scales
    it by the upstream gradient. Subclasses set ``function`` and check their inputs."""

    function = None

    def forward(self, scores, targets):
        scores, targets = self._check(scores, targets)
        loss, grad = type(self).function(scores, targets, self.reduction)
        self._cache = grad
        return loss

    def backward(self, dloss=1.0) -> np.ndarray:
        """dL/dscores. ``dloss``: a scalar for 'mean'/'sum', an array shaped like the
        loss for 'none'."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before the loss was computed")
        grad = self._cache
        if self.reduction != "none":
            return grad * dloss
        dloss = np.asarray(dloss, dtype=grad.dtype)
        return grad * (dloss if dloss.ndim == grad.ndim else np.expand_dims(dloss, 1))

    def _check_float(self, what: str, array) -> np.ndarray:
        if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
            raise TypeError(
                f"{self!r}: {what} must be a floating-point NumPy array, got "
                f"{getattr(array, 'dtype', type(array).__name__)}; convert it, e.g. "
                f"np.asarray({what}, dtype=np.float32)"
            )
        return array

    def _check_same_shape(self, scores, targets):
        scores = self._check_float("input", scores)
        targets = self._check_float("target", np.asarray(targets))
        if scores.shape != targets.shape:
            raise ValueError(
                f"{self!r}: input and target must have the same shape, got {scores.shape} "
                f"and {targets.shape}"
            )
        return scores, targets


class MSELoss(_PairLoss):
    """Mean squared error, as ``torch.nn.MSELoss`` (regression, super-resolution):

        L = (1/M) Σ_i (x_i − t_i)²            dL/dx_i = 2 (x_i − t_i) / M

    over all M elements of the input (any shape; the target has the same shape).
    'sum' drops the 1/M, 'none' returns the squared error of every element.
    Functional pair: ``F.mse_loss``.
    """

    function = staticmethod(F_blocks.mse_loss)
    _check = _PairLoss._check_same_shape


class BCEWithLogitsLoss(_PairLoss):
    """Binary cross-entropy on raw scores, as ``torch.nn.BCEWithLogitsLoss``: one
    independent yes/no per element (a foreground mask in segmentation, multi-label
    classification), targets in [0, 1] with the scores' shape:

        l_i = −[t_i log σ(s_i) + (1 − t_i) log(1 − σ(s_i))]      dl_i/ds_i = σ(s_i) − t_i

    computed in the stable form max(s, 0) − t·s + log(1 + e^−|s|), so a score of
    ±1000 gives a finite loss. 'mean' averages over every element.
    Functional pair: ``F.binary_cross_entropy_with_logits``.
    """

    function = staticmethod(F_blocks.binary_cross_entropy_with_logits)

    def _check(self, scores, targets):
        scores, targets = self._check_same_shape(scores, targets)
        if targets.size and (targets.min() < 0 or targets.max() > 1):
            raise ValueError(
                f"{self!r}: targets must lie in [0, 1] (probabilities of the positive "
                f"class), got values in [{targets.min()}, {targets.max()}]"
            )
        return scores, targets


class PixelCrossEntropy(_PairLoss):
    """Softmax cross-entropy at every pixel, for segmentation: scores (N, C, H, W),
    one integer class per pixel in labels (N, H, W), as ``torch.nn.CrossEntropyLoss``
    on that layout:

        l[n,h,w] = −log softmax(s[n,:,h,w])[y[n,h,w]]
        dl/ds[n,c,h,w] = softmax(s[n,:,h,w])_c − 1[c = y[n,h,w]]

    Every pixel is a sample of SoftmaxCrossEntropy; 'mean' averages over the N·H·W
    pixels, 'none' returns the (N, H, W) map of losses.
    Functional pair: ``F.pixel_cross_entropy``.
    """

    function = staticmethod(F_blocks.pixel_cross_entropy)

    def _check(self, scores, labels):
        scores = self._check_float("scores", scores)
        if scores.ndim != 4:
            raise ValueError(
                f"{self!r}: expected scores of shape (N, classes, H, W), got {scores.shape}; "
                f"for (N, classes) scores use mc.SoftmaxCrossEntropy"
            )
        labels = np.asarray(labels)
        N, C, H, W = scores.shape
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"{self!r}: labels must be integer class indices, got dtype {labels.dtype}"
            )
        if labels.shape != (N, H, W):
            raise ValueError(
                f"{self!r}: expected labels of shape (N, H, W) = {(N, H, W)}, one class per "
                f"pixel, got {labels.shape}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= C):
            bad = labels[(labels < 0) | (labels >= C)][0]
            raise ValueError(
                f"{self!r}: label {bad} is out of range for {C} classes (expected 0..{C - 1})"
            )
        return scores, labels
