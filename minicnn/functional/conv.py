"""Convolution (cross-correlation) forward and backward, by im2col and matrix products.

    y, cache = conv2d_forward(x, w, b, stride, padding, dilation=1, groups=1)
    dx, dw, db = conv2d_backward(dy, cache)

Like every deep-learning framework this is a cross-correlation (the kernel is not
flipped), written Y = X ⋆ K + B in the lecture.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..backend import kernels, optional
from ..shapes import output_hw
from ..validate import (
    check_array,
    check_bias,
    check_channels,
    check_dilation,
    check_finite,
    check_grad,
    check_groups,
    check_rank,
    window_geometry,
)


class Conv2dCache(NamedTuple):
    """What conv2d_backward needs: a copy of the input (the caller may change x in
    place before backward; with 'same' padding of an even kernel span, the copy carries
    the extra bottom/right zeros), the kernel, whether there was a bias, the geometry,
    and the extra padding to crop from dX again."""

    x: np.ndarray
    w: np.ndarray
    has_bias: bool
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    extra_padding: tuple[tuple[int, int], ...] = ((0, 0),) * 4


def conv2d_forward(
    x, w, b=None, stride=1, padding=0, dilation=1, groups=1
) -> tuple[np.ndarray, Conv2dCache]:
    """Y = X ⋆ K + B, as ``torch.nn.functional.conv2d``:

        Y[n,k,i,j] = B[k] + Σ_c Σ_p Σ_q X_pad[n, g·C_g + c, i·s + p·d, j·s + q·d] · K[k, c, p, q]

    ``dilation`` d spaces the kernel's taps d pixels apart (d = 1: the plain convolution).
    ``groups`` G splits the C channels and the K filters into G blocks of C_g = C/G and
    K/G; filter k belongs to block g = k // (K/G) and reads only that block's channels
    (G = 1: every filter reads every channel; G = C: depthwise). ``padding`` is an int,
    a pair, 'valid' (0) or 'same' (stride 1: the output keeps the input's size).

    Shapes: x (N, C, H, W), w (K, C/G, kh, kw), b (K,) or None -> y (N, K, OH, OW), with
    OH = ⌊(H − d·(kh − 1) − 1 + 2p)/s⌋ + 1 (the same for OW). In im2col form the whole
    layer is one matrix product per group: y_g = K_g.reshape(K/G, C_g·kh·kw) @ cols_g,
    the rows of im2col(X) that hold group g's channels.
    """
    op = "conv2d_forward"
    check_array(x, "x", op, "(N, C, H, W)")
    check_array(w, "w", op, "(K, C/groups, kh, kw)", ndim=4)
    K, C_g, kh, kw = w.shape
    _, _, OH, OW = conv2d_output_shape(x.shape, w.shape, stride, padding, dilation, groups, op)
    check_bias(b, K, op)
    check_finite(x, op)
    # the arguments are valid (checked above); conv_geometry gives the pairs the kernels take
    kernel, stride, dilation, sides = conv_geometry((kh, kw), stride, padding, dilation, op)
    groups = int(groups)
    padding, extra = split_padding(sides)
    if any(map(any, extra)):
        x = np.pad(x, extra)  # a new array: no copy needed for the cache
    else:
        x = x.copy()  # the caller may change x in place before backward
    cache = Conv2dCache(x, w, b is not None, stride, padding, dilation, groups, extra)
    # 'naive' runs the lecture's loops (kernels/naive.py), 'numba' compiled loops and
    # BLAS (kernels/compiled.py); 'numpy' has no conv2d_forward and runs the lines below.
    y = optional(kernels().conv2d_forward, x, w, b, stride, padding, dilation, groups)
    if y is not None:
        return y, cache
    y = np.empty((x.shape[0], K, OH, OW), dtype=np.result_type(x, w))
    weights = w.reshape(K, -1)  # (K, C_g*kh*kw): one row per filter
    for part in batch_slices(x.shape[0], C_g * groups * kh * kw * OH * OW * x.itemsize):
        cols = kernels().im2col(x[part], kernel, stride, padding, dilation)  # (C*kh*kw, n*OH*OW)
        out = grouped_matmul(weights, cols, groups)  # (K, n*OH*OW): every filter, every window
        y[part] = out.reshape(K, -1, OH, OW).transpose(1, 0, 2, 3)
    if b is not None:
        y += b.reshape(1, K, 1, 1)
    return y, cache


def conv2d_backward(dy, cache: Conv2dCache):
    """Given dL/dY (N, K, OH, OW), the three equations of the lecture:

        dL/dK = X ⋆ dL/dY
                dL/dK[k,c,p,q] = Σ_n Σ_i Σ_j X_pad[n, c, i·s+p, j·s+q] · dL/dY[n,k,i,j]
        dL/dX = dL/dY ∗full rot180(K)
                dL/dX[n,c,h,w] = Σ_k Σ_{i,j: i·s+p=h, j·s+q=w} dL/dY[n,k,i,j] · K[k,c,p,q]
        dL/dB = Σ dL/dY
                dL/dB[k] = Σ_n Σ_i Σ_j dL/dY[n,k,i,j]

    With dilation d the tap (p, q) reads X_pad[.., i·s + p·d, j·s + q·d] instead, and with
    groups, input channel c receives only from the filters k of its own group (and c is
    counted within the group in K[k, c, p, q]); the rule is unchanged: each weight and
    each input pixel collect dL/dY from the outputs they touched.

    In im2col form (cols = im2col(X), one column per output pixel) they are two matrix
    products and a sum: dK = dY·colsᵀ, dcols = Kᵀ·dY, dX = col2im(dcols), each product
    taken group by group. col2im adds each column back onto the window it came from,
    which is exactly the full convolution with the rotated kernel. Returns
    (dx (N, C, H, W), dw (K, C/groups, kh, kw), db (K,) or None).
    """
    x, w, has_bias, stride, padding, dilation, groups, extra = cache
    K, C_g, kh, kw = w.shape
    out_hw = output_hw(x.shape, (kh, kw), stride, padding, dilation)
    check_grad(dy, (x.shape[0], K, *out_hw), "conv2d_backward")
    (_, _, (t, b), (l, r)) = extra  # crop what 'same' padded beyond the symmetric part
    # As in forward: 'naive' and 'numba' do it their way, 'numpy' runs the lines below.
    grads = optional(kernels().conv2d_backward, dy, x, w, stride, padding, dilation, groups)
    if grads is not None:
        dx, dw, db = grads
        return dx[:, :, t : dx.shape[2] - b, l : dx.shape[3] - r], dw, db if has_bias else None
    geometry = ((kh, kw), stride, padding, dilation)
    weights = w.reshape(K, -1)  # (K, C_g*kh*kw)
    dx = np.empty(x.shape, dtype=np.result_type(dy, w))
    dw = np.zeros(weights.shape, dtype=np.result_type(dy, x))
    OH, OW = out_hw
    for part in batch_slices(x.shape[0], C_g * groups * kh * kw * OH * OW * x.itemsize):
        cols = kernels().im2col(x[part], *geometry)
        dY = dy[part].transpose(1, 0, 2, 3).reshape(K, -1)  # (K, n*OH*OW)
        # dL/dK = X ⋆ dL/dY: each output gradient times the receptive field it saw.
        dw += grouped_weight_grad(dY, cols, groups)
        # dL/dX = dL/dY ∗full rot180(K): spread each output gradient back over its
        # window, weighted by the kernel (Kᵀ·dY); col2im sums the overlapping windows.
        dx[part] = kernels().col2im(
            grouped_cols_grad(weights, dY, groups), x[part].shape, *geometry
        )
    # dL/dB = Σ dL/dY over the batch and every output position.
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    dx = dx[:, :, t : dx.shape[2] - b, l : dx.shape[3] - r]
    return dx, dw.reshape(w.shape), db


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Y = X ⋆ K + B without keeping a cache: ``conv2d_forward(...)[0]``."""
    return conv2d_forward(x, w, b, stride, padding, dilation, groups)[0]


def conv2d_output_shape(
    input_shape, w_shape, stride=1, padding=0, dilation=1, groups=1, op: str = "conv2d"
) -> tuple[int, int, int, int]:
    """The shape of ``conv2d_forward``'s output, checked: every rule on the input's
    shape is here, and both ``conv2d_forward`` (on ``x.shape``) and ``Conv2D.output_shape``
    (on a shape alone, before any data flows) call it. ``op`` names the caller in the
    messages.

        (N, C, H, W), w (K, C/G, kh, kw) -> (N, K, OH, OW)
        OH = ⌊(H + p_top + p_bottom − d·(kh − 1) − 1)/s⌋ + 1     (the same for OW)

    The input must have 4 axes and C = G·(C/G) channels, G must divide K, and the
    dilated kernel d·(k − 1) + 1 must fit in the padded input.
    """
    check_rank(input_shape, 4, "(N, C, H, W)", op)
    K, C_g, kh, kw = w_shape
    groups = check_groups(groups, op, f" (w has shape {tuple(w_shape)})", out_channels=K)
    source = f"w has shape {tuple(w_shape)} = (K, C/groups, kh, kw), groups={groups}"
    check_channels(input_shape, C_g * groups, op, source)
    kernel, stride, dilation, sides = conv_geometry((kh, kw), stride, padding, dilation, op)
    # as conv2d_forward: the kernels take the symmetric part of the padding, and the
    # rest ('same' with an even span) widens the input first
    padding, extra = split_padding(sides)
    padded = [n + before + after for n, (before, after) in zip(input_shape, extra, strict=True)]
    OH, OW = output_hw(padded, kernel, stride, padding, dilation)
    return (input_shape[0], K, OH, OW)


# -- the pieces of dilated, grouped and 'same'-padded convolution ---------------------


def conv_geometry(kernel_size, stride, padding, dilation, op: str = "conv2d"):
    """A convolution's geometry, checked: kernel, stride and dilation as (h, w) pairs and
    the padding as ((top, bottom), (left, right)) (``conv_padding``). Conv2D's
    constructor, ``conv2d_forward`` and ``im2col`` all start here, so a bad argument
    is refused by the same lines wherever it is given."""
    kernel, stride, _ = window_geometry(kernel_size, stride, 0, op)
    dilation = check_dilation(dilation, op)
    return kernel, stride, dilation, conv_padding(padding, kernel, stride, dilation, op)


def conv_padding(
    padding, kernel, stride, dilation, op: str = "conv2d"
) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) zero padding for Conv2D's ``padding`` argument,
    with PyTorch's meaning:

    'valid'  no padding.
    'same'   the output has the input's size (stride 1 only): a dilated kernel spans
             d·(k − 1) + 1 pixels, so d·(k − 1) pixels are padded per axis, half before
             and half after; an odd total puts the extra pixel after (bottom, right).
    int or (ph, pw)   that many on both sides.
    """
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        if tuple(stride) != (1, 1):
            raise ValueError(
                f"padding='same' needs stride 1 (got stride={tuple(stride)}): with stride s "
                f"the output is about 1/s of the input whatever the padding; give the "
                f"padding as a number, e.g. padding=k // 2"
            )
        th, tw = (d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
        return ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))
    if isinstance(padding, str):
        raise ValueError(f"padding must be 'same', 'valid', an int or a pair, got {padding!r}")
    _, _, (ph, pw) = window_geometry(kernel, stride, padding, op)
    return ((ph, ph), (pw, pw))


def split_padding(sides) -> tuple[tuple[int, int], tuple[tuple[int, int], ...]]:
    """Split ((top, bottom), (left, right)) into the symmetric part the kernels take,
    (min(top, bottom), min(left, right)), and the rest, as np.pad widths for
    (N, C, H, W), to pad explicitly (only 'same' with an even span has any)."""
    (t, b), (l, r) = sides
    sym = (min(t, b), min(l, r))
    return sym, ((0, 0), (0, 0), (t - sym[0], b - sym[0]), (l - sym[1], r - sym[1]))


def grouped_matmul(w_mat: np.ndarray, cols: np.ndarray, groups: int) -> np.ndarray:
    """Y = W·cols one group at a time: filter block g (K/G rows of W) times channel
    block g (rows of cols for its C/G channels), as one batched product.

    w_mat (K, C_g·kh·kw), cols (C·kh·kw, L) -> (K, L). groups=1 is the plain product."""
    K, L = w_mat.shape[0], cols.shape[1]
    y = w_mat.reshape(groups, K // groups, -1) @ cols.reshape(groups, -1, L)
    return y.reshape(K, L)


def grouped_weight_grad(dY: np.ndarray, cols: np.ndarray, groups: int) -> np.ndarray:
    """dW = dY·colsᵀ per group: dY (K, L), cols (C·kh·kw, L) -> (K, C_g·kh·kw)."""
    K, L = dY.shape
    g_cols = cols.reshape(groups, -1, L)
    return (dY.reshape(groups, K // groups, L) @ g_cols.transpose(0, 2, 1)).reshape(K, -1)


def grouped_cols_grad(w_mat: np.ndarray, dY: np.ndarray, groups: int) -> np.ndarray:
    """dcols = Wᵀ·dY per group: w_mat (K, C_g·kh·kw), dY (K, L) -> (C·kh·kw, L)."""
    K, L = dY.shape
    w_g = w_mat.reshape(groups, K // groups, -1)
    return (w_g.transpose(0, 2, 1) @ dY.reshape(groups, K // groups, L)).reshape(-1, L)


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
