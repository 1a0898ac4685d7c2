"""Stateless pairs for the blocks of issue 13 (regression and segmentation losses,
upsampling, concatenation). Temporary home: they move into the minicnn/functional/
package, one file per concept, when it lands."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(per_element: np.ndarray, grad: np.ndarray, reduction: str, count: int):
    """Apply ``reduction`` to a loss given per element (or per pixel) with its gradient
    ``grad`` = d loss_i / d scores: 'none' returns both unchanged, 'sum' adds the
    losses (the gradient is unchanged: d(Σ l_i)/ds_i = dl_i/ds_i), 'mean' divides
    both by ``count``, the number of terms averaged."""
    check_reduction(reduction)
    if reduction == "none":
        return per_element, grad
    total = per_element.sum()
    if reduction == "sum":
        return float(total), grad
    return float(total / count), grad / count


# -- regression: mean squared error --------------------------------------------------


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean"):
    """Squared error per element, as ``torch.nn.functional.mse_loss``:

        l_i = (x_i − t_i)²            dl_i/dx_i = 2 (x_i − t_i)

    'mean' averages over every element (N·C·H·W of them for images), so
    dL/dx = 2 (x − t) / numel. Returns (loss, dL/dinput); with 'none' the loss has
    the input's shape and the gradient holds each dl_i/dx_i.
    """
    diff = input - target
    return reduce(diff * diff, 2 * diff, reduction, diff.size)


# -- binary classification per element: sigmoid + cross-entropy in one step -----------


def binary_cross_entropy_with_logits(scores: np.ndarray, targets: np.ndarray, reduction="mean"):
    """Binary cross-entropy on raw scores s (logits), targets t in [0, 1], as
    ``torch.nn.functional.binary_cross_entropy_with_logits``. With p = σ(s):

        l = −[t log p + (1 − t) log(1 − p)]
          = log(1 + eˢ) − t·s          since log p = s − log(1 + eˢ), log(1 − p) = −log(1 + eˢ)
          = max(s, 0) − t·s + log(1 + e^−|s|)    the same, with no exp of a large number
        dl/ds = σ(s) − t

    Fusing the sigmoid into the loss is what keeps it finite: log σ(s) for s = −800
    underflows to log 0, while the last line stays exact. σ(s) itself is computed as
    1/(1 + e^−s) for s ≥ 0 and eˢ/(1 + eˢ) for s < 0 so no exponent is positive.
    'mean' averages over every element. Returns (loss, dL/dscores).
    """
    e = np.exp(-np.abs(scores))  # in (0, 1]: never overflows
    per_element = np.maximum(scores, 0) - targets * scores + np.log1p(e)
    sigmoid = np.where(scores >= 0, 1 / (1 + e), e / (1 + e))
    return reduce(per_element, sigmoid - targets, reduction, per_element.size)


# -- segmentation: softmax cross-entropy at every pixel -------------------------------


def pixel_cross_entropy(scores: np.ndarray, labels: np.ndarray, reduction: str = "mean"):
    """Softmax cross-entropy at every pixel, as ``torch.nn.functional.cross_entropy``
    on (N, C, H, W) scores and (N, H, W) integer labels:

        l[n,h,w] = −log softmax(s[n,:,h,w])[y] = log Σ_c exp(s[n,c,h,w]) − s[n,y,h,w]
        dl[n,h,w]/ds[n,c,h,w] = softmax(s[n,:,h,w])_c − 1[c = y[n,h,w]]

    Each pixel is one classification problem over the C channels (the softmax runs
    along axis 1), so this is SoftmaxCrossEntropy with N·H·W samples. 'mean'
    averages over the N·H·W pixels. Returns (loss, dL/dscores (N, C, H, W)); with
    'none' the loss is (N, H, W).
    """
    from .functional import log_softmax  # here until the functional package lands (cycle)

    logp = log_softmax(scores, axis=1)
    picked = np.take_along_axis(logp, labels[:, None], axis=1)[:, 0]  # (N, H, W)
    grad = np.exp(logp)
    np.put_along_axis(
        grad, labels[:, None], np.take_along_axis(grad, labels[:, None], axis=1) - 1, axis=1
    )
    return reduce(-picked, grad, reduction, labels.size)


# -- upsampling: a fixed linear map per axis -------------------------------------------


def upsample_matrix(n_in: int, scale: int, mode: str, dtype=np.float64) -> np.ndarray:
    """The (n_in·scale, n_in) matrix A with y = A·x along one axis.

    nearest:  output i copies input ⌊i / scale⌋, so row i is one 1.
    bilinear (align_corners=False, as PyTorch): output i sits at input coordinate
              u = (i + ½)/scale − ½, clamped to ≥ 0 (pixel centres, not corners, line
              up); it mixes inputs i₀ = ⌊u⌋ and i₁ = min(i₀ + 1, n_in − 1) with
              weights 1 − λ and λ, λ = u − i₀. Every row sums to 1.
    """
    out = np.arange(n_in * scale)
    A = np.zeros((n_in * scale, n_in), dtype=dtype)
    if mode == "nearest":
        A[out, out // scale] = 1
        return A
    u = np.maximum((out + 0.5) / scale - 0.5, 0)
    i0 = np.floor(u).astype(int)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = u - i0
    np.add.at(A, (out, i0), 1 - lam)
    np.add.at(A, (out, i1), lam)  # i1 = i0 at the last pixel: the weights add up to 1
    return A


class UpsampleCache(NamedTuple):
    rows: np.ndarray  # (OH, H) interpolation along the height
    cols: np.ndarray  # (OW, W) interpolation along the width


def upsample_forward(x: np.ndarray, scale_factor: tuple[int, int], mode: str = "nearest"):
    """Upsample (N, C, H, W) by integer factors (sh, sw) -> (N, C, sh·H, sw·W).

    Both modes are separable linear maps, one matrix per axis (``upsample_matrix``):

        Y[n,c] = A_h · X[n,c] · A_wᵀ          y[n,c,i,j] = Σ_{h,w} A_h[i,h] X[n,c,h,w] A_w[j,w]

    Returns (y, cache).
    """
    _, _, H, W = x.shape
    A_h = upsample_matrix(H, scale_factor[0], mode, x.dtype)
    A_w = upsample_matrix(W, scale_factor[1], mode, x.dtype)
    y = np.einsum("ih,nchw,jw->ncij", A_h, x, A_w, optimize=True)
    return y, UpsampleCache(A_h, A_w)


def upsample_backward(dy: np.ndarray, cache: UpsampleCache) -> np.ndarray:
    """The transpose of the forward map: each input pixel collects the gradients of
    the outputs it contributed to, weighted as it was,

        dX[n,c] = A_hᵀ · dY[n,c] · A_w        (nearest: the sum over each sh×sw block)
    """
    return np.einsum("ih,ncij,jw->nchw", cache.rows, dy, cache.cols, optimize=True)


# -- concatenation along channels ----------------------------------------------------


class ConcatCache(NamedTuple):
    boundaries: list[int]  # where each input's channels end in the output


def concat_forward(xs: list[np.ndarray]):
    """Stack (N, C_k, H, W) arrays along the channels -> (N, Σ C_k, H, W)."""
    return np.concatenate(xs, axis=1), ConcatCache(list(np.cumsum([x.shape[1] for x in xs])))


def concat_backward(dy: np.ndarray, cache: ConcatCache) -> list[np.ndarray]:
    """y is the inputs side by side, so each input's gradient is its own slice of dy:
    dX_k = dY[:, start_k : end_k]."""
    return np.split(dy, cache.boundaries[:-1], axis=1)


# -- transposed convolution: the backward of a convolution, run forward -----------------


class ConvTranspose2dCache(NamedTuple):
    x: np.ndarray  # the input (N, C_in, H, W)
    w: np.ndarray  # the weight (C_in, C_out, kh, kw)
    has_bias: bool
    stride: tuple[int, int]
    padding: tuple[int, int]


def conv_transpose2d_output_hw(hw, kernel, stride, padding, output_padding) -> tuple[int, int]:
    """OH = (H − 1)·s − 2p + k + output_padding per axis, as torch.nn.ConvTranspose2d:
    the input size of the convolution whose backward this is."""
    return tuple(
        (n - 1) * s - 2 * p + k + op
        for n, k, s, p, op in zip(hw, kernel, stride, padding, output_padding, strict=True)
    )


def conv_transpose2d_forward(x, w, b, stride=(1, 1), padding=(0, 0), output_padding=(0, 0)):
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d``:

        y[n, o, i·s + p − pad, j·s + q − pad] += Σ_c x[n, c, i, j] · w[c, o, p, q]

    every input pixel stamps its kernel, scaled by its value, onto the output at
    stride s (overlaps add up), then ``pad`` is cropped from each side. This is
    exactly dL/dX of a convolution with the same weight, stride and padding (with
    x in the role of dL/dY), computed the same way: one matrix product spreads each
    pixel over its window, col2im adds the windows up:

        cols = W_matᵀ · X_mat      W_mat (C_in, C_out·kh·kw), X_mat (C_in, N·H·W)
        Y = col2im(cols)           onto (N, C_out, OH, OW)

    x: (N, C_in, H, W), w: (C_in, C_out, kh, kw), b: (C_out,) or None
    -> y: (N, C_out, OH, OW), OH = (H − 1)·s − 2·pad + kh + output_padding.
    """
    from .backend import kernels  # here until the functional package lands (cycle)

    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    OH, OW = conv_transpose2d_output_hw((H, W), (kh, kw), stride, padding, output_padding)
    x_mat = x.transpose(1, 0, 2, 3).reshape(C_in, -1)  # (C_in, N·H·W)
    cols = w.reshape(C_in, -1).T @ x_mat  # (C_out·kh·kw, N·H·W)
    y = kernels().col2im(cols, (N, C_out, OH, OW), (kh, kw), stride, padding)
    if b is not None:
        y = y + b.reshape(1, C_out, 1, 1)
    return np.ascontiguousarray(y), ConvTranspose2dCache(x, w, b is not None, stride, padding)


def conv_transpose2d_backward(dy, cache: ConvTranspose2dCache):
    """The forward is the backward of a convolution, so its backward is that
    convolution's forward (the adjoint of an adjoint is the map itself):

        dL/dX = dL/dY ⋆ W          a plain convolution with the same stride and padding:
                                   dX[n,c,i,j] = Σ_{o,p,q} dY_pad[n, o, i·s+p, j·s+q] w[c,o,p,q]
        dL/dW[c,o,p,q] = Σ_{n,i,j} x[n,c,i,j] · dY_pad[n, o, i·s+p, j·s+q]
        dL/dB[o] = Σ_{n,i,j} dL/dY[n,o,i,j]

    In matrix form, with cols = im2col(dY) (C_out·kh·kw, N·H·W): dX = W_mat · cols and
    dW = X_mat · colsᵀ. Returns (dx, dw, db); db is None without a bias.
    """
    from .backend import kernels

    x, w, has_bias, stride, padding = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    cols = kernels().im2col(dy, (kh, kw), stride, padding)  # (C_out·kh·kw, N·H·W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(C_in, N, H, W).transpose(1, 0, 2, 3)
    x_mat = x.transpose(1, 0, 2, 3).reshape(C_in, -1)
    dw = (x_mat @ cols.T).reshape(w.shape)
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return np.ascontiguousarray(dx), dw, db
