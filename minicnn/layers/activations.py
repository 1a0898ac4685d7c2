"""Element-wise activations."""

from __future__ import annotations

import numpy as np

from .base import Layer


class ReLU(Layer):
    """ReLU(x) = max(0, x);  dL/dx = dL/dy · 1[x > 0].

    The mask is computed in forward and cached, so backward never reads an input
    that a later layer may have modified in place. The input is not modified.
    """

    def __init__(self):
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, ...)")
        mask = x > 0
        self._cache = mask
        return np.where(mask, x, np.zeros((), dtype=x.dtype))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        mask = self._cache
        self.check_dout(dout, mask.shape if mask is not None else ())
        return np.where(mask, dout, np.zeros((), dtype=dout.dtype))
