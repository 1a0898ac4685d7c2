"""Helpers and the shared kernel signatures.

Every backend module provides::

    im2col(x, kernel, stride, padding, dilation=(1, 1)) -> cols           # (C*kh*kw, N*OH*OW)
    col2im(cols, x_shape, kernel, stride, padding, dilation=(1, 1)) -> dx # (N, C, H, W)
    max_pool2d_forward(x, kernel, stride, padding) -> (y, argmax)
    max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding) -> dx
    avg_pool2d_forward(x, kernel, stride, padding) -> y
    avg_pool2d_backward(dy, x_shape, kernel, stride, padding) -> dx

``kernel``, ``stride`` and ``padding`` are (h, w) pairs. Column ``n*OH*OW + i*OW + j``
of ``cols`` is the receptive field of output pixel (i, j) of image n, flattened in
(c, p, q) order, so ``W.reshape(K, -1) @ cols`` is the convolution.
With ``dilation`` (dh, dw) the taps of a window are dh and dw pixels apart: tap
(p, q) of output pixel (i, j) reads padded-input pixel (i*sh + p*dh, j*sw + q*dw), so
a kh×kw kernel spans dh*(kh − 1) + 1 by dw*(kw − 1) + 1 pixels.
``argmax`` holds, for each output pixel, the flat index ``p*kw + q`` of the
winning position inside its window (the first one on a tie).
Average pooling counts padded zeros (PyTorch's ``count_include_pad=True``).
"""

from __future__ import annotations

import numpy as np

from ..validate import check_shape  # noqa: F401  (the kernels state the shapes they need)


def pad(x: np.ndarray, padding, value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes of (N, C, H, W) by (ph, pw) on each side."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def unpad(xp: np.ndarray, padding) -> np.ndarray:
    """Inverse of ``pad()``: crop (ph, pw) from each side."""
    ph, pw = padding
    H, W = xp.shape[-2:]
    return xp[:, :, ph : H - ph, pw : W - pw]


def padded_zeros(x_shape, padding, dtype) -> np.ndarray:
    """A zero gradient buffer the size of the padded input."""
    N, C, H, W = x_shape
    return np.zeros((N, C, H + 2 * padding[0], W + 2 * padding[1]), dtype=dtype)
