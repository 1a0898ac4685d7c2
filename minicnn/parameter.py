"""Parameter: a trainable tensor and its gradient."""

from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array ``data`` with a gradient ``grad`` of the same shape and dtype.

    Layers *accumulate* into ``grad`` during ``backward`` (as PyTorch does), so a
    weight used twice receives the sum of both gradients. Call
    ``optimizer.zero_grad()`` (or ``p.zero_grad()``) before each backward pass.
    """

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = np.asarray(data)
        # np.zeros, not np.zeros_like: zeros comes from calloc, so the pages of a
        # gradient are not touched (and cost no memory) until backward writes them;
        # zeros_like writes every zero and doubles the memory of building a model.
        self.grad = np.zeros(self.data.shape, dtype=self.data.dtype)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        self.grad[...] = 0

    def to(self, dtype) -> Parameter:
        """Cast data and grad to ``dtype`` in place (e.g. float64 for a gradient check)."""
        self.data = self.data.astype(dtype)
        self.grad = self.grad.astype(dtype)
        return self

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.shape}, dtype={self.dtype})"
