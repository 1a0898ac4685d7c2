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
from ..validate import check_array, check_grad, check_rank, pool_geometry


class PoolCache(NamedTuple):
    """The input's shape and the window geometry; max pooling adds ``argmax``, the flat
    index p·kw + q of each window's winner (the first one on a tie)."""

    x_shape: tuple[int, ...]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    argmax: np.ndarray | None = None


def pool2d_output_shape(
    input_shape, kernel_size, stride=None, padding=0, op: str = "pool2d"
) -> tuple[int, int, int, int]:
    """The shape of a max or average pooling's output, checked: every rule on the
    input's shape is here, and both the functional forwards (on ``x.shape``) and the
    pooling layers' ``output_shape`` (on a shape alone) call it. ``op`` names the caller.

        (N, C, H, W) -> (N, C, OH, OW),   OH = ⌊(H − kh + 2p)/s⌋ + 1   (the same for OW)

    The window (kernel_size; stride, which defaults to it; padding at most half the
    kernel) must fit in the padded input.
    """
    check_rank(input_shape, 4, "(N, C, H, W)", op)
    kernel, stride, padding = pool_geometry(kernel_size, stride, padding, op)
    return (*input_shape[:2], *output_hw(input_shape, kernel, stride, padding))


def _pool_geometry(x, kernel_size, stride, padding, op: str):
    """The window's (h, w) pairs for the kernels, after ``pool2d_output_shape`` has
    checked x's shape against them."""
    check_array(x, "x", op, "(N, C, H, W)")
    pool2d_output_shape(x.shape, kernel_size, stride, padding, op)
    return pool_geometry(kernel_size, stride, padding, op)


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
    check_array(x, "x", "global_avg_pool2d", "(N, C, H, W)")
    global_avg_pool2d_output_shape(x.shape, "global_avg_pool2d")
    return x.mean(axis=(2, 3)), x.shape


def global_avg_pool2d_output_shape(input_shape, op: str = "global_avg_pool2d"):
    """(N, C, H, W) -> (N, C): the shape rule that ``global_avg_pool2d_forward`` and
    ``GlobalAvgPool2D.output_shape`` both call (``op`` names the caller)."""
    check_rank(input_shape, 4, "(N, C, H, W)", op)
    return tuple(input_shape[:2])


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
