"""Pooling forward and backward: max, average and global average.

    y, cache = max_pool2d_forward(x, kernel_size, stride=None, padding=0)
    dx = max_pool2d_backward(dy, cache)

Pooling has no parameters: it only routes gradients. Max pooling sends each window's
gradient to the window's winner; average pooling shares it equally over the window.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..backend import kernels
from ..shapes import output_hw
from ..validate import check_array, check_grad, pool_geometry


class PoolCache(NamedTuple):
    """The input's shape and the window geometry; max pooling adds ``argmax``, the flat
    index p·kw + q of each window's winner (the first one on a tie)."""

    x_shape: tuple[int, ...]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    argmax: np.ndarray | None = None


def _pool_geometry(x, kernel_size, stride, padding, op: str):
    check_array(x, "x", op, "(N, C, H, W)", ndim=4)
    kernel, stride, padding = pool_geometry(kernel_size, stride, padding, op)
    output_hw(x.shape, kernel, stride, padding)  # a clear error if the window does not fit
    return kernel, stride, padding


def pooled_shape(cache: PoolCache) -> tuple[int, ...]:
    """The shape (N, C, OH, OW) of the output the forward pass returned."""
    return (
        *cache.x_shape[:2],
        *output_hw(cache.x_shape, cache.kernel, cache.stride, cache.padding),
    )


def max_pool2d_forward(x, kernel_size, stride=None, padding=0) -> tuple[np.ndarray, PoolCache]:
    """Max pooling, as ``torch.nn.functional.max_pool2d`` (stride defaults to the kernel):

        y[n,c,i,j] = max_{p,q} x_pad[n, c, i·s+p, j·s+q]        (padding is −∞)

    Shapes: x (N, C, H, W) -> y (N, C, OH, OW).
    """
    kernel, stride, padding = _pool_geometry(x, kernel_size, stride, padding, "max_pool2d")
    y, argmax = kernels().max_pool2d_forward(x, kernel, stride, padding)
    return y, PoolCache(x.shape, kernel, stride, padding, argmax)


def max_pool2d_backward(dy, cache: PoolCache) -> np.ndarray:
    """Only the winner of each window receives its gradient:

        dL/dx[n,c,h,w] = Σ_{(i,j): window (i,j) has its max at (h,w)} dL/dy[n,c,i,j]

    With overlapping windows (3×3 stride 2) one pixel can win several windows and gets
    their sum; a tie goes to exactly one position, the first in row-major order.
    """
    x_shape, kernel, stride, padding, argmax = cache
    check_grad(dy, pooled_shape(cache), "max_pool2d_backward")
    return kernels().max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding)


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0) -> tuple[np.ndarray, PoolCache]:
    """Average pooling, as ``torch.nn.functional.avg_pool2d`` (padded zeros count):

    y[n,c,i,j] = 1/(kh·kw) Σ_{p,q} x_pad[n, c, i·s+p, j·s+q]
    """
    kernel, stride, padding = _pool_geometry(x, kernel_size, stride, padding, "avg_pool2d")
    y = kernels().avg_pool2d_forward(x, kernel, stride, padding)
    return y, PoolCache(x.shape, kernel, stride, padding)


def avg_pool2d_backward(dy, cache: PoolCache) -> np.ndarray:
    """Every input of a window gets an equal share:

    dL/dx[n,c,h,w] = 1/(kh·kw) Σ_{(i,j): (h,w) in window (i,j)} dL/dy[n,c,i,j]"""
    x_shape, kernel, stride, padding, _ = cache
    check_grad(dy, pooled_shape(cache), "avg_pool2d_backward")
    return kernels().avg_pool2d_backward(dy, x_shape, kernel, stride, padding)


def global_avg_pool2d_forward(x) -> tuple[np.ndarray, tuple[int, ...]]:
    """The mean of each feature map, as ResNet uses before its classifier:

        y[n,c] = 1/(H·W) Σ_{h,w} x[n,c,h,w]        x (N, C, H, W) -> y (N, C)

    The cache is the input's shape."""
    check_array(x, "x", "global_avg_pool2d", "(N, C, H, W)", ndim=4)
    return x.mean(axis=(2, 3)), x.shape


def global_avg_pool2d_backward(dy, x_shape) -> np.ndarray:
    """dL/dx[n,c,h,w] = dL/dy[n,c] / (H·W): every pixel contributed 1/(H·W) of the mean."""
    check_grad(dy, tuple(x_shape)[:2], "global_avg_pool2d_backward")
    _, _, H, W = x_shape
    # copy() makes the broadcast view a writable array of its own
    return np.broadcast_to((dy / (H * W))[:, :, None, None], x_shape).copy()


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Max over each window: (N, C, H, W) -> (N, C, OH, OW), without a cache."""
    return max_pool2d_forward(x, kernel_size, stride, padding)[0]


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Mean over each window (padded zeros count), without a cache."""
    return avg_pool2d_forward(x, kernel_size, stride, padding)[0]
