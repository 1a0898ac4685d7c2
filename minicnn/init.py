"""Random number generation and weight initialisation.

There is one global generator, reset by [`manual_seed`][minicnn.init.manual_seed]. A layer takes
either ``rng`` (a ``np.random.Generator``) or ``seed`` (an int); with neither it draws
from the global generator, so ``mc.manual_seed(0)`` makes a whole model
reproducible.
"""

from __future__ import annotations

import numpy as np

_global_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the global generator, as ``torch.manual_seed`` does."""
    global _global_rng
    _global_rng = np.random.default_rng(seed)


def get_rng(rng: np.random.Generator | None = None, seed: int | None = None) -> np.random.Generator:
    """The generator a layer should use: ``rng`` if given, else a new one from ``seed``,
    else the global generator."""
    if rng is not None and seed is not None:
        raise ValueError("pass either rng= or seed=, not both")
    if rng is not None:
        return rng
    if seed is not None:
        return np.random.default_rng(seed)
    return _global_rng


def kaiming_normal(
    shape: tuple[int, ...], fan_in: int, rng: np.random.Generator, dtype
) -> np.ndarray:
    """He initialisation: w ~ N(0, 2 / fan_in).

    The variance 2/fan_in keeps the variance of activations roughly constant from
    layer to layer in a ReLU network (He et al., 2015).
    """
    # Draw in the target precision and scale in place: a VGG-16 must not allocate
    # float64 copies of its 138M weights just to build them.
    dtype = np.dtype(dtype)
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    w = rng.standard_normal(shape, dtype=draw_dtype)
    w *= np.sqrt(2.0 / fan_in)
    return w.astype(dtype, copy=False)


def get_rng_state() -> dict:
    """The global generator's state as a plain dict (JSON-able), for checkpoints."""
    return dict(_global_rng.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Restore the global generator *in place* from [`get_rng_state`][minicnn.init.get_rng_state]'s
    dict.

    In place rather than by replacing the generator: layers built without ``rng``/``seed``
    hold a reference to this very object (e.g. ``Dropout.rng``), and they must see the
    restored stream too.
    """
    _global_rng.bit_generator.state = state
