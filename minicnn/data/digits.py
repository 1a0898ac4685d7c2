"""Your own handwritten digit, prepared the way MNIST's digits were.

    x = mc.data.load_digit("my_seven.jpg")                # (1, 28, 28) float32 in [0, 1]
    scores = mc.zoo.lenet5(pretrained=True).forward(x.reshape(1, 1, 28, 28))

MNIST's digits are white ink on black, the ink fills a 20×20 box (aspect ratio kept,
anti-aliased) and the box sits in a 28×28 image so that the centre of mass of the ink
is at the centre (LeCun et al., the MNIST page). A photo of a digit on paper is the
opposite: dark ink on a light, uneven, slightly blurred background, at any size and
position. A model trained on MNIST calls almost everything in such a photo a 0 or an 8
until it is prepared the same way, step by step:

1. grey: ``L = 0.299 R + 0.587 G + 0.114 B`` (Pillow's ``convert("L")``), in [0, 1];
   transparent pixels count as white paper;
2. invert when the background is light: the background is the median of the image's
   border pixels; if it is above 0.5 the image becomes ``1 - L``;
3. remove the paper: subtract the background level, then set to 0 everything below a
   threshold halfway between the background and the brightest ink (texture, shadows
   and JPEG noise are fainter than ink), and scale the ink so its bright end
   (98th percentile) is 1;
4. crop to the ink's bounding box;
5. scale so the longer side is 20 pixels, keeping the aspect ratio (Lanczos
   resampling, which anti-aliases like MNIST's);
6. centre: paste into 28×28 so that the ink's centre of mass
   ``(Σ y·a / Σ a, Σ x·a / Σ a)`` lands on pixel (14, 14) (rounded to whole pixels).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import DatasetError

SIZE = 28  # MNIST's image size
BOX = 20  # the ink is scaled to fit a BOX×BOX square


class DigitImageError(DatasetError):
    """The file cannot be read as a picture of a digit."""


def _open_grey(source) -> np.ndarray:
    """(H, W) float32 in [0, 1]: the image as grey levels, transparency as white."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if isinstance(source, Image.Image):
        image = source
    else:
        path = Path(os.fspath(source))
        if not path.is_file():
            raise DigitImageError(f"load_digit: there is no file {path}")
        try:
            image = Image.open(path)
            image.load()
        except (UnidentifiedImageError, OSError) as err:
            raise DigitImageError(
                f"load_digit: {path} is not an image Pillow can read ({err}); "
                "give a PNG or JPEG photo or scan of one digit"
            ) from None
    image = ImageOps.exif_transpose(image)  # phone photos store their rotation in EXIF
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255.0)


def _border_median(a: np.ndarray) -> float:
    """The median of the outermost ~5% of rows and columns: the paper's level."""
    h, w = a.shape
    k = max(1, min(h, w) // 20)
    border = np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[:, :k].ravel(), a[:, -k:].ravel()])
    return float(np.median(border))


def _ink(grey: np.ndarray) -> np.ndarray:
    """White ink on black (H, W) in [0, 1], the paper set to exactly 0 (steps 2 and 3)."""
    background = _border_median(grey)
    a = 1.0 - grey if background > 0.5 else grey.copy()
    a = np.clip(a - min(background, 1.0 - background), 0.0, None)
    peak = float(np.percentile(a, 99.9))
    if peak <= 0.05:
        raise DigitImageError(
            "load_digit: found no ink: the image is (nearly) uniform. Photograph one "
            "digit, written darker (or lighter) than its background, filling much of the frame"
        )
    a[a < 0.5 * peak] = 0.0
    bright = float(np.percentile(a[a > 0], 98))
    return np.clip(a / bright, 0.0, 1.0).astype(np.float32)


def _fit_box(a: np.ndarray) -> np.ndarray:
    """Crop to the ink and scale the longer side to BOX pixels (steps 4 and 5)."""
    from PIL import Image

    rows, cols = np.nonzero(a)
    crop = a[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # Pillow: (width, height)
    resized = Image.fromarray(crop, mode="F").resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _centre(box: np.ndarray) -> np.ndarray:
    """Paste into SIZE×SIZE with the centre of mass on the centre (step 6)."""
    h, w = box.shape
    total = float(box.sum())
    ys, xs = np.indices(box.shape)
    cy = float((ys * box).sum()) / total
    cx = float((xs * box).sum()) / total
    # Top-left corner that puts the centre of mass on pixel (14, 14), as in MNIST (its
    # digits' centres of mass average 14.0 ± 0.3 in row and column), kept inside.
    top = int(np.clip(round(SIZE / 2 - cy), 0, SIZE - h))
    left = int(np.clip(round(SIZE / 2 - cx), 0, SIZE - w))
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top : top + h, left : left + w] = box
    return out


def load_digit(source) -> np.ndarray:
    """A photo or scan of one handwritten digit as MNIST-style input.

    Args:
        source: a path to an image file Pillow reads (PNG, JPEG, ...; any size, dark ink
            on light paper or light on dark), or a ``PIL.Image.Image``.

    Returns:
        float32 array of shape (1, 28, 28), values in [0, 1], white ink on black, the ink
        scaled into 20×20 and centred by its centre of mass: the input the pretrained
        LeNet-5 expects (add the batch axis: ``x.reshape(1, 1, 28, 28)``, or stack several).

    Raises:
        DigitImageError: no such file, not an image, or no ink found.

    The steps are those of MNIST (see the module docstring).
    """
    digit = _centre(_fit_box(_ink(_open_grey(source))))
    return digit[None]
