"""Element-wise activations: ReLU, LeakyReLU, Sigmoid, Tanh (no parameters).

The math is in ``minicnn.functional.activations``: dL/dx = dL/dy · f'(x), with f'(x)
computed in forward and cached, so backward never reads an input that was changed in place.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from .base import Layer


class ReLU(Layer):
    """ReLU(x) = max(0, x);  dL/dx = dL/dy · 1[x > 0], as ``torch.nn.ReLU``.
    The input is not modified."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, mask = F.relu_forward(x)
        self.save_for_backward(mask, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.relu_backward(dout, self.saved_cache(dout))


class LeakyReLU(Layer):
    """LeakyReLU(x) = x if x > 0 else a·x, as ``torch.nn.LeakyReLU`` (a = negative_slope);
    f'(x) = 1 if x > 0 else a.

    Args:
        negative_slope: a, the slope for x ≤ 0.
    """

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = validate.check_negative_slope(negative_slope, "LeakyReLU")

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, derivative = F.leaky_relu_forward(x, self.negative_slope)
        self.save_for_backward(derivative, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.leaky_relu_backward(dout, self.saved_cache(dout))

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Sigmoid(Layer):
    """σ(x) = 1 / (1 + e^(−x)), as ``torch.nn.Sigmoid``;  σ'(x) = y(1 − y)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, derivative = F.sigmoid_forward(x)
        self.save_for_backward(derivative, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.sigmoid_backward(dout, self.saved_cache(dout))


class Tanh(Layer):
    """tanh(x), as ``torch.nn.Tanh``;  tanh'(x) = 1 − y²."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, derivative = F.tanh_forward(x)
        self.save_for_backward(derivative, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.tanh_backward(dout, self.saved_cache(dout))
