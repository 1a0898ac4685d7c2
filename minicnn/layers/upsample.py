"""Upsample: enlarge feature maps by an integer factor (nearest or bilinear)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import functional as F
from .. import validate
from ..functional.upsample import UPSAMPLE_MODES
from .base import Layer


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

    Args:
        scale_factor: s, a whole number, or a pair (s_h, s_w).
        mode: 'nearest' (copy each pixel into an s×s block) or 'bilinear'.
    """

    def __init__(self, scale_factor=2, mode: str = "nearest"):
        self.scale_factor = validate.check_scale_factor(scale_factor, "Upsample")
        self.mode = validate.check_choice(mode, UPSAMPLE_MODES, "mode", "Upsample")

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, cache = F.upsample_forward(x, self.scale_factor, self.mode)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.upsample_backward(dout, self.saved_cache(dout))

    def output_shape(self, input_shape):
        return F.upsample_output_shape(input_shape, self.scale_factor, op=repr(self))

    def window(self, input_shape):
        """For the receptive field: neighbouring outputs are 1/s input units apart (a
        stride of 1/s, so the jump becomes a fraction and the summary rounds the field
        up); a nearest output sees one input unit, a bilinear one two (window 1 or 2)."""
        taps = 2 if self.mode == "bilinear" else 1
        return (taps, taps), tuple(Fraction(1, s) for s in self.scale_factor)

    def __repr__(self):
        s = self.scale_factor
        return f"Upsample(scale_factor={s[0] if s[0] == s[1] else s}, mode={self.mode!r})"
