"""Fully connected layers: Linear and the Flatten that feeds it."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from ..init import get_rng, kaiming_normal
from ..parameter import Parameter
from .base import Layer


class Linear(Layer):
    """Affine map y = x Wᵀ + b, as ``torch.nn.Linear``; the math (dL/dW = dL/dyᵀ·x,
    dL/db = Σ_n dL/dy, dL/dx = dL/dy·W) is in [`minicnn.functional.linear_backward`][].

    Shapes: x (N, in_features) -> y (N, out_features); ``weight`` (out, in), ``bias`` (out,).

    Args:
        in_features: F_in, the length of each input row (C·H·W after a Flatten).
        out_features: F_out, the length of each output row (the classes, for the last layer).
        bias: learn the bias b.
        dtype: dtype of ``weight`` and ``bias``.
        rng: draws the initial weight (He initialisation, see [`minicnn.init`][]).
        seed: a seed instead of ``rng``; with neither, the global generator draws.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        dtype=np.float32,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ):
        in_features = validate.integer("Linear", "in_features", in_features, low=1)
        out_features = validate.integer("Linear", "out_features", out_features, low=1)
        self.in_features, self.out_features = in_features, out_features
        shape = (out_features, in_features)
        rng = get_rng(rng, seed)
        self.weight = Parameter(kaiming_normal(shape, in_features, rng, dtype), "weight")
        self.bias = Parameter(np.zeros(out_features, dtype=dtype), "bias") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        b = None if self.bias is None else self.bias.data
        y, cache = F.linear_forward(x, self.weight.data, b)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dw, db = F.linear_backward(dout, self.saved_cache(dout))
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx

    def output_shape(self, input_shape):
        """The functional core's shape rule (``linear_forward`` calls it on ``x.shape``)."""
        return F.linear_output_shape(input_shape, self.weight.shape, op=repr(self))

    def macs(self, input_shape):
        return self.in_features * self.out_features

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        return f"Linear({self.in_features}, {self.out_features}{bias})"


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...); backward reshapes the gradient back."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, x_shape = F.flatten_forward(x)
        self.save_for_backward(x_shape, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.flatten_backward(dout, self.saved_cache(dout))

    def output_shape(self, input_shape):
        return F.flatten_output_shape(input_shape, op=repr(self))

    def window(self, input_shape):
        """The next layer sees the whole flattened map at once: for the receptive
        field, Flatten acts as one window over all of (H, W)."""
        if len(input_shape) != 4:
            return (1, 1), (1, 1)
        return tuple(input_shape[2:]), tuple(input_shape[2:])
