"""Inverted dropout."""

from __future__ import annotations

import numpy as np

from ..init import get_rng
from .base import Layer


class Dropout(Layer):
    """Inverted dropout, as ``torch.nn.Dropout``.

    Training: each unit is kept with probability 1 − p and scaled by 1/(1 − p),
        y = x · m / (1 − p),  m ~ Bernoulli(1 − p),   dL/dx = dL/dy · m / (1 − p)
    so E[y] = x and nothing needs rescaling at test time.
    Evaluation (``eval()``): the identity.
    """

    def __init__(
        self, p: float = 0.5, *, rng: np.random.Generator | None = None, seed: int | None = None
    ):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1], got p={p}")
        self.p = float(p)
        self.rng = get_rng(rng, seed)
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, ...)")
        if not self.training or self.p == 0.0:
            self._cache = np.ones((), dtype=x.dtype)
            return x
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        self._cache = keep.astype(x.dtype) * x.dtype.type(scale)
        return x * self._cache

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        return dout * self._cache

    def __repr__(self):
        return f"Dropout(p={self.p})"
