"""The parameter-free "option A" shortcut of the CIFAR ResNets, forward and backward.

y, x_shape = pad_shortcut_forward(x, out_channels, stride)
dx = pad_shortcut_backward(dy, x_shape, stride)
"""

from __future__ import annotations

import numpy as np

from .. import validate
from ..validate import check_array, check_channels, check_grad, check_rank


def pad_shortcut_forward(x, out_channels: int, stride: int) -> tuple[np.ndarray, tuple]:
    """Subsample by ``stride`` and append zero channels (He et al., 2016, option A):

        y[n, c, i, j] = x[n, c, i·s, j·s]    for c < C_in
        y[n, c, i, j] = 0                    for C_in ≤ c < C_out

    Shapes: x (N, C_in, H, W) -> y (N, C_out, ⌈H/s⌉, ⌈W/s⌉). The cache is x's shape.
    """
    check_array(x, "x", "pad_shortcut", "(N, C, H, W)")
    N, C_out, OH, OW = pad_shortcut_output_shape(x.shape, out_channels, stride)
    s = int(stride)  # checked (>= 1) by pad_shortcut_output_shape
    y = np.zeros((N, C_out, OH, OW), dtype=x.dtype)
    y[:, : x.shape[1]] = x[:, :, ::s, ::s]
    return y, x.shape


def pad_shortcut_output_shape(
    input_shape, out_channels: int, stride: int, op: str = "pad_shortcut", in_channels=None
) -> tuple[int, int, int, int]:
    """(N, C_in, H, W) -> (N, C_out, ⌈H/s⌉, ⌈W/s⌉), checked (C_in <= C_out, s >= 1):
    the shape rule that ``pad_shortcut_forward``, its backward and
    ``PadShortcut.output_shape`` all call. ``in_channels``, when given (the layer
    knows it), must be C_in."""
    check_rank(input_shape, 4, "(N, C, H, W)", op)
    N, C, H, W = input_shape
    if in_channels is not None:
        check_channels(input_shape, in_channels, op, f"in_channels={in_channels}")
    _, out_channels, s = validate.check_shortcut(C, out_channels, stride, op)
    return (N, out_channels, -(-H // s), -(-W // s))


def pad_shortcut_backward(dy, x_shape, stride: int) -> np.ndarray:
    """Each gradient goes back to the pixel it was read from; the padded channels and the
    skipped pixels get 0:  dL/dx[n, c, i·s, j·s] = dL/dy[n, c, i, j] for c < C_in."""
    op = "pad_shortcut_backward"
    check_array(dy, "dy", op, "(N, C_out, H/s, W/s)", ndim=4)
    # C_out is not in the cache: any C_out >= C_in is the output of some forward
    C_out = max(dy.shape[1], x_shape[1])
    check_grad(dy, pad_shortcut_output_shape(x_shape, C_out, stride, op), op)
    stride = int(stride)  # checked (>= 1) by pad_shortcut_output_shape
    dx = np.zeros(x_shape, dtype=dy.dtype)
    dx[:, :, ::stride, ::stride] = dy[:, : x_shape[1]]
    return dx
