"""Fully connected layers: Linear and the Flatten that feeds it."""

from __future__ import annotations

import math

import numpy as np

from ..init import get_rng, kaiming_normal
from ..parameter import Parameter
from .base import Layer


class Linear(Layer):
    """Affine map y = x Wᵀ + b, as ``torch.nn.Linear``.

    Shapes: x (N, in_features) -> y (N, out_features); ``weight`` (out, in), ``bias`` (out,).

        dL/dW = dL/dyᵀ · x        (out, in)
        dL/db = Σ_n dL/dy[n]      (out,)
        dL/dx = dL/dy · W         (N, in)
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
        if in_features < 1 or out_features < 1:
            raise ValueError(
                f"Linear needs in_features >= 1 and out_features >= 1, got "
                f"{in_features} and {out_features}"
            )
        self.in_features, self.out_features = in_features, out_features
        shape = (out_features, in_features)
        self.weight = Parameter(
            kaiming_normal(shape, in_features, get_rng(rng, seed), dtype), "weight"
        )
        self.bias = Parameter(np.zeros(out_features, dtype=dtype), "bias") if bias else None
        self._cache = None

    def parameters(self):
        yield self.weight
        if self.bias is not None:
            yield self.bias

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, f"(N, {self.in_features})")
        self.output_shape(x.shape)
        self.check_finite(x)
        self._cache = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self._cache
        self.check_dout(dout, (x.shape[0], self.out_features) if x is not None else ())
        self.weight.grad += dout.T @ x
        if self.bias is not None:
            self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.data

    def output_shape(self, input_shape):
        if len(input_shape) != 2 or input_shape[1] != self.in_features:
            hint = " (add mc.Flatten() before it)" if len(input_shape) > 2 else ""
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.in_features}), got "
                f"{tuple(input_shape)}{hint}"
            )
        return (input_shape[0], self.out_features)

    def macs(self, input_shape):
        return self.in_features * self.out_features

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        return f"Linear({self.in_features}, {self.out_features}{bias})"


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...); backward reshapes the gradient back."""

    def __init__(self):
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, ...)")
        if x.ndim < 2:
            raise ValueError(f"{self!r}: expected input of shape (N, ...), got {x.shape}")
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = self._cache
        self.check_dout(dout, self.output_shape(shape) if shape else ())
        return dout.reshape(shape)

    def output_shape(self, input_shape):
        return (input_shape[0], math.prod(input_shape[1:]))

    def window(self, input_shape):
        """The next layer sees the whole flattened map at once: for the receptive
        field, Flatten acts as one window over all of (H, W)."""
        if len(input_shape) != 4:
            return (1, 1), (1, 1)
        return tuple(input_shape[2:]), tuple(input_shape[2:])
