"""A segmentation dataset made of real handwritten digits pasted on a larger canvas.

Semantic segmentation labels every pixel. Real segmentation datasets are large, so
this one is built in memory from MNIST digits: each sample is a ``size``×``size``
black canvas with ``digits`` digits pasted at random places, and its mask says, for
every pixel, "background" or which digit covers it::

    image  (size, size) uint8      the canvas: pixel-wise maximum of the pasted digits
    mask   (size, size) int64      0 = background, d + 1 = a stroke of digit d

so there are 11 classes (``CLASSES``). A pixel belongs to a digit when that digit's
intensity there is at least ``threshold`` (of 255); where two pasted digits overlap,
the brighter one owns the pixel (the earlier one on a tie). Each digit after the
first is moved, up to 100 tries, until its ink box (the tight box around its pixels
≥ threshold) overlaps no earlier digit's; when none of the tries fits, it stays where
the last try put it. On 48×48 canvases two MNIST digits (about 20 pixels tall) often do
not fit side by side, so many canvases have overlapping ink boxes, though only a few
per cent of the stroke pixels lie under two digits.

Everything is drawn from ``np.random.default_rng(seed)``: the same arguments give
the same canvases. ``DigitCanvas.arrays()`` gives what a network eats, like every
dataset here: float32 images (N, 1, size, size) in [0, 1] and int64 masks (N, size, size).

Example::

    >>> import numpy as np
    >>> digits = np.zeros((2, 28, 28), np.uint8)
    >>> digits[0, 10:18, 12:16] = 255                 # two tiny "digits"
    >>> digits[1, 4:24, 8:20] = 200
    >>> ds = make_digit_canvases(digits, np.array([1, 7]), n_images=3, size=48, seed=0)
    >>> ds.images.shape, ds.masks.shape, ds.masks.dtype
    ((3, 48, 48), (3, 48, 48), dtype('int64'))
    >>> sorted(np.unique(ds.masks).tolist())           # background, "1" and "7"
    [0, 2, 8]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSES = ["background", *(str(d) for d in range(10))]
MAX_TRIES = 100  # placements tried per digit before overlap is allowed


@dataclass(frozen=True)
class Placement:
    """One pasted digit: which source digit (``index`` into the images given), its
    class ``label``, and where its 28×28 patch's top-left corner went."""

    index: int
    label: int
    top: int
    left: int


@dataclass
class DigitCanvas:
    """Canvases, their masks and what was pasted where (see the module docstring)."""

    images: np.ndarray  # (N, size, size) uint8
    masks: np.ndarray  # (N, size, size) int64 in 0..10
    placements: list[list[Placement]]  # per canvas, in pasting order
    threshold: int  # ink threshold, 0..255
    classes = CLASSES

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        """(x, mask) of canvas ``i``, as ``arrays()`` holds it: x float32 (1, size, size)
        in [0, 1], mask int64 (size, size). A slice gives a batch."""
        return _as_input(self.images[i]), self.masks[i]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(float32 images (N, 1, size, size) scaled to [0, 1], int64 masks (N, size, size))."""
        return _as_input(self.images), self.masks


def _as_input(images: np.ndarray) -> np.ndarray:
    """uint8 grey canvases (..., H, W) as the network takes them: float32 (..., 1, H, W)."""
    return (images[..., None, :, :] / np.float32(255)).astype(np.float32)


def ink_box(digit: np.ndarray, threshold: int) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), bottom/right exclusive, of the pixels ≥ ``threshold``;
    the whole patch when there are none."""
    rows = np.flatnonzero((digit >= threshold).any(axis=1))
    cols = np.flatnonzero((digit >= threshold).any(axis=0))
    if rows.size == 0:
        return 0, 0, digit.shape[0], digit.shape[1]
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_args(images, labels, n_images, size, digits, threshold):
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"images must be uint8 (N, h, w) grey digits, got {images.dtype} {images.shape}; "
            f"pass dataset.images (not arrays(), which is float (N, 1, h, w))"
        )
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, one per image: got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"labels must be digits 0..9, got {labels.min()}..{labels.max()}")
    if len(images) == 0:
        raise ValueError("no digits to paste: images is empty")
    if size < max(images.shape[1:]):
        raise ValueError(f"size={size} is smaller than a digit {images.shape[1:]}")
    if n_images < 0 or digits < 1:
        raise ValueError(f"need n_images >= 0 and digits >= 1, got {n_images} and {digits}")
    if not 1 <= threshold <= 255:
        raise ValueError(f"threshold is an ink level in 1..255, got {threshold}")


def make_digit_canvases(
    images: np.ndarray,
    labels: np.ndarray,
    n_images: int,
    size: int = 48,
    digits: int = 2,
    threshold: int = 128,
    seed: int = 0,
) -> DigitCanvas:
    """``n_images`` canvases of ``size``×``size``, each with ``digits`` digits drawn (with
    replacement) from ``images`` (uint8 (N, h, w)) and ``labels`` (N,), and their masks.

    Args:
        threshold: ink level (of 255) from which a pixel counts as part of its digit.
        seed: seeds which digits are drawn and where they go.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    _check_args(images, labels, n_images, size, digits, threshold)
    rng = np.random.default_rng(seed)
    h, w = images.shape[1:]
    canvases = np.zeros((n_images, size, size), np.uint8)
    masks = np.zeros((n_images, size, size), np.int64)
    placements: list[list[Placement]] = []
    for n in range(n_images):
        owner = np.zeros((size, size), np.uint8)  # intensity of the pixel's current owner
        boxes: list[tuple[int, int, int, int]] = []  # (top, left, bottom, right) on the canvas
        pasted: list[Placement] = []
        for index in rng.integers(len(images), size=digits):
            digit = images[index]
            box = ink_box(digit, threshold)
            for _ in range(MAX_TRIES):
                top, left = (int(v) for v in rng.integers(0, [size - h + 1, size - w + 1]))
                placed = (box[0] + top, box[1] + left, box[2] + top, box[3] + left)
                if not any(_overlaps(placed, other) for other in boxes):
                    break
            boxes.append(placed)
            pasted.append(Placement(int(index), int(labels[index]), top, left))
            window = (n, slice(top, top + h), slice(left, left + w))
            mine = (digit >= threshold) & (digit > owner[window[1:]])
            masks[window][mine] = labels[index] + 1
            owner[window[1:]] = np.maximum(owner[window[1:]], digit)
        canvases[n] = owner
        placements.append(pasted)
    return DigitCanvas(canvases, masks, placements, threshold)


def mnist_canvases(
    split: str = "train",
    n_images: int = 1000,
    size: int = 48,
    digits: int = 2,
    threshold: int = 128,
    seed: int = 0,
) -> DigitCanvas:
    """Canvases made from [`MNISTSample`][minicnn.data.mnist.MNISTSample]'s ``split``: train canvases
    use only training digits and test canvases only held-out ones."""
    from .mnist import MNISTSample

    source = MNISTSample(split)
    return make_digit_canvases(
        source.images, source.labels, n_images, size, digits, threshold, seed
    )
