"""Pooling: MaxPool2D and AvgPool2D over each (kh, kw) window."""

from __future__ import annotations

import numpy as np

from ..backend import kernels
from ..shapes import pair
from .base import Layer, nchw, window_output_hw


class _Pool2D(Layer):
    """Shared set-up of the pooling layers: window geometry and shape checks."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")
        self.padding = pair(padding, "padding")
        kh, kw = self.kernel_size
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"{type(self).__name__} needs kernel_size >= 1, stride >= 1, padding >= 0; "
                f"got kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
            )
        if self.padding[0] > kh // 2 or self.padding[1] > kw // 2:
            raise ValueError(
                f"{type(self).__name__}: padding {self.padding} must be at most half the "
                f"kernel size {self.kernel_size}, or some windows would hold only padding"
            )
        self._cache = None

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        OH, OW = window_output_hw(self, input_shape, self.kernel_size, self.stride, self.padding)
        return (N, C, OH, OW)

    def window(self, input_shape):
        return self.kernel_size, self.stride

    def _check(self, x):
        self.check_input(x, "(N, C, H, W)", ndim=4)
        self.output_shape(x.shape)

    def __repr__(self):
        return (
            f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding})"
        )


class MaxPool2D(_Pool2D):
    """Max pooling, as ``torch.nn.MaxPool2d``.

        y[n,c,i,j] = max_{p,q} x_pad[n, c, i·s+p, j·s+q]        (padding is −∞)
        dL/dx[n,c,h,w] = Σ_{(i,j): window (i,j) has its max at (h,w)} dL/dy[n,c,i,j]

    Only the winner of each window receives gradient; with overlapping windows
    (e.g. 3×3 stride 2) one pixel can win several windows and gets their sum.
    A tie goes to exactly one position: the first in row-major order.
    Shapes: x (N, C, H, W) -> y (N, C, OH, OW). ``stride`` defaults to ``kernel_size``.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        y, argmax = kernels().max_pool2d_forward(x, self.kernel_size, self.stride, self.padding)
        self._cache = (x.shape, argmax)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_shape, argmax = self._cache or (None, None)
        self.check_dout(dout, argmax.shape if argmax is not None else ())
        return kernels().max_pool2d_backward(
            dout, argmax, x_shape, self.kernel_size, self.stride, self.padding
        )


class AvgPool2D(_Pool2D):
    """Average pooling, as ``torch.nn.AvgPool2d`` (padded zeros count in the mean).

    y[n,c,i,j] = 1/(kh·kw) Σ_{p,q} x_pad[n, c, i·s+p, j·s+q]
    dL/dx[n,c,h,w] = 1/(kh·kw) Σ_{(i,j): (h,w) in window (i,j)} dL/dy[n,c,i,j]
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        self._cache = x.shape
        return kernels().avg_pool2d_forward(x, self.kernel_size, self.stride, self.padding)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_shape = self._cache
        self.check_dout(dout, self.output_shape(x_shape) if x_shape else ())
        return kernels().avg_pool2d_backward(
            dout, x_shape, self.kernel_size, self.stride, self.padding
        )


class GlobalAvgPool2D(Layer):
    """Global average pooling: the mean of each feature map, as in ResNet before the
    classifier (``torch.nn.AdaptiveAvgPool2d(1)`` followed by ``torch.flatten(x, 1)``).

        y[n,c] = 1/(H·W) Σ_{h,w} x[n,c,h,w]          dL/dx[n,c,h,w] = dL/dy[n,c] / (H·W)

    Shapes: x (N, C, H, W) -> y (N, C). The output is already flat, so no Flatten is
    needed before the Linear classifier: (N, C) is what the classifier consumes, and
    it is what Keras' GlobalAveragePooling2D returns. The network then works for any
    input size, since the pooled vector no longer depends on H and W.
    """

    def __init__(self):
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, C, H, W)", ndim=4)
        self._cache = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_shape = self._cache
        self.check_dout(dout, x_shape[:2] if x_shape else ())
        N, C, H, W = x_shape
        # every pixel contributed 1/(H·W) of its mean; copy() makes the broadcast
        # view a writable array of its own
        return np.broadcast_to((dout / (H * W))[:, :, None, None], x_shape).copy()

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        return (N, C)

    def window(self, input_shape):
        """One window over the whole map: each output sees every input position."""
        H, W = nchw(self, input_shape)[2:]
        return (H, W), (H, W)
