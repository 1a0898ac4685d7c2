"""Batch transforms: normalisation and data augmentation, vectorised over the batch.

A transform is any callable ``transform(xb, rng) -> xb`` taking a float batch
``xb`` of shape (N, C, H, W) and an ``np.random.Generator``; the DataLoader
passes its own ``rng``, so augmentation is reproducible from the loader's seed.
Transforms never modify ``xb`` in place (it may be a view of the dataset) and
keep its dtype.

Augmentation shows the network shifted/flipped copies of each image, so it must
learn features that do not depend on the exact pixel position: a cheap way to
get more training data out of the same images.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import validate
from ..init import get_rng

Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _check_batch(xb: np.ndarray, name: str) -> None:
    if not isinstance(xb, np.ndarray) or xb.ndim != 4:
        got = xb.shape if isinstance(xb, np.ndarray) else type(xb).__name__
        raise ValueError(f"{name}: expected a batch of shape (N, C, H, W), got {got}")


class Normalize:
    """Per-channel standardisation: ``y[:, c] = (x[:, c] - mean[c]) / std[c]``.

    Zero-mean, unit-variance inputs keep the first layer's pre-activations in a
    range where the initialisation (Kaiming) is calibrated. MNIST after /255:
    mean 0.1307, std 0.3081.

    Args:
        mean: one number per channel (or one number for all channels).
        std: the same, for the standard deviations.
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]):
        try:
            self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
            self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        except OverflowError:  # an int beyond any float, e.g. 10**400
            raise ValueError(
                f"Normalize: mean and std must be finite numbers, got mean={mean!r}, std={std!r}"
            ) from None
        if self.mean.ndim != 1 or self.mean.shape != self.std.shape:
            raise ValueError(
                f"Normalize: mean and std need one value per channel each, "
                f"got shapes {self.mean.shape} and {self.std.shape}"
            )
        if not np.all(np.isfinite(self.mean)):
            raise ValueError(f"Normalize: mean must be finite numbers, got {self.mean.tolist()}")
        if not np.all((self.std > 0) & np.isfinite(self.std)):
            raise ValueError(
                f"Normalize: std must be positive finite numbers, got {self.std.tolist()}"
            )

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        _check_batch(xb, "Normalize")
        if xb.dtype.kind != "f":
            # mean and std cast to uint8 would be 0; and the mean/std of x/255 on raw
            # 0..255 pixels would be the wrong scale anyway.
            raise TypeError(
                f"Normalize: expected a float batch (pixels scaled to [0, 1], as "
                f"dataset.arrays() gives), got {xb.dtype}; convert it first, e.g. "
                f"x.astype(np.float32) / 255"
            )
        if len(self.mean) not in (1, xb.shape[1]):
            raise ValueError(
                f"Normalize: {len(self.mean)} channel means for a batch with "
                f"{xb.shape[1]} channels; give one value per channel"
            )
        # (C,) -> (1, C, 1, 1) broadcasts over batch and pixels; cast keeps float32 float32.
        mean = self.mean.astype(xb.dtype).reshape(1, -1, 1, 1)
        std = self.std.astype(xb.dtype).reshape(1, -1, 1, 1)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            out = (xb - mean) / std
        if not np.isfinite(out).all() and np.isfinite(xb).all():
            raise ValueError(
                f"Normalize: the result overflows {xb.dtype} (std={self.std.tolist()} "
                f"is too small for it); check mean and std"
            )
        return out

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


def random_crop(
    xb: np.ndarray, size: tuple[int, int], padding: int, rng: np.random.Generator
) -> np.ndarray:
    """Zero-pad each image by ``padding`` then cut a ``size`` window at a random offset.

    Vectorised: ``sliding_window_view`` gives every (h, w) window of the padded
    batch as a view, shape (N, C, Hp-h+1, Wp-w+1, h, w), without copying; fancy
    indexing then picks window (oy[n], ox[n]) for each image n in one step.
    """
    n, _, height, width = xb.shape
    h, w = size
    max_y, max_x = height + 2 * padding - h, width + 2 * padding - w
    if max_y < 0 or max_x < 0:
        raise ValueError(
            f"RandomCrop: crop {size} is larger than the padded image "
            f"{(height + 2 * padding, width + 2 * padding)}"
        )
    if padding > max(height, width):
        raise ValueError(
            f"RandomCrop: padding {padding} is larger than the image {(height, width)}: "
            f"most crops would hold no pixel of it"
        )
    padded = np.pad(xb, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oy = rng.integers(0, max_y + 1, size=n)
    ox = rng.integers(0, max_x + 1, size=n)
    windows = sliding_window_view(padded, (h, w), axis=(2, 3))
    # Indices (arange, :, oy, ox): the advanced axes are split by a slice, so numpy puts
    # the broadcast batch axis first: result (N, C, h, w). Indexing copies the windows.
    return windows[np.arange(n), :, oy, ox]


class RandomCrop:
    """Pad by ``padding`` pixels (zeros), then crop ``size`` at a random place per image.

    ``RandomCrop(32, padding=4)`` is the standard CIFAR-10 augmentation: each image
    moves by up to 4 pixels in each direction.

    Args:
        size: the crop's size, an int for a square or a pair (height, width).
        padding: zeros added on each side first, so the crop can move by that much.
    """

    def __init__(self, size: int | tuple[int, int], padding: int = 0):
        if isinstance(size, tuple | list):
            if len(size) != 2:
                raise ValueError(f"RandomCrop: size must be an int or (h, w), got {size!r}")
            h, w = (validate.integer("RandomCrop", "size", n, low=1) for n in size)
            self.size = (h, w)
        else:
            n = validate.integer("RandomCrop", "size", size, low=1, hint=" (or a pair (h, w))")
            self.size = (n, n)
        self.padding = validate.integer("RandomCrop", "padding", padding, low=0)

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        _check_batch(xb, "RandomCrop")
        return random_crop(xb, self.size, self.padding, get_rng(rng))

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomShift:
    """Move each image by a random whole number of pixels, -max_shift..max_shift per axis.

    The uncovered border is filled with zeros (the background of MNIST). This is
    ``RandomCrop(size=image size, padding=max_shift)``: pad, then cut the original
    size at a random offset. Good augmentation for digits, which must not be flipped.

    Args:
        max_shift: the largest move in pixels, along each axis and in either direction.
    """

    def __init__(self, max_shift: int = 2):
        self.max_shift = validate.integer(
            "RandomShift", "max_shift", max_shift, low=0, hint=" (whole pixels)"
        )

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        _check_batch(xb, "RandomShift")
        return random_crop(xb, xb.shape[2:], self.max_shift, get_rng(rng))

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability ``p`` (right for photos, not digits).

    Args:
        p: the probability that an image is mirrored.
    """

    def __init__(self, p: float = 0.5):
        self.p = validate.real("RandomHorizontalFlip", "p", p, low=0, high=1)

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        _check_batch(xb, "RandomHorizontalFlip")
        flip = get_rng(rng).random(len(xb)) < self.p
        out = xb.copy()
        out[flip] = xb[flip][..., ::-1]  # reverse the width axis of the chosen images
        return out

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Compose:
    """Apply transforms in order, all drawing from the same generator.

    Args:
        transforms: the transforms, applied first to last.
    """

    def __init__(self, transforms: Sequence[Transform]):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        rng = get_rng(rng)
        for t in self.transforms:
            xb = t(xb, rng)
        return xb

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"
