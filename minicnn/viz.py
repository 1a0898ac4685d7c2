"""Pictures of a network and its training: curves, filters, feature maps, mistakes.

Every function returns a ``matplotlib.figure.Figure`` and, given ``path``, also saves
it as a PNG (atomically: a half-written image never replaces a good one). Figures are
built with ``Figure()`` directly, not ``pyplot``: no global figure state, no window,
no display needed, so this works on a headless server and in tests. In a notebook the
returned figure displays itself as the cell's result.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .atomic import atomic_write
from .layers.base import Layer
from .layers.conv import Conv2D
from .train import History, confusion_matrix


def _finish(fig: Figure, path: str | os.PathLike | None) -> Figure:
    fig.tight_layout()
    if path is not None:
        atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=110))
    return fig


def _grid(
    rows: int, cols: int, cell: float = 1.3, title: bool = False
) -> tuple[Figure, np.ndarray]:
    """A figure of rows × cols image axes with no ticks (room for a title on top);
    the axes as a 2-D array."""
    fig = Figure(figsize=(max(cols * cell, 3), rows * cell + (0.5 if title else 0)))
    axes = np.atleast_2d(fig.subplots(rows, cols, squeeze=False))
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def _as_image(x: np.ndarray) -> tuple[np.ndarray, str | None]:
    """(C, H, W) -> what imshow wants: (H, W) with a gray colormap, or (H, W, 3) RGB
    scaled to [0, 1]."""
    if x.shape[0] == 3:
        img = x.transpose(1, 2, 0)
        lo, hi = img.min(), img.max()
        return (img - lo) / (hi - lo if hi > lo else 1.0), None
    return x[0], "gray"


def plot_history(
    history: History, path: str | os.PathLike | None = None, val_label: str = "validation"
) -> Figure:
    """Training curves: loss (left) and accuracy (right) per epoch, training and validation
    (``val_label`` names the second curve, e.g. 'test' when the test set was used)."""
    fig = Figure(figsize=(9, 3.5))
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = np.arange(1, len(history) + 1)
    for ax, name, label in ((ax_loss, "loss", "loss"), (ax_acc, "acc", "accuracy")):
        ax.plot(epochs, getattr(history, f"train_{name}"), "o-", label="train")
        val = [np.nan if v is None else v for v in getattr(history, f"val_{name}")]
        if not np.isnan(val).all():
            ax.plot(epochs, val, "s-", label=val_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    ax_loss.set_title("loss")
    ax_acc.set_title("accuracy")
    return _finish(fig, path)


def _first_conv(model: Layer) -> Conv2D:
    if isinstance(model, Conv2D):
        return model
    for child in model.children():
        try:
            return _first_conv(child)
        except ValueError:
            continue
    raise ValueError(f"plot_filters: {type(model).__name__} contains no Conv2D layer")


def plot_filters(
    model: Layer | np.ndarray, path: str | os.PathLike | None = None, cols: int = 8
) -> Figure:
    """The first convolution layer's kernels, one small image each.

    ``model`` is a model (its first Conv2D is used), a Conv2D, or a weight array
    (K, C, kh, kw). One input channel shows as gray, three as RGB; otherwise channel 0.
    Each kernel is scaled on its own, so the pattern (not the size) is what you see:
    first-layer filters of a trained net look like edge and blob detectors.
    """
    w = model if isinstance(model, np.ndarray) else _first_conv(model).weight.data
    K = w.shape[0]
    cols = min(cols, K)
    rows = -(-K // cols)
    fig, axes = _grid(rows, cols, title=True)
    for k, ax in enumerate(axes.flat):
        if k >= K:
            ax.axis("off")
            continue
        img, cmap = _as_image(w[k] if w.shape[1] == 3 else w[k, :1])
        ax.imshow(img, cmap=cmap, interpolation="nearest")
        ax.set_title(f"{k}", fontsize=8)
    fig.suptitle(f"first-layer filters {tuple(w.shape)}")
    return _finish(fig, path)


def plot_feature_maps(
    model: Layer, image: np.ndarray, path: str | os.PathLike | None = None, max_channels: int = 8
) -> Figure:
    """One image (C, H, W) through a Sequential: the input, then the output of each
    Conv2D layer (up to ``max_channels`` channels per row), in eval mode."""
    layers = list(model.children()) or [model]
    x = image[None].astype(next(model.parameters()).dtype, copy=False)
    rows = [("input", x[0])]
    was_training = model.training
    model.eval()
    try:
        for i, layer in enumerate(layers):
            x = layer.forward(x)
            if isinstance(layer, Conv2D):
                rows.append((f"{i}: {layer.out_channels}@{x.shape[2]}×{x.shape[3]}", x[0]))
    finally:
        model.train(was_training)
    cols = max(min(max_channels, maps.shape[0]) for _, maps in rows)
    fig, axes = _grid(len(rows), cols, title=True)
    fig.suptitle("one image through each Conv2D layer (outputs before ReLU)")
    for r, (label, maps) in enumerate(rows):
        for c, ax in enumerate(axes[r]):
            if c >= min(max_channels, maps.shape[0]) or (r == 0 and c > 0):
                ax.axis("off")
                continue
            if r == 0:
                img, cmap = _as_image(maps)
            else:
                img, cmap = maps[c], "viridis"
            ax.imshow(img, cmap=cmap, interpolation="nearest")
        axes[r, 0].set_ylabel(label, fontsize=8)
    return _finish(fig, path)


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Counts of (true class, predicted class): the diagonal is right, the rest shows
    which classes the model confuses."""
    n = len(class_names) if class_names is not None else None
    counts = confusion_matrix(y_true, y_pred, n)
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(counts))]
    size = 2 + 0.5 * len(counts)
    fig = Figure(figsize=(size + 1, size))
    ax = fig.subplots()
    im = ax.imshow(counts, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(len(counts))
    ax.set_xticks(
        ticks,
        names,
        rotation=45 if max(map(len, names)) > 2 else 0,
        ha="right" if max(map(len, names)) > 2 else "center",
    )
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = counts.max() / 2
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > threshold else "black",
            )
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"confusion matrix (accuracy {accuracy:.2%})")
    return _finish(fig, path)


def plot_misclassified(
    images: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
    max_images: int = 32,
    cols: int = 8,
) -> Figure:
    """A grid of the first ``max_images`` images (N, C, H, W) whose prediction is wrong,
    each titled 'true → predicted'."""
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:max_images]

    def name(k: int) -> str:
        return class_names[k] if class_names is not None else str(k)

    cols = max(1, min(cols, len(wrong)))
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = _grid(rows, cols, cell=1.5, title=True)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        img, cmap = _as_image(images[i])
        ax.imshow(img, cmap=cmap, interpolation="nearest")
        ax.set_title(f"{name(y_true[i])} → {name(y_pred[i])}", fontsize=8, color="firebrick")
    total = int(np.sum(np.asarray(y_true) != np.asarray(y_pred)))
    fig.suptitle(f"misclassified: {len(wrong)} shown of {total} (true → predicted)")
    return _finish(fig, path)
