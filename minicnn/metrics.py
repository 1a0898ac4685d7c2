"""Segmentation metrics: pixel accuracy and intersection over union (IoU).

A segmentation network predicts one class per pixel. With ``pred`` and ``target``
integer arrays of the same shape (for a batch, (N, H, W)), and the per-pixel
confusion matrix ``M[i, j]`` = number of pixels of true class i predicted as j:

    pixel accuracy  = Σ_i M[i, i] / Σ_ij M[i, j]             (fraction of pixels right)
    IoU_c           = |pred = c ∧ target = c| / |pred = c ∨ target = c|
                    = M[c, c] / (Σ_j M[c, j] + Σ_i M[i, c] − M[c, c])
    mean IoU        = the mean of IoU_c over the classes that occur
                      (in the prediction or the target)

Pixel accuracy is dominated by the largest class: on canvases that are 91 %
background, predicting "background" everywhere scores 0.91 yet finds nothing.
IoU scores every class on its own: that prediction's background IoU is 0.91 and
every digit's is 0, so its mean IoU over 11 classes is 0.91 / 11 ≈ 0.08.
A class that appears in neither prediction nor target has no IoU (0/0): it is
NaN in ``iou_per_class`` and left out of the mean.

Example::

    >>> import numpy as np
    >>> target = np.array([[0, 0, 1, 1]])
    >>> pred = np.array([[0, 1, 1, 1]])
    >>> pixel_accuracy(pred, target)
    0.75
    >>> iou_per_class(pred, target, num_classes=3)   # class 2 occurs nowhere
    array([0.5       , 0.66666667,        nan])
"""

from __future__ import annotations

import numpy as np

from .train import confusion_matrix


def _check(pred: np.ndarray, target: np.ndarray, num_classes: int | None = None):
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(
            f"pred {pred.shape} and target {target.shape} must have the same shape; for "
            f"scores (N, C, H, W) pass scores.argmax(axis=1) as pred"
        )
    for name, a in (("pred", pred), ("target", target)):
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class indices, got dtype {a.dtype}")
        if a.size and a.min() < 0:
            raise ValueError(f"{name} holds a negative class index ({a.min()})")
        if num_classes is not None and a.size and a.max() >= num_classes:
            raise ValueError(
                f"{name} holds class {a.max()}, out of range for num_classes={num_classes}"
            )
    if pred.size == 0:
        raise ValueError("pred and target hold no pixels")
    return pred, target


def pixel_accuracy(pred: np.ndarray, target: np.ndarray) -> float:
    """The fraction of pixels whose predicted class equals the target class."""
    pred, target = _check(pred, target)
    return float(np.mean(pred == target))


def segmentation_confusion(pred: np.ndarray, target: np.ndarray, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) int64: ``M[i, j]`` = pixels of true class i predicted j."""
    pred, target = _check(pred, target, num_classes)
    return confusion_matrix(target.ravel(), pred.ravel(), num_classes)


def iou_from_confusion(counts: np.ndarray) -> np.ndarray:
    """Per-class IoU (float64, NaN for a class in neither prediction nor target) from a
    confusion matrix; sum the matrices of several batches first to score a whole set."""
    counts = np.asarray(counts, dtype=np.int64)
    hit = np.diag(counts)
    union = counts.sum(axis=0) + counts.sum(axis=1) - hit
    with np.errstate(invalid="ignore", divide="ignore"):
        return hit / union


def iou_per_class(pred: np.ndarray, target: np.ndarray, num_classes: int) -> np.ndarray:
    """IoU_c = |pred = c ∧ target = c| / |pred = c ∨ target = c| for c in 0..num_classes-1
    (NaN where the union is empty)."""
    return iou_from_confusion(segmentation_confusion(pred, target, num_classes))


def mean_iou(pred: np.ndarray, target: np.ndarray, num_classes: int) -> float:
    """The mean of [`iou_per_class`][minicnn.metrics.iou_per_class] over the classes that occur (NaN
    left out)."""
    return float(np.nanmean(iou_per_class(pred, target, num_classes)))


__all__ = [
    "pixel_accuracy",
    "segmentation_confusion",
    "iou_from_confusion",
    "iou_per_class",
    "mean_iou",
]
