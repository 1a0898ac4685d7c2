"""Receptive fields: how many input pixels one unit of a feature map can see.

A layer that slides a window of size k with stride s over its input turns the
receptive field r (in input pixels) and the jump j (the distance, in input
pixels, between two neighbouring units) of its input into

    r_out = r_in + (k − 1) · j_in
    j_out = j_in · s

starting from r = 1, j = 1 at the image (Araujo et al., "Computing receptive
fields of convolutional neural networks", Distill 2019). Each extra tap of the
window reaches one more input *unit*, and neighbouring input units sit j_in
pixels apart. Padding shifts where the windows start but not how wide they are,
so it does not change r; r counts padded pixels too, so it can exceed the image.

Both axes are tracked separately, (height, width), for non-square kernels.
Example, LeNet-5's trunk (5×5 conv pad 2, 2×2 pool, 5×5 conv):
r = 1 → 5 (j 1) → 6 (j 2) → 6 + 4·2 = 14 (j 2): its last conv sees 14×14 pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field ``size`` and ``jump`` per axis, both (height, width), in input pixels."""

    size: tuple[int, int] = (1, 1)
    jump: tuple[int, int] = (1, 1)

    def through(self, kernel: tuple[int, int], stride: tuple[int, int]) -> ReceptiveField:
        """The receptive field after a window ``kernel`` applied with ``stride``."""
        (rh, rw), (jh, jw) = self.size, self.jump
        size = (rh + (kernel[0] - 1) * jh, rw + (kernel[1] - 1) * jw)
        return ReceptiveField(size, (jh * stride[0], jw * stride[1]))

    def union(self, other: ReceptiveField) -> ReceptiveField:
        """Where two paths meet (a residual addition) a unit sees what either path sees."""
        (rh, rw), (jh, jw) = self.size, self.jump
        (oh, ow), (ph, pw) = other.size, other.jump
        return ReceptiveField((max(rh, oh), max(rw, ow)), (max(jh, ph), max(jw, pw)))

    def display(self) -> str:
        """'14' for a square field, '(14, 10)' for a non-square one. After an upsampling
        layer the jump is a fraction (1/s of the input's) and a size can be too; it is
        rounded up to the whole pixels it touches."""
        h, w = (math.ceil(v) for v in self.size)
        return str(h) if h == w else f"({h}, {w})"
