"""Conv2D: convolution (cross-correlation) by im2col and one matrix product."""

from __future__ import annotations

import math

import numpy as np

from ..backend import kernels
from ..init import get_rng, kaiming_normal
from ..kernels.common import output_hw
from ..parameter import Parameter
from ..shapes import pair
from .base import Layer, nchw, window_output_hw


def conv2d_forward(x, w, b, stride, padding):
    """Y = X ⋆ K + B via im2col and one matrix product; returns (y, cols).

    x: (N, C, H, W), w: (K, C, kh, kw), b: (K,) or None
    cols: (C*kh*kw, N*OH*OW), each column one receptive field
    y: (N, K, OH, OW) with y[n,k,i,j] = b[k] + Σ_{c,p,q} x_pad[n,c,i*sh+p,j*sw+q] w[k,c,p,q]
    """
    N = x.shape[0]
    K, _, kh, kw = w.shape
    OH, OW = output_hw(x.shape, (kh, kw), stride, padding)
    cols = kernels().im2col(x, (kh, kw), stride, padding)
    y = w.reshape(K, -1) @ cols  # (K, N*OH*OW): the whole layer is one GEMM
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
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"Conv2D needs kernel_size >= 1, stride >= 1 and padding >= 0; got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
            )
        kh, kw = self.kernel_size
        fan_in = in_channels * kh * kw
        shape = (out_channels, in_channels, kh, kw)
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
        b = self.bias.data if self.bias is not None else None
        y = np.empty(out_shape, dtype=np.result_type(x, self.weight.data))
        for part in self._batch_slices(x):
            y[part], _ = conv2d_forward(x[part], self.weight.data, b, self.stride, self.padding)
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
        exactly the full convolution with the rotated kernel. (The sums over the
        batch run slice by slice, see ``COLS_BYTES``.)
        Returns dL/dX of shape (N, C_in, H, W).
        """
        x = self._cache
        self.check_dout(dout, self.output_shape(x.shape) if x is not None else ())
        K = self.out_channels
        kernel = self.weight.data.reshape(K, -1)  # (K, C*kh*kw)
        dx = np.empty(x.shape, dtype=np.result_type(dout, kernel))
        for part in self._batch_slices(x):
            cols = kernels().im2col(x[part], self.kernel_size, self.stride, self.padding)
            dY = dout[part].transpose(1, 0, 2, 3).reshape(K, -1)  # (K, n*OH*OW)

            # dL/dK = X ⋆ dL/dY: each output gradient times the receptive field it saw.
            self.weight.grad += (dY @ cols.T).reshape(self.weight.shape)
            # dL/dX = dL/dY *full rot180(K): spread each output gradient back over its
            # window, weighted by the kernel (Kᵀ·dY), then col2im sums the overlaps.
            dx[part] = kernels().col2im(
                kernel.T @ dY, x[part].shape, self.kernel_size, self.stride, self.padding
            )
        # dL/dB = Σ dL/dY over the batch and every output position.
        if self.bias is not None:
            self.bias.grad += dout.sum(axis=(0, 2, 3))
        return dx

    def _batch_slices(self, x: np.ndarray) -> list[slice]:
        _, _, OH, OW = self.output_shape(x.shape)
        kh, kw = self.kernel_size
        return batch_slices(x.shape[0], self.in_channels * kh * kw * OH * OW * x.itemsize)

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        if C != self.in_channels:
            raise ValueError(
                f"{self!r}: expected {self.in_channels} input channels, got {C} "
                f"(input shape {tuple(input_shape)})"
            )
        OH, OW = window_output_hw(self, input_shape, self.kernel_size, self.stride, self.padding)
        return (N, self.out_channels, OH, OW)

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
