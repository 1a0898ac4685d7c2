"""Checkpoints: save and load a model (and what is needed to resume training) as .npz.

A checkpoint is one ``.npz`` file (a zip of ``.npy`` arrays) holding

    param/<name>      every model parameter, by ``model.named_parameters()`` name
    buffer/<name>     every buffer (BatchNorm's running statistics), by
                      ``model.named_buffers()`` name
    optim/<key>       the optimizer's ``state_dict()`` (lr, step count, momentum buffers, ...)
    __meta__          a JSON string: the keyword arguments given to :func:`save`
                      (epoch, history, anything JSON-able)
    __rng__           a JSON string: the states of every random generator that
                      training draws from (the global one in ``minicnn.init``, each
                      ``np.random.Generator`` held by a layer such as ``Dropout.rng``,
                      the data loader's ``rng``)
    __format__        the checkpoint format version

Two rules, because a checkpoint is something a user cannot afford to lose:

* **Never unpickled.** Everything is a plain numeric array or a JSON string, and
  :func:`load` reads with ``np.load(allow_pickle=False)``, so opening a checkpoint
  from someone else cannot run code.
* **Written atomically.** :func:`atomic_write` writes to a temporary file in the
  same folder, flushes it to disk and renames it over the target in one step
  (``os.replace``; see ``minicnn.atomic``). A crash or an exception mid-save
  leaves the previous file intact and no temporary file behind.

Restoring the generators is what makes a resumed run *bit for bit* the run that was
never interrupted: the same dropout masks, the same shuffling, the same augmentation.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from . import init
from .atomic import atomic_write
from .layers.base import Layer
from .optim import Optimizer
from .train import Callback, History, _improved, _mode_for, _monitored

FORMAT_VERSION = 1
_PARAM, _BUFFER, _OPTIM = "param/", "buffer/", "optim/"


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, or does not fit the model/optimizer it is loaded into."""


# -- generator states -----------------------------------------------------------------------


def _rng_states(model: Layer, loader) -> dict[str, Any]:
    states: dict[str, Any] = {
        "global": init.get_rng_state(),
        "layers": {name: g.bit_generator.state for name, g in model.named_generators()},
    }
    if loader is not None:
        states["loader"] = _loader_rng(loader).bit_generator.state
    return states


def _loader_rng(loader) -> np.random.Generator:
    rng = getattr(loader, "rng", None)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"loader={type(loader).__name__}: expected an object with an `rng` "
            f"attribute (np.random.Generator), such as mc.data.DataLoader"
        )
    return rng


# -- JSON -----------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    """json.dumps ``default=`` hook: NumPy scalars/arrays and objects with ``to_dict()``
    (such as :class:`minicnn.train.History`) become plain JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _dumps(what: str, value: dict) -> np.ndarray:
    try:
        text = json.dumps(value, default=_to_json, allow_nan=True)
    except TypeError as err:
        raise TypeError(
            f"mc.save: {what} must be JSON-able (numbers, strings, lists, dicts, "
            f"NumPy scalars/arrays, mc.History): {err}"
        ) from None
    return np.array(text)  # a 0-d unicode array: no pickling needed to read it back


# -- save -----------------------------------------------------------------------------------


def save(
    path: str | os.PathLike,
    model: Layer,
    optimizer: Optimizer | None = None,
    *,
    loader=None,
    scheduler=None,
    **meta: Any,
) -> Path:
    """Write a checkpoint of ``model`` (and, optionally, what resuming training needs).

    Args:
        path: the ``.npz`` file to write (folders are created; an old file is replaced
            atomically).
        model: its parameters and buffers are stored under their
            ``named_parameters()`` / ``named_buffers()`` names.
        optimizer: stores ``optimizer.state_dict()`` (lr, momentum buffers, ...).
        loader: a data loader whose ``rng`` state is stored, so shuffling resumes
            where it stopped.
        scheduler: a learning-rate scheduler; its ``state_dict()`` (JSON-able) is stored
            if it has one.
        **meta: anything JSON-able, returned by :func:`load`, e.g.
            ``epoch=3, history=history``.

    The global generator and every generator held by a layer are always stored.
    Returns the path written. Example::

        mc.save("runs/lenet.npz", model, optimizer, loader=train_loader, epoch=3)
    """
    arrays: dict[str, np.ndarray] = {"__format__": np.array(FORMAT_VERSION)}
    for prefix, tensors in _model_tensors(model).items():
        for name, value in tensors.items():
            arrays[prefix + name] = value
    if optimizer is not None:
        for key, value in optimizer.state_dict().items():
            arrays[_OPTIM + key] = np.asarray(value)
    rng = _rng_states(model, loader)
    if scheduler is not None and hasattr(scheduler, "state_dict"):
        meta = {**meta, "_scheduler": scheduler.state_dict()}
    # Serialise before touching the disk: a non-JSON-able value must not cost a file.
    arrays["__meta__"] = _dumps("meta values", meta)
    arrays["__rng__"] = _dumps("generator states", rng)
    return atomic_write(path, lambda f: np.savez(f, **arrays))


# -- load -----------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, np.ndarray]:
    """All arrays of the .npz, read eagerly so a truncated member fails here."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as err:
        raise CheckpointError(
            f"cannot read checkpoint {str(path)!r}: the file is corrupt or truncated, or not "
            f"an .npz written by mc.save ({type(err).__name__}: {err}). Use an earlier "
            f"checkpoint, or retrain."
        ) from None


def _model_tensors(model: Layer) -> dict[str, dict[str, np.ndarray]]:
    """The live arrays a checkpoint holds, by file prefix: parameters and buffers."""
    return {
        _PARAM: {name: p.data for name, p in model.named_parameters()},
        _BUFFER: dict(model.named_buffers()),
    }


def _check_params(model: Layer, arrays: dict) -> list[str]:
    """Every parameter and buffer of the model must be in the file with its shape."""
    problems = []
    for prefix, tensors in _model_tensors(model).items():
        kind = "buffer " if prefix == _BUFFER else ""
        saved = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        missing = [kind + n for n in tensors if n not in saved]
        unexpected = [kind + n for n in saved if n not in tensors]
        if missing:
            problems.append(f"missing from the file: {', '.join(missing)}")
        if unexpected:
            problems.append(f"in the file but not in the model: {', '.join(unexpected)}")
        for name in tensors.keys() & saved.keys():
            have, value = tensors[name], saved[name]
            if value.shape != have.shape:
                problems.append(
                    f"{kind}{name}: shape {value.shape} in the file, {have.shape} in the model"
                )
            elif not np.can_cast(value.dtype, have.dtype, casting="same_kind"):
                problems.append(
                    f"{kind}{name}: dtype {value.dtype} in the file cannot become {have.dtype}"
                )
    return problems


def _check_optimizer(optimizer: Optimizer, state: dict) -> list[str]:
    if not state:
        return ["the file has no optimizer state (it was saved without an optimizer)"]
    problems = [
        f"optimizer: {k!r} missing from the file" for k in ("lr", "steps") if k not in state
    ]
    n = len(optimizer.params)
    for key in state:
        if key in ("lr", "steps"):
            continue
        index = key.split(".", 1)[0]
        if not index.isdigit() or int(index) >= n:
            problems.append(
                f"optimizer: state {key!r} is for a parameter the optimizer does "
                f"not have (it has {n})"
            )
    return problems


def _check_generators(model: Layer, rng: dict) -> list[str]:
    have, saved = dict(model.named_generators()), rng.get("layers", {})
    return [f"random generator {n}: missing from the file" for n in have if n not in saved] + [
        f"random generator {n}: in the file but not in the model" for n in saved if n not in have
    ]


def load(
    path: str | os.PathLike,
    model: Layer,
    optimizer: Optimizer | None = None,
    *,
    loader=None,
    scheduler=None,
    restore_rng: bool = True,
) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save` into ``model`` (and ``optimizer``, ...).

    Everything is checked before anything is changed: if the file does not fit —
    parameters missing or unexpected, a shape that differs, a dtype that cannot be
    cast — a :class:`CheckpointError` lists every problem and the model is untouched.
    A corrupt or truncated file raises :class:`CheckpointError` naming the file.

    With ``restore_rng`` (the default) the global generator, the layers' generators and
    the loader's ``rng`` continue exactly where they were when the file was saved.
    Returns the ``**meta`` dict given to :func:`save`.
    """
    path = Path(path)
    arrays = _read(path)
    if "__meta__" not in arrays or "__rng__" not in arrays:
        raise CheckpointError(
            f"{str(path)!r} is an .npz file but not a minicnn checkpoint "
            f"(no __meta__/__rng__ entries); write checkpoints with mc.save"
        )
    meta = json.loads(str(arrays["__meta__"]))
    rng = json.loads(str(arrays["__rng__"]))
    optim_state = {k[len(_OPTIM) :]: v for k, v in arrays.items() if k.startswith(_OPTIM)}

    problems = _check_params(model, arrays)
    if optimizer is not None:
        problems += _check_optimizer(optimizer, optim_state)
    if restore_rng:
        problems += _check_generators(model, rng)
        if loader is not None and "loader" not in rng:
            problems.append("loader: the file has no loader state (save it with loader=...)")
    if problems:
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not fit the model:\n  " + "\n  ".join(problems)
        )

    # All checks passed: now change things.
    for prefix, tensors in _model_tensors(model).items():
        for name, value in tensors.items():
            value[...] = arrays[prefix + name]  # in place, keeping the model's dtype
    if optimizer is not None:
        optimizer.load_state_dict(optim_state)
    scheduler_state = meta.pop("_scheduler", None)
    if scheduler is not None and scheduler_state is not None:
        scheduler.load_state_dict(scheduler_state)
    if restore_rng:
        init.set_rng_state(rng["global"])
        for name, g in model.named_generators():
            g.bit_generator.state = rng["layers"][name]
        if loader is not None:
            _loader_rng(loader).bit_generator.state = rng["loader"]
    return meta


# -- the training callback -------------------------------------------------------------


class Checkpoint(Callback):
    """Save a checkpoint (:func:`minicnn.save`) after each epoch, or only when the
    ``monitor``-ed metric improved (e.g. ``monitor='val_acc'`` keeps the best model).

    The file holds everything :func:`minicnn.load` needs to resume: weights, optimizer
    state, generator states, ``epoch`` and ``history``. Writes are atomic.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        model: Layer,
        optimizer: Optimizer | None = None,
        *,
        loader=None,
        scheduler=None,
        monitor: str | None = None,
    ):
        self.path, self.model, self.optimizer = path, model, optimizer
        self.loader, self.scheduler = loader, scheduler
        self.monitor = monitor
        self.mode = _mode_for(monitor) if monitor else "min"
        self.best: float | None = None

    def on_epoch_end(self, epoch: int, history: History) -> None:
        if self.monitor is not None:
            value = _monitored(history, self.monitor)
            if not _improved(value, self.best, self.mode):
                return
            self.best = value
        save(
            self.path,
            self.model,
            self.optimizer,
            loader=self.loader,
            scheduler=self.scheduler,
            epoch=epoch,
            history=history,
        )
