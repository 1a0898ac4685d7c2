"""The parameter-free "option A" shortcut of the CIFAR ResNets, forward and backward.

y, x_shape = pad_shortcut_forward(x, out_channels, stride)
dx = pad_shortcut_backward(dy, x_shape, stride)
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array


def pad_shortcut_forward(x, out_channels: int, stride: int) -> tuple[np.ndarray, tuple]:
    """Subsample by ``stride`` and append zero channels (He et al., 2016, option A):

        y[n, c, i, j] = x[n, c, i·s, j·s]    for c < C_in
        y[n, c, i, j] = 0                    for C_in ≤ c < C_out

    Shapes: x (N, C_in, H, W) -> y (N, C_out, ⌈H/s⌉, ⌈W/s⌉). The cache is x's shape.
    """
    check_array(x, "x", "pad_shortcut", "(N, C, H, W)", ndim=4)
    sub = x[:, :, ::stride, ::stride]
    y = np.zeros((x.shape[0], out_channels, *sub.shape[2:]), dtype=x.dtype)
    y[:, : x.shape[1]] = sub
    return y, x.shape


def pad_shortcut_backward(dy, x_shape, stride: int) -> np.ndarray:
    """Each gradient goes back to the pixel it was read from; the padded channels and the
    skipped pixels get 0:  dL/dx[n, c, i·s, j·s] = dL/dy[n, c, i, j] for c < C_in."""
    dx = np.zeros(x_shape, dtype=dy.dtype)
    dx[:, :, ::stride, ::stride] = dy[:, : x_shape[1]]
    return dx
