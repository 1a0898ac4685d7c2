"""The training loop: fit, evaluate, predict, History and callbacks.

One training step is the four lines every lesson writes on the board::

    optimizer.zero_grad()
    scores = model.forward(xb)                   # (N, classes)
    loss_value = loss(scores, yb)
    model.backward(loss.backward())              # fills p.grad for every Parameter
    optimizer.step()                             # p.data -= lr * (update from p.grad)

[`fit`][minicnn.train.fit] repeats it over a data loader for some epochs, measures loss, accuracy
and speed, validates, steps a learning-rate scheduler and calls callbacks. It refuses to
take a step whose loss or gradients are NaN or infinite
([`TrainingDivergedError`][minicnn.train.TrainingDivergedError]), so a diverged run never overwrites
good weights with garbage.

Callback protocol (every method optional; [`Callback`][minicnn.train.Callback] is a no-op base
class)::

    set_model(model)                        first of all: the model being trained
    on_train_begin(history)                 before the first epoch of this fit call
    on_batch_end(step, logs)                after each optimizer step; step is the
                                            1-based batch number in the epoch, logs a
                                            dict: epoch, loss and acc (this batch's),
                                            size (images in it), lr
    on_epoch_end(epoch, history) -> bool    after each epoch (1-based epoch number,
                                            history already holds it); return True
                                            to stop training after this epoch
    on_train_end(history)                   after the last epoch

A callback whose class sets ``rank_zero_only = True`` writes files (``Checkpoint``,
``CSVLogger``): in data-parallel training (``mc.distributed``) only rank 0 runs it,
and only rank 0 prints, so two processes never write the same file or the same line.

Ready-made callbacks: [`Checkpoint`][minicnn.checkpoint.Checkpoint] (save after each epoch, or
the best), [`EarlyStopping`][minicnn.train.EarlyStopping] (stop when a metric stalls, optionally
restoring the best weights), [`CSVLogger`][minicnn.train.CSVLogger] (one CSV row per epoch, for
a spreadsheet or pandas).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# tqdm.auto draws a widget bar in Jupyter but only warns ("IProgress not found")
# when ipywidgets is missing; then the plain text bar is the better choice.
if importlib.util.find_spec("ipywidgets") is not None:
    from tqdm.auto import tqdm
else:
    from tqdm import tqdm

from . import validate
from .atomic import atomic_write_bytes
from .distributed import DistributedDataParallel, main_process
from .layers.base import Layer, NonFiniteInputError
from .losses import Loss
from .optim import Optimizer

# What fit, evaluate and train_step train: a model, or a model wrapped for data-parallel
# training (mc.distributed.DistributedDataParallel, which hands everything to the model).
Model = Layer | DistributedDataParallel


class TrainingDivergedError(FloatingPointError):
    """The loss (or a gradient, or an activation) became NaN or infinite during training.

    ``epoch`` and ``step`` (both 1-based) say where; the optimizer step for that batch
    was *not* applied.
    """

    def __init__(self, message: str, epoch: int, step: int):
        super().__init__(message)
        self.epoch, self.step = epoch, step


@dataclass
class History:
    """Per-epoch record of a training run; one entry per epoch in every list.

    ``val_loss``/``val_acc`` hold None for epochs without validation. ``seconds`` is the
    wall time of the whole epoch (training and validation), ``images_per_sec`` the
    training throughput, ``lr`` the learning rate the epoch was trained with.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    images_per_sec: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.train_loss)

    def append(self, **values: Any) -> None:
        """Add one epoch: a value for every field."""
        for name, value in values.items():
            getattr(self, name).append(value)

    def to_dict(self) -> dict[str, list]:
        """Plain lists, JSON-able (this is what a checkpoint stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, list]) -> History:
        return cls(**{name: list(values) for name, values in d.items()})


class Callback:
    """Base class for callbacks: override any of the hooks (see the module doc).
    ``self.model`` is the model being trained (set by [`fit`][minicnn.train.fit] before
    training)."""

    model: Layer | None = None
    # True for callbacks that write files or print: in data-parallel training only
    # rank 0 runs them (every rank holds the same model, one copy on disk is enough).
    rank_zero_only: bool = False

    def set_model(self, model: Layer) -> None:
        self.model = model

    def on_train_begin(self, history: History) -> None:
        pass

    def on_batch_end(self, step: int, logs: dict[str, Any]) -> None:
        pass

    def on_epoch_end(self, epoch: int, history: History) -> bool | None:
        return None

    def on_train_end(self, history: History) -> None:
        pass


def _monitored(history: History, monitor: str) -> float:
    value = getattr(history, monitor)[-1]
    if value is None:
        raise ValueError(
            f"cannot monitor {monitor!r}: it is None for this epoch "
            f"(pass val_loader= to fit, or monitor 'train_loss'/'train_acc')"
        )
    return value


def _improved(value: float, best: float | None, mode: str, min_delta: float = 0.0) -> bool:
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _mode_for(monitor: str) -> str:
    """Losses should go down, accuracies up."""
    if monitor not in ("train_loss", "train_acc", "val_loss", "val_acc"):
        raise ValueError(
            f"monitor must be one of train_loss, train_acc, val_loss, val_acc; got {monitor!r}"
        )
    return "min" if monitor.endswith("loss") else "max"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs in a row. ``stopped_epoch`` says when it stopped (0 if never),
    ``best_epoch`` which epoch was best.

    With ``restore_best_weights=True`` it keeps a copy of the weights (and BatchNorm
    statistics) of the best epoch and puts them back into the model when training ends,
    so the model you are left with is the best one seen, not the last one.

    Args:
        monitor: the metric watched: 'val_loss' or 'train_loss' (lower is better),
            'val_acc' or 'train_acc' (higher is better).
        patience: the epochs in a row without improvement that are tolerated.
        min_delta: the least change that counts as an improvement.
        restore_best_weights: put the best epoch's weights back when training ends.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 3,
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
    ):
        self.monitor = monitor
        self.patience = validate.integer(
            "EarlyStopping", "patience", patience, low=0, hint=" (epochs without improvement)"
        )
        self.min_delta = validate.real("EarlyStopping", "min_delta", min_delta, low=0)
        self.mode = _mode_for(monitor)
        self.restore_best_weights = restore_best_weights
        self.best: float | None = None
        self.best_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None
        self.waited = 0
        self.stopped_epoch = 0

    def on_epoch_end(self, epoch: int, history: History) -> bool:
        value = _monitored(history, self.monitor)
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.waited = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self._model().state_dict()  # copies
            return False
        self.waited += 1
        if self.waited >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, history: History) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self._model().load_state_dict(self.best_weights)

    def _model(self) -> Layer:
        if self.model is None:
            raise ValueError(
                "EarlyStopping(restore_best_weights=True) needs the model: pass the "
                "callback to mc.fit (which gives it the model), or call set_model(model)"
            )
        return self.model


class CSVLogger(Callback):
    """Write the history to a CSV file after every epoch: a header, then one row per
    epoch (epoch, train_loss, train_acc, val_loss, val_acc, lr, seconds,
    images_per_sec; empty cells where there was no validation).

    The whole file is rewritten atomically each epoch from the History, so a reader
    never sees half a row, and a resumed run (``fit(..., history=loaded)``) keeps the
    rows of the epochs before it.

    Args:
        path: the CSV file, rewritten after every epoch.
    """

    columns = (
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "lr",
        "seconds",
        "images_per_sec",
    )

    rank_zero_only = True

    def __init__(self, path: str | os.PathLike):
        self.path = path

    def on_epoch_end(self, epoch: int, history: History) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(("epoch", *self.columns))
        for i in range(len(history)):
            cells = [getattr(history, c)[i] for c in self.columns]
            writer.writerow([i + 1, *("" if v is None else repr(float(v)) for v in cells)])
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, text.getvalue().encode())


# -- one step ------------------------------------------------------------------------------


def _diverged(epoch: int, step: int, what: str, optimizer: Optimizer) -> TrainingDivergedError:
    return TrainingDivergedError(
        f"training diverged at epoch {epoch}, step {step}: {what}. The weights were not "
        f"updated with this batch. Try a smaller learning rate (lr={optimizer.lr:g} now; "
        f"e.g. lr={optimizer.lr / 10:g}).",
        epoch,
        step,
    )


def _forward(
    model: Model, xb: np.ndarray, epoch: int, step: int, optimizer: Optimizer
) -> np.ndarray:
    """model.forward, turning a layer's NonFiniteInputError into a divergence error
    when the batch itself was finite (the activations blew up)."""
    try:
        return model.forward(xb)
    except NonFiniteInputError as err:
        if np.isfinite(xb).all():
            raise _diverged(
                epoch, step, f"activations became NaN or infinite ({err})", optimizer
            ) from err
        raise


def _batch_loss(loss: Loss, scores: np.ndarray, yb: np.ndarray) -> float:
    """The mean loss of the batch, whatever the loss's reduction."""
    value = loss(scores, yb)
    return (
        float(np.mean(value))
        if getattr(loss, "reduction", "mean") != "sum"
        else float(value) / len(yb)
    )


def train_step(
    model: Model,
    loss: Loss,
    optimizer: Optimizer,
    xb: np.ndarray,
    yb: np.ndarray,
    epoch: int = 1,
    step: int = 1,
) -> tuple[float, int]:
    """One optimisation step on the batch (xb, yb); returns (mean loss, correct count).

    Raises [`TrainingDivergedError`][minicnn.train.TrainingDivergedError] *before*
    ``optimizer.step()`` if the loss or any gradient is NaN/infinite, so the weights are never
    updated with garbage.
    """
    optimizer.zero_grad()
    # Overflow is checked for below and reported as one clear error, so NumPy's
    # RuntimeWarnings about it would only be noise.
    with np.errstate(over="ignore", invalid="ignore"):
        scores = _forward(model, xb, epoch, step, optimizer)
        if not np.isfinite(scores).all():
            raise _diverged(epoch, step, "the scores are NaN or infinite", optimizer)
        value = _batch_loss(loss, scores, yb)
        if not math.isfinite(value):
            raise _diverged(epoch, step, f"the loss is {value}", optimizer)
        model.backward(loss.backward())
    for p in optimizer.params:
        if not np.isfinite(p.grad).all():
            raise _diverged(
                epoch,
                step,
                f"the gradient of {p.name or 'a parameter'} is NaN or infinite",
                optimizer,
            )
    optimizer.step()
    return value, int((scores.argmax(axis=1) == yb).sum())


# -- fit / evaluate / predict ----------------------------------------------------------------


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is not a terminal but a bar shows)."""
    shell = sys.modules.get("IPython")
    if shell is None or not hasattr(shell, "get_ipython"):
        return False
    ip = shell.get_ipython()
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def _show_bar(verbose: int) -> bool:
    """A live bar in terminals and notebooks; none in CI (``CI`` set, as every CI service
    does), logs and pipes, where it would only be noise."""
    if verbose <= 0 or os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    return sys.stderr.isatty() or _in_notebook()


def _format(history: History) -> str:
    i = len(history) - 1
    text = f"loss {history.train_loss[i]:.4f}  acc {history.train_acc[i]:.4f}"
    if history.val_loss[i] is not None:
        text += f"  val_loss {history.val_loss[i]:.4f}  val_acc {history.val_acc[i]:.4f}"
    return text + f"  {history.images_per_sec[i]:.0f} img/s  {history.seconds[i]:.1f}s"


def _len_or_none(loader) -> int | None:
    try:
        return len(loader)
    except TypeError:
        return None


def _train_epoch(
    model, loss, optimizer, loader, epoch: int, label: str, verbose: int, callbacks=()
) -> tuple[float, float, int, float]:
    """Returns (mean loss, accuracy, images seen, seconds spent)."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    # leave=False: the finished bar is replaced by fit's one-line epoch summary.
    with tqdm(
        total=_len_or_none(loader),
        desc=label,
        unit="batch",
        leave=False,
        disable=not _show_bar(verbose),
    ) as bar:
        for step, (xb, yb) in enumerate(loader, start=1):
            value, right = train_step(model, loss, optimizer, xb, yb, epoch, step)
            total_loss += value * len(yb)
            correct += right
            seen += len(yb)
            elapsed = time.perf_counter() - start
            bar.set_postfix(
                loss=f"{total_loss / seen:.4f}",
                acc=f"{correct / seen:.4f}",
                img_s=f"{seen / elapsed:.0f}",
                refresh=False,
            )
            bar.update()
            if callbacks:
                logs = {
                    "epoch": epoch,
                    "loss": value,
                    "acc": right / len(yb),
                    "size": len(yb),
                    "lr": optimizer.lr,
                }
                for on_batch_end in callbacks:
                    on_batch_end(step, logs)
    if seen == 0:
        raise ValueError(
            "fit: the training loader yielded no batches (is it empty, or "
            "drop_last=True with fewer images than batch_size?)"
        )
    return total_loss / seen, correct / seen, seen, time.perf_counter() - start


def fit(
    model: Model,
    loss: Loss,
    optimizer: Optimizer,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    epochs: int = 1,
    callbacks: Sequence[Callback] = (),
    verbose: int = 1,
    scheduler=None,
    history: History | None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs and return the [`History`][minicnn.train.History].

    Args:
        model: a Layer (usually a Sequential) mapping (N, C, H, W) to scores (N, classes),
            or one wrapped in ``mc.distributed.DistributedDataParallel`` for data-parallel
            training: then the epoch's loss and accuracy are summed over all processes,
            and only rank 0 prints and runs the callbacks that write files.
        loss: e.g. ``mc.SoftmaxCrossEntropy()`` (reduction 'mean' or 'sum').
        optimizer: e.g. ``mc.SGD(model.parameters(), lr=0.05, momentum=0.9)``.
        train_loader: iterable of (xb, yb) batches, re-iterated every epoch
            (``mc.data.DataLoader`` reshuffles each time; a loader with a ``sampler``
            that has ``set_epoch``, such as ``DistributedSampler``, gets
            ``set_epoch(epoch - 1)`` before each epoch).
        val_loader: batches evaluated (in ``model.eval()`` mode) after each epoch.
        epochs: how many epochs *this call* runs.
        callbacks: objects with the hooks described in the module docstring, e.g.
            ``mc.Checkpoint(path, model, optimizer)``, ``mc.EarlyStopping()``,
            ``mc.CSVLogger(path)``.
        verbose: 0 silent; 1 one summary line per epoch on stdout (loss, accuracy,
            validation, images/s), preceded by a live progress bar per epoch when
            stderr is a terminal or in a Jupyter notebook (none in logs, pipes, and
            where the environment variable ``CI`` is set).
        scheduler: stepped once after every epoch: ``scheduler.step()``, or
            ``scheduler.step(metric)`` if it has a true ``needs_metric`` attribute
            (ReduceLROnPlateau-style; metric = val_loss, or train_loss without validation).
        history: continue this History (epoch numbers continue from ``len(history)``),
            e.g. the one loaded from a checkpoint when resuming.

    Raises:
        TrainingDivergedError: the loss, a gradient or an activation became NaN/inf;
            the step for that batch was not applied and no callback ran for the epoch.

    Example::

        x, y = mc.data.MNISTSample("train").arrays()
        model = mc.zoo.lenet5()
        history = mc.fit(model, mc.SoftmaxCrossEntropy(),
                         mc.SGD(model.parameters(), lr=0.05, momentum=0.9),
                         mc.data.DataLoader(x, y, batch_size=64, seed=0), epochs=5)
        history.train_acc[-1]      # accuracy of the last epoch
    """
    if getattr(loss, "reduction", "mean") == "none":
        raise ValueError("fit needs a loss with reduction='mean' or 'sum', got 'none'")
    epochs = validate.integer("fit", "epochs", epochs, low=0)
    if not main_process(model):  # data parallel, rank > 0: train, but print and write nothing
        verbose = 0
        callbacks = [cb for cb in callbacks if not getattr(cb, "rank_zero_only", False)]
    # A DistributedSampler draws each epoch's shard from seed + epoch; PyTorch leaves
    # calling set_epoch to you, fit does it (0-based, so a resumed run continues right).
    set_epoch = getattr(getattr(train_loader, "sampler", None), "set_epoch", None)
    history = History() if history is None else history
    first = len(history) + 1
    # Callbacks see the model itself, not a DistributedDataParallel around it: a checkpoint
    # then keeps the plain names (0.weight, not module.0.weight).
    plain = model.module if isinstance(model, DistributedDataParallel) else model
    for cb in callbacks:
        if hasattr(cb, "set_model"):
            cb.set_model(plain)
    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(history)
    batch_hooks = [cb.on_batch_end for cb in callbacks if hasattr(cb, "on_batch_end")]
    for epoch in range(first, first + epochs):
        start = time.perf_counter()
        lr = optimizer.lr
        label = f"epoch {epoch}/{first + epochs - 1}"
        if set_epoch is not None:
            set_epoch(epoch - 1)
        train_loss, train_acc, seen, train_seconds = _train_epoch(
            model, loss, optimizer, train_loader, epoch, label, verbose, batch_hooks
        )
        if isinstance(model, DistributedDataParallel):  # every rank: the whole epoch's numbers
            train_loss, train_acc, seen = _over_all_ranks(model, train_loss, train_acc, seen)
        val_loss, val_acc = (
            evaluate(model, loss, val_loader) if val_loader is not None else (None, None)
        )
        history.append(
            train_loss=train_loss,
            train_acc=train_acc,
            val_loss=val_loss,
            val_acc=val_acc,
            seconds=time.perf_counter() - start,
            images_per_sec=seen / train_seconds,
            lr=lr,
        )
        if verbose > 0:
            # On a terminal the bar showed the training numbers; this line adds validation.
            print(f"{label}: {_format(history)}", flush=True)
        if scheduler is not None:
            if getattr(scheduler, "needs_metric", False):
                scheduler.step(val_loss if val_loss is not None else train_loss)
            else:
                scheduler.step()
        # Every callback sees every epoch, even when an earlier one asks to stop.
        stop = [
            bool(cb.on_epoch_end(epoch, history)) for cb in callbacks if hasattr(cb, "on_epoch_end")
        ]
        if any(stop):
            break
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(history)
    return history


def _over_all_ranks(
    model: DistributedDataParallel, mean_loss: float, accuracy: float, seen: int
) -> tuple[float, float, int]:
    """(loss, accuracy, images) of the epoch over every rank's shard, the same on all
    ranks, so a callback that stops training (EarlyStopping) decides alike everywhere."""
    loss_sum, correct, images = model.all_sum([mean_loss * seen, accuracy * seen, seen])
    return loss_sum / images, correct / images, int(images)


class _EvalMode:
    """``with _EvalMode(model):`` evaluation mode inside, the previous mode restored after."""

    def __init__(self, model: Model):
        self.model, self.was_training = model, getattr(model, "training", True)

    def __enter__(self):
        self.model.eval()

    def __exit__(self, *exc):
        self.model.train(self.was_training)


def evaluate(model: Model, loss: Loss, loader: Iterable) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over all batches of ``loader``, in eval mode
    (dropout off). The model's train/eval mode is restored afterwards."""
    total_loss, correct, seen = 0.0, 0, 0
    with _EvalMode(model):
        for xb, yb in loader:
            scores = model.forward(xb)
            total_loss += _batch_loss(loss, scores, yb) * len(yb)
            correct += int((scores.argmax(axis=1) == yb).sum())
            seen += len(yb)
    if seen == 0:
        raise ValueError("evaluate: the loader yielded no batches")
    return total_loss / seen, correct / seen


def predict(
    model: Layer,
    x: np.ndarray,
    batch_size: int = 256,
    return_scores: bool = False,
    return_probs: bool = False,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """Predicted class indices (N,) for inputs x (N, C, H, W), computed in eval mode in
    batches of ``batch_size``.

    Args:
        return_scores: also return the raw scores (N, classes), the model's outputs
            before any softmax (logits): what a loss takes.
        return_probs: also return the probabilities (N, classes), float64:
            ``softmax(scores)`` row by row, ``p_nj = exp(s_nj) / Σ_k exp(s_nk)``; each
            row sums to 1 (what ``minicnn predict`` prints as percentages). Only for a
            model whose last layer outputs scores (no softmax of its own).

    Returns:
        ``labels``; ``(labels, scores)``; ``(labels, probs)``; or with both flags
        ``(labels, scores, probs)``.
    """
    from .functional.losses import softmax

    if batch_size < 1:
        raise ValueError(f"predict: batch_size must be >= 1, got {batch_size}")
    if len(x) == 0:
        raise ValueError(f"predict: x holds no images (shape {x.shape})")
    with _EvalMode(model):
        scores = np.concatenate(
            [model.forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        )
    labels = scores.argmax(axis=1)
    extra: list[np.ndarray] = []
    if return_scores:
        extra.append(scores)
    if return_probs:
        extra.append(softmax(scores.astype(np.float64), axis=1))
    return (labels, *extra) if extra else labels


MAX_CLASSES = 10_000  # a confusion matrix of at most 800 MB of int64 counts


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None
) -> np.ndarray:
    """counts[i, j] = how many images of true class i were predicted as class j.

    Labels are class indices: integers in 0 .. num_classes - 1 (``num_classes``
    defaults to the largest label + 1).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"confusion_matrix: y_true {y_true.shape} and y_pred {y_pred.shape} "
            f"must have the same shape"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and labels.dtype.kind not in "iu":
            raise TypeError(
                f"confusion_matrix: {name} must hold integer class indices, got dtype "
                f"{labels.dtype}; scores? take scores.argmax(axis=1)"
            )
        if labels.size and labels.min() < 0:
            raise ValueError(
                f"confusion_matrix: {name} holds the negative label {labels.min()}; "
                f"class indices start at 0"
            )
    if not y_true.size:  # np.asarray([]) is float64; no label, nothing to count
        y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
    largest = max((int(labels.max()) for labels in (y_true, y_pred) if labels.size), default=-1)
    if num_classes is None:
        n = largest + 1
    else:
        n = validate.integer("confusion_matrix", "num_classes", num_classes, low=1)
        if largest >= n:
            raise ValueError(
                f"confusion_matrix: label {largest} does not fit num_classes={n} "
                f"(labels must lie in 0..{n - 1})"
            )
    if n > MAX_CLASSES:  # one stray label of 10**6 would ask for 8 TB of counts
        raise ValueError(
            f"confusion_matrix: {n} classes would need a {n}×{n} matrix; at most "
            f"{MAX_CLASSES} classes are counted (is the label {largest} a class index?)"
        )
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts
