"""Parameter: a trainable tensor and its gradient."""

from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array ``data`` with a gradient ``grad`` of the same shape and dtype.

    Layers *accumulate* into ``grad`` during ``backward`` (as PyTorch does), so a
    weight used twice receives the sum of both gradients. Call
    ``optimizer.zero_grad()`` (or ``p.zero_grad()``) before each backward pass.

    ``requires_grad=False`` freezes the parameter (transfer learning keeps a
    pretrained feature extractor fixed this way): it gets no gradient and no
    update. Its ``grad`` always reads as zeros and whatever a layer adds to it is
    discarded, so a layer's ``p.grad += ...`` needs no special case, and every
    optimizer skips it (weight decay included). ``summary()`` counts frozen and
    trainable parameters apart. ``layer.requires_grad_(False)`` freezes a whole model.
    """

    def __init__(self, data: np.ndarray, name: str = "", requires_grad: bool = True):
        self.data = np.asarray(data)
        # np.zeros, not np.zeros_like: zeros comes from calloc, so the pages of a
        # gradient are not touched (and cost no memory) until backward writes them;
        # zeros_like writes every zero and doubles the memory of building a model.
        self._grad = np.zeros(self.data.shape, dtype=self.data.dtype)
        self.name = name
        self.requires_grad = requires_grad

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be True or False, got {value!r}")
        self._requires_grad = bool(value)
        self._grad[...] = 0  # a gradient from before the switch belongs to neither state

    @property
    def grad(self) -> np.ndarray:
        """dL/d(data), accumulated by backward. For a frozen parameter a fresh array of
        zeros on every read: ``p.grad += g`` then adds into a throwaway copy."""
        if self._requires_grad:
            return self._grad
        return np.zeros(self.data.shape, dtype=self.data.dtype)

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        if self._requires_grad:
            self._grad = value

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
        self._grad[...] = 0

    def to(self, dtype) -> Parameter:
        """Cast data and grad to ``dtype`` in place (e.g. float64 for a gradient check)."""
        self.data = self.data.astype(dtype)
        self._grad = self._grad.astype(dtype)
        return self

    def __repr__(self) -> str:
        frozen = "" if self._requires_grad else ", requires_grad=False"
        return f"Parameter(name={self.name!r}, shape={self.shape}, dtype={self.dtype}{frozen})"
