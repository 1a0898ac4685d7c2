"""Pooling layers: MaxPool2D, AvgPool2D and GlobalAvgPool2D (no parameters)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..validate import pool_geometry
from .base import Layer


class _Pool2D(Layer):
    """Shared set-up of the window pooling layers: the geometry and the output shape."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size, self.stride, self.padding = pool_geometry(
            kernel_size, stride, padding, type(self).__name__
        )

    def output_shape(self, input_shape):
        """The functional core's shape rule (the pair calls it on ``x.shape``)."""
        return F.pool2d_output_shape(
            input_shape, self.kernel_size, self.stride, self.padding, op=repr(self)
        )

    def window(self, input_shape):
        return self.kernel_size, self.stride

    def __repr__(self):
        return (
            f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding})"
        )


class MaxPool2D(_Pool2D):
    """Max pooling, as ``torch.nn.MaxPool2d``: each output is the maximum of its window,
    and backward sends each window's gradient to its winner only (see
    [`minicnn.functional.max_pool2d_forward`][] and ``max_pool2d_backward``).
    Shapes: x (N, C, H, W) -> y (N, C, OH, OW). ``stride`` defaults to ``kernel_size``.

    Args:
        kernel_size: the window's size, an int or a pair (kh, kw).
        stride: the step between windows; None means ``kernel_size`` (windows that do not overlap).
        padding: added on each side, at most half the window (padded values never win).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, cache = F.max_pool2d_forward(x, self.kernel_size, self.stride, self.padding)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.max_pool2d_backward(dout, self.saved_cache(dout))


class AvgPool2D(_Pool2D):
    """Average pooling, as ``torch.nn.AvgPool2d`` (padded zeros count in the mean):
    backward shares each window's gradient equally over it (see
    [`minicnn.functional.avg_pool2d_forward`][] and ``avg_pool2d_backward``).

    Args:
        kernel_size: the window's size, an int or a pair (kh, kw).
        stride: the step between windows (None: ``kernel_size``).
        padding: zeros added on each side, counted in the mean (at most half the window).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, cache = F.avg_pool2d_forward(x, self.kernel_size, self.stride, self.padding)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.avg_pool2d_backward(dout, self.saved_cache(dout))


class GlobalAvgPool2D(Layer):
    """Global average pooling: the mean of each feature map, as in ResNet before the
    classifier (``torch.nn.AdaptiveAvgPool2d(1)`` followed by ``torch.flatten(x, 1)``).

        y[n,c] = 1/(H·W) Σ_{h,w} x[n,c,h,w]          dL/dx[n,c,h,w] = dL/dy[n,c] / (H·W)

    Shapes: x (N, C, H, W) -> y (N, C). The output is already flat, so no Flatten is
    needed before the Linear classifier, and the network works for any input size.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, x_shape = F.global_avg_pool2d_forward(x)
        self.save_for_backward(x_shape, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.global_avg_pool2d_backward(dout, self.saved_cache(dout))

    def output_shape(self, input_shape):
        return F.global_avg_pool2d_output_shape(input_shape, op=repr(self))

    def window(self, input_shape):
        """One window over the whole map: each output sees every input position."""
        return tuple(input_shape[2:]), tuple(input_shape[2:])
