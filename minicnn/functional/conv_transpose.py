"""Transposed convolution: a convolution's backward pass for its input, run forward.

    y, cache = conv_transpose2d_forward(x, w, b, stride, padding, output_padding)
    dx, dw, db = conv_transpose2d_backward(dy, cache)

The forward is conv2d_backward's dL/dX (a matrix product and col2im), the backward is
conv2d_forward (im2col and a matrix product): the two operations are each other's
transpose. See docs/conv_transpose.md.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..backend import kernels
from ..validate import (
    check_array,
    check_bias,
    check_channels,
    check_finite,
    check_grad,
    check_output_padding,
    check_rank,
    window_geometry,
)


class ConvTranspose2dCache(NamedTuple):
    x: np.ndarray  # a copy of the input (N, C_in, H, W): the caller may change x
    w: np.ndarray  # the weight (C_in, C_out, kh, kw)
    has_bias: bool
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int] = (0, 0)


def conv_transpose2d_output_hw(
    hw, kernel, stride, padding, output_padding, op: str = "conv_transpose2d"
) -> tuple[int, int]:
    """OH = (H − 1)·s − 2p + k + output_padding per axis, as torch.nn.ConvTranspose2d:
    the input size of the convolution whose backward this is. ValueError (from ``op``)
    when the padding crops the whole output away."""
    OH, OW = (
        (n - 1) * s - 2 * p + k + extra
        for n, k, s, p, extra in zip(hw, kernel, stride, padding, output_padding, strict=True)
    )
    if OH < 1 or OW < 1:
        raise ValueError(
            f"{op}: the output would be {OH}×{OW} for an input of {tuple(hw)[0]}×"
            f"{tuple(hw)[1]}; (H − 1)·s − 2·padding + k + output_padding must be >= 1 "
            f"(use less padding)"
        )
    return OH, OW


def conv_transpose2d_output_shape(
    input_shape, w_shape, stride=1, padding=0, output_padding=0, op: str = "conv_transpose2d"
) -> tuple[int, int, int, int]:
    """The shape of ``conv_transpose2d_forward``'s output, checked: every rule on the
    input's shape is here, and both ``conv_transpose2d_forward`` (on ``x.shape``) and
    ``ConvTranspose2D.output_shape`` (on a shape alone) call it. ``op`` names the caller.

        (N, C_in, H, W), w (C_in, C_out, kh, kw) -> (N, C_out, OH, OW)
        OH = (H − 1)·s − 2·pad + kh + output_padding       (the same for OW)
    """
    check_rank(input_shape, 4, "(N, C_in, H, W)", op)
    C_in, C_out, kh, kw = w_shape
    check_channels(input_shape, C_in, op, f"w has shape {tuple(w_shape)} = (C_in, C_out, kh, kw)")
    kernel, stride, padding = window_geometry((kh, kw), stride, padding, op)
    output_padding = check_output_padding(output_padding, stride, op)
    hw = conv_transpose2d_output_hw(input_shape[2:], kernel, stride, padding, output_padding, op)
    return (input_shape[0], C_out, *hw)


def conv_transpose2d_forward(x, w, b, stride=(1, 1), padding=(0, 0), output_padding=(0, 0)):
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d``:

        y[n, o, i·s + p − pad, j·s + q − pad] += Σ_c x[n, c, i, j] · w[c, o, p, q]

    every input pixel stamps its kernel, scaled by its value, onto the output at
    stride s (overlaps add up), then ``pad`` is cropped from each side. This is
    exactly dL/dX of a convolution with the same weight, stride and padding (with
    x in the role of dL/dY), computed the same way: one matrix product spreads each
    pixel over its window, col2im adds the windows up:

        cols = W_matᵀ · X_mat      W_mat (C_in, C_out·kh·kw), X_mat (C_in, N·H·W)
        Y = col2im(cols)           onto (N, C_out, OH, OW)

    x: (N, C_in, H, W), w: (C_in, C_out, kh, kw), b: (C_out,) or None
    -> y: (N, C_out, OH, OW), OH = (H − 1)·s − 2·pad + kh + output_padding.
    """
    op = "conv_transpose2d_forward"
    check_array(x, "x", op, "(N, C_in, H, W)")
    check_array(w, "w", op, "(C_in, C_out, kh, kw)", ndim=4)
    N, C_out, OH, OW = conv_transpose2d_output_shape(
        x.shape, w.shape, stride, padding, output_padding, op
    )
    _, C_in, H, W = x.shape
    kh, kw = w.shape[2:]
    check_bias(b, C_out, op)
    check_finite(x, op)
    # the arguments are valid (checked above): the (h, w) pairs the kernels take
    (kh, kw), stride, padding = window_geometry((kh, kw), stride, padding, op)
    output_padding = check_output_padding(output_padding, stride, op)
    x_mat = x.transpose(1, 0, 2, 3).reshape(C_in, -1)  # (C_in, N·H·W)
    cols = w.reshape(C_in, -1).T @ x_mat  # (C_out·kh·kw, N·H·W)
    y = kernels().col2im(cols, (N, C_out, OH, OW), (kh, kw), stride, padding)
    if b is not None:
        y = y + b.reshape(1, C_out, 1, 1)
    cache = ConvTranspose2dCache(x.copy(), w, b is not None, stride, padding, output_padding)
    return np.ascontiguousarray(y), cache


def conv_transpose2d_backward(dy, cache: ConvTranspose2dCache):
    """The forward is the backward of a convolution, so its backward is that
    convolution's forward (the adjoint of an adjoint is the map itself):

        dL/dX = dL/dY ⋆ W          a plain convolution with the same stride and padding:
                                   dX[n,c,i,j] = Σ_{o,p,q} dY_pad[n, o, i·s+p, j·s+q] w[c,o,p,q]
        dL/dW[c,o,p,q] = Σ_{n,i,j} x[n,c,i,j] · dY_pad[n, o, i·s+p, j·s+q]
        dL/dB[o] = Σ_{n,i,j} dL/dY[n,o,i,j]

    In matrix form, with cols = im2col(dY) (C_out·kh·kw, N·H·W): dX = W_mat · cols and
    dW = X_mat · colsᵀ. Returns (dx, dw, db); db is None without a bias.
    """
    x, w, has_bias, stride, padding, output_padding = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    out_hw = conv_transpose2d_output_hw((H, W), (kh, kw), stride, padding, output_padding)
    check_grad(dy, (N, C_out, *out_hw), "conv_transpose2d_backward")
    cols = kernels().im2col(dy, (kh, kw), stride, padding)  # (C_out·kh·kw, N·H·W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(C_in, N, H, W).transpose(1, 0, 2, 3)
    x_mat = x.transpose(1, 0, 2, 3).reshape(C_in, -1)
    dw = (x_mat @ cols.T).reshape(w.shape)
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return np.ascontiguousarray(dx), dw, db
