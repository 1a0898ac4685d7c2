"""Classification losses on raw scores (logits), each returning the loss and dL/dscores.

    loss, dscores = softmax_cross_entropy(scores, labels, reduction="mean")
    loss, dscores = multiclass_svm(scores, labels, margin=1.0, reduction="mean")

A loss ends the forward pass, so its backward needs no upstream gradient (dL/dL = 1):
one function computes both. ``reduction`` is 'mean' (the loss and its gradient divided
by N), 'sum', or 'none' (a loss per sample, shape (N,), and each row's own gradient).
"""

from __future__ import annotations

import numpy as np

from ..validate import (
    NonFiniteInputError,
    check_array,
    check_choice,
    check_labels,
    check_margin,
)

REDUCTIONS = ("mean", "sum", "none")


def log_softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(s)_j = s_j − log Σ_k exp(s_k), computed stably.

    Subtracting m = max_k s_k first leaves the result unchanged (it cancels) but keeps
    every exponent ≤ 0, so exp never overflows: scores of 1e4 are fine.
    """
    shifted = scores - scores.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(s)_j = exp(s_j − m) / Σ_k exp(s_k − m) with m = max_k s_k (no overflow)."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def check_scores_and_labels(scores, labels, op: str) -> np.ndarray:
    """scores (N, classes) finite floats, labels N integers in [0, classes); returns labels
    as an array."""
    check_array(scores, "scores", op, "(N, classes)", ndim=2)
    for bad, what in ((np.isnan, "NaN"), (np.isinf, "infinity")):
        if bad(scores).any():
            raise NonFiniteInputError(
                f"{op}: scores contain {what}; the network's output blew up (lower the "
                f"learning rate) or the input data holds {what}"
            )
    N, C = scores.shape
    return check_labels(labels, C, (N,), op, f"{N} labels (one per row of scores)")


def reduce(per_sample: np.ndarray, grad: np.ndarray, reduction: str):
    """Apply ``reduction`` to per-sample losses (N,) and their rows of gradient (N, C)."""
    check_choice(reduction, REDUCTIONS, "reduction", "")
    if reduction == "none":
        return per_sample, grad
    if reduction == "sum":
        return float(per_sample.sum()), grad
    n = len(per_sample)
    if n == 0:  # the mean of no samples, as PyTorch: NaN, and an empty gradient
        return float("nan"), grad
    return float(per_sample.sum() / n), grad / n


def softmax_cross_entropy(scores, labels, reduction: str = "mean"):
    """L_n = −log softmax(s_n)[y_n] = log Σ_j exp(s_nj) − s_n,y_n

        dL_n/ds_nj = softmax(s_n)_j − 1[j = y_n]

    Computed with the max-shift (log-sum-exp), so scores of 1e4 stay finite.
    Shapes: scores (N, C), labels (N,) -> loss (a float, or (N,) for 'none'), dscores (N, C).
    """
    labels = check_scores_and_labels(scores, labels, "softmax_cross_entropy")
    rows = np.arange(len(labels))
    logp = log_softmax(scores)
    grad = np.exp(logp)
    grad[rows, labels] -= 1
    return reduce(-logp[rows, labels], grad, reduction)


def multiclass_svm(scores, labels, margin: float = 1.0, reduction: str = "mean"):
    """Multiclass hinge loss (Weston–Watkins, as in CS231n and lecture 000):

        L_n = Σ_{j≠y_n} max(0, s_nj − s_n,y_n + margin)
        dL_n/ds_nj = 1[s_nj − s_n,y_n + margin > 0]        for j ≠ y_n
        dL_n/ds_n,y_n = −Σ_{j≠y_n} 1[s_nj − s_n,y_n + margin > 0]

    (``torch.nn.MultiMarginLoss`` is the same sum divided by the number of classes.)
    """
    labels = check_scores_and_labels(scores, labels, "multiclass_svm")
    margin = check_margin(margin, "multiclass_svm")
    rows = np.arange(len(labels))
    correct = scores[rows, labels][:, None]
    with np.errstate(over="ignore"):
        margins = np.maximum(0, scores - correct + margin)
    margins[rows, labels] = 0
    if not np.isfinite(margins).all():  # the scores are finite: the margin made them overflow
        raise ValueError(
            f"multiclass_svm: the margins overflow {margins.dtype} with margin={margin!r}; "
            f"a margin of 1 is usual"
        )
    active = (margins > 0).astype(scores.dtype)
    active[rows, labels] = -active.sum(axis=1)
    return reduce(margins.sum(axis=1), active, reduction)
