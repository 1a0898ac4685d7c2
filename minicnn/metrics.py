"""Classification and segmentation metrics: accuracy, the confusion matrix, pixel
accuracy and intersection over union (IoU).

Classification, with labels ``y_true`` (N,) and predicted labels ``y_pred`` (N,)
(``accuracy`` also takes the scores or probabilities (N, classes) and takes
their argmax)::

    accuracy          = (1/N) Σ_n 1[y_pred_n = y_true_n]
    confusion_matrix  : M[i, j] = how many images of true class i were predicted as j,
                        shape (num_classes, num_classes), rows true, columns predicted
                        (as scikit-learn's); accuracy = trace(M) / Σ M

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


def accuracy(y_true, y_pred) -> float:
    """The fraction of examples whose predicted class is the true class.

    Args:
        y_true: (N,) integer class indices.
        y_pred: (N,) predicted class indices, or (N, classes) scores or probabilities
            (e.g. from ``mc.predict(..., return_probs=True)``): their argmax is taken.

    >>> accuracy([0, 1, 2, 2], [0, 1, 1, 2])
    0.75
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim == y_true.ndim + 1:  # scores or probabilities: one row per example
        y_pred = y_pred.argmax(axis=-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"accuracy: y_true {y_true.shape} and y_pred {y_pred.shape} must have the same "
            "shape (or y_pred one more axis: scores (N, classes))"
        )
    if y_true.size == 0:
        raise ValueError("accuracy: y_true holds no labels")
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if a.dtype.kind not in "iu":
            raise TypeError(f"accuracy: {name} must hold integer class indices, got {a.dtype}")
    return float(np.mean(y_true == y_pred))


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
    "accuracy",
    "confusion_matrix",
    "pixel_accuracy",
    "segmentation_confusion",
    "iou_from_confusion",
    "iou_per_class",
    "mean_iou",
]
