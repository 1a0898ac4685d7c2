"""The fully connected layer, forward and backward, and the flatten that feeds it.

y, cache = linear_forward(x, w, b);  dx, dw, db = linear_backward(dy, cache)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..validate import check_array, check_bias, check_finite, check_grad


class LinearCache(NamedTuple):
    """A copy of the input (the caller may change x in place before backward), the
    weight, and whether there was a bias."""

    x: np.ndarray
    w: np.ndarray
    has_bias: bool


def linear_forward(x, w, b=None) -> tuple[np.ndarray, LinearCache]:
    """Affine map y = x Wᵀ + b, as ``torch.nn.functional.linear``.

    Shapes: x (N, in), w (out, in), b (out,) or None -> y (N, out).
    """
    op = "linear_forward"
    check_array(w, "w", op, "(out, in)", ndim=2)
    out_features, in_features = w.shape
    check_array(x, "x", op, f"(N, {in_features})")
    linear_output_shape(x.shape, w.shape, op)
    check_bias(b, out_features, op)
    check_finite(x, op)
    y = x @ w.T
    if b is not None:
        y += b
    return y, LinearCache(x.copy(), w, b is not None)


def linear_output_shape(input_shape, w_shape, op: str = "linear") -> tuple[int, int]:
    """(N, in), w (out, in) -> (N, out): the shape rule that ``linear_forward`` (on
    ``x.shape``) and ``Linear.output_shape`` (on a shape alone) both call, ``op``
    naming the caller. An image (N, C, H, W) must be flattened first."""
    out_features, in_features = w_shape
    if len(input_shape) != 2 or input_shape[1] != in_features:
        hint = " (flatten it first: mc.Flatten() before the Linear layer)"
        raise ValueError(
            f"{op}: expected input of shape (N, {in_features}), got {tuple(input_shape)}"
            f"{hint if len(input_shape) > 2 else ''}"
        )
    return (input_shape[0], out_features)


def linear_backward(dy, cache: LinearCache):
    """Given dL/dy (N, out):

    dL/dW = dL/dyᵀ · x        (out, in)
    dL/db = Σ_n dL/dy[n]      (out,), None when there was no bias
    dL/dx = dL/dy · W         (N, in)
    """
    x, w, has_bias = cache
    check_grad(dy, (x.shape[0], w.shape[0]), "linear_backward")
    dw = dy.T @ x
    db = dy.sum(axis=0) if has_bias else None
    return dy @ w, dw, db


def flatten_forward(x) -> tuple[np.ndarray, tuple[int, ...]]:
    """(N, d1, d2, ...) -> (N, d1·d2·...); the cache is the input's shape."""
    check_array(x, "x", "flatten", "(N, ...)")
    return x.reshape(flatten_output_shape(x.shape, "flatten")), x.shape


def flatten_output_shape(input_shape, op: str = "flatten") -> tuple[int, int]:
    """(N, d1, d2, ...) -> (N, d1·d2·...), for ``flatten_forward`` and
    ``Flatten.output_shape`` alike; the input needs a batch axis and at least one more."""
    if len(input_shape) < 2:
        raise ValueError(f"{op}: expected input of shape (N, ...), got {tuple(input_shape)}")
    return (input_shape[0], math.prod(input_shape[1:]))  # explicit: N may be 0


def flatten_backward(dy, x_shape) -> np.ndarray:
    """Flattening moves no value, so the gradient is only reshaped back."""
    check_grad(dy, (x_shape[0], math.prod(x_shape[1:])), "flatten_backward")
    return dy.reshape(x_shape)
