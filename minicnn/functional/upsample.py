"""Upsampling forward and backward: nearest and bilinear (align_corners=False).

    y, cache = upsample_forward(x, scale_factor, mode="nearest")
    dx = upsample_backward(dy, cache)

Both modes are linear maps fixed in advance, one matrix per axis, so the backward pass
is the transposed map: no parameters, only routing (and mixing) of gradients.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import check_array, check_choice, check_grad, check_rank, check_scale_factor

UPSAMPLE_MODES = ("nearest", "bilinear")


def upsample_matrix(n_in: int, scale: int, mode: str, dtype=np.float64) -> np.ndarray:
    """The (n_in·scale, n_in) matrix A with y = A·x along one axis.

    nearest:  output i copies input ⌊i / scale⌋, so row i is one 1.
    bilinear (align_corners=False, as PyTorch): output i sits at input coordinate
              u = (i + ½)/scale − ½, clamped to ≥ 0 (pixel centres, not corners, line
              up); it mixes inputs i₀ = ⌊u⌋ and i₁ = min(i₀ + 1, n_in − 1) with
              weights 1 − λ and λ, λ = u − i₀. Every row sums to 1.
    """
    out = np.arange(n_in * scale)
    A = np.zeros((n_in * scale, n_in), dtype=dtype)
    if mode == "nearest":
        A[out, out // scale] = 1
        return A
    u = np.maximum((out + 0.5) / scale - 0.5, 0)
    i0 = np.floor(u).astype(int)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = u - i0
    np.add.at(A, (out, i0), 1 - lam)
    np.add.at(A, (out, i1), lam)  # i1 = i0 at the last pixel: the weights add up to 1
    return A


class UpsampleCache(NamedTuple):
    rows: np.ndarray  # (OH, H) interpolation along the height
    cols: np.ndarray  # (OW, W) interpolation along the width
    x_shape: tuple[int, ...]  # (N, C, H, W), for backward's check of dy


def upsample_output_shape(input_shape, scale_factor, op: str = "upsample"):
    """(N, C, H, W) -> (N, C, sh·H, sw·W): the shape rule that ``upsample_forward`` (on
    ``x.shape``) and ``Upsample.output_shape`` both call (``op`` names the caller)."""
    check_rank(input_shape, 4, "(N, C, H, W)", op)
    sh, sw = check_scale_factor(scale_factor, op)
    N, C, H, W = input_shape
    return (N, C, H * sh, W * sw)


def upsample_forward(x: np.ndarray, scale_factor: tuple[int, int], mode: str = "nearest"):
    """Upsample (N, C, H, W) by integer factors (sh, sw) -> (N, C, sh·H, sw·W).

    Both modes are separable linear maps, one matrix per axis (``upsample_matrix``):

        Y[n,c] = A_h · X[n,c] · A_wᵀ          y[n,c,i,j] = Σ_{h,w} A_h[i,h] X[n,c,h,w] A_w[j,w]

    Returns (y, cache).
    """
    op = "upsample"
    check_array(x, "x", op, "(N, C, H, W)")
    upsample_output_shape(x.shape, scale_factor, op)
    check_choice(mode, UPSAMPLE_MODES, "mode", op)
    scale_factor = check_scale_factor(scale_factor, op)
    _, _, H, W = x.shape
    A_h = upsample_matrix(H, scale_factor[0], mode, x.dtype)
    A_w = upsample_matrix(W, scale_factor[1], mode, x.dtype)
    y = np.einsum("ih,nchw,jw->ncij", A_h, x, A_w, optimize=True)
    return y, UpsampleCache(A_h, A_w, x.shape)


def upsample_backward(dy: np.ndarray, cache: UpsampleCache) -> np.ndarray:
    """The transpose of the forward map: each input pixel collects the gradients of
    the outputs it contributed to, weighted as it was,

        dX[n,c] = A_hᵀ · dY[n,c] · A_w        (nearest: the sum over each sh×sw block)
    """
    N, C = cache.x_shape[:2]
    check_grad(dy, (N, C, cache.rows.shape[0], cache.cols.shape[0]), "upsample_backward")
    return np.einsum("ih,ncij,jw->nchw", cache.rows, dy, cache.cols, optimize=True)
