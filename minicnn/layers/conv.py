"""Conv2D: a bank of learned filters slid over the image (cross-correlation)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from ..functional.conv import conv_geometry
from ..init import get_rng, kaiming_normal
from ..parameter import Parameter
from ..shapes import dilated_kernel
from .base import Layer


class Conv2D(Layer):
    """2-D convolution over (N, C, H, W) input, as ``torch.nn.Conv2d``.

    Like every deep-learning framework this is a cross-correlation (the kernel is not
    flipped), Y = X ⋆ K + B; the math and its three backward equations are in
    [`minicnn.functional.conv2d_forward`][] and
    [`conv2d_backward`][minicnn.functional.conv2d_backward].
    Output size per axis: (n − f + 2p)/s + 1, rounded down.

    ``padding``: an int, a pair (ph, pw), 'valid' (0) or 'same' (stride 1 only: the
    output keeps the input's size; an odd total puts the extra pixel at the bottom and
    right, as PyTorch).

    ``dilation`` d spaces the kernel's taps d pixels apart (atrous convolution): a 3×3
    kernel with d = 2 spans 5×5 pixels with 9 weights, f = d·(k − 1) + 1 in the output
    size, and the receptive field grows by (f − 1)·j.

    ``groups`` G splits the C input channels and the K filters into G blocks, and filter
    k of block g sees only the C/G channels of block g (AlexNet's two GPUs: G = 2;
    ResNeXt: G = 32; depthwise: G = C). The weight is (K, C/G, kh, kw): G times fewer
    parameters and multiply-adds than G = 1.

    The equations with dilation and groups, forward and backward, are written once, in
    the functional pair's docstrings; this layer holds the Parameters and the cache.

    Shapes: x (N, C_in, H, W) -> y (N, C_out, OH, OW); ``weight`` (C_out, C_in/groups,
    kh, kw), ``bias`` (C_out,). He initialisation N(0, 2/(C_in/groups·kh·kw)), bias zero.
    ``dilation`` and ``groups`` are keyword-only, so ``Conv2D(3, 6, 5, 1, 2, False)``
    still means bias=False.

    Args:
        in_channels: C_in, the channels of the input (1 for MNIST, 3 for colour images).
        out_channels: C_out, the number of filters, which is the channels of the output.
        kernel_size: the filter's size, an int k for k×k or a pair (kh, kw).
        stride: the step between windows, an int or a pair (sh, sw).
        padding: zeros around the input: an int, a pair (ph, pw), 'valid' or 'same'.
        bias: learn a bias B per filter (False before a BatchNorm2D, whose β shifts anyway).
        dilation: d, the spacing of the kernel's taps (keyword-only).
        groups: G, the blocks the channels are split into; C_in and C_out must be multiples of G.
        dtype: dtype of the weight and bias (np.float64 for gradient checks).
        rng: the generator that draws the initial weight.
        seed: or a seed for a generator of the layer's own; with neither rng nor seed the
            global generator draws ([`minicnn.init`][], ``mc.manual_seed``).
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
        dilation=1,
        groups: int = 1,
        dtype=np.float32,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ):
        in_channels = validate.integer("Conv2D", "in_channels", in_channels, low=1)
        out_channels = validate.integer("Conv2D", "out_channels", out_channels, low=1)
        groups = validate.check_groups(
            groups, "Conv2D", in_channels=in_channels, out_channels=out_channels
        )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation, self._sides = conv_geometry(
            kernel_size, stride, padding, dilation, "Conv2D"
        )
        # padding as given ('same' / 'valid'), or the (h, w) pair it amounts to
        (top, _), (left, _) = self._sides
        self.padding = padding if isinstance(padding, str) else (top, left)
        kh, kw = self.kernel_size
        shape = (out_channels, in_channels // groups, kh, kw)
        fan_in = in_channels // groups * kh * kw
        self.weight = Parameter(kaiming_normal(shape, fan_in, get_rng(rng, seed), dtype), "weight")
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype), "bias") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        b = None if self.bias is None else self.bias.data
        y, cache = F.conv2d_forward(
            x, self.weight.data, b, self.stride, self.padding, self.dilation, self.groups
        )
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dw, db = F.conv2d_backward(dout, self.saved_cache(dout))
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx

    def output_shape(self, input_shape):
        """The functional core's shape rule, named after this layer (``conv2d_forward``
        calls the same function on ``x.shape``)."""
        return F.conv2d_output_shape(
            input_shape,
            self.weight.shape,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            op=repr(self),
        )

    @property
    def span(self) -> tuple[int, int]:
        """Pixels from the kernel's first tap to its last, d·(k − 1) + 1 per axis."""
        return dilated_kernel(self.kernel_size, self.dilation)

    def window(self, input_shape):
        return self.span, self.stride

    def macs(self, input_shape):
        """Each output value is a dot product over its group's C_in/groups·kh·kw inputs."""
        _, K, OH, OW = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        return K * OH * OW * self.in_channels // self.groups * kh * kw

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        extra = "" if self.dilation == (1, 1) else f", dilation={self.dilation}"
        extra += "" if self.groups == 1 else f", groups={self.groups}"
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding!r}{extra}{bias})"
        )
