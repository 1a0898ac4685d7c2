"""Concatenation along the channels: the join of Inception, DenseNet and U-Net's skips.

y, cache = concat_forward([x1, x2, ...])
dx1, dx2, ... = concat_backward(dy, cache)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import check_array, check_grad


class ConcatCache(NamedTuple):
    boundaries: list[int]  # where each input's channels end in the output
    out_shape: tuple[int, ...]  # (N, Σ C_k, H, W), for backward's check of dy


def concat_output_shape(shapes, op: str = "concat", item: str = "input") -> tuple[int, ...]:
    """(N, C_k, H, W) for every k -> (N, Σ C_k, H, W), the shape rule that
    ``concat_forward`` and the Concat layer (on its branches' shapes) both call: every
    shape must be (N, C_k, H, W) with the same N, H and W, or the message lists them all
    (``item``: what to call each one, 'input' or 'branch')."""
    shapes = [tuple(shape) for shape in shapes]
    first = shapes[0]
    for i, shape in enumerate(shapes):
        if len(shape) != 4 or shape[0] != first[0] or shape[2:] != first[2:]:
            listing = ", ".join(f"{item} {k}: {s}" for k, s in enumerate(shapes))
            raise ValueError(
                f"{op}: {item} {i} has shape {shape}, but every {item} must be (N, C_k, H, W) "
                f"with the same N, H, W to be stacked along the channels ({listing}); pad so "
                f"that each branch keeps the size (e.g. padding='same') or resize it"
            )
    N, _, H, W = first
    return (N, sum(shape[1] for shape in shapes), H, W)


def concat_forward(xs: list[np.ndarray]):
    """Stack (N, C_k, H, W) arrays along the channels -> (N, Σ C_k, H, W), as
    ``torch.cat(xs, dim=1)``; N, H and W must agree."""
    if not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"concat: expected a non-empty list of arrays, got {type(xs).__name__}")
    for k, x in enumerate(xs):
        check_array(x, f"xs[{k}]", "concat", "(N, C_k, H, W)", ndim=4)
    concat_output_shape([x.shape for x in xs], "concat")
    y = np.concatenate(xs, axis=1)
    return y, ConcatCache(list(np.cumsum([x.shape[1] for x in xs])), y.shape)


def concat_backward(dy: np.ndarray, cache: ConcatCache) -> list[np.ndarray]:
    """y is the inputs side by side, so each input's gradient is its own slice of dy:
    dX_k = dY[:, start_k : end_k]."""
    check_grad(dy, cache.out_shape, "concat_backward")
    return np.split(dy, cache.boundaries[:-1], axis=1)
