"""A convolution's two building blocks as functions of their own: zero padding, and the
windows (patches) of the input as the columns of a matrix (im2col).

    xp = zero_pad(x, padding)                              # (N, C, H + 2ph, W + 2pw)
    cols = im2col(x, kernel_size, stride, padding, dilation)   # (C·kh·kw, N·OH·OW)

``conv2d_forward`` multiplies the filters by exactly this matrix, y = K.reshape(K, −1)
@ cols (group by group), so a page or a lab that shows a convolution step by step
calls these rather than building its own. They run on the backend chosen with
``mc.set_backend``, as the pair does.
"""

from __future__ import annotations

import numpy as np

from ..backend import kernels
from ..kernels.common import pad
from ..shapes import output_hw
from ..validate import check_array, window_geometry
from .conv import conv_geometry, split_padding


def zero_pad(x, padding) -> np.ndarray:
    """``x`` (N, C, H, W) with ``padding`` (an int p or a pair (ph, pw)) rows of zeros
    above and below and columns left and right: (N, C, H + 2·ph, W + 2·pw). Zero
    padding lets a window sit on the border pixels ("same" convolution with p = (f − 1)/2)."""
    check_array(x, "x", "zero_pad", "(N, C, H, W)", ndim=4)
    _, _, padding = window_geometry(1, 1, padding, "zero_pad")
    return pad(x, padding)


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The im2col matrix of ``x`` (N, C, H, W): one column per output pixel, holding the
    window that pixel sees, flattened in (c, p, q) order,

        cols[c·kh·kw + p·kw + q, n·OH·OW + i·OW + j] = X_pad[n, c, i·s + p·d, j·s + q·d]

    shape (C·kh·kw, N·OH·OW). ``padding`` takes what ``conv2d_forward`` takes (an int, a
    pair, 'valid' or 'same'); then ``w.reshape(K, -1) @ cols`` is the convolution
    (groups = 1), the matrix ``conv2d_forward`` builds.
    """
    op = "im2col"
    check_array(x, "x", op, "(N, C, H, W)", ndim=4)
    kernel, stride, dilation, sides = conv_geometry(kernel_size, stride, padding, dilation, op)
    padding, extra = split_padding(sides)
    if any(map(any, extra)):  # 'same' with an even span: the extra row and column first
        x = np.pad(x, extra)
    output_hw(x.shape, kernel, stride, padding, dilation)  # a clear error if no window fits
    return kernels().im2col(x, kernel, stride, padding, dilation)
