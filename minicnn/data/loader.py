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
    """Iterate over (xb, yb) mini-batches of a dataset, or of the arrays ``x`` and ``y``.

    Two ways to call it::

        DataLoader(x, y, batch_size=64)                  # arrays: x (N, ...), y (N, ...)
        DataLoader(dataset, batch_size=64, shuffle=True) # a Dataset, as in PyTorch

    Args:
        x: inputs, (N, ...), e.g. float32 (N, C, H, W) from ``dataset.arrays()``; or a
            Dataset: one with ``arrays()`` (every ``mc.data`` dataset) gives its
            (x, y) arrays, any other with ``len()`` and ``dataset[i] -> (input,
            label)`` is read once, item by item, and stacked.
        y: labels (or any targets), (N, ...); leave it out with a Dataset.
        batch_size: samples per batch (the last batch may be smaller); 1 by default,
            as in PyTorch.
        shuffle: draw a new random order at the start of every epoch (default True;
            with a ``sampler`` the sampler decides the order).
        seed: seeds ``rng``; with neither seed nor rng the loader draws from the
            global generator (``mc.manual_seed``), like the layers do.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        transform: ``transform(xb, rng) -> xb`` applied to each batch of x.
        rng: a generator to use instead of ``seed``.
        sampler: where the order comes from instead of ``shuffle``: an object whose
            ``iter()`` yields sample indices and whose ``len()`` counts them, such as
            ``mc.distributed.DistributedSampler`` (each process its own shard).
        num_workers: 0, the only value: the data is already in memory as arrays, so
            there is nothing for PyTorch's loader processes to do.

    ``len(loader)`` is the number of batches per epoch. Each ``iter(loader)``
    (each ``for`` loop) is one epoch.
    """

    def __init__(
        self,
        x,
        y: np.ndarray | None = None,
        batch_size: int = 1,
        shuffle: bool | None = None,
        seed: int | None = None,
        drop_last: bool = False,
        transform: Transform | None = None,
        *,
        rng: np.random.Generator | None = None,
        sampler=None,
        num_workers: int = 0,
    ):
        if num_workers != 0:
            raise ValueError(
                f"DataLoader: num_workers={num_workers!r}, but minicnn loads batches in the "
                "main process (the data is already in memory as arrays, so worker "
                "processes would have nothing to do); use num_workers=0 or leave it out"
            )
        if _is_dataset(x):
            if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
                batch_size, y = int(y), None  # DataLoader(dataset, 64): PyTorch's order
            if y is not None:
                raise TypeError(
                    f"DataLoader: got a dataset ({type(x).__name__}) and y; a dataset holds "
                    "its labels: DataLoader(dataset, batch_size=...) without y"
                )
            x, y = _dataset_arrays(x)
        elif y is None:
            raise TypeError(
                "DataLoader: got an array x but no labels y; call DataLoader(x, y, "
                "batch_size=...) or DataLoader(dataset, batch_size=...) with a Dataset"
            )
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
        if sampler is not None and shuffle:
            raise ValueError(
                "DataLoader: sampler and shuffle=True exclude each other (the sampler "
                "decides the order, e.g. DistributedSampler(..., shuffle=True)); leave "
                "shuffle out"
            )
        n = len(x) if sampler is None else len(sampler)
        if drop_last and batch_size > n:
            raise ValueError(
                f"DataLoader: batch_size {batch_size} > {n} samples with "
                "drop_last=True would give no batch at all; lower batch_size"
            )
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable(xb, rng), got {transform!r}")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle if shuffle is not None else sampler is None
        self.sampler = sampler
        self.drop_last = drop_last
        self.transform = transform
        self.rng = get_rng(rng, seed)

    def __len__(self) -> int:
        """Batches per epoch: floor(N / B) with drop_last, else ceil(N / B); N counts the
        samples of an epoch (the sampler's, when there is one)."""
        n = len(self.x) if self.sampler is None else len(self.sampler)
        b = self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        # The order is drawn here, when iter() is called, not lazily at the first
        # batch, so "one iter() = one permutation drawn from rng" holds exactly.
        if self.sampler is not None:
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        elif self.shuffle:
            order = self.rng.permutation(len(self.x))
        else:
            order = np.arange(len(self.x))
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            xb, yb = self.x[idx], self.y[idx]  # fancy indexing copies: x is never modified
            if self.transform is not None:
                xb = self.transform(xb, self.rng)
            yield xb, yb

    def __repr__(self) -> str:
        sampler = f", sampler={self.sampler!r}" if self.sampler is not None else ""
        return (
            f"DataLoader({len(self.x)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
            f"transform={self.transform!r}{sampler})"
        )


def _is_dataset(x) -> bool:
    """A Dataset rather than an array: it has ``arrays()``, or it is indexable with a
    length but is neither an array nor a list of numbers."""
    if hasattr(x, "arrays"):
        return True
    return (
        hasattr(x, "__getitem__")
        and hasattr(x, "__len__")
        and not isinstance(x, (np.ndarray, list, tuple))
        and not hasattr(x, "__array__")
    )


def _dataset_arrays(dataset) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of a whole dataset: its ``arrays()``, or its items stacked."""
    if hasattr(dataset, "arrays"):
        return dataset.arrays()
    if len(dataset) == 0:
        raise ValueError(f"DataLoader: the dataset {type(dataset).__name__} is empty")
    items = [dataset[i] for i in range(len(dataset))]
    if not (isinstance(items[0], tuple) and len(items[0]) == 2):
        raise TypeError(
            f"DataLoader: dataset[i] must be an (input, label) pair, got "
            f"{type(items[0]).__name__}; give DataLoader(x, y, ...) arrays instead"
        )
    return np.stack([item[0] for item in items]), np.asarray([item[1] for item in items])
