"""Normalisation layers: BatchNorm1D/2D (across the batch) and LocalResponseNorm
(across neighbouring channels, as in AlexNet)."""

from __future__ import annotations

import numpy as np

from ..parameter import Parameter
from .base import Layer


class _BatchNorm(Layer):
    """Batch normalisation over every axis except the channel axis 1 (Ioffe & Szegedy, 2015).

    BatchNorm1D and BatchNorm2D differ only in the input layout they accept; the
    statistics are always per channel c over the M = N·(H·W…) values of that channel.

    Forward (training), per channel, with the batch mean and *biased* variance:

        μ = (1/M) Σ x          σ² = (1/M) Σ (x − μ)²          σ = √(σ² + ε)
        x̂ = (x − μ) / σ        y = γ·x̂ + β

    and the running statistics, exactly as ``torch.nn.BatchNorm*d`` (momentum m):

        running_mean = (1 − m)·running_mean + m·μ
        running_var  = (1 − m)·running_var  + m·σ²·M/(M − 1)     (the *unbiased* variance)

    Forward (eval): μ, σ² are the running statistics, constants of the layer.

    Backward. dβ = Σ dy and dγ = Σ dy·x̂ (sums over the M values of a channel).
    In eval mode μ and σ are constants, so dx = dy·γ/σ. In training mode μ and σ
    depend on every x of the channel. With dx̂ = dy·γ:

        ∂x̂_j/∂x_i = (1/σ)·(δ_ij − 1/M − x̂_i·x̂_j/M)

    because ∂μ/∂x_i = 1/M and ∂σ/∂x_i = (x_i − μ)/(M·σ) = x̂_i/M. Hence

        dx_i = Σ_j dx̂_j ∂x̂_j/∂x_i = (1/σ)·(dx̂_i − (1/M) Σ_j dx̂_j − x̂_i·(1/M) Σ_j dx̂_j·x̂_j)
             = (1/M)·(γ/σ)·(M·dy_i − Σ dy − x̂_i·Σ dy·x̂)

    The two sums are exactly dβ and dγ, so backward costs a few element-wise passes.
    Parameters: ``weight`` γ (C,), initialised to 1, and ``bias`` β (C,), to 0.
    Buffers: ``running_mean`` (C,), initialised to 0, and ``running_var`` (C,), to 1.
    """

    layout = "(N, C, ...)"
    ndims: tuple[int, ...] = ()
    buffer_names = ("running_mean", "running_var")

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, *, dtype=np.float32
    ):
        name = type(self).__name__
        if not (isinstance(num_features, (int, np.integer)) and num_features >= 1):
            raise ValueError(
                f"{name} needs num_features >= 1 (the number of channels), got {num_features!r}"
            )
        if not eps > 0:
            raise ValueError(f"{name} needs eps > 0 (it keeps 1/σ finite), got eps={eps!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{name} needs momentum in [0, 1], got momentum={momentum!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype), "weight")
        self.bias = Parameter(np.zeros(num_features, dtype=dtype), "bias")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self._cache = None

    def parameters(self):
        yield self.weight
        yield self.bias

    def output_shape(self, input_shape):
        if len(input_shape) not in self.ndims or input_shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: expected input of shape {self.layout} with C = "
                f"{self.num_features}, got {tuple(input_shape)}"
            )
        return tuple(input_shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, self.layout)
        self.output_shape(x.shape)
        # A NaN would be averaged into the running statistics and poison every later
        # evaluation, so refuse it here rather than let it spread.
        self.check_finite(x)
        axes = (0, *range(2, x.ndim))  # every axis but the channel axis
        shape = (1, -1) + (1,) * (x.ndim - 2)  # broadcast a (C,) vector against x
        if self.training:
            count = x.size // self.num_features  # M values per channel
            if count < 2:
                raise ValueError(
                    f"{self!r}: training needs more than one value per channel "
                    f"to estimate a variance, got input shape {x.shape}; use a "
                    f"batch of 2 or more, or call eval()"
                )
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)  # biased: normalises this batch
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += m * var * (count / (count - 1))  # unbiased estimate
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(x.dtype, copy=False).reshape(shape)
        x_hat = (x - mean.astype(x.dtype, copy=False).reshape(shape)) * inv_std
        self._cache = (x_hat, inv_std, axes, self.training)
        return x_hat * self.weight.data.reshape(shape) + self.bias.data.reshape(shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_hat, inv_std, axes, training = self._cache or (None,) * 4
        self.check_dout(dout, x_hat.shape if x_hat is not None else ())
        sum_dy = dout.sum(axis=axes)  # = dβ
        sum_dy_xhat = (dout * x_hat).sum(axis=axes)  # = dγ
        self.bias.grad += sum_dy
        self.weight.grad += sum_dy_xhat
        shape = inv_std.shape
        scale = self.weight.data.reshape(shape) * inv_std  # γ/σ
        if not training:
            return dout * scale
        count = dout.size // self.num_features
        return (scale / count) * (
            count * dout - sum_dy.reshape(shape) - x_hat * sum_dy_xhat.reshape(shape)
        )

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.num_features}, eps={self.eps}, momentum={self.momentum})"
        )


class BatchNorm1D(_BatchNorm):
    """Batch normalisation of (N, F) features (or (N, C, L) sequences), as
    ``torch.nn.BatchNorm1d``: per feature over the batch. See ``_BatchNorm`` for the
    equations and the derivation of the backward pass."""

    layout = "(N, F) or (N, C, L)"
    ndims = (2, 3)


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, as ``torch.nn.BatchNorm2d``: per
    channel over the N·H·W values of that channel. See ``_BatchNorm`` for the
    equations and the derivation of the backward pass."""

    layout = "(N, C, H, W)"
    ndims = (4,)


class LocalResponseNorm(Layer):
    """Local response normalisation across channels, exactly as ``torch.nn.LocalResponseNorm``.
    size=5, beta=0.75 and k=2 are AlexNet's (PyTorch's default k is 1). The paper's
    α = 1e-4 multiplies the *sum* of squares; with PyTorch's α/n convention used here
    that is alpha = n·1e-4 = 5e-4, which ``mc.zoo.paper_lrn()`` passes.

    x: (N, C, ...) -> y of the same shape. For each channel c, with n = ``size``,
    the window W(c) = {c − ⌊n/2⌋, …, c + ⌊(n−1)/2⌋} (channels outside [0, C) count as 0):

        s_c = k + (α/n)·Σ_{c'∈W(c)} x_{c'}²          y_c = x_c · s_c^(−β)

    (PyTorch divides α by n: it averages the squares, it does not sum them.)

    Backward. x_j appears in its own y_j and, through s_c, in every y_c whose window
    holds j, i.e. c ∈ W'(j) = {j − ⌊(n−1)/2⌋, …, j + ⌊n/2⌋} (the mirrored window):

        ∂y_c/∂x_j = δ_cj·s_c^(−β) − β·x_c·s_c^(−β−1)·(α/n)·2x_j·[j ∈ W(c)]

        dx_j = dy_j·s_j^(−β) − (2αβ/n)·x_j·Σ_{c∈W'(j)} dy_c·y_c / s_c

    using x_c·s_c^(−β−1) = y_c / s_c. Both window sums are the same zero-padded
    channel sum, once with the window and once with its mirror image.
    """

    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0):
        if not (isinstance(size, (int, np.integer)) and size >= 1):
            raise ValueError(
                f"LocalResponseNorm needs size >= 1 (channels in the window), got size={size!r}"
            )
        if not k > 0 or not alpha >= 0 or not beta >= 0:
            raise ValueError(
                f"LocalResponseNorm needs k > 0, alpha >= 0 and beta >= 0 (so "
                f"the denominator stays positive), got k={k!r}, alpha={alpha!r}, "
                f"beta={beta!r}"
            )
        self.size, self.alpha, self.beta, self.k = int(size), alpha, beta, k
        self._cache = None

    def output_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"{self!r}: expected input of shape (N, C, H, W) (or any "
                f"(N, C, ...) with at least 3 axes), got {tuple(input_shape)}"
            )
        return tuple(input_shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, C, H, W)")
        self.output_shape(x.shape)
        n = self.size
        s = self.k + (self.alpha / n) * channel_window_sum(x * x, n // 2, (n - 1) // 2)
        scale = s**-self.beta
        self._cache = (x, s, scale)
        return x * scale

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, s, scale = self._cache or (None,) * 3
        self.check_dout(dout, x.shape if x is not None else ())
        n = self.size
        y = x * scale
        # the mirrored window: channel j feeds every c with c − ⌊n/2⌋ ≤ j ≤ c + ⌊(n−1)/2⌋
        back = channel_window_sum(dout * y / s, (n - 1) // 2, n // 2)
        return dout * scale - (2 * self.alpha * self.beta / n) * x * back

    def __repr__(self):
        return (
            f"LocalResponseNorm(size={self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k})"
        )


def channel_window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[:, c] = Σ_{c'=c−before}^{c+after} a[:, c'] for a: (N, C, ...), with zeros
    outside [0, C). One shifted slice per offset: ``before + after + 1`` additions."""
    C = a.shape[1]
    pad = [(0, 0)] * a.ndim
    pad[1] = (before, after)
    padded = np.pad(a, pad)
    out = np.zeros_like(a)
    for offset in range(before + after + 1):
        out += padded[:, offset : offset + C]
    return out
