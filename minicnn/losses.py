"""Classification losses on raw scores (logits): softmax cross-entropy and SVM hinge.

Usage::

    loss = criterion(scores, labels)   # a Python float (reduction='mean' or 'sum')
    dscores = criterion.backward()     # dL/dscores, same shape as scores

The math is in :mod:`minicnn.functional.losses`; a loss object keeps dL/dscores
between the two calls, the way a layer keeps its cache.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from .functional.losses import REDUCTIONS


class Loss:
    """A loss function with ``forward(scores, labels)`` and ``backward(dloss=1.0)``."""

    def __init__(self, reduction: str = "mean"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
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
            return self._dscores * np.asarray(dloss, dtype=self._dscores.dtype).reshape(-1, 1)
        return self._dscores * dloss

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class SoftmaxCrossEntropy(Loss):
    """L_n = −log softmax(s_n)[y_n], dL_n/ds_nj = softmax(s_n)_j − 1[j = y_n]
    (:func:`minicnn.functional.softmax_cross_entropy`), as ``torch.nn.CrossEntropyLoss``."""

    def loss_and_grad(self, scores, labels):
        return F.softmax_cross_entropy(scores, labels, self.reduction)


class MulticlassSVM(Loss):
    """L_n = Σ_{j≠y_n} max(0, s_nj − s_n,y_n + margin) (:func:`minicnn.functional.multiclass_svm`).
    ``torch.nn.MultiMarginLoss`` is the same sum divided by the number of classes."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = float(margin)

    def loss_and_grad(self, scores, labels):
        return F.multiclass_svm(scores, labels, self.margin, self.reduction)

    def __repr__(self):
        return f"MulticlassSVM(margin={self.margin}, reduction={self.reduction!r})"
