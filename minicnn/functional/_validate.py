"""Input checks shared by the functional pairs: each says what was expected and how to fix it.

Every ``*_forward`` validates its inputs once, here; layers add their own name in front
of the message (see ``Layer.__call__``), so ``mc.Linear(4, 3)(x)`` and
``F.linear_forward(x, w, b)`` report the same problem.
"""

from __future__ import annotations

import numpy as np

from ..kernels.common import check_shape
from ..shapes import pair
from ..validate import INT64_MAX


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
    ranks = (ndim,) if isinstance(ndim, int) else ndim
    if ranks is not None and x.ndim not in ranks:
        raise ValueError(f"{op}: expected {name} of shape {layout}, got shape {x.shape}")


def check_finite(x: np.ndarray, op: str) -> None:
    if not np.isfinite(x).all():
        raise NonFiniteInputError(
            f"{op}: input contains NaN or infinity; check the data (and, during "
            f"training, lower the learning rate if the values blew up)"
        )


def check_channels(x: np.ndarray, expected: int, op: str, source: str) -> None:
    """Axis 1 of ``x`` must hold ``expected`` channels (``source`` says who expects them)."""
    if x.shape[1] != expected:
        raise ValueError(
            f"{op}: expected {expected} input channels ({source}), got {x.shape[1]} "
            f"(input shape {x.shape})"
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


def check_grad(dy, out_shape, op: str) -> None:
    """A backward's ``dy`` = dL/dy must be a floating-point array of the shape of the
    output its forward returned (the cache says which). Checked before any kernel
    runs: the compiled loops would otherwise read or write outside their buffers.
    Its precision may differ from the output's (float64 dy for a float32 layer)."""
    out_shape = tuple(out_shape)
    check_array(dy, "dy", op, f"{out_shape} (the forward output's shape)")
    check_shape(dy, out_shape, "dy", op, " (the forward output's shape)")


def window_geometry(kernel_size, stride, padding, op: str, default_stride=None):
    """kernel, stride, padding as (h, w) pairs of valid sizes (stride defaults to
    ``default_stride``, the kernel for pooling)."""
    kernel = pair(kernel_size, "kernel_size")
    stride = pair(default_stride if stride is None else stride, "stride")
    padding = pair(padding, "padding")
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ValueError(
            f"{op} needs kernel_size >= 1, stride >= 1 and padding >= 0; got "
            f"kernel_size={kernel}, stride={stride}, padding={padding}"
        )
    check_64_bits(padding, "padding", op)
    return kernel, stride, padding


def check_64_bits(sizes, name: str, op: str) -> None:
    """Sizes that pad or shape an array must fit in 64 bits (NumPy's index type). A
    stride need not: beyond the input it only means a single output."""
    if max(sizes) > INT64_MAX:
        raise ValueError(f"{op}: {name} must fit in 64 bits, got {name}={tuple(sizes)}")
