"""Dropout: inverted dropout during training, the identity in evaluation."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from ..init import get_rng
from .base import Layer


class Dropout(Layer):
    """Inverted dropout, as ``torch.nn.Dropout``: in training each unit is kept with
    probability 1 − p and scaled by 1/(1 − p), y = x · m / (1 − p), so E[y] = x and
    nothing needs rescaling at test time; ``eval()`` makes it the identity. The math is in
    [`minicnn.functional.dropout_forward`][]. ``rng`` draws the masks (saved in checkpoints).

    Args:
        p: the probability of dropping a unit in training, 0 ≤ p < 1.
        rng: the generator that draws the masks.
        seed: a seed for a generator of its own instead; with neither, the global generator.
    """

    def __init__(
        self, p: float = 0.5, *, rng: np.random.Generator | None = None, seed: int | None = None
    ):
        self.p = validate.check_drop_probability(p, "Dropout")
        self.rng = get_rng(rng, seed)

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, mask = F.dropout_forward(x, self.p, self.training, self.rng)
        self.save_for_backward(mask, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.dropout_backward(dout, self.saved_cache(dout))

    def __repr__(self):
        return f"Dropout(p={self.p})"
