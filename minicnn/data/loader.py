"""DataLoader: mini-batches of (x, y), reshuffled every epoch.

Stochastic gradient descent estimates the gradient of the loss over the whole
training set from a small random batch. Shuffling anew each epoch makes the
batches differ from epoch to epoch (different noise, no fixed order the model
could adapt to) while every sample is still seen exactly once per epoch.

All randomness (the shuffle and any random transform) is drawn from one
generator, ``loader.rng``; saving ``loader.rng.bit_generator.state`` and restoring
it later replays the same batches, which is what resumable training needs.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .. import validate
from ..init import get_rng
from .transforms import Transform


class DataLoader:
    """Iterate over (xb, yb) mini-batches of the arrays ``x`` and ``y``.

    Args:
        x: inputs, (N, ...), e.g. float32 (N, C, H, W) from ``dataset.arrays()``.
        y: labels (or any targets), (N, ...).
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new random order at the start of every epoch.
        seed: seeds ``rng``; with neither seed nor rng the loader draws from the
            global generator (``mc.manual_seed``), like the layers do.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        transform: ``transform(xb, rng) -> xb`` applied to each batch of x.
        rng: a generator to use instead of ``seed``.

    ``len(loader)`` is the number of batches per epoch. Each ``iter(loader)``
    (each ``for`` loop) is one epoch.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        shuffle: bool = True,
        seed: int | None = None,
        drop_last: bool = False,
        transform: Transform | None = None,
        *,
        rng: np.random.Generator | None = None,
    ):
        x, y = np.asarray(x), np.asarray(y)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"DataLoader: x and y must be arrays with a sample axis, got "
                f"shapes {x.shape} and {y.shape}"
            )
        if len(x) != len(y):
            raise ValueError(
                f"DataLoader: x has {len(x)} samples but y has {len(y)}; "
                "they must pair up one to one"
            )
        batch_size = validate.integer("DataLoader", "batch_size", batch_size, low=1)
        if drop_last and batch_size > len(x):
            raise ValueError(
                f"DataLoader: batch_size {batch_size} > {len(x)} samples with "
                "drop_last=True would give no batch at all; lower batch_size"
            )
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable(xb, rng), got {transform!r}")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.transform = transform
        self.rng = get_rng(rng, seed)

    def __len__(self) -> int:
        """Batches per epoch: floor(N / B) with drop_last, else ceil(N / B)."""
        n, b = len(self.x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        # The order is drawn here, when iter() is called, not lazily at the first
        # batch, so "one iter() = one permutation drawn from rng" holds exactly.
        order = self.rng.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            xb, yb = self.x[idx], self.y[idx]  # fancy indexing copies: x is never modified
            if self.transform is not None:
                xb = self.transform(xb, self.rng)
            yield xb, yb

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self.x)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
            f"transform={self.transform!r})"
        )
