"""Inverted dropout, forward and backward.

y, mask = dropout_forward(x, p, training, rng);  dx = dropout_backward(dy, mask)
"""

from __future__ import annotations

import numpy as np

from .. import validate
from ..validate import check_array, check_grad


def dropout_forward(x, p: float, training: bool, rng: np.random.Generator):
    """Inverted dropout, as ``torch.nn.functional.dropout``.

    Training: each unit is kept with probability 1 − p and scaled by 1/(1 − p),

        y = x · m / (1 − p),  m ~ Bernoulli(1 − p)

    so E[y] = x and nothing needs rescaling at test time. Evaluation: the identity.
    The cache is the scaled mask m / (1 − p) (a read-only view of ones when nothing
    is dropped: it costs no memory, and still says the output's shape).
    """
    check_array(x, "x", "dropout", "(N, ...)")
    p = validate.check_drop_probability(p, "dropout")
    if not training or p == 0.0:
        return x, np.broadcast_to(np.ones((), dtype=x.dtype), x.shape)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"dropout: expected rng as a np.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    keep = rng.random(x.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = keep.astype(x.dtype) * x.dtype.type(scale)
    return x * mask, mask


def dropout_backward(dy, mask: np.ndarray) -> np.ndarray:
    """dL/dx = dL/dy · m / (1 − p): dropped units pass no gradient, kept ones are scaled."""
    check_grad(dy, mask.shape, "dropout_backward")
    return dy * mask
