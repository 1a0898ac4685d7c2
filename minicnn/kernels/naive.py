"""Loops written straight from the equations: the teaching reference.

Slow on purpose: every line is an equation from the lecture. Index notation:
x_pad is the zero-padded input, s the stride, (kh, kw) the kernel size, and
window(i, j) = x_pad[..., i*sh : i*sh+kh, j*sw : j*sw+kw].
All convolutions are cross-correlations (no kernel flip), as in every framework.
"""

from __future__ import annotations

import numpy as np

from ..shapes import output_hw
from .common import pad, padded_zeros, unpad
from .contract import Kernels


def conv2d_forward(x, w, b, stride, padding, dilation=(1, 1), groups=1):
    """y[n,k,i,j] = b[k] + Σ_c Σ_p Σ_q x_pad[n, g·C_g + c, i*sh + p*dh, j*sw + q*dw] · w[k, c, p, q]

    with g = k // K_g the group of filter k: the C input channels are split into
    ``groups`` blocks of C_g = C/groups, the K filters into blocks of K_g = K/groups,
    and filter k reads only its own block (groups = C is depthwise: one channel
    each). Dilation (dh, dw) spaces the taps dh and dw pixels apart.

    x: (N, C, H, W), w: (K, C_g, kh, kw), b: (K,) or None -> y: (N, K, OH, OW)
    """
    N, C, _, _ = x.shape
    K, C_g, kh, kw = w.shape
    K_g = K // groups
    OH, OW = output_hw(x.shape, (kh, kw), stride, padding, dilation)
    xp = pad(x, padding)
    y = np.zeros((N, K, OH, OW), dtype=np.result_type(x, w))
    for n in range(N):
        for k in range(K):
            g = k // K_g
            for i in range(OH):
                for j in range(OW):
                    rows, cols = dilated_window(i, j, (kh, kw), stride, dilation)
                    window = xp[n, g * C_g : (g + 1) * C_g, rows, cols]
                    y[n, k, i, j] = np.sum(window * w[k]) + (b[k] if b is not None else 0)
    return y


def conv2d_backward(dy, x, w, stride, padding, dilation=(1, 1), groups=1):
    """The three backward equations, each computed as the convolution it is.

    dL/dK[k,c,p,q] = Σ_n Σ_i Σ_j x_pad[n, g·C_g + c, i*sh + p*dh, j*sw + q*dw] · dy[n,k,i,j]
                     (X ⋆ dL/dY: correlate the input with the output gradient)
    dL/dX          = dL/dY (dilated by the stride) full-convolved with rot180(K),
                     summed over the output channels k of the input channel's group
                     (K dilated too: dh − 1 zeros between its taps)
    dL/dB[k]       = Σ_n Σ_i Σ_j dy[n,k,i,j]

    dy: (N, K, OH, OW) -> dx: (N, C, H, W), dw: (K, C_g, kh, kw), db: (K,)
    """
    N, C, H, W = x.shape
    K, C_g, kh, kw = w.shape
    K_g = K // groups
    (sh, sw), (dh, dw_) = stride, dilation
    _, _, OH, OW = dy.shape
    xp = pad(x, padding)
    dtype = np.result_type(dy, x, w)

    # dL/dK = X ⋆ dL/dY: for each kernel tap (p, q), the input pixels it touched.
    dw = np.zeros(w.shape, dtype=dtype)
    for k in range(K):
        g = k // K_g
        for c in range(C_g):
            for p in range(kh):
                for q in range(kw):
                    touched = xp[
                        :,
                        g * C_g + c,
                        p * dh : p * dh + sh * OH : sh,
                        q * dw_ : q * dw_ + sw * OW : sw,
                    ]
                    dw[k, c, p, q] = np.sum(touched * dy[:, k])

    # dL/dX = dL/dY *full rot180(K): dilate dy by the stride (s-1 zeros between
    # entries), pad it by the kernel's span − 1 and slide the flipped (dilated)
    # kernel over it.
    dilated = np.zeros((N, K, (OH - 1) * sh + 1, (OW - 1) * sw + 1), dtype=dtype)
    dilated[:, :, ::sh, ::sw] = dy
    span_h, span_w = dh * (kh - 1) + 1, dw_ * (kw - 1) + 1
    kernel = np.zeros((K, C_g, span_h, span_w), dtype=w.dtype)
    kernel[:, :, ::dh, ::dw_] = w
    full = pad(dilated, (span_h - 1, span_w - 1))
    rot = kernel[:, :, ::-1, ::-1]
    dxp = padded_zeros(x.shape, padding, dtype)
    rows, cols = full.shape[2] - span_h + 1, full.shape[3] - span_w + 1
    for n in range(N):
        for c in range(C):
            g, c_in_group = divmod(c, C_g)
            ks = slice(g * K_g, (g + 1) * K_g)  # the filters that read channel c
            for h in range(rows):
                for v in range(cols):
                    window = full[n, ks, h : h + span_h, v : v + span_w]
                    dxp[n, c, h, v] = np.sum(window * rot[ks, c_in_group])
    dx = unpad(dxp, padding)

    db = dy.sum(axis=(0, 2, 3))
    return dx, dw, db


def dilated_window(i, j, kernel, stride, dilation) -> tuple[slice, slice]:
    """The rows and columns of x_pad that window (i, j) reads: kh rows dh apart from
    i*sh, kw columns dw apart from j*sw (dilation 1: the plain kh×kw block)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    return (
        slice(i * sh, i * sh + dh * (kh - 1) + 1, dh),
        slice(j * sw, j * sw + dw * (kw - 1) + 1, dw),
    )


def im2col(x, kernel, stride, padding, dilation=(1, 1)):
    """Column n*OH*OW + i*OW + j = window(i, j) of image n, flattened."""
    N, C, _, _ = x.shape
    kh, kw = kernel
    OH, OW = output_hw(x.shape, kernel, stride, padding, dilation)
    xp = pad(x, padding)
    cols = np.empty((C * kh * kw, N * OH * OW), dtype=x.dtype)
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                rows, columns = dilated_window(i, j, kernel, stride, dilation)
                cols[:, n * OH * OW + i * OW + j] = xp[n, :, rows, columns].ravel()
    return cols


def col2im(cols, x_shape, kernel, stride, padding, dilation=(1, 1)):
    """Adjoint of im2col: add each column back onto the window it came from."""
    N, C, _, _ = x_shape
    kh, kw = kernel
    OH, OW = output_hw(x_shape, kernel, stride, padding, dilation)
    dxp = padded_zeros(x_shape, padding, cols.dtype)
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                rows, columns = dilated_window(i, j, kernel, stride, dilation)
                column = cols[:, n * OH * OW + i * OW + j]
                dxp[n, :, rows, columns] += column.reshape(C, kh, kw)
    return unpad(dxp, padding)


def max_pool2d_forward(x, kernel, stride, padding):
    """y[n,c,i,j] = max window(i, j); argmax = flat index of the (first) maximum."""
    N, C, _, _ = x.shape
    kh, kw = kernel
    sh, sw = stride
    OH, OW = output_hw(x.shape, kernel, stride, padding)
    xp = pad(x, padding, value=-np.inf)
    y = np.empty((N, C, OH, OW), dtype=x.dtype)
    argmax = np.empty((N, C, OH, OW), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    argmax[n, c, i, j] = np.argmax(window)
                    y[n, c, i, j] = window.flat[argmax[n, c, i, j]]
    return y, argmax


def max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding):
    """Route dy[n,c,i,j] to the winner of window (i, j); overlapping windows add up."""
    N, C, _, _ = x_shape
    kh, kw = kernel
    sh, sw = stride
    _, _, OH, OW = dy.shape
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    p, q = divmod(int(argmax[n, c, i, j]), kw)
                    dxp[n, c, i * sh + p, j * sw + q] += dy[n, c, i, j]
    return unpad(dxp, padding)


def avg_pool2d_forward(x, kernel, stride, padding):
    """y[n,c,i,j] = mean of window(i, j) (padded zeros count)."""
    N, C, _, _ = x.shape
    kh, kw = kernel
    sh, sw = stride
    OH, OW = output_hw(x.shape, kernel, stride, padding)
    xp = pad(x, padding)
    y = np.empty((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y[n, c, i, j] = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw].mean()
    return y


def avg_pool2d_backward(dy, x_shape, kernel, stride, padding):
    """Each input of window (i, j) receives dy[n,c,i,j] / (kh*kw)."""
    N, C, _, _ = x_shape
    kh, kw = kernel
    sh, sw = stride
    _, _, OH, OW = dy.shape
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    dxp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw] += dy[n, c, i, j] / (
                        kh * kw
                    )
    return unpad(dxp, padding)


# The contract (kernels/contract.py): on this backend Conv2D runs the loops above.
KERNELS = Kernels(
    "naive",
    im2col,
    col2im,
    max_pool2d_forward,
    max_pool2d_backward,
    avg_pool2d_forward,
    avg_pool2d_backward,
    conv2d_forward=conv2d_forward,
    conv2d_backward=conv2d_backward,
)
