"""Normalisation layers: BatchNorm1D/2D (across the batch) and LocalResponseNorm
(across neighbouring channels, as in AlexNet). The math and the derivations of the
backward passes are in ``minicnn.functional.normalization``."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from ..parameter import Parameter
from .base import Layer


class _BatchNorm(Layer):
    """Batch normalisation per channel (axis 1) over every other axis, as
    ``torch.nn.BatchNorm*d``: y = γ·(x − μ)/√(σ² + ε) + β with the batch's μ and σ² in
    training (updating the running statistics with ``momentum``) and the running ones
    in evaluation. See [`minicnn.functional.batch_norm_forward`][] and
    ``batch_norm_backward``.

    Parameters: ``weight`` γ (C,), initialised to 1, and ``bias`` β (C,), to 0.
    Buffers: ``running_mean`` (C,) = 0, ``running_var`` (C,) = 1 and
    ``num_batches_tracked`` (the number of training batches seen, as PyTorch keeps it).
    """

    layout = "(N, C, ...)"
    ndims: tuple[int, ...] = ()
    buffer_names = ("running_mean", "running_var", "num_batches_tracked")

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, *, dtype=np.float32
    ):
        name = type(self).__name__
        if not (isinstance(num_features, (int, np.integer)) and num_features >= 1):
            raise ValueError(
                f"{name} needs num_features >= 1 (the number of channels), got {num_features!r}"
            )
        eps, momentum = validate.check_batch_norm(eps, momentum, name)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype), "weight")
        self.bias = Parameter(np.zeros(num_features, dtype=dtype), "bias")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)

    def output_shape(self, input_shape):
        """The functional core's shape rule, with this layer's ranks."""
        return F.batch_norm_output_shape(
            input_shape, self.num_features, repr(self), self.ndims, self.layout
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        if isinstance(x, np.ndarray):
            self.output_shape(x.shape)  # the layout this layer accepts (1-D or 2-D)
        y, cache = F.batch_norm_forward(
            x,
            self.weight.data,
            self.bias.data,
            self.running_mean,
            self.running_var,
            self.training,
            self.momentum,
            self.eps,
        )
        if self.training:
            self.num_batches_tracked += 1
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dgamma, dbeta = F.batch_norm_backward(dout, self.saved_cache(dout))
        self.weight.grad += dgamma
        self.bias.grad += dbeta
        return dx

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.num_features}, eps={self.eps}, momentum={self.momentum})"
        )


class BatchNorm1D(_BatchNorm):
    """Batch normalisation of (N, F) features (or (N, C, L) sequences), as
    ``torch.nn.BatchNorm1d``: per feature over the batch.

    Args:
        num_features: F, the features (or the C channels of (N, C, L) input).
        eps: ε in the denominator √(σ² + ε).
        momentum: how fast the running mean and variance follow the batches (0.1: PyTorch's).
        dtype: dtype of the parameters and the running statistics.
    """

    layout = "(N, F) or (N, C, L)"
    ndims = (2, 3)


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, as ``torch.nn.BatchNorm2d``: per
    channel over the N·H·W values of that channel.

    Args:
        num_features: C, the channels; each has its own scale γ, shift β and running statistics.
        eps: ε, added to the variance before the square root.
        momentum: the new batch's weight in the running statistics (PyTorch's convention):
            running = (1 − momentum)·running + momentum·batch.
        dtype: dtype of γ, β and the running statistics.
    """

    layout = "(N, C, H, W)"
    ndims = (4,)


class LocalResponseNorm(Layer):
    """Local response normalisation across channels, exactly as
    ``torch.nn.LocalResponseNorm``: y_c = x_c · (k + (α/n)·Σ_{c'∈W(c)} x_{c'}²)^(−β)
    (see [`minicnn.functional.local_response_norm_forward`][]). size=5, beta=0.75 and
    k=2 are AlexNet's (PyTorch's default k is 1). The paper's α = 1e-4 multiplies the
    *sum* of squares; with PyTorch's α/n convention used here that is alpha = n·1e-4 =
    5e-4, which ``mc.zoo.paper_lrn()`` passes. x: (N, C, ...) -> y of the same shape.

    Args:
        size: n, the channels in each window W(c), centred on c.
        alpha: α, the weight of the window's mean square.
        beta: β, the exponent.
        k: the constant added before the power.
    """

    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0):
        self.size, self.alpha, self.beta, self.k = validate.check_local_response_norm(
            size, alpha, beta, k, "LocalResponseNorm"
        )

    def output_shape(self, input_shape):
        return F.local_response_norm_output_shape(input_shape, op=repr(self))

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, cache = F.local_response_norm_forward(x, self.size, self.alpha, self.beta, self.k)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.local_response_norm_backward(dout, self.saved_cache(dout))

    def __repr__(self):
        return (
            f"LocalResponseNorm(size={self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k})"
        )
