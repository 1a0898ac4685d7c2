"""Vectorised NumPy kernels: im2col / col2im and pooling without per-pixel loops.

The 'numpy' backend. It fills only the required fields of the contract
(``contract.py``), so convolution and batch norm run the functional core's own NumPy
lines (``functional/conv.py``, ``functional/normalization.py``) on top of these.

The only Python loops run over the kh*kw kernel taps (25 for a 5x5 kernel), each
one a strided slice over the whole batch: for tap (p, q) the output pixels
(i, j) read input pixel (i*sh + p, j*sw + q), i.e. the slice
``x_pad[:, :, p : p + sh*OH : sh, q : q + sw*OW : sw]``. Scatter-adds (col2im,
pooling backward) accumulate slice by slice, which is correct for overlapping
windows and never falls back to a per-element Python scatter.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..shapes import dilated_kernel, output_hw
from .common import pad, padded_zeros, unpad
from .contract import Kernels


def tap_slices(kernel, stride, out_hw, dilation=(1, 1)):
    """Yield (p, q, slice) for each kernel tap: the padded-input pixels it touches
    (tap (p, q) starts at (p·dh, q·dw) and steps by the stride)."""
    (kh, kw), (sh, sw), (OH, OW), (dh, dw) = kernel, stride, out_hw, dilation
    for p in range(kh):
        for q in range(kw):
            rows = slice(p * dh, p * dh + sh * OH, sh)
            yield p, q, (Ellipsis, rows, slice(q * dw, q * dw + sw * OW, sw))


def windows(x, kernel, stride, padding, fill=0.0, dilation=(1, 1)):
    """A read-only view (N, C, OH, OW, kh, kw) of every pooling/conv window: windows
    of the dilated span, every d-th pixel of each."""
    xp = pad(x, padding, value=fill)
    view = sliding_window_view(xp, dilated_kernel(kernel, dilation), axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def im2col(x, kernel, stride, padding, dilation=(1, 1)):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW); one copy out of a strided view."""
    N, C, _, _ = x.shape
    win = windows(x, kernel, stride, padding, dilation=dilation)  # (N, C, OH, OW, kh, kw)
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(C * kernel[0] * kernel[1], -1)


def col2im(cols, x_shape, kernel, stride, padding, dilation=(1, 1)):
    """cols (C*kh*kw, N*OH*OW) -> (N, C, H, W), summing overlapping windows."""
    N, C, _, _ = x_shape
    OH, OW = output_hw(x_shape, kernel, stride, padding, dilation)
    taps = cols.reshape(C, kernel[0], kernel[1], N, OH, OW).transpose(3, 0, 1, 2, 4, 5)
    dxp = padded_zeros(x_shape, padding, cols.dtype)
    for p, q, where in tap_slices(kernel, stride, (OH, OW), dilation):
        dxp[where] += taps[:, :, p, q]
    return unpad(dxp, padding)


def max_pool2d_forward(x, kernel, stride, padding):
    """Max over each window; argmax is the first maximum's flat index (ties -> one)."""
    win = windows(x, kernel, stride, padding, fill=-np.inf)
    flat = win.reshape(win.shape[:4] + (kernel[0] * kernel[1],))  # explicit: N may be 0
    argmax = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return y, argmax


def max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding):
    """Each window's gradient goes to its winning tap; windows that overlap add up."""
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    for p, q, where in tap_slices(kernel, stride, dy.shape[2:]):
        dxp[where] += np.where(argmax == p * kernel[1] + q, dy, 0)
    return unpad(dxp, padding)


def avg_pool2d_forward(x, kernel, stride, padding):
    return windows(x, kernel, stride, padding).mean(axis=(-2, -1), dtype=x.dtype)


def avg_pool2d_backward(dy, x_shape, kernel, stride, padding):
    share = dy / (kernel[0] * kernel[1])
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    for _, _, where in tap_slices(kernel, stride, dy.shape[2:]):
        dxp[where] += share
    return unpad(dxp, padding)


# The contract (kernels/contract.py): the window operations only; convolution and batch
# norm are the functional core's readable NumPy code on this backend.
KERNELS = Kernels(
    "numpy",
    im2col,
    col2im,
    max_pool2d_forward,
    max_pool2d_backward,
    avg_pool2d_forward,
    avg_pool2d_backward,
)
