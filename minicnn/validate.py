"""Every argument check of minicnn: one place, one wording.

A wrong argument should fail where it is given, with a message that names the
function, the argument, what is allowed and what was passed::

    >>> real("SGD", "momentum", -0.5, low=0)
    Traceback (most recent call last):
    ValueError: SGD: momentum must be a number >= 0, got momentum=-0.5

Two kinds of failure, as in Python itself:

* ``TypeError``: the value is not of the right kind at all (a string, ``None``,
  ``True``, a float where a count is needed: ``Conv2D(2.5, ...)``).
* ``ValueError``: the right kind but outside the meaningful range (a negative
  momentum, a dropout probability of 1.5, NaN).

Any real number is accepted where a number is expected: Python ``int``/``float``
and NumPy scalars alike (``np.float32(0.1)``, ``np.int64(3)``), because values
computed with NumPy are NumPy scalars. ``bool`` is refused (``True`` is an
``int`` in Python, but ``momentum=True`` is always a mistake).

The module has four parts, and every other module calls them rather than writing a
check of its own:

* numbers: ``real``, ``integer`` (hyperparameters of optimizers, schedules, layers);
* window geometry: ``pair``, ``window_geometry``, ``pool_geometry``, ``check_dilation``,
  ``check_groups``, ``check_output_padding``, shared by a layer's constructor and its
  functional pair, so that ``mc.Conv2D(3, 4, 3, dilation=0)`` and
  ``F.conv2d_forward(x, w, dilation=0)`` are refused by the same line;
* the other hyperparameters a layer or a loss shares with its pair: ``check_choice``
  (modes, reductions), ``check_drop_probability``, ``check_negative_slope``,
  ``check_batch_norm``, ``check_local_response_norm``, ``check_margin``,
  ``check_scale_factor``, ``check_shortcut``, ``check_labels``;
* arrays: ``check_array``, ``check_shape``, ``check_grad``, ... the inputs of the
  functional pairs (a layer adds its own name: see ``Layer.__call__``) and the
  upstream gradient dL/dy of every backward, layer or pair; ``check_rank`` and
  ``check_channels`` take a shape, for the functional core's ``*_output_shape``
  functions, which a layer's ``output_shape`` and its functional forward both call.

It imports no other minicnn module, so every module, the kernels included, can import it.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

__all__ = [
    "real",
    "integer",
    "interval",
    "pair",
    "window_geometry",
    "pool_geometry",
    "check_dilation",
    "check_groups",
    "check_output_padding",
    "check_64_bits",
    "check_choice",
    "check_drop_probability",
    "check_negative_slope",
    "check_batch_norm",
    "check_local_response_norm",
    "check_margin",
    "check_scale_factor",
    "check_shortcut",
    "check_labels",
    "NonFiniteInputError",
    "check_array",
    "check_rank",
    "check_shape",
    "check_finite",
    "check_channels",
    "check_bias",
    "check_vector",
    "check_grad",
]

# -- numbers ----------------------------------------------------------------------------


def interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """The allowed range in words: '>= 0', '> 0', '<= 1', 'in [0, 1)', or '' (any)."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return ""


def _describe(kind: str, low, high, low_open, high_open) -> str:
    text = interval(low, high, low_open, high_open)
    return f"{kind} {text}".rstrip()


def _inside(value: float, low, high, low_open, high_open) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return False
    if high is not None and (value >= high if high_open else value > high):
        return False
    return True


def _of_kind(owner: str, name: str, value: Any, kind: type, want: str, hint: str) -> None:
    """TypeError unless ``value`` is an instance of the abstract number ``kind`` (bools
    excluded: ``True`` is an int to Python, but never a hyperparameter)."""
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"{owner}: {name} must be {want}{hint}, got {name}={value!r} ({type(value).__name__})"
        )


def _in_range(owner: str, name: str, value: Any, number, bounds: tuple, want: str, hint: str):
    """``number`` if it lies within ``bounds`` (low, high, low_open, high_open), else
    a ValueError that gives the range."""
    if not _inside(number, *bounds):
        raise ValueError(f"{owner}: {name} must be {want}{hint}, got {name}={value!r}")
    return number


def real(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a Python float, after checking it is a real number in the range.

    Args:
        owner: who is asking, for the message (``"SGD"``, ``"Dropout"``).
        name: the argument's name (``"momentum"``).
        value: what the user passed: int, float or NumPy scalar.
        low, high: the bounds (None: unbounded). NaN and ±infinity are always
            refused: no hyperparameter means anything at infinity; nor does an int too
            large for a float (``lr=10**400``), refused with the same message.
        low_open, high_open: exclude the bound itself (``low=0, low_open=True``: > 0).
        hint: follows the range in the message, e.g. ``" (0.1 divides the rate by 10)"``.

    Raises:
        TypeError: not a real number (str, None, bool, complex, an array).
        ValueError: NaN, infinite or outside the range; the message gives the range.
    """
    bounds = (low, high, low_open, high_open)
    want = _describe("a number", *bounds)
    _of_kind(owner, name, value, numbers.Real, want, hint)
    try:
        number = float(value)
    except OverflowError:  # an int beyond ~1.8e308, e.g. 10**400: no float holds it
        number = math.inf if value > 0 else -math.inf
    if not math.isfinite(number):
        raise ValueError(f"{owner}: {name} must be {want}{hint} and finite, got {name}={value!r}")
    return _in_range(owner, name, value, number, bounds, want, hint)


def integer(
    owner: str,
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    hint: str = "",
) -> int:
    """``value`` as a Python int, after checking it is an integer in ``[low, high]``.

    Python ints and NumPy integer scalars are accepted; floats are not, not even
    ``3.0`` (as ``range(3.0)`` refuses them): a size or a count given as a float
    is usually a ``/`` that should have been ``//``.

    An integer beyond 64 bits (``cooldown=10**400``) is refused too: no array can be
    that long, and a checkpoint could not store it.

    Raises:
        TypeError: not an integer (2.5, '3', None, True).
        ValueError: outside the range or beyond 64 bits; the message gives the range.
    """
    bounds = (low, high, False, False)
    want = _describe("an integer", *bounds)
    _of_kind(owner, name, value, numbers.Integral, want, hint)
    number = operator.index(value)
    if abs(number) > INT64_MAX:
        raise ValueError(
            f"{owner}: {name} must be {want}{hint} and fit in 64 bits, got {name}={value!r}"
        )
    return _in_range(owner, name, value, number, bounds, want, hint)


INT64_MAX = 2**63 - 1  # the largest integer NumPy (and an .npz checkpoint) holds


# -- window geometry: checked by a layer's constructor and its functional pair alike ----


def _is_int(value) -> bool:
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def pair(value, name: str = "value", op: str = "") -> tuple[int, int]:
    """Turn an int or an (h, w) pair into an (h, w) tuple of ints (NumPy ints too)."""
    if _is_int(value):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value)):
        return (int(value[0]), int(value[1]))
    where = f"{op}: " if op else ""
    raise TypeError(f"{where}{name} must be an int or a pair of ints (h, w), got {value!r}")


def _sizes(value, name: str, op: str, low: int) -> tuple[int, int]:
    """``value`` as an (h, w) pair of ints, each at least ``low``."""
    sizes = pair(value, name, op)
    if min(sizes) < low:
        raise ValueError(f"{op} needs {name} >= {low}, got {name}={value!r}")
    return sizes


def window_geometry(kernel_size, stride, padding, op: str, default_stride=None):
    """kernel, stride, padding as (h, w) pairs of valid sizes (stride defaults to
    ``default_stride``, the kernel for pooling): kernel >= 1, stride >= 1, padding >= 0."""
    kernel = _sizes(kernel_size, "kernel_size", op, low=1)
    stride = _sizes(default_stride if stride is None else stride, "stride", op, low=1)
    padding = _sizes(padding, "padding", op, low=0)
    check_64_bits(padding, "padding", op)
    return kernel, stride, padding


def pool_geometry(kernel_size, stride, padding, op: str):
    """A pooling window's kernel, stride (the kernel when None) and padding, with the
    padding at most half the kernel: a window of padding alone has nothing to pool."""
    kernel, stride, padding = window_geometry(kernel_size, stride, padding, op, kernel_size)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"{op}: padding {padding} must be at most half the kernel size {kernel}, "
            f"or some windows would hold only padding"
        )
    return kernel, stride, padding


def check_dilation(dilation, op: str) -> tuple[int, int]:
    """A convolution's dilation as an (h, w) pair, each >= 1 (1: taps side by side)."""
    return _sizes(dilation, "dilation", op, low=1)


def check_groups(groups, op: str, where: str = "", **channels: int) -> int:
    """``groups`` as an int >= 1 that divides every count in ``channels`` (the channels
    of a grouped convolution are split into that many equal blocks)."""
    hint = " (a positive integer dividing the channels)"
    groups = integer(op, "groups", groups, low=1, hint=hint)
    if any(count % groups for count in channels.values()):
        names = " and ".join(channels)
        counts = ", ".join(f"{name}={count}" for name, count in channels.items())
        raise ValueError(
            f"{op}: groups must be a positive integer that divides "
            f"{'both ' if len(channels) == 2 else ''}{names}, got groups={groups} "
            f"with {counts}{where}"
        )
    return groups


def check_output_padding(output_padding, stride, op: str) -> tuple[int, int]:
    """A transposed convolution's output_padding as an (h, w) pair, 0 <= it < stride:
    it picks one of the ``stride`` input sizes a strided convolution maps to one size."""
    output_padding = pair(output_padding, "output_padding", op)
    if any(not 0 <= o < s for o, s in zip(output_padding, stride, strict=True)):
        raise ValueError(
            f"{op} needs 0 <= output_padding < stride, got output_padding={output_padding} "
            f"with stride={tuple(stride)}"
        )
    return output_padding


def check_64_bits(sizes, name: str, op: str) -> None:
    """Sizes that pad or shape an array must fit in 64 bits (NumPy's index type). A
    stride need not: beyond the input it only means a single output."""
    if max(sizes) > INT64_MAX:
        raise ValueError(f"{op}: {name} must fit in 64 bits, got {name}={tuple(sizes)}")


# -- the hyperparameters a layer (or a loss) shares with its functional pair -----------


def check_choice(value, choices: tuple[str, ...], name: str, op: str) -> str:
    """``value`` if it is one of ``choices`` (a mode, a reduction), else a ValueError
    that lists them (``op`` may be '' when the caller's name adds nothing)."""
    if not isinstance(value, str) or value not in choices:
        where = f"{op}: " if op else ""
        raise ValueError(f"{where}{name} must be one of {choices}, got {value!r}")
    return value


def check_drop_probability(p, op: str) -> float:
    """Dropout's p, the probability of dropping a unit: a number in [0, 1]."""
    return real(op, "p", p, low=0, high=1, hint=" (the drop probability)")


def check_negative_slope(negative_slope, op: str) -> float:
    """LeakyReLU's slope a for x <= 0, in [-1, 1]: |a| > 1 would amplify the input."""
    hint = " (so the layer never amplifies its input; 0.01 is usual)"
    return real(op, "negative_slope", negative_slope, low=-1, high=1, hint=hint)


def check_batch_norm(eps, momentum, op: str) -> tuple[float, float]:
    """Batch normalisation's eps > 0 (it keeps 1/σ finite) and momentum in [0, 1] (the
    weight of the new batch in the running statistics)."""
    eps = real(op, "eps", eps, low=0, low_open=True, hint=" (eps > 0 keeps 1/σ finite)")
    return eps, real(op, "momentum", momentum, low=0, high=1)


def check_local_response_norm(size, alpha, beta, k, op: str) -> tuple[int, float, float, float]:
    """LRN's window ``size`` >= 1 channels, alpha >= 0, beta >= 0 and k > 0: together
    they keep the denominator k + (alpha/size)·Σx² positive."""
    return (
        integer(op, "size", size, low=1, hint=" (channels in the window)"),
        real(op, "alpha", alpha, low=0),
        real(op, "beta", beta, low=0),
        real(op, "k", k, low=0, low_open=True),
    )


# The largest margin a float32 score can hold (scores are float32 in training).
MAX_MARGIN = float(np.finfo(np.float32).max)


def check_margin(margin, op: str) -> float:
    """The multiclass SVM's margin Δ, from 0 to the largest float32."""
    return real(op, "margin", margin, low=0, high=MAX_MARGIN, hint=" (Δ, usually 1)")


def check_scale_factor(scale_factor, op: str) -> tuple[int, int]:
    """Upsampling's integer factors (sh, sw), each >= 1."""
    factors = pair(scale_factor, "scale_factor", op)
    if min(factors) < 1:
        raise ValueError(
            f"{op}: scale_factor must be a positive integer (or a pair), got "
            f"{scale_factor!r}; use pooling or a strided convolution to shrink"
        )
    return factors


def check_shortcut(in_channels, out_channels, stride, op: str) -> tuple[int, int, int]:
    """The zero-padding shortcut's channels, 1 <= in_channels <= out_channels (it only
    appends zero channels), and its stride >= 1."""
    in_channels = integer(op, "in_channels", in_channels, low=1)
    hint = " (in_channels <= out_channels: the shortcut only appends zero channels)"
    out_channels = integer(op, "out_channels", out_channels, low=in_channels, hint=hint)
    return in_channels, out_channels, integer(op, "stride", stride, low=1)


def check_labels(labels, classes: int, shape: tuple[int, ...], op: str, expected: str):
    """Class labels as an integer array of ``shape`` with values in [0, classes);
    ``expected`` says in words what the shape is ("2 labels (one per row of scores)")."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{op}: labels must be integer class indices, got dtype {labels.dtype}")
    if labels.shape != tuple(shape):
        raise ValueError(f"{op}: expected {expected}, got labels of shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise ValueError(
            f"{op}: label {bad} is out of range for {classes} classes (expected 0..{classes - 1})"
        )
    return labels


# -- arrays: the inputs of the functional pairs and the gradients of every backward -----


class NonFiniteInputError(ValueError):
    """An input holds NaN or infinity (bad data, or activations that blew up)."""


def check_array(x, name: str, op: str, layout: str, ndim: int | tuple[int, ...] | None = None):
    """``x`` must be a floating-point NumPy array of rank ``ndim`` (one of, for a tuple)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{op}: expected {name} as a NumPy array {layout}, got {type(x).__name__}")
    if x.dtype.kind != "f":  # float16 to longdouble (np.issubdtype is 10x slower)
        raise TypeError(
            f"{op}: expected a floating-point array {name}, got dtype {x.dtype}; "
            f"convert it first, e.g. {name}.astype(np.float32) / 255"
        )
    if ndim is not None:
        check_rank(x.shape, ndim, layout, op, name)


def check_rank(shape, ndim: int | tuple[int, ...], layout: str, op: str, name: str = "input"):
    """``shape`` must have ``ndim`` axes (one of, for a tuple); ``layout`` names them.
    Takes a shape, not an array, so that a layer's ``output_shape`` and its functional
    forward (on ``x.shape``) refuse a wrong rank with the same line."""
    ranks = (ndim,) if isinstance(ndim, int) else ndim
    if len(shape) not in ranks:
        raise ValueError(f"{op}: expected {name} of shape {layout}, got shape {tuple(shape)}")


def check_shape(array, expected, name: str, op: str, hint: str = "") -> None:
    """ValueError unless ``array.shape == expected``. The kernels trust the shapes they
    are given (the compiled loops index without bounds checks), so each entry point
    states what it needs: a wrong shape is refused here instead of reading or writing
    outside a buffer. ``hint`` says where the expected shape comes from."""
    if array.shape != tuple(expected):
        expected = tuple(int(n) for n in expected)  # (3, 4), not (np.int64(3), ...)
        raise ValueError(f"{op}: expected {name} of shape {expected}{hint}, got {array.shape}")


def check_finite(x: np.ndarray, op: str) -> None:
    if not np.isfinite(x).all():
        raise NonFiniteInputError(
            f"{op}: input contains NaN or infinity; check the data (and, during "
            f"training, lower the learning rate if the values blew up)"
        )


def check_channels(shape, expected: int, op: str, source: str) -> None:
    """Axis 1 of an input of ``shape`` must hold ``expected`` channels (``source`` says
    who expects them: the weight's shape, the layer's in_channels)."""
    if shape[1] != expected:
        raise ValueError(
            f"{op}: expected {expected} input channels ({source}), got {shape[1]} "
            f"(input shape {tuple(shape)})"
        )


def check_bias(b, out: int, op: str) -> None:
    if b is not None and (not isinstance(b, np.ndarray) or b.shape != (out,)):
        shape = getattr(b, "shape", type(b).__name__)
        raise ValueError(f"{op}: expected bias of shape ({out},) or None, got {shape}")
    if b is not None:
        check_array(b, "bias", op, f"({out},)")


def check_vector(v, name: str, channels: int, op: str) -> None:
    """``v`` must be a floating-point array of shape (C,): one value per channel."""
    check_array(v, name, op, f"({channels},), one value per channel")
    check_shape(v, (channels,), name, op, " (one value per channel of x)")


def check_grad(dy, out_shape, op: str, name: str = "dy") -> None:
    """A backward's ``dy`` = dL/dy must be a floating-point array of the shape of the
    output its forward returned. Checked before any kernel runs: the compiled loops
    would otherwise read or write outside their buffers. Its precision may differ from
    the output's (float64 dy for a float32 layer). Every functional backward calls it
    with the shape its cache implies, and ``Layer.saved_cache`` with the shape the
    layer's forward saved (``name='dout'``)."""
    out_shape = tuple(out_shape)
    check_array(dy, name, op, f"of shape {out_shape} (the forward output's)")
    check_shape(dy, out_shape, name, op, " (the forward output's shape)")
