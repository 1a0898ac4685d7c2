"""The kernel contract: what a backend provides to the functional core.

A backend is one [`Kernels`][minicnn.kernels.contract.Kernels] value, ``KERNELS`` at the
bottom of its module, and [`minicnn.backend.kernels`][minicnn.backend.kernels] returns the
one in use. The functional core (``minicnn/functional``) calls its fields by name, so
the type checker sees every call and nothing is looked up by a string.

Required: the six window operations every backend writes its own way::

    im2col(x, kernel, stride, padding, dilation=(1, 1)) -> cols           # (C*kh*kw, N*OH*OW)
    col2im(cols, x_shape, kernel, stride, padding, dilation=(1, 1)) -> dx # (N, C, H, W)
    max_pool2d_forward(x, kernel, stride, padding) -> (y, argmax)
    max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding) -> dx
    avg_pool2d_forward(x, kernel, stride, padding) -> y
    avg_pool2d_backward(dy, x_shape, kernel, stride, padding) -> dx

(``kernels/common.py`` says what the arguments mean.)

Optional: a whole operation of the functional core done the backend's own way. When a
field is None, or the function returns None for the arguments it got (a dtype it was
not compiled for, say), the functional core runs its own readable NumPy lines instead::

    conv2d_forward(x, w, b, stride, padding, dilation, groups) -> y
    conv2d_backward(dy, x, w, has_bias, stride, padding, dilation, groups) -> (dx, dw, db)
    batch_norm_statistics(x) -> (mean, var)
    batch_norm_normalize(x, mean, inv_std, gamma, beta) -> (x_hat, y)
    batch_norm_backward(dy, x_hat, scale, training) -> (dx, dgamma, dbeta)

Which backend fills which field is the point of having three:

=========  =================================  ==========================================
backend    convolution runs                   module
=========  =================================  ==========================================
'naive'    the textbook loops of the lecture  ``kernels/naive.py`` (conv2d_forward/backward)
'numpy'    the functional core's im2col code  ``functional/conv.py`` (+ ``vectorised.py``)
'numba'    compiled loops and BLAS            ``kernels/compiled.py``
=========  =================================  ==========================================

All three compute the same numbers up to floating-point rounding (the tests compare
each with the naive loops).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Kernel = Callable[..., Any]


@dataclass(frozen=True)
class Kernels:
    """One backend's implementations (see the module docstring for the signatures)."""

    name: str
    im2col: Kernel
    col2im: Kernel
    max_pool2d_forward: Kernel
    max_pool2d_backward: Kernel
    avg_pool2d_forward: Kernel
    avg_pool2d_backward: Kernel
    # optional whole operations: None means "the functional core's NumPy lines"
    conv2d_forward: Kernel | None = None
    conv2d_backward: Kernel | None = None
    batch_norm_statistics: Kernel | None = None
    batch_norm_normalize: Kernel | None = None
    batch_norm_backward: Kernel | None = None
