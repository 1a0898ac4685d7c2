"""Concatenation along the channels: the join of Inception, DenseNet and U-Net's skips.

y, cache = concat_forward([x1, x2, ...])
dx1, dx2, ... = concat_backward(dy, cache)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ConcatCache(NamedTuple):
    boundaries: list[int]  # where each input's channels end in the output


def concat_forward(xs: list[np.ndarray]):
    """Stack (N, C_k, H, W) arrays along the channels -> (N, Σ C_k, H, W), as
    ``torch.cat(xs, dim=1)``; N, H and W must agree."""
    first = xs[0].shape
    for i, x in enumerate(xs):
        if x.ndim != 4 or x.shape[0] != first[0] or x.shape[2:] != first[2:]:
            listing = ", ".join(f"input {k}: {tuple(a.shape)}" for k, a in enumerate(xs))
            raise ValueError(
                f"concat: input {i} has shape {tuple(x.shape)}, but every input must be "
                f"(N, C_k, H, W) with the same N, H, W to be stacked along the channels "
                f"({listing}); pad so that each branch keeps the size (e.g. "
                f"padding='same') or resize it"
            )
    return np.concatenate(xs, axis=1), ConcatCache(list(np.cumsum([x.shape[1] for x in xs])))


def concat_backward(dy: np.ndarray, cache: ConcatCache) -> list[np.ndarray]:
    """y is the inputs side by side, so each input's gradient is its own slice of dy:
    dX_k = dY[:, start_k : end_k]."""
    return np.split(dy, cache.boundaries[:-1], axis=1)
