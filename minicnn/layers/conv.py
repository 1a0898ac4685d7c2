"""Conv2D: convolution (cross-correlation) by im2col and one matrix product."""

from __future__ import annotations

import math

import numpy as np

from .. import functional_new_blocks as F_blocks
from ..backend import kernels
from ..init import get_rng, kaiming_normal
from ..kernels.common import dilated_kernel, output_hw
from ..parameter import Parameter
from ..shapes import pair
from .base import Layer, nchw, window_output_hw


def conv2d_forward(x, w, b, stride, padding, dilation=(1, 1), groups=1):
    """Y = X ⋆ K + B via im2col and one matrix product per group; returns (y, cols).

    x: (N, C, H, W), w: (K, C/groups, kh, kw), b: (K,) or None
    cols: (C*kh*kw, N*OH*OW), each column one receptive field (taps ``dilation`` apart)
    y: (N, K, OH, OW) with
       y[n,k,i,j] = b[k] + Σ_{c,p,q} x_pad[n, g·C_g + c, i*sh + p*dh, j*sw + q*dw] w[k,c,p,q]
       (g = k // (K/groups), C_g = C/groups: filter k sees its group's channels only)
    """
    N = x.shape[0]
    K, _, kh, kw = w.shape
    OH, OW = output_hw(x.shape, (kh, kw), stride, padding, dilation)
    cols = kernels().im2col(x, (kh, kw), stride, padding, dilation)
    # (K, N*OH*OW): the whole layer is one GEMM (one per group, batched)
    y = F_blocks.grouped_matmul(w.reshape(K, -1), cols, groups)
    if b is not None:
        y += b.reshape(K, 1)
    y = y.reshape(K, N, OH, OW).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y), cols


# im2col copies every input pixel kh*kw times (25x for a 5x5 kernel), so Conv2D
# builds the matrix for a slice of the batch at a time and does not keep it:
# backward rebuilds it from the input. Measured on LeNet-5 training steps (float32,
# numba backend): the arrays peak at 5 MiB instead of 17 MiB at batch 64, and at
# 16 MiB instead of 68 MiB at batch 256, at the same speed (a 1 MiB matrix stays
# in the cache for its matrix product, which pays for building it twice).
COLS_BYTES = 2**20


def batch_slices(n_images: int, cols_bytes_per_image: int) -> list[slice]:
    """Split a batch into about equal slices whose im2col matrix holds ~COLS_BYTES."""
    parts = min(n_images, max(1, math.ceil(n_images * cols_bytes_per_image / COLS_BYTES)))
    bounds = [round(i * n_images / parts) for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


class Conv2D(Layer):
    """2-D convolution over (N, C, H, W) input, as in ``torch.nn.Conv2d``.

    Like every deep-learning framework this is a cross-correlation (the kernel
    is not flipped):

        Y[n,k,i,j] = B[k] + Σ_c Σ_p Σ_q X[n, c, i·s+p, j·s+q] · K[k, c, p, q]

    written Y = X ⋆ K + B. Output size per axis: (n − f + 2p)/s + 1, rounded down.

    ``padding``: an int, a pair (ph, pw), 'valid' (0) or 'same' (stride 1 only: the
    output keeps the input's size; an even kernel span pads one more pixel at the
    bottom/right, as PyTorch).

    ``dilation`` d spaces the kernel's taps d pixels apart (atrous convolution),

        Y[n,k,i,j] = B[k] + Σ_c Σ_p Σ_q X[n, c, i·s + p·d, j·s + q·d] · K[k, c, p, q]

    so a 3×3 kernel with d = 2 spans 5×5 pixels with 9 weights: f = d·(k − 1) + 1 in
    the output size, and the receptive field grows by (f − 1)·j.

    ``groups`` G splits the C input channels and the K filters into G blocks; filter k
    of block g sees only the C/G channels of block g (AlexNet's two GPUs: G = 2;
    ResNeXt: G = 32; depthwise: G = C). The weight is (K, C/G, kh, kw), G times fewer
    parameters and multiply-adds than G = 1.

    Backward (dilation and groups change which X a weight touched, not the rule):

        dL/dK[k,c,p,q] = Σ_n Σ_i Σ_j X[n, g·C_g + c, i·s + p·d, j·s + q·d] · dL/dY[n,k,i,j]
        dL/dX[n,c,h,w] = Σ_{k in c's group} Σ_{i,j,p,q: i·s + p·d = h, j·s + q·d = w}
                             dL/dY[n,k,i,j] · K[k, c − g·C_g, p, q]
        dL/dB[k]       = Σ_n Σ_i Σ_j dL/dY[n,k,i,j]

    Shapes: x (N, C_in, H, W) -> y (N, C_out, OH, OW); ``weight`` (C_out, C_in/groups,
    kh, kw), ``bias`` (C_out,). He initialisation N(0, 2/(C_in/groups·kh·kw)), bias zero.
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
        if in_channels < 1 or out_channels < 1:
            raise ValueError(
                f"Conv2D needs in_channels >= 1 and out_channels >= 1, got "
                f"{in_channels} and {out_channels}"
            )
        if (
            not (isinstance(groups, int) and groups >= 1)
            or in_channels % groups
            or (out_channels % groups)
        ):
            raise ValueError(
                f"Conv2D: groups must be a positive integer that divides both in_channels "
                f"and out_channels, got groups={groups!r} with in_channels={in_channels}, "
                f"out_channels={out_channels}"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.dilation = pair(dilation, "dilation")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.dilation) < 1:
            raise ValueError(
                f"Conv2D needs kernel_size >= 1, stride >= 1 and dilation >= 1; got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, dilation={self.dilation}"
            )
        self.padding_mode = padding if isinstance(padding, str) else None
        sides = F_blocks.conv_padding(padding, self.kernel_size, self.stride, self.dilation)
        # padding: the symmetric part the kernels apply; _extra_pad: what 'same' adds
        # at the bottom/right for an even kernel span (np.pad widths, usually zeros)
        self.padding, self._extra_pad = F_blocks.split_padding(sides)
        kh, kw = self.kernel_size
        fan_in = in_channels // groups * kh * kw
        shape = (out_channels, in_channels // groups, kh, kw)
        self.weight = Parameter(kaiming_normal(shape, fan_in, get_rng(rng, seed), dtype), "weight")
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype), "bias") if bias else None
        self._cache = None

    def parameters(self):
        yield self.weight
        if self.bias is not None:
            yield self.bias

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, C, H, W)", ndim=4, channels=self.in_channels)
        self.check_finite(x)
        out_shape = self.output_shape(x.shape)  # clear error if the kernel does not fit
        x = self._pad_extra(x)
        b = self.bias.data if self.bias is not None else None
        y = np.empty(out_shape, dtype=np.result_type(x, self.weight.data))
        for part in self._batch_slices(x):
            y[part], _ = conv2d_forward(
                x[part], self.weight.data, b, self.stride, self.padding, self.dilation, self.groups
            )
        self._cache = x.copy()  # a copy: the caller may reuse or modify x before backward
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Given dL/dY (N, K, OH, OW), the three equations of the lecture:

            dL/dK = X ⋆ dL/dY
                    dL/dK[k,c,p,q] = Σ_n Σ_i Σ_j X[n, c, i·s+p, j·s+q] · dL/dY[n,k,i,j]
            dL/dX = dL/dY *full rot180(K)
                    dL/dX[n,c,h,w] = Σ_k Σ_{i,j: i·s+p=h, j·s+q=w} dL/dY[n,k,i,j] · K[k,c,p,q]
            dL/dB = Σ dL/dY
                    dL/dB[k] = Σ_n Σ_i Σ_j dL/dY[n,k,i,j]

        In im2col form (cols = im2col(X), one column per output pixel) they are
        two GEMMs and a sum: dK = dY·colsᵀ, dcols = Kᵀ·dY, dX = col2im(dcols).
        col2im adds each column back onto the window it came from, which is
        exactly the full convolution with the rotated kernel. With groups, each
        GEMM runs block by block (see the class docstring). (The sums over the
        batch run slice by slice, see ``COLS_BYTES``.)
        Returns dL/dX of shape (N, C_in, H, W).
        """
        x = self._cache
        self.check_dout(dout, self._output_shape_padded(x.shape) if x is not None else ())
        K, G = self.out_channels, self.groups
        kernel = self.weight.data.reshape(K, -1)  # (K, C/G*kh*kw)
        dx = np.empty(x.shape, dtype=np.result_type(dout, kernel))
        geometry = (self.kernel_size, self.stride, self.padding, self.dilation)
        for part in self._batch_slices(x):
            cols = kernels().im2col(x[part], *geometry)
            dY = dout[part].transpose(1, 0, 2, 3).reshape(K, -1)  # (K, n*OH*OW)

            # dL/dK = X ⋆ dL/dY: each output gradient times the receptive field it saw.
            self.weight.grad += F_blocks.grouped_weight_grad(dY, cols, G).reshape(self.weight.shape)
            # dL/dX = dL/dY *full rot180(K): spread each output gradient back over its
            # window, weighted by the kernel (Kᵀ·dY), then col2im sums the overlaps.
            dcols = F_blocks.grouped_cols_grad(kernel, dY, G)
            dx[part] = kernels().col2im(dcols, x[part].shape, *geometry)
        # dL/dB = Σ dL/dY over the batch and every output position.
        if self.bias is not None:
            self.bias.grad += dout.sum(axis=(0, 2, 3))
        return self._crop_extra(dx)

    def _pad_extra(self, x: np.ndarray) -> np.ndarray:
        """'same' with an even kernel span: the one pixel more at the bottom/right."""
        return np.pad(x, self._extra_pad) if any(map(any, self._extra_pad)) else x

    def _crop_extra(self, dx: np.ndarray) -> np.ndarray:
        (_, _, (t, b), (l, r)) = self._extra_pad
        return dx[:, :, t : dx.shape[2] - b, l : dx.shape[3] - r]

    def _batch_slices(self, x: np.ndarray) -> list[slice]:
        _, _, OH, OW = self._output_shape_padded(x.shape)
        kh, kw = self.kernel_size
        return batch_slices(x.shape[0], self.in_channels * kh * kw * OH * OW * x.itemsize)

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        if C != self.in_channels:
            raise ValueError(
                f"{self!r}: expected {self.in_channels} input channels, got {C} "
                f"(input shape {tuple(input_shape)})"
            )
        (_, _, (t, b), (l, r)) = self._extra_pad
        return self._output_shape_padded((N, C, H + t + b, W + l + r))

    def _output_shape_padded(self, input_shape):
        """The output shape for an input that already carries the extra 'same' padding."""
        N = input_shape[0]
        OH, OW = window_output_hw(self, input_shape, self.span, self.stride, self.padding)
        return (N, self.out_channels, OH, OW)

    @property
    def span(self) -> tuple[int, int]:
        """Pixels from the first tap to the last, d·(k − 1) + 1 per axis."""
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
        padding = repr(self.padding_mode) if self.padding_mode else self.padding
        extra = "" if self.dilation == (1, 1) else f", dilation={self.dilation}"
        extra += "" if self.groups == 1 else f", groups={self.groups}"
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={padding}{extra}{bias})"
        )
