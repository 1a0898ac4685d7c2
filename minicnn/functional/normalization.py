"""Normalisation, forward and backward: batch norm (across the batch) and local
response norm (across neighbouring channels, as in AlexNet).

    y, cache = batch_norm_forward(x, gamma, beta, running_mean, running_var, training)
    dx, dgamma, dbeta = batch_norm_backward(dy, cache)
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

from .. import validate
from ..backend import kernels, optional
from ..validate import (
    check_array,
    check_channels,
    check_finite,
    check_grad,
    check_rank,
    check_vector,
)


class BatchNormCache(NamedTuple):
    """x̂ (the normalised input), 1/σ per channel shaped to broadcast against x, γ, the
    axes the statistics run over, and whether μ and σ came from this batch (training)."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    axes: tuple[int, ...]
    training: bool


def batch_norm_forward(
    x,
    gamma,
    beta,
    running_mean,
    running_var,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Batch normalisation over every axis except the channel axis 1 (Ioffe & Szegedy,
    2015), as ``torch.nn.functional.batch_norm``. Per channel c, over its M = N·(H·W…)
    values, with the batch mean and *biased* variance in training:

        μ = (1/M) Σ x          σ² = (1/M) Σ (x − μ)²          σ = √(σ² + ε)
        x̂ = (x − μ) / σ        y = γ·x̂ + β

    Training also updates the running statistics *in place*, exactly as PyTorch:

        running_mean = (1 − m)·running_mean + m·μ
        running_var  = (1 − m)·running_var  + m·σ²·M/(M − 1)     (the *unbiased* variance)

    In evaluation μ and σ² are the running statistics, constants.
    Shapes: x (N, C, ...), gamma, beta, running_mean, running_var (C,) -> y like x.
    """
    op = "batch_norm"
    check_array(x, "x", op, "(N, C, ...)")
    check_array(gamma, "gamma", op, "(C,), one value per channel", ndim=1)
    batch_norm_output_shape(x.shape, gamma.shape[0], op)
    # gamma's length is C (checked above); the other vectors must match it
    names = ("beta", "running_mean", "running_var")
    for name, vector in zip(names, (beta, running_mean, running_var), strict=True):
        check_vector(vector, name, x.shape[1], op)
    eps, momentum = validate.check_batch_norm(eps, momentum, op)
    # A NaN would be averaged into the running statistics and poison every later
    # evaluation, so refuse it here rather than let it spread.
    check_finite(x, op)
    C = x.shape[1]
    axes = (0, *range(2, x.ndim))  # every axis but the channel axis
    shape = (1, C) + (1,) * (x.ndim - 2)  # broadcast a (C,) vector against x
    if training:
        count = x.size // C if C else 0  # M values per channel
        if count < 2:
            raise ValueError(
                f"{op}: training needs more than one value per channel to estimate a "
                f"variance, got input shape {x.shape}; use a batch of 2 or more, or call eval()"
            )
        statistics = optional(kernels().batch_norm_statistics, x)  # numba: one loop
        if statistics is None:
            statistics = x.mean(axis=axes), x.var(axis=axes)  # biased: normalises this batch
        mean, var = statistics
    else:
        mean, var = running_mean, running_var
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False).reshape(shape)
    if not np.isfinite(inv_std).all():  # checked before the running statistics change
        raise ValueError(
            f"{op}: 1/√(var + eps) is not finite in {x.dtype} with eps={eps!r} and the "
            f"smallest variance {np.min(var)!r} (a negative running_var, or eps too small: "
            f"1e-5 is usual)"
        )
    if training:
        running_mean *= 1 - momentum
        running_mean += momentum * mean
        running_var *= 1 - momentum
        running_var += momentum * var * (count / (count - 1))  # unbiased estimate
    normalized = optional(kernels().batch_norm_normalize, x, mean, inv_std, gamma, beta)
    if normalized is not None:
        return normalized[1], BatchNormCache(normalized[0], inv_std, gamma, axes, training)
    x_hat = (x - mean.astype(x.dtype, copy=False).reshape(shape)) * inv_std
    y = x_hat * gamma.reshape(shape) + beta.reshape(shape)
    return y, BatchNormCache(x_hat, inv_std, gamma, axes, training)


def batch_norm_output_shape(
    input_shape,
    num_features: int,
    op: str = "batch_norm",
    ndim: tuple[int, ...] = (2, 3, 4, 5),
    layout: str = "(N, C, ...)",
) -> tuple[int, ...]:
    """(N, C, ...) -> the same shape, with C = ``num_features`` (one γ, β and running
    statistic per channel): the shape rule that ``batch_norm_forward`` (on ``x.shape``)
    and the BatchNorm layers' ``output_shape`` both call. A layer narrows the ranks
    (``ndim``, named by ``layout``): BatchNorm2D takes (N, C, H, W) only."""
    check_rank(input_shape, ndim, layout, op)
    source = f"γ, β and the running statistics hold {num_features} values"
    check_channels(input_shape, num_features, op, source)
    return tuple(input_shape)


def batch_norm_backward(dy, cache: BatchNormCache):
    """dβ = Σ dy and dγ = Σ dy·x̂ (sums over the M values of a channel).

    In evaluation μ and σ are constants, so dx = dy·γ/σ. In training μ and σ depend on
    every x of the channel. With dx̂ = dy·γ:

        ∂x̂_j/∂x_i = (1/σ)·(δ_ij − 1/M − x̂_i·x̂_j/M)

    because ∂μ/∂x_i = 1/M and ∂σ/∂x_i = (x_i − μ)/(M·σ) = x̂_i/M. Hence

        dx_i = Σ_j dx̂_j ∂x̂_j/∂x_i = (1/σ)·(dx̂_i − (1/M) Σ_j dx̂_j − x̂_i·(1/M) Σ_j dx̂_j·x̂_j)
             = (1/M)·(γ/σ)·(M·dy_i − Σ dy − x̂_i·Σ dy·x̂)

    The two sums are exactly dβ and dγ, so backward costs a few element-wise passes.
    Returns (dx, dgamma, dbeta).
    """
    x_hat, inv_std, gamma, axes, training = cache
    check_grad(dy, x_hat.shape, "batch_norm_backward")
    grads = optional(
        kernels().batch_norm_backward, dy, x_hat, gamma.reshape(inv_std.shape) * inv_std, training
    )
    if grads is not None:  # numba: the two sums in one pass, dx in a second
        return grads
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * x_hat).sum(axis=axes)
    shape = inv_std.shape
    scale = gamma.reshape(shape) * inv_std  # γ/σ
    if not training:
        return dy * scale, dgamma, dbeta
    count = dy.size // gamma.size
    dx = (scale / count) * (count * dy - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dx, dgamma, dbeta


class LRNCache(NamedTuple):
    """A copy of the input, the denominator s and its power s^(−β), and the constants."""

    x: np.ndarray
    s: np.ndarray
    scale: np.ndarray
    size: int
    alpha: float
    beta: float


def local_response_norm_forward(
    x, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> tuple[np.ndarray, LRNCache]:
    """Local response normalisation across channels, as ``torch.nn.functional.local_response_norm``.

    For each channel c, with n = ``size`` and the window W(c) = {c − ⌊n/2⌋, …, c + ⌊(n−1)/2⌋}
    (channels outside [0, C) count as 0):

        s_c = k + (α/n)·Σ_{c'∈W(c)} x_{c'}²          y_c = x_c · s_c^(−β)

    (PyTorch divides α by n: it averages the squares, it does not sum them.)
    Shapes: x (N, C, ...) with at least 3 axes -> y like x.

    Raises ValueError when s or y does not fit in x's dtype (an α so large that
    (α/n)·Σx² overflows, e.g. α = 1e38 in float32): the gradient would be inf or NaN.
    """
    op = "local_response_norm"
    check_array(x, "x", op, "(N, C, H, W)")
    local_response_norm_output_shape(x.shape, op)
    size, alpha, beta, k = validate.check_local_response_norm(size, alpha, beta, k, op)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        s = k + alpha_per_channel(alpha, size) * channel_window_sum(
            x * x, size // 2, (size - 1) // 2
        )
        scale = s**-beta
        y = x * scale
    if np.isfinite(x).all() and not (np.isfinite(s).all() and np.isfinite(y).all()):
        raise ValueError(
            f"{op}: the output overflows {x.dtype} (s = k + (alpha/size)·Σx² or y = x·s^-beta "
            f"is too large) with "
            f"size={size}, alpha={alpha!r}, beta={beta!r}, k={k!r}; the usual values are "
            f"alpha ≈ 1e-4, beta = 0.75, k = 1 or 2"
        )
    return y, LRNCache(x.copy(), s, scale, size, alpha, beta)


def local_response_norm_output_shape(input_shape, op: str = "local_response_norm"):
    """(N, C, ...) with at least 3 axes -> the same shape: the shape rule that
    ``local_response_norm_forward`` and ``LocalResponseNorm.output_shape`` both call."""
    if len(input_shape) < 3:
        raise ValueError(
            f"{op}: expected input of shape (N, C, H, W) (or any (N, C, ...) "
            f"with at least 3 axes), got {tuple(input_shape)}"
        )
    return tuple(input_shape)


def local_response_norm_backward(dy, cache: LRNCache) -> np.ndarray:
    """x_j appears in its own y_j and, through s_c, in every y_c whose window holds j,
    i.e. c ∈ W'(j) = {j − ⌊(n−1)/2⌋, …, j + ⌊n/2⌋} (the mirrored window):

        ∂y_c/∂x_j = δ_cj·s_c^(−β) − β·x_c·s_c^(−β−1)·(α/n)·2x_j·[j ∈ W(c)]

        dx_j = dy_j·s_j^(−β) − (2αβ/n)·x_j·Σ_{c∈W'(j)} dy_c·y_c / s_c

    using x_c·s_c^(−β−1) = y_c / s_c. Both window sums are the same zero-padded channel
    sum, once with the window and once with its mirror image.
    """
    x, s, scale, n, alpha, beta = cache
    op = "local_response_norm_backward"
    check_grad(dy, x.shape, op)
    with np.errstate(over="ignore", invalid="ignore"):
        y = x * scale
        # (α/n)/s ≤ 1/Σx² stays finite where the constant 2αβ/n alone may not (α = 1e38)
        back = channel_window_sum(dy * y * (alpha_per_channel(alpha, n) / s), (n - 1) // 2, n // 2)
        dx = dy * scale - (2 * beta) * x * back
    if not np.isfinite(dx).all() and np.isfinite(dy).all():
        raise ValueError(
            f"{op}: the gradient overflows {dx.dtype} with alpha={alpha!r}, beta={beta!r}; "
            f"the usual values are alpha ≈ 1e-4, beta = 0.75, k = 1 or 2"
        )
    return dx


def alpha_per_channel(alpha: float, size: int) -> float:
    """α/n, exactly even for a window wider than any float (size = 10**400 gives 0.0)."""
    return float(Fraction(alpha) / size)


def channel_window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[:, c] = Σ_{c'=c−before}^{c+after} a[:, c'] for a: (N, C, ...), with zeros
    outside [0, C). One shifted slice per offset: ``before + after + 1`` additions."""
    C = a.shape[1]
    # A window reaching more than C - 1 channels away only adds zeros beyond the edge:
    # clamp it, so that a huge ``size`` costs no more than size = 2C - 1.
    before, after = min(before, max(C - 1, 0)), min(after, max(C - 1, 0))
    pad = [(0, 0)] * a.ndim
    pad[1] = (before, after)
    padded = np.pad(a, pad)
    out = np.zeros_like(a)
    for offset in range(before + after + 1):
        out += padded[:, offset : offset + C]
    return out
