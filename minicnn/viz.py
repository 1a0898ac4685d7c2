"""Pictures of a network and its training: curves, filters, feature maps, mistakes,
and the run report ([`report`][minicnn.viz.report]), one self-contained HTML page per training run.

Every function returns a ``matplotlib.figure.Figure`` and, given ``path``, also saves
it as a PNG (atomically: a half-written image never replaces a good one). Figures are
built with ``Figure()`` directly, not ``pyplot``: no global figure state, no window,
no display needed, so this works on a headless server and in tests. In a notebook the
returned figure displays itself as the cell's result.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from .atomic import atomic_write, atomic_write_bytes
from .layers.base import Layer
from .layers.conv import Conv2D
from .model import Sequential
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


def _first_kernels(w: np.ndarray) -> np.ndarray:
    """(K, C, kh, kw) -> what is drawn per kernel: all 3 channels (RGB) or channel 0."""
    return w if w.shape[1] == 3 else w[:, :1]


def plot_filters_before_after(
    before: np.ndarray, after: np.ndarray, path: str | os.PathLike | None = None, cols: int = 8
) -> Figure:
    """The first-layer kernels before and after training, side by side on ONE scale.

    ``before`` and ``after`` are weight arrays (K, C, kh, kw) of the same shape. Both
    grids use the same titles (the kernel's number) and the same grey scale,
    ``-v`` (black) .. ``+v`` (white) with ``v = max |w|`` over both, so that what
    changed in size shows, not only in pattern (three channels show as RGB,
    ``0.5 + w / 2v``). A colour bar gives the scale.
    """
    before, after = np.asarray(before), np.asarray(after)
    if before.shape != after.shape or before.ndim != 4:
        raise ValueError(
            f"plot_filters_before_after: expected two (K, C, kh, kw) arrays of one shape, "
            f"got {before.shape} and {after.shape}"
        )
    b, a = _first_kernels(before), _first_kernels(after)
    v = float(max(np.abs(b).max(), np.abs(a).max())) or 1.0
    K = before.shape[0]
    cols = min(cols, K)
    rows = -(-K // cols)
    fig = Figure(figsize=(2 * max(cols * 1.1, 3) + 1.2, rows * 1.1 + 1.0), layout="constrained")
    grid = fig.add_gridspec(1, 2)
    left, right = fig.add_subfigure(grid[0, 0]), fig.add_subfigure(grid[0, 1])
    image = None
    for sub, w, when in ((left, b, "before training"), (right, a, "after training")):
        axes = np.atleast_2d(sub.subplots(rows, cols, squeeze=False))
        for k, ax in enumerate(axes.flat):
            ax.set_xticks([])
            ax.set_yticks([])
            if k >= K:
                ax.axis("off")
                continue
            if w.shape[1] == 3:
                ax.imshow(np.clip(0.5 + w[k].transpose(1, 2, 0) / (2 * v), 0, 1))
            else:
                image = ax.imshow(w[k, 0], cmap="gray", vmin=-v, vmax=v, interpolation="nearest")
            ax.set_title(f"{k}", fontsize=8)
        sub.suptitle(when, fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=list(right.axes), fraction=0.05, pad=0.04, label="weight")
    fig.suptitle(f"first-layer filters {tuple(before.shape)}, one scale: ±{v:.3g}", fontsize=10)
    if path is not None:
        atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=110))
    return fig


def _maps_label(index: int, shape: tuple[int, int, int], max_channels: int) -> str:
    """'0: 6@28×28' when every map is drawn, '3: first 8 of 16@10×10' when only some are."""
    channels, height, width = shape
    if channels <= max_channels:
        return f"{index}: {channels}@{height}×{width}"
    return f"{index}: first {max_channels} of {channels}@{height}×{width}"


def plot_feature_maps(
    model: Layer, image: np.ndarray, path: str | os.PathLike | None = None, max_channels: int = 8
) -> Figure:
    """One image (C, H, W) through a Sequential: the input, then the output of each
    Conv2D layer (up to ``max_channels`` channels per row, and the row's label says
    how many of how many are shown), in eval mode."""
    layers = list(model.children()) or [model]
    x = image[None].astype(next(model.parameters()).dtype, copy=False)
    rows = [("input", x[0])]
    was_training = model.training
    model.eval()
    try:
        for i, layer in enumerate(layers):
            x = layer.forward(x)
            if isinstance(layer, Conv2D):
                rows.append((_maps_label(i, x.shape[1:], max_channels), x[0]))
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
        # Large, dark and bold: read at a glance (small red text was hard to read).
        ax.set_title(f"{name(y_true[i])} → {name(y_pred[i])}", fontsize=11, fontweight="bold")
    total = int(np.sum(np.asarray(y_true) != np.asarray(y_pred)))
    fig.suptitle(f"misclassified: {len(wrong)} shown of {total} (true → predicted)")
    return _finish(fig, path)


# -- the run report -----------------------------------------------------------------------

FILTERS_BEFORE = "filters_before.png"
FILTERS_BEFORE_WEIGHTS = "filters_before.npy"  # the same filters as numbers
MAX_FILTER_BYTES = 16 * 2**20  # a first layer is far smaller; a bigger file is not ours
REPORT = "report.html"
# The pictures a training run writes (examples/common.py), in the report's order.
RUN_PICTURES = (
    ("training_curves.png", "Training curves", "Loss and accuracy per epoch."),
    ("feature_maps.png", "Feature maps", "One test image through each convolution layer."),
    (
        "confusion_matrix.png",
        "Confusion matrix",
        "True class × predicted class on the test set: the diagonal is right.",
    ),
    ("misclassified.png", "Misclassified examples", "Test images the model got wrong."),
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHECKPOINT_PARAM = "param/"  # the prefix of parameter arrays in a checkpoint (checkpoint.py)


def save_initial_filters(model: Layer, out: str | os.PathLike) -> Path:
    """Draw the first-layer filters *before* training as ``out/filters_before.png``, and
    keep their weights as ``out/filters_before.npy``, so that the run report can show
    them beside the trained ones on one scale (lecture 002's picture). Call it after
    building the model and before ``fit``; returns the path of the picture."""
    path = Path(out) / FILTERS_BEFORE
    path.parent.mkdir(parents=True, exist_ok=True)
    weights = np.array(_first_conv(model).weight.data, dtype=np.float32)
    atomic_write(path.with_name(FILTERS_BEFORE_WEIGHTS), lambda f: np.save(f, weights))
    fig = plot_filters(model)
    fig.suptitle("first-layer filters before training")
    _finish(fig, path)
    return path


def _initial_weights(run_dir: Path) -> np.ndarray | None:
    """filters_before.npy if it is there and sane (a small 4-D float array), else None."""
    path = run_dir / FILTERS_BEFORE_WEIGHTS
    if not path.is_file() or path.stat().st_size > MAX_FILTER_BYTES:
        return None
    try:
        weights = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    ok = weights.ndim == 4 and weights.dtype.kind == "f" and np.isfinite(weights).all()
    return weights if ok else None


def _png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    if fig.get_layout_engine() is None:  # a constrained layout lays itself out
        fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _img(data: bytes, alt: str) -> str:
    """An <img> holding the PNG itself (base64): the page needs no other file."""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _picture(run_dir: Path, name: str, alt: str) -> str:
    path = run_dir / name
    if not path.is_file():
        return f'<p class="missing">No {html.escape(name)} in this run.</p>'
    data = path.read_bytes()
    if not data.startswith(PNG_MAGIC):
        return f'<p class="missing">{html.escape(name)} is not a PNG file; left out.</p>'
    return _img(data, alt)


def _table(header: Sequence[str], rows: Sequence[Sequence], numeric_from: int = 1) -> str:
    def cell(i: int, value, tag: str = "td") -> str:
        cls = ' class="num"' if i >= numeric_from else ""
        return f"<{tag}{cls}>{html.escape(str(value))}</{tag}>"

    head = "".join(cell(i, h, "th") for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_html(
    run_dir: Path, model: Sequential | None, input_shape: tuple[int, ...] | None
) -> str:
    """The model summary table from ``model`` (with ``input_shape``), else the parameter
    tensors stored in checkpoint.npz (names and shapes only, read without pickle)."""
    if model is not None and input_shape is not None:
        summary = model.summary(tuple(input_shape), print_table=False)
        rows: list[tuple[str, ...]] = [
            (
                r.name,
                str(r.output_shape),
                f"{r.params:,}",
                f"{r.macs:,}",
                "-" if r.receptive_field is None else "×".join(map(str, r.receptive_field)),
            )
            for r in summary.rows
        ]
        rows.append(("total", "", f"{summary.total_params:,}", f"{summary.total_macs:,}", ""))
        header = ("layer", "output shape", "parameters", "multiply-adds", "receptive field")
        note = f"<p>Input shape {tuple(input_shape)}.</p>"
        return note + _table(header, rows, numeric_from=2)
    checkpoint = run_dir / "checkpoint.npz"
    if not checkpoint.is_file():
        return '<p class="missing">No model given and no checkpoint.npz in this run.</p>'
    try:
        shapes = checkpoint_shapes(checkpoint)
    except ValueError as err:
        return f'<p class="missing">checkpoint.npz could not be read: {html.escape(str(err))}</p>'
    rows = [(k, str(s), f"{int(np.prod(s)):,}") for k, s in shapes.items()]
    rows.append(("total", "", f"{sum(int(np.prod(s)) for s in shapes.values()):,}"))
    return (
        "<p>Parameters stored in checkpoint.npz (pass <code>model=</code> and "
        "<code>input_shape=</code> to <code>mc.viz.report</code> for the full layer "
        "table).</p>" + _table(("parameter", "shape", "count"), rows, numeric_from=2)
    )


MAX_MEMBERS = 10_000  # a checkpoint of the zoo's largest model has a few hundred


def checkpoint_shapes(path: str | os.PathLike) -> dict[str, tuple[int, ...]]:
    """The parameters' names and shapes in a checkpoint, read from the ``.npy`` headers
    alone: no array is decompressed, so a small file with a huge compressed member (a
    "zip bomb") costs nothing here. ``mc.load`` (the checked loader) is what reads the
    values into a model; the report only lists the shapes when it has no model.

    Raises ValueError (naming the file) when it is not a zip of ``.npy`` files.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if i.filename.startswith(CHECKPOINT_PARAM)]
            if len(infos) > MAX_MEMBERS:
                raise ValueError(f"{len(infos)} parameters, more than {MAX_MEMBERS}")
            shapes = {}
            for info in infos:
                with zf.open(info) as f:  # reads (and inflates) only the first bytes
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        shape, _, _ = np.lib.format.read_array_header_1_0(f)
                    elif version == (2, 0):
                        shape, _, _ = np.lib.format.read_array_header_2_0(f)
                    else:
                        raise ValueError(f"{info.filename}: .npy version {version}")
                name = info.filename[len(CHECKPOINT_PARAM) :].removesuffix(".npy")
                shapes[name] = tuple(int(n) for n in shape)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise ValueError(f"{path}: not a checkpoint written by mc.save ({err})") from None
    return shapes


def _filters_html(
    run_dir: Path, model: Sequential | None, initial_filters: np.ndarray | None
) -> str:
    """Before and after training side by side. With the weights of both (the model, and
    ``initial_filters`` or filters_before.npy) one figure on one scale; otherwise the
    two pictures the run saved."""
    before = initial_filters if initial_filters is not None else _initial_weights(run_dir)
    after = None
    if model is not None:
        try:
            after = _first_conv(model).weight.data
        except ValueError:
            after = None
    if before is not None and after is not None and np.shape(before) == after.shape:
        fig = plot_filters_before_after(np.asarray(before), after)
        return (
            "<p>Left: before training (random initialisation); right: after training. "
            "Both on one grey scale (black negative, white positive), so the change in "
            "size shows as well as the change in pattern.</p>"
            + _img(_png_bytes(fig), "first-layer filters before and after training")
        )
    if initial_filters is not None and not (run_dir / FILTERS_BEFORE).is_file():
        fig = plot_filters(np.asarray(initial_filters))
        fig.suptitle("first-layer filters before training")
        first = _img(_png_bytes(fig), "first-layer filters before training")
    else:
        first = _picture(run_dir, FILTERS_BEFORE, "first-layer filters before training")
    second = _picture(run_dir, "filters.png", "first-layer filters after training")
    return (
        f'<div class="pair"><figure>{first}<figcaption>before training (random '
        f"initialisation)</figcaption></figure><figure>{second}<figcaption>after training"
        "</figcaption></figure></div><p>Each kernel is scaled on its own here; give "
        "<code>model=</code> for one picture on one scale.</p>"
    )


def _number(key: str, value) -> str:
    """One format per kind of number, so a column never mixes 9829 and 1.01e+04:
    accuracies as percentages, losses with 4 decimals, the learning rate with 3
    significant digits, seconds with 1 decimal, other large numbers as whole ones."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if "acc" in key:
        return f"{value:.2%}"
    if "loss" in key:
        return f"{value:.4f}"
    if key == "lr":
        return f"{value:.3g}"
    if "second" in key:
        return f"{value:,.1f}"
    if isinstance(value, int) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _results_html(results: dict) -> str:
    """The scalar results as a table, then the per-epoch history."""
    if not results:
        return '<p class="missing">No results.json in this run.</p>'
    rows = [
        (key.replace("_", " "), _number(key, value))
        for key, value in results.items()
        if key not in ("command", "data", "history") and not isinstance(value, dict | list)
    ]
    parts = [_table(("result", "value"), rows)]
    history = results.get("history") or {}
    columns = [k for k, v in history.items() if isinstance(v, list) and v]
    if columns:
        epochs = max(len(history[k]) for k in columns)
        epoch_rows = [
            [e + 1] + [_number(k, history[k][e]) if e < len(history[k]) else "-" for k in columns]
            for e in range(epochs)
        ]
        header = ["epoch", *(k.replace("_", " ") for k in columns)]
        parts.append("<h3>Per epoch</h3>" + _table(header, epoch_rows))
    return "".join(parts)


REPORT_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; margin-top: 1.6em; }
pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.2em 0.8em; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; } .pair { display: flex; flex-wrap: wrap; gap: 2em; }
.pair figure { margin: 0; } .missing, .meta { color: #777; }
"""


def report(
    run_dir: str | os.PathLike,
    *,
    model: Sequential | None = None,
    input_shape: tuple[int, ...] | None = None,
    initial_filters: np.ndarray | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
) -> Path:
    """Write ``run_dir/report.html``: one self-contained page about a training run.

    It reads what a run leaves in ``run_dir`` (results.json, training_curves.png,
    filters.png, filters_before.png and .npy, feature_maps.png, confusion_matrix.png,
    misclassified.png, and checkpoint.npz's parameter shapes, from the headers only; see
    minicnn/recipes.py) and shows the command and data, the model summary, the curves,
    the first-layer filters before and after training (one figure on one scale when
    ``model`` is given and the weights before training are known: ``initial_filters``,
    else the run's filters_before.npy), feature maps, the
    confusion matrix, the misclassified examples and the results. Images are embedded
    (base64), with no script and no external file, so the page opens from the file
    system in any browser and can be mailed as one file.

    Args:
        run_dir: the run's output folder.
        model, input_shape: give both for the full layer table (``model.summary``);
            without them the parameter tensors stored in checkpoint.npz are listed.
        initial_filters: first-layer weights (K, C, kh, kw) before training, drawn when
            the run has no filters_before.png (see
            [`save_initial_filters`][minicnn.viz.save_initial_filters]).
        title: the page's heading (default: 'minicnn run: <folder name>').
        path: where to write (default ``run_dir/report.html``); written atomically.

    Returns the path written. Raises FileNotFoundError when ``run_dir`` is not a
    folder, ValueError when it holds none of the files a run writes.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(
            f"report: {str(run_dir)!r} is not a folder; give the --out folder of a training run"
        )
    known = ["results.json", "checkpoint.npz", "filters.png", FILTERS_BEFORE]
    known += [name for name, _, _ in RUN_PICTURES]
    if not any((run_dir / name).is_file() for name in known):
        raise ValueError(
            f"report: {str(run_dir)!r} holds none of the files a training run writes "
            f"({', '.join(known)}); run e.g. examples/train_mnist_lenet.py --out {run_dir}"
        )
    results: dict = {}
    if (run_dir / "results.json").is_file():
        try:
            results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(
                f"report: {run_dir / 'results.json'} is not valid JSON ({err}); "
                f"rerun the training or delete the file"
            ) from None
    if input_shape is None and "input_shape" in results:
        input_shape = tuple(results["input_shape"])
    esc = html.escape
    heading = title or f"minicnn run: {run_dir.resolve().name}"
    command = f"<pre>{esc(results.get('command', 'not recorded'))}</pre>"
    data = f"<p>{esc(str(results.get('data', 'Data not recorded.')))}</p>"
    filters = _filters_html(run_dir, model, initial_filters)

    def picture(index: int) -> tuple[str, str, str]:
        name, title_, caption = RUN_PICTURES[index]
        return (
            name.removesuffix(".png"),
            title_,
            f"<p>{caption}</p>" + _picture(run_dir, name, title_),
        )

    parts = [  # (anchor, heading, body)
        ("command", "Command and data", command + data),
        ("model", "Model", _summary_html(run_dir, model, input_shape)),
        ("results", "Results", _results_html(results)),
        picture(0),
        ("filters", "First-layer filters before and after training", filters),
        *(picture(i) for i in range(1, len(RUN_PICTURES))),
    ]
    nav = " · ".join(f'<a href="#{a}">{esc(h)}</a>' for a, h, _ in parts)
    sections = [
        f"<h1>{esc(heading)}</h1>",
        f'<p class="meta">Report written {time.strftime("%Y-%m-%d %H:%M")} from '
        f"{esc(str(run_dir.resolve()))}.</p>",
        f"<nav>{nav}</nav>",
        *(f'<h2 id="{a}">{esc(h)}</h2>\n{body}' for a, h, body in parts),
    ]
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(heading)}</title><style>{REPORT_CSS}</style></head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )
    return atomic_write_bytes(Path(path) if path is not None else run_dir / REPORT, page.encode())


# -- a photo of a digit, step by step ------------------------------------------------------


def plot_digit_steps(
    steps: Sequence, names: Sequence[str] | None = None, path: str | os.PathLike | None = None
) -> Figure:
    """One row per image, one panel per step of ``minicnn.data.find_digit``:

    photo (grey, dark ink made dark) | paper brightness B | contrast 1 - grey/B |
    sheet and pieces (the table dark, the sheet grey, the main mark red, other kept
    pieces blue) | the ink kept | the 28×28 input, titled with the verdict (red when
    the image does not look like one digit). ``steps``: ``minicnn.data.DigitSteps``.
    """
    titles = (
        "photo (grey, ink dark)",
        "paper brightness B",
        "contrast 1 − grey/B",
        "sheet and marks",
        "ink kept",
        "28×28 input",
    )
    names = list(names) if names is not None else [f"image {i}" for i in range(len(steps))]
    fig = Figure(figsize=(2.1 * len(titles), 2.5 * len(steps) + 0.4))
    axes = np.atleast_2d(fig.subplots(len(steps), len(titles), squeeze=False))
    for row, (s, name) in enumerate(zip(steps, names, strict=True)):
        regions = np.where(s.sheet, 0.45, 0.1)[..., None] * np.ones(3)
        regions[s.pieces > 0] = (0.2, 0.4, 1.0)
        main = np.isin(s.pieces, s.marks[0]) if s.marks else np.zeros_like(s.sheet)
        regions[main] = (1.0, 0.15, 0.1)
        verdict = "one digit" if s.problem is None else s.problem
        panels = (s.grey, s.background, s.contrast, regions, s.ink, s.digit)
        for col, (ax, image) in enumerate(zip(axes[row], panels, strict=True)):
            if image.ndim == 3:
                ax.imshow(image, interpolation="nearest")
            else:
                ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(titles[col], fontsize=8)
        axes[row, 0].set_ylabel(name, fontsize=9)
        colour = "black" if s.problem is None else "firebrick"
        axes[row, -1].set_title(_wrap(verdict, 30), fontsize=7, color=colour)
    fig.suptitle("how minicnn finds the digit (mc.data.find_digit)", fontsize=10)
    return _finish(fig, path)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
