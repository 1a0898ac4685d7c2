"""Conv2D: a bank of learned filters slid over the image (cross-correlation)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..functional._validate import window_geometry
from ..init import get_rng, kaiming_normal
from ..parameter import Parameter
from ..shapes import output_hw
from .base import Layer


class Conv2D(Layer):
    """2-D convolution over (N, C, H, W) input, as ``torch.nn.Conv2d``.

    Like every deep-learning framework this is a cross-correlation (the kernel is not
    flipped), Y = X ⋆ K + B; the math and its three backward equations are in
    :func:`minicnn.functional.conv2d_forward` and :func:`~minicnn.functional.conv2d_backward`.
    Output size per axis: (n − f + 2p)/s + 1, rounded down.

    Shapes: x (N, C_in, H, W) -> y (N, C_out, OH, OW); ``weight`` (C_out, C_in, kh, kw),
    ``bias`` (C_out,). Weights use He initialisation N(0, 2/(C_in·kh·kw)), bias zero.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        *,
        dtype=np.float32,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ):
        if in_channels < 1 or out_channels < 1:
            raise ValueError(
                f"Conv2D needs in_channels >= 1 and out_channels >= 1, got "
                f"{in_channels} and {out_channels}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = window_geometry(
            kernel_size, stride, padding, "Conv2D"
        )
        kh, kw = self.kernel_size
        shape = (out_channels, in_channels, kh, kw)
        fan_in = in_channels * kh * kw
        self.weight = Parameter(kaiming_normal(shape, fan_in, get_rng(rng, seed), dtype), "weight")
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype), "bias") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        b = None if self.bias is None else self.bias.data
        y, cache = F.conv2d_forward(x, self.weight.data, b, self.stride, self.padding)
        self.save_for_backward(cache, y)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dw, db = F.conv2d_backward(dout, self.saved_cache(dout))
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx

    def output_shape(self, input_shape):
        if len(input_shape) != 4 or input_shape[1] != self.in_channels:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.in_channels}, H, W), got "
                f"{tuple(input_shape)}"
            )
        OH, OW = output_hw(input_shape, self.kernel_size, self.stride, self.padding)
        return (input_shape[0], self.out_channels, OH, OW)

    def window(self, input_shape):
        return self.kernel_size, self.stride

    def macs(self, input_shape):
        _, K, OH, OW = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        return K * OH * OW * self.in_channels * kh * kw

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}{bias})"
        )
