"""Losses: classification on raw scores (softmax cross-entropy, SVM hinge), regression
(mean squared error), and per-element or per-pixel losses for segmentation (binary
cross-entropy with logits, pixel cross-entropy).

Usage::

    loss = criterion(scores, labels)   # a Python float (reduction='mean' or 'sum')
    dscores = criterion.backward()     # dL/dscores, same shape as scores

The math is in ``minicnn.functional.losses``; a loss object keeps dL/dscores
between the two calls, the way a layer keeps its cache.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from . import validate
from .functional.losses import REDUCTIONS


class Loss:
    """A loss function with ``forward(scores, labels)`` and ``backward(dloss=1.0)``.

    Args:
        reduction: what ``forward`` returns from the per-sample losses L_n: their 'mean'
            (the default, as PyTorch), their 'sum', or 'none', the (N,) array itself.
    """

    def __init__(self, reduction: str = "mean"):
        self.reduction = validate.check_choice(
            reduction, REDUCTIONS, "reduction", type(self).__name__
        )
        self._dscores = None

    def __call__(self, scores: np.ndarray, labels: np.ndarray):
        return self.forward(scores, labels)

    def forward(self, scores, labels):
        loss, self._dscores = self.loss_and_grad(scores, labels)
        return loss

    def loss_and_grad(self, scores, labels):
        """(loss, dL/dscores) from the functional form."""
        raise NotImplementedError

    def backward(self, dloss=1.0) -> np.ndarray:
        """dL/dscores. ``dloss`` is the upstream gradient: a scalar for 'mean'/'sum',
        an array of shape (N,) for 'none' (one per sample's loss)."""
        if self._dscores is None:
            raise RuntimeError(f"{self!r}: backward called before the loss was computed")
        if self.reduction == "none":
            return self._dscores * self.per_term(np.asarray(dloss, dtype=self._dscores.dtype))
        return self._dscores * dloss

    def per_term(self, dloss: np.ndarray) -> np.ndarray:
        """Shape 'none''s upstream gradient (one per loss term) to broadcast against
        dL/dscores: one per sample's row here, (N,) -> (N, 1)."""
        return dloss.reshape(-1, 1)

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class SoftmaxCrossEntropy(Loss):
    """L_n = −log softmax(s_n)[y_n], dL_n/ds_nj = softmax(s_n)_j − 1[j = y_n]
    ([`minicnn.functional.softmax_cross_entropy`][]), as ``torch.nn.CrossEntropyLoss``."""

    def loss_and_grad(self, scores, labels):
        return F.softmax_cross_entropy(scores, labels, self.reduction)


class MulticlassSVM(Loss):
    """L_n = Σ_{j≠y_n} max(0, s_nj − s_n,y_n + margin) ([`minicnn.functional.multiclass_svm`][]).
    ``torch.nn.MultiMarginLoss`` is the same sum divided by the number of classes.

    Args:
        margin: Δ, how far the correct class's score must lie above each other score.
        reduction: 'mean', 'sum' or 'none', as for every [`Loss`][minicnn.losses.Loss].
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = validate.check_margin(margin, "MulticlassSVM")

    def loss_and_grad(self, scores, labels):
        return F.multiclass_svm(scores, labels, self.margin, self.reduction)

    def __repr__(self):
        return f"MulticlassSVM(margin={self.margin}, reduction={self.reduction!r})"


# -- losses per element or per pixel: regression and segmentation --------------------


class MSELoss(Loss):
    """Mean squared error, as ``torch.nn.MSELoss`` (regression, super-resolution):

        L = (1/M) Σ_i (x_i − t_i)²            dL/dx_i = 2 (x_i − t_i) / M

    over all M elements of the input (any shape; the target has the same shape).
    'sum' drops the 1/M, 'none' returns the squared error of every element.
    Functional form: [`minicnn.functional.mse_loss`][].
    """

    def loss_and_grad(self, input, target):
        return F.mse_loss(input, np.asarray(target), self.reduction)

    def per_term(self, dloss):
        return dloss  # one term per element: dloss has the input's shape


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on raw scores, as ``torch.nn.BCEWithLogitsLoss``: one
    independent yes/no per element (a foreground mask, multi-label classification),
    targets in [0, 1] with the scores' shape:

        l_i = −[t_i log σ(s_i) + (1 − t_i) log(1 − σ(s_i))]      dl_i/ds_i = σ(s_i) − t_i

    computed in the stable form max(s, 0) − t·s + log(1 + e^−|s|), so a score of ±1000
    gives a finite loss. 'mean' averages over every element.
    Functional form: [`minicnn.functional.binary_cross_entropy_with_logits`][].
    """

    def loss_and_grad(self, scores, targets):
        return F.binary_cross_entropy_with_logits(scores, np.asarray(targets), self.reduction)

    def per_term(self, dloss):
        return dloss


class PixelCrossEntropy(Loss):
    """Softmax cross-entropy at every pixel, for segmentation: scores (N, C, H, W), one
    integer class per pixel in labels (N, H, W), as ``torch.nn.CrossEntropyLoss`` on
    that layout:

        l[n,h,w] = −log softmax(s[n,:,h,w])[y[n,h,w]]
        dl/ds[n,c,h,w] = softmax(s[n,:,h,w])_c − 1[c = y[n,h,w]]

    Every pixel is a sample of SoftmaxCrossEntropy; 'mean' averages over the N·H·W
    pixels, 'none' returns the (N, H, W) map of losses.
    Functional form: [`minicnn.functional.pixel_cross_entropy`][].
    """

    def loss_and_grad(self, scores, labels):
        return F.pixel_cross_entropy(scores, labels, self.reduction)

    def per_term(self, dloss):
        return np.expand_dims(dloss, 1)  # (N, H, W) -> (N, 1, H, W), across the classes
