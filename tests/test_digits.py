"""mc.data.load_digit: a photo of a handwritten digit, prepared as MNIST's were.

The photos are drawn here with Pillow (tests/digit_photos.py): dark ink on light,
textured, unevenly lit paper, blurred and JPEG-compressed, and the reverse."""

from __future__ import annotations

import numpy as np
import pytest
from digit_photos import draw_digit, save_digit
from PIL import Image

import minicnn as mc


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(a.shape)
    return float((ys * a).sum() / a.sum()), float((xs * a).sum() / a.sum())


def ink_box(a: np.ndarray) -> tuple[int, int]:
    """(height, width) of the bounding box of the non-zero pixels."""
    rows, cols = np.nonzero(a)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize("digit", [0, 1, 4, 7])
def test_a_photo_becomes_an_mnist_style_input(tmp_path, digit):
    x = mc.data.load_digit(save_digit(tmp_path / f"{digit}.jpg", digit, seed=digit))
    assert x.shape == (1, 28, 28) and x.dtype == np.float32
    assert x.min() == 0.0 and 0.9 < x.max() <= 1.0
    a = x[0]
    # White ink on a black background: the border is blank, most pixels are 0.
    assert a[0].max() == a[-1].max() == a[:, 0].max() == a[:, -1].max() == 0.0
    assert 0.03 < (a > 0).mean() < 0.4
    # The ink fits 20×20 with its longer side 20 (±1 for the resampling's faint edges).
    height, width = ink_box(a)
    assert max(height, width) in (20, 21) and min(height, width) <= 21
    # Centred by its centre of mass, as MNIST (whose digits average 14.0 ± 0.3).
    cy, cx = centre_of_mass(a)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_the_aspect_ratio_is_kept(tmp_path):
    """A '1' is tall and thin: scaled to 20 high, it must stay narrow (not stretched)."""
    x = mc.data.load_digit(save_digit(tmp_path / "1.png", 1))
    height, width = ink_box(x[0])
    assert height >= 20 and width <= 8


def test_light_ink_on_dark_gives_the_same_input(tmp_path):
    for digit in (0, 4, 7):
        dark = mc.data.load_digit(save_digit(tmp_path / f"d{digit}.png", digit, seed=digit))
        light = mc.data.load_digit(
            save_digit(tmp_path / f"l{digit}.png", digit, seed=digit, dark_on_light=False)
        )
        # The same picture up to resampling noise, and perhaps a one-pixel shift where the
        # centre of mass falls near a pixel boundary (rounded one way or the other).
        diff = min(
            np.abs(np.roll(dark[0], (dy, dx), axis=(0, 1)) - light[0]).mean()
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        )
        assert diff < 0.05, digit
        assert abs(dark.sum() - light.sum()) < 0.1 * dark.sum(), digit


def test_size_and_position_in_the_photo_do_not_matter(tmp_path):
    small = draw_digit(7, size=(200, 150), box=(0.05, 0.1, 0.3, 0.6), seed=3)
    large = draw_digit(7, size=(1200, 900), box=(0.5, 0.3, 0.8, 0.9), seed=4)
    a, b = mc.data.load_digit(small), mc.data.load_digit(large)  # PIL images work too
    assert np.abs(a - b).mean() < 0.05


def test_transparent_png_counts_as_white_paper(tmp_path):
    """A digit drawn in a paint program: black strokes on a transparent canvas."""
    rgba = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ink = draw_digit(7, size=(100, 100), box=(0.2, 0.1, 0.8, 0.9)).convert("L")
    alpha = Image.eval(ink, lambda v: 255 if v < 120 else 0)
    rgba.putalpha(alpha)
    path = tmp_path / "seven.png"
    rgba.save(path)
    x = mc.data.load_digit(path)
    assert x.max() > 0.9 and x[0, 0].max() == 0.0


def test_the_pretrained_model_reads_the_photos(tmp_path):
    """What issue 16 asked for: a dark 7 on white paper is a 7 (it was a 0 before)."""
    model = mc.zoo.lenet5(pretrained=True)
    digits = [0, 1, 4, 7]
    x = np.stack(
        [mc.data.load_digit(save_digit(tmp_path / f"{d}.jpg", d, seed=10 + d)) for d in digits]
        + [
            mc.data.load_digit(
                save_digit(tmp_path / f"n{d}.png", d, seed=20 + d, dark_on_light=False)
            )
            for d in digits
        ]
    )
    assert list(mc.predict(model, x)) == digits + digits
    # The raw photo, only shrunk to 28×28, is not read as a 7: the preparation matters.
    raw = np.asarray(
        draw_digit(7, seed=17).convert("L").resize((28, 28), Image.Resampling.LANCZOS),
        dtype=np.float32,
    )
    assert mc.predict(model, (raw / 255)[None, None])[0] != 7


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(mc.data.DigitImageError, match="there is no file .*nope.png"):
        mc.data.load_digit(tmp_path / "nope.png")
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(mc.data.DigitImageError, match="not an image Pillow can read"):
        mc.data.load_digit(text)
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 40), 230).save(blank)
    with pytest.raises(mc.data.DigitImageError, match="found no ink"):
        mc.data.load_digit(blank)
    assert issubclass(mc.data.DigitImageError, ValueError)
