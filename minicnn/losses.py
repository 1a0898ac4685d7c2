"""Classification losses on raw scores (logits): softmax cross-entropy and SVM hinge.

Usage::

    loss = criterion(scores, labels)   # a Python float (reduction='mean' or 'sum')
    dscores = criterion.backward()     # dL/dscores, same shape as scores
"""

from __future__ import annotations

import numpy as np

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
