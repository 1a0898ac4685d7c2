"""Losses per element or per pixel, for regression and dense prediction (segmentation),
each returning the loss and dL/dscores:

    loss, dinput = mse_loss(input, target, reduction="mean")
    loss, dscores = binary_cross_entropy_with_logits(scores, targets, reduction="mean")
    loss, dscores = pixel_cross_entropy(scores, labels, reduction="mean")

Unlike the classification losses (one term per sample), these have one term per
element or pixel, and 'mean' averages over all of them, as PyTorch's losses do; 'none'
returns the terms in the input's layout (the pixel loss: (N, H, W)) with each term's
own gradient.
"""

from __future__ import annotations

import numpy as np

from ..validate import check_array, check_choice, check_finite, check_labels
from .losses import REDUCTIONS, log_softmax


def check_same_shape(scores, targets, op: str, name: str, target_name: str) -> None:
    """Finite floating-point ``scores`` and ``targets`` of one shape."""
    check_array(scores, name, op, "(any shape)")
    check_array(targets, target_name, op, f"(the shape of {name})")
    check_finite(scores, op)
    if scores.shape != targets.shape:
        raise ValueError(
            f"{op}: {name} and {target_name} must have the same shape, got {scores.shape} "
            f"and {targets.shape}"
        )


def check_pixel_labels(scores, labels) -> np.ndarray:
    """scores (N, C, H, W) finite floats, labels (N, H, W) integers in [0, C)."""
    op = "pixel_cross_entropy"
    check_array(scores, "scores", op, "(N, classes, H, W)", ndim=4)
    check_finite(scores, op)
    N, C, H, W = scores.shape
    expected = f"labels of shape (N, H, W) = {(N, H, W)}, one class per pixel"
    return check_labels(labels, C, (N, H, W), op, expected)


def reduce(per_element: np.ndarray, grad: np.ndarray, reduction: str, count: int):
    """Apply ``reduction`` to a loss given per element (or per pixel) with its gradient
    ``grad`` = d loss_i / d scores: 'none' returns both unchanged, 'sum' adds the
    losses (the gradient is unchanged: d(Σ l_i)/ds_i = dl_i/ds_i), 'mean' divides
    both by ``count``, the number of terms averaged."""
    check_choice(reduction, REDUCTIONS, "reduction", "")
    if reduction == "none":
        return per_element, grad
    total = per_element.sum()
    if reduction == "sum":
        return float(total), grad
    return float(total / count), grad / count


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean"):
    """Squared error per element, as ``torch.nn.functional.mse_loss``:

        l_i = (x_i − t_i)²            dl_i/dx_i = 2 (x_i − t_i)

    'mean' averages over every element (N·C·H·W of them for images), so
    dL/dx = 2 (x − t) / numel. Returns (loss, dL/dinput); with 'none' the loss has
    the input's shape and the gradient holds each dl_i/dx_i.
    """
    check_same_shape(input, target, "mse_loss", "input", "target")
    diff = input - target
    return reduce(diff * diff, 2 * diff, reduction, diff.size)


def binary_cross_entropy_with_logits(scores: np.ndarray, targets: np.ndarray, reduction="mean"):
    """Binary cross-entropy on raw scores s (logits), targets t in [0, 1], as
    ``torch.nn.functional.binary_cross_entropy_with_logits``. With p = σ(s):

        l = −[t log p + (1 − t) log(1 − p)]
          = log(1 + eˢ) − t·s          since log p = s − log(1 + eˢ), log(1 − p) = −log(1 + eˢ)
          = max(s, 0) − t·s + log(1 + e^−|s|)    the same, with no exp of a large number
        dl/ds = σ(s) − t

    Fusing the sigmoid into the loss is what keeps it finite: log σ(s) for s = −800
    underflows to log 0, while the last line stays exact. σ(s) itself is computed as
    1/(1 + e^−s) for s ≥ 0 and eˢ/(1 + eˢ) for s < 0 so no exponent is positive.
    'mean' averages over every element. Returns (loss, dL/dscores).
    """
    check_same_shape(scores, targets, "binary_cross_entropy_with_logits", "scores", "targets")
    if targets.size and (targets.min() < 0 or targets.max() > 1):
        raise ValueError(
            f"binary_cross_entropy_with_logits: targets must lie in [0, 1] (probabilities of "
            f"the positive class), got values in [{targets.min()}, {targets.max()}]"
        )
    e = np.exp(-np.abs(scores))  # in (0, 1]: never overflows
    per_element = np.maximum(scores, 0) - targets * scores + np.log1p(e)
    sigmoid = np.where(scores >= 0, 1 / (1 + e), e / (1 + e))
    return reduce(per_element, sigmoid - targets, reduction, per_element.size)


def pixel_cross_entropy(scores: np.ndarray, labels: np.ndarray, reduction: str = "mean"):
    """Softmax cross-entropy at every pixel, as ``torch.nn.functional.cross_entropy``
    on (N, C, H, W) scores and (N, H, W) integer labels:

        l[n,h,w] = −log softmax(s[n,:,h,w])[y] = log Σ_c exp(s[n,c,h,w]) − s[n,y,h,w]
        dl[n,h,w]/ds[n,c,h,w] = softmax(s[n,:,h,w])_c − 1[c = y[n,h,w]]

    Each pixel is one classification problem over the C channels (the softmax runs
    along axis 1), so this is SoftmaxCrossEntropy with N·H·W samples. 'mean'
    averages over the N·H·W pixels. Returns (loss, dL/dscores (N, C, H, W)); with
    'none' the loss is (N, H, W).
    """
    labels = check_pixel_labels(scores, labels)
    logp = log_softmax(scores, axis=1)
    picked = np.take_along_axis(logp, labels[:, None], axis=1)[:, 0]  # (N, H, W)
    grad = np.exp(logp)
    np.put_along_axis(
        grad, labels[:, None], np.take_along_axis(grad, labels[:, None], axis=1) - 1, axis=1
    )
    return reduce(-picked, grad, reduction, labels.size)
