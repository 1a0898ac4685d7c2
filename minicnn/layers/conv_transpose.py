"""ConvTranspose2D: the backward pass of a convolution, used as a layer (learned upsampling)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import functional as F
from .. import validate
from ..init import get_rng, kaiming_normal
from ..parameter import Parameter
from .base import Layer


class ConvTranspose2D(Layer):
    """Transposed convolution over (N, C_in, H, W), as ``torch.nn.ConvTranspose2d``
    (called "deconvolution" in the FCN paper; it is not the inverse of a convolution).

    A convolution with stride s maps a large input to a small output; its backward
    maps dL/dY (small) back to dL/dX (large). ConvTranspose2D *is* that backward map,
    used as a layer with its own learned weight: each input pixel stamps the kernel,
    scaled by its value, onto the output at stride s, the overlaps add up, and
    ``padding`` is cropped from each side.

    Output size per axis: (H − 1)·s − 2·pad + k + output_padding, the input size of
    the convolution whose backward this is (``output_padding`` < s picks one of the s
    input sizes that a stride-s convolution maps to the same H).

    Backward: the forward is a convolution's dL/dX, so dL/dX here is that convolution's
    forward, and dL/dW correlates X with the output gradient. The equations are written
    once, in the functional pair's docstrings
    ([`conv_transpose2d_forward`][minicnn.functional.conv_transpose2d_forward],
    [`conv_transpose2d_backward`][minicnn.functional.conv_transpose2d_backward]);
    see docs/conv_transpose.md.

    Shapes: ``weight`` (C_in, C_out, kh, kw), PyTorch's layout (in before out, the
    transpose of Conv2D's), ``bias`` (C_out,). He initialisation with fan-in
    C_in·kh·kw / (s_h·s_w), the number of products in one output value on average.

    Args:
        in_channels: C_in, the channels of the (small) input.
        out_channels: C_out, the channels of the (large) output.
        kernel_size: the kernel's size, an int or a pair (kh, kw).
        stride: s, how far apart the input pixels stamp the kernel onto the output.
        padding: cropped from each side of the output.
        output_padding: added to the bottom and right of the output, less than ``stride``.
        bias: learn a bias per output channel.
        dtype: the parameters' dtype.
        rng: the generator of the initial weight ([`minicnn.init`][]).
        seed: a seed for the layer's own generator; with neither, the global one.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        bias: bool = True,
        *,
        dtype=np.float32,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ):
        in_channels = validate.integer("ConvTranspose2D", "in_channels", in_channels, low=1)
        out_channels = validate.integer("ConvTranspose2D", "out_channels", out_channels, low=1)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = validate.window_geometry(
            kernel_size, stride, padding, "ConvTranspose2D"
        )
        self.output_padding = validate.check_output_padding(
            output_padding, self.stride, "ConvTranspose2D"
        )
        kh, kw = self.kernel_size
        fan_in = max(1, in_channels * kh * kw // (self.stride[0] * self.stride[1]))
        shape = (in_channels, out_channels, kh, kw)
        self.weight = Parameter(kaiming_normal(shape, fan_in, get_rng(rng, seed), dtype), "weight")
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype), "bias") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        b = None if self.bias is None else self.bias.data
        y, cache = F.conv_transpose2d_forward(
            x, self.weight.data, b, self.stride, self.padding, self.output_padding
        )
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dw, db = F.conv_transpose2d_backward(dout, self.saved_cache(dout))
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx

    def output_shape(self, input_shape):
        """The functional core's shape rule, named after this layer
        (``conv_transpose2d_forward`` calls the same function on ``x.shape``)."""
        return F.conv_transpose2d_output_shape(
            input_shape,
            self.weight.shape,
            self.stride,
            self.padding,
            self.output_padding,
            op=repr(self),
        )

    def macs(self, input_shape):
        """Every input value is multiplied by C_out·kh·kw weights."""
        N, C, H, W = input_shape
        kh, kw = self.kernel_size
        return C * H * W * self.out_channels * kh * kw

    def window(self, input_shape):
        """For the receptive field: outputs are 1/s input units apart (a stride of 1/s),
        and one output gathers the stamps of ⌈k/s⌉ neighbouring inputs (a window of
        that many units): r_out = r_in + (⌈k/s⌉ − 1)·j_in, j_out = j_in / s."""
        taps = tuple(-(-k // s) for k, s in zip(self.kernel_size, self.stride, strict=True))
        return taps, tuple(Fraction(1, s) for s in self.stride)

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        extra = f", output_padding={self.output_padding}" if any(self.output_padding) else ""
        return (
            f"ConvTranspose2D({self.in_channels}, {self.out_channels}, "
            f"kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding}{extra}{bias})"
        )
