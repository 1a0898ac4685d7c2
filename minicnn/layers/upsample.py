"""Upsample: enlarge feature maps by an integer factor (nearest or bilinear)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import functional_new_blocks as F
from ..receptive_field import ReceptiveField
from ..shapes import pair
from .base import Layer, nchw

MODES = ("nearest", "bilinear")


class Upsample(Layer):
    """Upsample (N, C, H, W) to (N, C, s_h·H, s_w·W), as ``torch.nn.Upsample`` with an
    integer ``scale_factor`` (bilinear with ``align_corners=False``). The decoder
    half of an FCN or U-Net grows the coarse feature maps back to the image size.

    Along each axis the output is a fixed linear map of the input, y = A·x:

        nearest:   y[i] = x[⌊i/s⌋]                 (each pixel copied into an s×s block)
        bilinear:  y[i] = (1 − λ)·x[i₀] + λ·x[i₁]  at input coordinate u = (i + ½)/s − ½
                   (≥ 0), i₀ = ⌊u⌋, i₁ = min(i₀ + 1, H − 1), λ = u − i₀

    and the two axes are separable: Y = A_h · X · A_wᵀ for every image and channel.

    Backward: the map is linear, so its Jacobian is the map itself and dL/dX is the
    transpose applied to dL/dY,

        dL/dX = A_hᵀ · dL/dY · A_w

    which for nearest sums the gradient of each s×s block back into the pixel it
    was copied from. There are no parameters, and no multiply-adds are counted
    (summary counts convolutions and Linear layers only).
    Functional pair: ``F.upsample_forward`` / ``F.upsample_backward``.
    """

    def __init__(self, scale_factor=2, mode: str = "nearest"):
        self.scale_factor = pair(scale_factor, "scale_factor")
        if min(self.scale_factor) < 1:
            raise ValueError(
                f"Upsample: scale_factor must be a positive integer (or a pair), got "
                f"{scale_factor!r}; use pooling or a strided convolution to shrink"
            )
        if mode not in MODES:
            raise ValueError(f"Upsample: mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, C, H, W)", ndim=4)
        y, self._cache = F.upsample_forward(x, self.scale_factor, self.mode)
        self._out_shape = y.shape
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.check_dout(dout, self._out_shape if self._cache is not None else ())
        return F.upsample_backward(dout, self._cache)

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        sh, sw = self.scale_factor
        return (N, C, H * sh, W * sw)

    def receptive_field(self, input_shape, rf: ReceptiveField) -> ReceptiveField:
        """Neighbouring outputs are 1/s input units apart: j_out = j_in / s (a fraction;
        the table rounds the field up). A nearest output sees one input unit, a
        bilinear one two: r_out = r_in (+ j_in for bilinear)."""
        extra = 1 if self.mode == "bilinear" else 0
        size = tuple(r + extra * j for r, j in zip(rf.size, rf.jump, strict=True))
        jump = tuple(Fraction(j) / s for j, s in zip(rf.jump, self.scale_factor, strict=True))
        return ReceptiveField(size, jump)

    def __repr__(self):
        s = self.scale_factor
        return f"Upsample(scale_factor={s[0] if s[0] == s[1] else s}, mode={self.mode!r})"
