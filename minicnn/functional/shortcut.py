"""The parameter-free "option A" shortcut of the CIFAR ResNets, forward and backward.

y, x_shape = pad_shortcut_forward(x, out_channels, stride)
dx = pad_shortcut_backward(dy, x_shape, stride)
"""

from __future__ import annotations

import numpy as np

from .. import validate
from ..validate import check_array, check_grad


def pad_shortcut_forward(x, out_channels: int, stride: int) -> tuple[np.ndarray, tuple]:
    """Subsample by ``stride`` and append zero channels (He et al., 2016, option A):

        y[n, c, i, j] = x[n, c, i·s, j·s]    for c < C_in
        y[n, c, i, j] = 0                    for C_in ≤ c < C_out

    Shapes: x (N, C_in, H, W) -> y (N, C_out, ⌈H/s⌉, ⌈W/s⌉). The cache is x's shape.
    """
    check_array(x, "x", "pad_shortcut", "(N, C, H, W)", ndim=4)
    _, out_channels, stride = validate.check_shortcut(
        x.shape[1], out_channels, stride, "pad_shortcut"
    )
    sub = x[:, :, ::stride, ::stride]
    y = np.zeros((x.shape[0], out_channels, *sub.shape[2:]), dtype=x.dtype)
    y[:, : x.shape[1]] = sub
    return y, x.shape


def pad_shortcut_backward(dy, x_shape, stride: int) -> np.ndarray:
    """Each gradient goes back to the pixel it was read from; the padded channels and the
    skipped pixels get 0:  dL/dx[n, c, i·s, j·s] = dL/dy[n, c, i, j] for c < C_in."""
    N, C, H, W = x_shape
    stride = validate.integer("pad_shortcut_backward", "stride", stride, low=1)
    check_array(dy, "dy", "pad_shortcut_backward", "(N, C_out, H/s, W/s)", ndim=4)
    # C_out is not in the cache: any C_out >= C_in is the output of some forward
    out_shape = (N, max(dy.shape[1], C), -(-H // stride), -(-W // stride))
    check_grad(dy, out_shape, "pad_shortcut_backward")
    dx = np.zeros(x_shape, dtype=dy.dtype)
    dx[:, :, ::stride, ::stride] = dy[:, : x_shape[1]]
    return dx
