"""Photo-like pictures of handwritten digits, drawn with Pillow for the tests.

A phone photo of a digit on paper is nothing like an MNIST image: dark ink on light,
uneven paper, a shadow across the page, blur, JPEG noise, the digit small and off
centre. ``draw_digit`` makes such a picture of a 0, 1, 4 or 7 from pen strokes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Pen strokes in a unit box (x right, y down), one list of points per stroke.
STROKES = {
    0: "ellipse",
    1: [[(0.55, 0.0), (0.45, 1.0)]],
    4: [[(0.65, 0.0), (0.05, 0.65), (0.95, 0.65)], [(0.7, 0.3), (0.7, 1.0)]],
    7: [[(0.0, 0.05), (1.0, 0.0), (0.35, 1.0)]],
}


def draw_digit(
    digit: int,
    size: tuple[int, int] = (480, 360),
    box: tuple[float, float, float, float] = (0.35, 0.15, 0.65, 0.8),
    dark_on_light: bool = True,
    seed: int = 0,
) -> Image.Image:
    """An RGB picture (width, height = ``size``) of ``digit`` written inside ``box``
    (left, top, right, bottom as fractions of the picture), with paper texture, a
    lighting gradient, blur and colour noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    # Paper: light grey with texture and a shadow from one side.
    paper = 215 + 12 * rng.standard_normal((h, w)) - np.linspace(0, 35, w)[None, :]
    paper = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(1.5)
    )
    ink = Image.new("L", size, 0)
    pen = ImageDraw.Draw(ink)
    left, top, right, bottom = (box[0] * w, box[1] * h, box[2] * w, box[3] * h)
    width = max(2, round((bottom - top) / 9))
    if STROKES[digit] == "ellipse":
        pen.ellipse((left, top, right, bottom), outline=255, width=width)
    else:
        for stroke in STROKES[digit]:
            points = [(left + x * (right - left), top + y * (bottom - top)) for x, y in stroke]
            pen.line(points, fill=255, width=width, joint="curve")
    ink = ink.filter(ImageFilter.GaussianBlur(width / 4))
    a = np.asarray(ink, dtype=np.float64) / 255.0
    page = np.asarray(paper, dtype=np.float64)
    grey = page * (1 - a) + 45 * a  # blue-black ink, a little uneven
    if not dark_on_light:
        grey = 255 - grey
    rgb = np.stack([grey * 0.97, grey * 0.98, grey * 1.02], axis=-1)
    rgb += 4 * rng.standard_normal(rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), mode="RGB")


def save_digit(path: Path, digit: int, **kwargs) -> Path:
    """draw_digit, saved to ``path`` (JPEG or PNG by its suffix)."""
    image = draw_digit(digit, **kwargs)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, quality=85)
    else:
        image.save(path)
    return path
