"""Stateless operations for teaching: call them on arrays, no layer needed."""

from __future__ import annotations

import numpy as np

from .backend import kernels
from .layers.conv import conv2d_forward
from .shapes import conv_output_size, pair

__all__ = [
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "softmax",
    "log_softmax",
    "conv_output_size",
]


def conv2d(x, w, b=None, stride=1, padding=0) -> np.ndarray:
    """Cross-correlation y = x ⋆ w + b, as ``torch.nn.functional.conv2d``.

    x: (N, C, H, W), w: (K, C, kh, kw), b: (K,) -> (N, K, OH, OW)
    """
    y, _ = conv2d_forward(x, w, b, pair(stride, "stride"), pair(padding, "padding"))
    return y


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Max over each window: (N, C, H, W) -> (N, C, OH, OW)."""
    kernel = pair(kernel_size, "kernel_size")
    y, _ = kernels().max_pool2d_forward(
        x, kernel, kernel if stride is None else pair(stride, "stride"), pair(padding, "padding")
    )
    return y


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Mean over each window (padded zeros count): (N, C, H, W) -> (N, C, OH, OW)."""
    kernel = pair(kernel_size, "kernel_size")
    return kernels().avg_pool2d_forward(
        x, kernel, kernel if stride is None else pair(stride, "stride"), pair(padding, "padding")
    )


def relu(x) -> np.ndarray:
    return np.maximum(x, 0)


def log_softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(s)_j = s_j − log Σ_k exp(s_k), computed stably.

    Subtracting m = max_k s_k first leaves the result unchanged (it cancels) but
    keeps every exponent ≤ 0, so exp never overflows: scores of 1e4 are fine.
    """
    shifted = scores - scores.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(s)_j = exp(s_j − m) / Σ_k exp(s_k − m) with m = max_k s_k (no overflow)."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
