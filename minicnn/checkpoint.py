"""Checkpoints: save and load a model (and what is needed to resume training) as .npz.

A checkpoint is one ``.npz`` file (a zip of ``.npy`` arrays) holding

    param/<name>      every model parameter, by ``model.named_parameters()`` name
    buffer/<name>     every buffer (BatchNorm's running statistics), by
                      ``model.named_buffers()`` name
    optim/<key>       the optimizer's ``state_dict()`` (lr, step count, momentum buffers, ...)
    __meta__          a JSON string: the keyword arguments given to ``save()``
                      (epoch, history, anything JSON-able)
    __rng__           a JSON string: the states of every random generator that
                      training draws from (the global one in ``minicnn.init``, each
                      ``np.random.Generator`` held by a layer such as ``Dropout.rng``,
                      the data loader's ``rng``)
    __format__        the checkpoint format version
    __optim_stateful__  the indices of the parameters that have optimizer state (a
                      buffer removed from the file is then missed like any member)

Two rules, because a checkpoint is something a user cannot afford to lose:

* **Never unpickled.** Everything is a plain numeric array or a JSON string, and
  [`load`][minicnn.checkpoint.load] reads with ``np.load(allow_pickle=False)``, so opening a
  checkpoint from someone else cannot run code.
* **Written atomically.** [`atomic_write`][minicnn.atomic.atomic_write] writes to a temporary file
  in the same folder, flushes it to disk and renames it over the target in one step
  (``os.replace``; see ``minicnn.atomic``). A crash or an exception mid-save
  leaves the previous file intact and no temporary file behind.

Restoring the generators is what makes a resumed run *bit for bit* the run that was
never interrupted: the same dropout masks, the same shuffling, the same augmentation.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from . import init
from .atomic import atomic_write
from .layers.base import Layer
from .optim import Optimizer, state_key
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
    (such as [`minicnn.train.History`][]) become plain JSON."""
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


def _check_arguments(function: str, model, optimizer, loader, scheduler) -> None:
    """TypeError for an argument of the wrong kind, before any file is touched."""
    if not isinstance(model, Layer):
        raise TypeError(
            f"{function}: model must be a minicnn model (a mc.Layer such as mc.Sequential), "
            f"got {type(model).__name__}; call {function}(path, model, optimizer, ...)"
        )
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{function}: optimizer must be a mc.Optimizer (e.g. mc.SGD), got "
            f"{type(optimizer).__name__}"
        )
    if scheduler is not None and not all(
        callable(getattr(scheduler, m, None)) for m in ("state_dict", "load_state_dict")
    ):
        raise TypeError(
            f"{function}: scheduler must have state_dict() and load_state_dict() "
            f"(e.g. mc.StepLR), got {type(scheduler).__name__}"
        )
    if loader is not None:
        _loader_rng(loader)


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
            atomically, keeping its permissions; a symbolic link is written through).
        model: its parameters and buffers are stored under their
            ``named_parameters()`` / ``named_buffers()`` names.
        optimizer: stores ``optimizer.state_dict()`` (lr, momentum buffers, ...).
        loader: a data loader whose ``rng`` state is stored, so shuffling resumes
            where it stopped.
        scheduler: a learning-rate scheduler; its kind and ``state_dict()`` are stored
            (``__scheduler__``), so [`load`][minicnn.checkpoint.load] can refuse another kind.
        **meta: anything JSON-able, returned by [`load`][minicnn.checkpoint.load], e.g.
            ``epoch=3, history=history``.

    The global generator and every generator held by a layer are always stored.
    Returns the path written. Example::

        mc.save("runs/lenet.npz", model, optimizer, loader=train_loader, epoch=3)
    """
    _check_arguments("mc.save", model, optimizer, loader, scheduler)
    arrays: dict[str, np.ndarray] = {"__format__": np.array(FORMAT_VERSION)}
    for prefix, tensors in _model_tensors(model).items():
        for name, value in tensors.items():
            arrays[prefix + name] = value
    if optimizer is not None:
        for key, value in optimizer.state_dict().items():
            arrays[_OPTIM + key] = np.asarray(value)
        arrays["__optim_stateful__"] = np.array(
            [i for i, state in enumerate(optimizer.state) if state], dtype=np.int64
        )
    if scheduler is not None:
        arrays["__scheduler__"] = _dumps(
            "scheduler state", {"type": type(scheduler).__name__, "state": scheduler.state_dict()}
        )
    # Serialise before touching the disk: a non-JSON-able value must not cost a file.
    arrays["__meta__"] = _dumps("meta values", meta)
    arrays["__rng__"] = _dumps("generator states", _rng_states(model, loader))
    return atomic_write(path, lambda f: np.savez(f, **arrays))  # type: ignore[arg-type]


# -- load -----------------------------------------------------------------------------------

# A JSON entry (__meta__, __rng__, __scheduler__) larger than this is refused unread: a
# training history of thousands of epochs is well under a megabyte.
MAX_JSON_BYTES = 64 * 2**20
# ... and one nested deeper than this is refused (a history is 3 levels deep, a generator
# state 4): 200,000 nested lists would otherwise end in a RecursionError.
MAX_JSON_DEPTH = 32


def _json_depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a number: 1), without recursion."""
    depth, level = 0, [value]
    while level:
        depth += 1
        level = [
            item
            for v in level
            if isinstance(v, (list, dict))
            for item in (v.values() if isinstance(v, dict) else v)
        ]
    return depth


def _nonfinite(value: np.ndarray, dtype) -> int:
    """How many values of ``value`` are NaN or infinite once cast to ``dtype`` (a float64
    1e300 becomes inf in float32); 0 for integers."""
    if np.dtype(dtype).kind != "f":
        return 0
    with np.errstate(over="ignore", invalid="ignore"):
        return int(np.size(value) - np.count_nonzero(np.isfinite(np.asarray(value, dtype))))


def _nonfinite_problem(what: str, count: int, dtype) -> str:
    return (
        f"{what}: {count} value(s) are NaN or infinite in {np.dtype(dtype).name} (training "
        f"diverged before the save?); use an earlier checkpoint, or load with "
        f"allow_nonfinite=True to inspect them"
    )


class _Archive:
    """The members of a checkpoint, read one at a time, each only after its ``.npy``
    header (shape and dtype) was checked against what the caller expects.

    ``np.load`` of a whole ``.npz`` would decompress every member, including ones
    nobody asked for: a small file with a huge compressed extra member (a "zip
    bomb") would fill the memory. Here a member is read only when it is expected,
    its header fits, and the size the zip declares matches the header; the read
    itself never takes more bytes than the header implies.
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile):
        self.path, self.zf = path, zf
        self.members = {
            info.filename[: -len(".npy")]: info
            for info in zf.infolist()
            if info.filename.endswith(".npy")
        }

    def corrupt(self, what: str) -> CheckpointError:
        return CheckpointError(
            f"cannot read checkpoint {str(self.path)!r}: {what}. The file is corrupt or "
            f"truncated, or not written by mc.save; use an earlier checkpoint, or retrain."
        )

    def read(self, name: str, fits, kinds: str = "biuf") -> np.ndarray | str:
        """The array ``name``, or a problem (str) if its header does not fit.

        ``kinds`` are the dtype kinds allowed (numbers; "U" for JSON text);
        ``fits(shape, dtype)`` returns None when the header is acceptable, else the
        problem.
        """
        info = self.members[name]
        try:
            with self.zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise self.corrupt(f"{name}: unsupported .npy version {version}")
                if dtype.hasobject or dtype.fields is not None:
                    raise self.corrupt(f"{name}: dtype {dtype} is not a plain number or text")
                if dtype.kind not in kinds:
                    return f"{name}: dtype {dtype} in the file, numbers are needed"
                problem = fits(shape, dtype)
                if problem:
                    return problem
                nbytes = math.prod(shape) * dtype.itemsize
                if info.file_size != f.tell() + nbytes:
                    raise self.corrupt(
                        f"{name}: the zip says {info.file_size} bytes, its header "
                        f"{f.tell() + nbytes}"
                    )
                data = f.read(nbytes)
                if len(data) != nbytes or f.read(1):  # reading to the end checks the CRC
                    raise self.corrupt(f"{name}: the data does not match its header")
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as err:
            if isinstance(err, CheckpointError):
                raise
            raise self.corrupt(f"{name}: {type(err).__name__}: {err}") from None
        array = np.frombuffer(data, dtype=dtype)
        return array.reshape(shape, order="F" if fortran else "C")

    def json(self, name: str) -> Any:
        def fits(shape, dtype):
            if shape != () or dtype.kind != "U":
                return f"{name} must be a JSON string, the file holds {dtype} {shape}"
            if dtype.itemsize > MAX_JSON_BYTES:
                return f"{name} is {dtype.itemsize} bytes, over the {MAX_JSON_BYTES} allowed"
            return None

        value = self.read(name, fits, kinds="U")
        if isinstance(value, str):
            raise self.corrupt(value)
        too_deep = f"{name} is nested more than {MAX_JSON_DEPTH} levels deep"
        try:
            parsed = json.loads(str(value[()]))
        except ValueError as err:
            raise self.corrupt(f"{name} is not valid JSON ({err})") from None
        except RecursionError:  # deeper than Python's recursion limit
            raise self.corrupt(too_deep) from None
        if _json_depth(parsed) > MAX_JSON_DEPTH:
            raise self.corrupt(too_deep)
        return parsed


def _open_archive(path: Path) -> tuple[zipfile.ZipFile, _Archive]:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise CheckpointError(
            f"cannot read checkpoint {str(path)!r}: the file is corrupt or truncated, or not "
            f"an .npz written by mc.save ({type(err).__name__}: {err}). Use an earlier "
            f"checkpoint, or retrain."
        ) from None
    return zf, _Archive(path, zf)


def _model_tensors(model: Layer) -> dict[str, dict[str, np.ndarray]]:
    """The live arrays a checkpoint holds, by file prefix: parameters and buffers."""
    return {
        _PARAM: {name: p.data for name, p in model.named_parameters()},
        _BUFFER: dict(model.named_buffers()),
    }


def _read_params(
    model: Layer, archive: _Archive, allow_nonfinite: bool = False
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Every parameter and buffer of the model, read from the file if its shape and
    dtype fit; and the list of problems (missing, unexpected, wrong shape/dtype, NaN or
    infinite values in the model's dtype unless ``allow_nonfinite``)."""
    values, problems = {}, []
    for prefix, tensors in _model_tensors(model).items():
        kind = "buffer " if prefix == _BUFFER else ""
        saved = {k[len(prefix) :] for k in archive.members if k.startswith(prefix)}
        missing = [kind + n for n in tensors if n not in saved]
        unexpected = [kind + n for n in saved if n not in tensors]
        if missing:
            problems.append(f"missing from the file: {', '.join(missing)}")
        if unexpected:
            problems.append(f"in the file but not in the model: {', '.join(unexpected)}")
        for name in [n for n in tensors if n in saved]:
            have = tensors[name]

            def fits(shape, dtype, have=have, name=kind + name):
                if shape != have.shape:
                    return f"{name}: shape {shape} in the file, {have.shape} in the model"
                if not np.can_cast(dtype, have.dtype, casting="same_kind"):
                    return f"{name}: dtype {dtype} in the file cannot become {have.dtype}"
                return None

            value = archive.read(prefix + name, fits)
            bad = 0 if allow_nonfinite or isinstance(value, str) else _nonfinite(value, have.dtype)
            if isinstance(value, str):
                problems.append(value)
            elif bad:
                problems.append(_nonfinite_problem(kind + name, bad, have.dtype))
            else:
                values[prefix + name] = value
    return values, problems


def _read_optimizer(
    optimizer: Optimizer, archive: _Archive, allow_nonfinite: bool = False
) -> tuple[dict, list[str]]:
    """The optimizer state in the file and the problems with it. A member is read only
    when the optimizer has a use for it, with the shape it needs (a momentum buffer is
    shaped like its parameter); what it does not know is reported unread. The rate and
    the buffers must be finite in the parameters' dtype (unless ``allow_nonfinite``),
    and every parameter listed in ``__optim_stateful__`` must have its buffers."""
    keys = [k[len(_OPTIM) :] for k in archive.members if k.startswith(_OPTIM)]
    if not keys:
        return {}, ["the file has no optimizer state (it was saved without an optimizer)"]
    names, state, problems = optimizer.state_names(), {}, []
    dtype = np.result_type(*(p.data.dtype for p in optimizer.params)) if optimizer.params else None
    for key in keys:
        index, name = state_key(key)
        if key in ("lr", "steps") or name == "step":
            shape = ()
        elif index is not None and index < len(optimizer.params) and name in names:
            shape = optimizer.params[index].data.shape
        else:
            state[key] = np.empty(0)  # not read: check_state_dict reports the key
            continue
        value = archive.read(
            _OPTIM + key,
            lambda s, d, shape=shape, key=key: (
                None
                if s == shape
                else f"optimizer: state {key!r} has shape {s} in the file, {shape} is needed"
            ),
        )
        if isinstance(value, str):
            problems.append(value)
            continue
        state[key] = value
    problems = problems or optimizer.check_state_dict(state)
    problems += _missing_optimizer_state(optimizer, archive, keys)
    if problems or allow_nonfinite or dtype is None:
        return state, problems
    # what the optimizer accepts as finite may still overflow the parameters' dtype
    bad = {key: _nonfinite(value, dtype) for key, value in state.items() if key != "steps"}
    return state, [
        _nonfinite_problem(f"optimizer: state {key!r}", n, dtype) for key, n in bad.items() if n
    ]


def _missing_optimizer_state(optimizer: Optimizer, archive: _Archive, keys) -> list[str]:
    """The buffers of the parameters that ``__optim_stateful__`` says had state, missing
    from the file (a file from before that list existed is not checked)."""
    if "__optim_stateful__" not in archive.members:
        return []
    stateful = archive.read(
        "__optim_stateful__",
        lambda s, d: (
            None
            if len(s) == 1 and s[0] <= len(optimizer.params) and d.kind in "iu"
            else "__optim_stateful__ is malformed"
        ),
    )
    if isinstance(stateful, str):
        return [stateful]
    present = set(keys)
    missing = [
        f"{i}.{name}"
        for i in stateful.tolist()
        for name in optimizer.state_names()
        if f"{i}.{name}" not in present
    ]
    return [f"optimizer: state missing from the file: {', '.join(missing)}"] if missing else []


def _read_scheduler(scheduler, archive: _Archive, meta: dict) -> tuple[dict | None, list[str]]:
    """The scheduler state of the file, checked against ``scheduler``'s kind."""
    kind = type(scheduler).__name__
    if "__scheduler__" in archive.members:
        saved = archive.json("__scheduler__")
        if not (isinstance(saved, dict) and set(saved) == {"type", "state"}):
            return None, ["scheduler: the entry __scheduler__ is malformed"]
        if saved["type"] != kind:
            return None, [
                f"scheduler: the file holds the state of a {saved['type']}, it cannot "
                f"resume a {kind}; pass a {saved['type']} as scheduler="
            ]
        state = saved["state"]
    elif "_scheduler" in meta:  # written before __scheduler__ existed: no kind stored
        state = meta["_scheduler"]
    else:
        return None, [
            f"scheduler: the file has no scheduler state (it was saved without "
            f"scheduler=); load without scheduler= and the {kind} starts from epoch 0"
        ]
    check = getattr(scheduler, "check_state_dict", None)
    problems = check(state) if check is not None else []
    return state, [f"scheduler: {p}" for p in problems]


def _state_problem(what: str, target: np.random.Generator, state: Any) -> str | None:
    """Whether ``state`` could be restored into a generator like ``target``: tried on
    a throwaway generator of the same kind, so nothing real changes."""
    try:
        type(target.bit_generator)().state = state
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as err:
        return f"random generator {what}: the state in the file is malformed ({err})"
    return None


def _check_generators(model: Layer, rng: Any, loader) -> list[str]:
    if not (isinstance(rng, dict) and isinstance(rng.get("layers"), dict) and "global" in rng):
        return ["__rng__ must be a JSON object with 'global' and 'layers' entries"]
    have, saved = dict(model.named_generators()), rng["layers"]
    problems = [f"random generator {n}: missing from the file" for n in have if n not in saved]
    problems += [
        f"random generator {n}: in the file but not in the model" for n in saved if n not in have
    ]
    checks = [("global", init.get_rng(), rng["global"])]
    checks += [(n, g, saved[n]) for n, g in have.items() if n in saved]
    if loader is not None:
        if "loader" not in rng:
            problems.append("loader: the file has no loader state (save it with loader=...)")
        else:
            checks.append(("of the loader", _loader_rng(loader), rng["loader"]))
    problems += [p for p in (_state_problem(*c) for c in checks) if p]
    return problems


def _check_format(archive: _Archive) -> None:
    missing = [n for n in ("__format__", "__meta__", "__rng__") if n not in archive.members]
    if missing:
        raise CheckpointError(
            f"{str(archive.path)!r} is an .npz file but not a minicnn checkpoint "
            f"(no {'/'.join(missing)} entries); write checkpoints with mc.save"
        )
    version = archive.read(
        "__format__",
        lambda s, d: None if s == () and d.kind in "iu" else "__format__ is not an integer",
    )
    if isinstance(version, str):
        raise archive.corrupt(version)
    if int(version) != FORMAT_VERSION:
        raise CheckpointError(
            f"{str(archive.path)!r} is a checkpoint of format version {int(version)}; this "
            f"minicnn reads version {FORMAT_VERSION}"
            + (" (upgrade minicnn to read it)" if int(version) > FORMAT_VERSION else "")
        )


def load(
    path: str | os.PathLike,
    model: Layer,
    optimizer: Optimizer | None = None,
    *,
    loader=None,
    scheduler=None,
    restore_rng: bool | None = None,
    allow_nonfinite: bool = False,
) -> dict[str, Any]:
    """Load a checkpoint written by [`save`][minicnn.checkpoint.save] into ``model`` (and
    ``optimizer``, ...).

    Everything is checked before anything is changed: the format version; every
    parameter and buffer (present, same shape, a dtype that casts); the optimizer's
    state (``lr`` finite and >= 0, ``steps`` an integer, every state array one the
    optimizer uses, shaped like its parameter); the scheduler's kind and state; the
    generator states; ``__meta__`` a JSON object. If anything does not fit, a
    [`CheckpointError`][minicnn.checkpoint.CheckpointError] lists every problem and nothing has
    changed: not the model, not the optimizer, not a generator. A corrupt or truncated file raises
    [`CheckpointError`][minicnn.checkpoint.CheckpointError] naming the file. Only the entries the
    model, optimizer and scheduler need are read, each after its declared size was checked.

    NaN or infinite weights, buffers or optimizer state (also a float64 value that
    overflows the model's float32, such as 1e300) are refused, as a problem like the
    others: they come from a run that diverged, and would make every prediction NaN.
    ``allow_nonfinite=True`` loads them anyway, to inspect a diverged run.

    ``restore_rng`` says whether the random generators (the global one, the layers',
    the loader's ``rng``) continue exactly where they were when the file was saved:

    * ``None`` (the default): only when resuming training, i.e. when ``optimizer``
      or ``loader`` is given. ``mc.load(path, model)`` to evaluate or fine-tune a
      model leaves the global generator alone.
    * ``True``: always (bit-for-bit resumption of a run without an optimizer).
    * ``False``: never (weights only; a model without the Dropout layers of the
      saved one then loads too).

    Returns the ``**meta`` dict given to [`save`][minicnn.checkpoint.save].
    """
    _check_arguments("mc.load", model, optimizer, loader, scheduler)
    if restore_rng is None:
        restore_rng = optimizer is not None or loader is not None
    path = Path(path)
    zf, archive = _open_archive(path)
    with zf:
        _check_format(archive)
        meta = archive.json("__meta__")
        rng = archive.json("__rng__")
        problems = [] if isinstance(meta, dict) else ["__meta__ must be a JSON object"]
        meta = meta if isinstance(meta, dict) else {}
        values, found = _read_params(model, archive, allow_nonfinite)
        problems += found
        if optimizer is not None:
            optim_state, found = _read_optimizer(optimizer, archive, allow_nonfinite)
            problems += found
        if scheduler is not None:
            scheduler_state, found = _read_scheduler(scheduler, archive, meta)
            problems += found
        if restore_rng:
            problems += _check_generators(model, rng, loader)
    if problems:
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not fit the model:\n  " + "\n  ".join(problems)
        )

    # All checks passed: now change things.
    for prefix, tensors in _model_tensors(model).items():
        for name, value in tensors.items():
            with np.errstate(over="ignore"):  # only with allow_nonfinite: checked above
                value[...] = values[prefix + name]  # in place, keeping the model's dtype
    if optimizer is not None:
        optimizer.load_state_dict(optim_state)
    if scheduler is not None:
        scheduler.load_state_dict(scheduler_state)
    if restore_rng:
        init.set_rng_state(rng["global"])
        for name, g in model.named_generators():
            g.bit_generator.state = rng["layers"][name]
        if loader is not None:
            _loader_rng(loader).bit_generator.state = rng["loader"]
    meta.pop("_scheduler", None)
    return meta


# -- the training callback -------------------------------------------------------------


class Checkpoint(Callback):
    """Save a checkpoint ([`minicnn.save`][minicnn.checkpoint.save]) after each epoch, or only when
    the ``monitor``-ed metric improved (e.g. ``monitor='val_acc'`` keeps the best model).

    The file holds everything [`minicnn.load`][minicnn.checkpoint.load] needs to resume: weights,
    optimizer state, generator states, ``epoch`` and ``history``. Writes are atomic.

    Args:
        path: the checkpoint file, rewritten at each save.
        model: the model whose weights (and buffers) are saved.
        optimizer: its state is saved too, so a resumed run continues the same steps.
        loader: a data loader whose shuffling state is saved (keyword-only).
        scheduler: a learning-rate scheduler whose state is saved (keyword-only).
        monitor: None to save after every epoch, or a metric ('val_acc', 'val_loss', ...)
            to save only when it improved.
    """

    rank_zero_only = True  # data-parallel training: only rank 0 writes (see mc.fit)

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
        self.path, self.optimizer = path, optimizer
        self.model: Layer = model  # the model to save, given here (fit's may be another)
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
