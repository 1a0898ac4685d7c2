"""Convolution (cross-correlation) forward and backward, by im2col and matrix products.

    y, cache = conv2d_forward(x, w, b, stride, padding)
    dx, dw, db = conv2d_backward(dy, cache)

Like every deep-learning framework this is a cross-correlation (the kernel is not
flipped), written Y = X ⋆ K + B in the lecture.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..backend import kernels
from ..shapes import output_hw
from ._validate import check_array, check_bias, check_channels, check_finite, window_geometry


class Conv2dCache(NamedTuple):
    """What conv2d_backward needs: a copy of the input (the caller may change x in
    place before backward), the kernel, whether there was a bias, and the geometry."""

    x: np.ndarray
    w: np.ndarray
    has_bias: bool
    stride: tuple[int, int]
    padding: tuple[int, int]


def conv2d_forward(x, w, b=None, stride=1, padding=0) -> tuple[np.ndarray, Conv2dCache]:
    """Y = X ⋆ K + B, as ``torch.nn.functional.conv2d``:

        Y[n,k,i,j] = B[k] + Σ_c Σ_p Σ_q X_pad[n, c, i·s+p, j·s+q] · K[k, c, p, q]

    Shapes: x (N, C, H, W), w (K, C, kh, kw), b (K,) or None -> y (N, K, OH, OW), with
    OH = ⌊(H − kh + 2p)/s⌋ + 1 (the same for OW). In im2col form the whole layer is one
    matrix product: y = K.reshape(K, C·kh·kw) @ im2col(X), one column per output pixel.
    """
    op = "conv2d_forward"
    check_array(x, "x", op, "(N, C, H, W)", ndim=4)
    check_array(w, "w", op, "(K, C, kh, kw)", ndim=4)
    K, C, kh, kw = w.shape
    check_channels(x, C, op, f"w has shape {w.shape} = (K, C, kh, kw)")
    check_bias(b, K, op)
    check_finite(x, op)
    kernel, stride, padding = window_geometry((kh, kw), stride, padding, op)
    OH, OW = output_hw(x.shape, kernel, stride, padding)
    y = np.empty((x.shape[0], K, OH, OW), dtype=np.result_type(x, w))
    weights = w.reshape(K, -1)  # (K, C*kh*kw): one row per filter
    for part in batch_slices(x.shape[0], C * kh * kw * OH * OW * x.itemsize):
        cols = kernels().im2col(x[part], kernel, stride, padding)  # (C*kh*kw, n*OH*OW)
        out = weights @ cols  # (K, n*OH*OW): every filter against every window
        y[part] = out.reshape(K, -1, OH, OW).transpose(1, 0, 2, 3)
    if b is not None:
        y += b.reshape(1, K, 1, 1)
    return y, Conv2dCache(x.copy(), w, b is not None, stride, padding)


def conv2d_backward(dy, cache: Conv2dCache):
    """Given dL/dY (N, K, OH, OW), the three equations of the lecture:

        dL/dK = X ⋆ dL/dY
                dL/dK[k,c,p,q] = Σ_n Σ_i Σ_j X_pad[n, c, i·s+p, j·s+q] · dL/dY[n,k,i,j]
        dL/dX = dL/dY ∗full rot180(K)
                dL/dX[n,c,h,w] = Σ_k Σ_{i,j: i·s+p=h, j·s+q=w} dL/dY[n,k,i,j] · K[k,c,p,q]
        dL/dB = Σ dL/dY
                dL/dB[k] = Σ_n Σ_i Σ_j dL/dY[n,k,i,j]

    In im2col form (cols = im2col(X), one column per output pixel) they are two matrix
    products and a sum: dK = dY·colsᵀ, dcols = Kᵀ·dY, dX = col2im(dcols). col2im adds
    each column back onto the window it came from, which is exactly the full convolution
    with the rotated kernel. Returns (dx (N, C, H, W), dw (K, C, kh, kw), db (K,) or None).
    """
    x, w, has_bias, stride, padding = cache
    K, C, kh, kw = w.shape
    kernel = (kh, kw)
    weights = w.reshape(K, -1)  # (K, C*kh*kw)
    dx = np.empty(x.shape, dtype=np.result_type(dy, w))
    dw = np.zeros(weights.shape, dtype=np.result_type(dy, x))
    _, _, OH, OW = dy.shape
    for part in batch_slices(x.shape[0], C * kh * kw * OH * OW * x.itemsize):
        cols = kernels().im2col(x[part], kernel, stride, padding)
        dY = dy[part].transpose(1, 0, 2, 3).reshape(K, -1)  # (K, n*OH*OW)
        # dL/dK = X ⋆ dL/dY: each output gradient times the receptive field it saw.
        dw += dY @ cols.T
        # dL/dX = dL/dY ∗full rot180(K): spread each output gradient back over its
        # window, weighted by the kernel (Kᵀ·dY); col2im sums the overlapping windows.
        dx[part] = kernels().col2im(weights.T @ dY, x[part].shape, kernel, stride, padding)
    # dL/dB = Σ dL/dY over the batch and every output position.
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw.reshape(w.shape), db


def conv2d(x, w, b=None, stride=1, padding=0) -> np.ndarray:
    """Y = X ⋆ K + B without keeping a cache: ``conv2d_forward(...)[0]``."""
    return conv2d_forward(x, w, b, stride, padding)[0]


# im2col copies every input pixel kh*kw times (25x for a 5x5 kernel), so the pair
# builds the matrix for a slice of the batch at a time and does not keep it: backward
# rebuilds it from the input. Measured on LeNet-5 training steps (float32, numba
# backend): the arrays peak at 5 MiB instead of 17 MiB at batch 64, and at 16 MiB
# instead of 68 MiB at batch 256, at the same speed (a 1 MiB matrix stays in the cache
# for its matrix product, which pays for building it twice).
COLS_BYTES = 2**20


def batch_slices(n_images: int, cols_bytes_per_image: int) -> list[slice]:
    """Split a batch into about equal slices whose im2col matrix holds ~COLS_BYTES.
    An empty batch gives no slice (and an empty output)."""
    if n_images == 0:
        return []
    parts = min(n_images, max(1, math.ceil(n_images * cols_bytes_per_image / COLS_BYTES)))
    bounds = [round(i * n_images / parts) for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
