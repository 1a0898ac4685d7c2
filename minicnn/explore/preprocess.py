"""MNIST-style preprocessing of a drawn digit: what LeCun et al. did to every MNIST image.

A digit drawn on a canvas is big, off-centre and of any aspect ratio; LeNet-5 was
trained on digits that were

1. cropped to the bounding box of their ink,
2. scaled (keeping the aspect ratio, anti-aliased) so the longer side is 20 pixels,
3. placed in a 28×28 field so that their centre of mass sits at the field's centre.

[`mnist_style`][minicnn.explore.preprocess.mnist_style] does exactly this to a 2-D array
(white ink on black, any size).
``mc.data.load_digit(path)`` does the same for an image *file*; the two should share
this function (see the notes of the explorer's branch).
"""

from __future__ import annotations

import numpy as np

FIELD = 28  # the MNIST image side
BOX = 20  # the side of the box the digit is scaled into
INK = 0.05  # a pixel brighter than INK × (brightest pixel) counts as ink when cropping


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix whose row i averages the input cells that output cell i
    covers, weighted by overlap: resampling by area, which anti-aliases a shrink."""
    edges_out = np.linspace(0.0, n_in, n_out + 1)
    lo, hi = edges_out[:-1, None], edges_out[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resize_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample a 2-D ``image`` to (height, width) by area averaging: R · image · Cᵀ with
    R (height, H) and C (width, W) from ``_area_weights()`` (separable, no loops)."""
    rows = _area_weights(image.shape[0], height)
    cols = _area_weights(image.shape[1], width)
    return rows @ image @ cols.T


def mnist_style(image: np.ndarray) -> np.ndarray:
    """A 2-D drawing (H, W), white ink on black, values in [0, 1] -> (28, 28) float32
    as MNIST digits are: ink cropped, longer side scaled to 20, centre of mass centred.

    A blank drawing (no ink) gives a blank field. Raises ValueError for anything that
    is not a finite 2-D array.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2 or min(image.shape) < 1:
        raise ValueError(f"mnist_style: expected a 2-D image (H, W), got shape {image.shape}")
    if not np.isfinite(image).all():
        raise ValueError("mnist_style: the image contains NaN or infinity")
    image = np.clip(image, 0.0, 1.0)
    out = np.zeros((FIELD, FIELD), dtype=np.float32)
    peak = image.max()
    if peak <= 0:
        return out
    rows = np.flatnonzero((image > INK * peak).any(axis=1))
    cols = np.flatnonzero((image > INK * peak).any(axis=0))
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    digit = resize_area(crop, new_h, new_w)
    # Centre of mass of the scaled digit, then the offset that moves it to the middle.
    mass = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(new_h)) / mass
    cx = (digit.sum(axis=0) @ np.arange(new_w)) / mass
    top = int(np.clip(round((FIELD - 1) / 2 - cy), 0, FIELD - new_h))
    left = int(np.clip(round((FIELD - 1) / 2 - cx), 0, FIELD - new_w))
    out[top : top + new_h, left : left + new_w] = digit
    return out
