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


# -- photo-like pictures: a sheet of paper on a table, photographed with a phone ----------


def mnist_digit(label: int, index: int = 0) -> np.ndarray:
    """The ``index``-th digit ``label`` of the shipped MNIST sample's test split (28, 28),
    white ink on black in [0, 1]: real handwriting to put on the paper."""
    import minicnn as mc

    x, y = mc.data.MNISTSample("test").arrays()
    return x[np.flatnonzero(y == label)[index], 0]


def _perspective(corners_out, corners_in) -> list[float]:
    """Pillow's 8 PERSPECTIVE coefficients mapping output pixels to input pixels, from
    four point pairs: x_in = (a x + b y + c) / (g x + h y + 1), y_in likewise with d e f."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(corners_out, corners_in, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def ink_on_paper(
    marks: list[tuple[np.ndarray, tuple[float, float, float]]],
    size=(400, 520),
    pen: float = 0.35,
) -> np.ndarray:
    """(H, W) ink coverage of a sheet in [0, 1]: each (image, (cx, cy, height)) pastes a
    white-on-black image (e.g. an MNIST digit) scaled to ``height`` × the sheet's height
    with its centre at (cx, cy) (fractions of the sheet), made pen-like: upscaled
    smoothly, then sharpened into strokes with soft edges; a higher ``pen`` (0.2 .. 0.7)
    keeps only the strokes' middles: a thinner pen."""
    w, h = size
    ink = np.zeros((h, w))
    for image, (cx, cy, height) in marks:
        side = max(8, round(height * h))
        big = Image.fromarray((255 * np.clip(image, 0, 1)).astype(np.uint8)).resize(
            (side, side), Image.Resampling.BICUBIC
        )
        a = np.asarray(big.filter(ImageFilter.GaussianBlur(side / 60)), dtype=float) / 255
        a = np.clip((a - pen) / 0.3, 0, 1)  # pen strokes: a sharp, slightly soft edge
        top, left = round(cy * h - side / 2), round(cx * w - side / 2)
        ink[top : top + side, left : left + side] = np.maximum(
            ink[top : top + side, left : left + side], a
        )
    return ink


def photo(
    ink: np.ndarray,
    size=(640, 480),
    dark_on_light: bool = True,
    tilt: float = 4.0,
    shadow: float = 0.45,
    light: float = 0.4,
    table: float = 0.22,
    cover: float = 0.88,
    ruled: bool = False,
    seed: int = 0,
) -> Image.Image:
    """An RGB phone photo of a sheet holding ``ink`` (from ``ink_on_paper``).

    The sheet (off-white, textured) lies on a dark, grained table that shows in the
    corners; it is turned by about ``tilt`` degrees and seen in slight perspective. The
    light falls off by ``light`` across the picture and a soft shadow (a hand, the phone)
    darkens one edge by ``shadow``. The sheet spans about ``cover`` of the picture's width
    and height; ``ruled``: a notebook page, faint lines every 1/14 of its height. Blur
    and sensor noise, then (on saving) JPEG.
    With ``dark_on_light=False`` the picture is the negative: light ink on a dark sheet.
    """
    rng = np.random.default_rng(seed)
    w, h = size
    ih, iw = ink.shape
    paper = 0.9 + 0.02 * rng.standard_normal((ih, iw))
    if ruled:  # printed lines, about 25 % darker than the paper, 2 pixels wide
        for y in np.arange(ih / 14, ih, ih / 14).astype(int):
            paper[y : y + 2] *= 0.75
    sheet = paper * (1 - 0.85 * ink)  # blue-black ink reflects ~15 %
    # Where the sheet's corners land in the photo: nearly filling it, turned, in perspective.
    angle = np.deg2rad(tilt * rng.uniform(-1, 1))
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float) * [cover * w, cover * h] / 2
    corners *= 1 + 0.04 * rng.uniform(-1, 1, (4, 1))  # perspective: corners at unequal scale
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = corners @ turn.T + [w / 2, h / 2] + rng.uniform(-0.02, 0.02, 2) * [w, h]
    coefficients = _perspective(corners, [(0, 0), (iw, 0), (iw, ih), (0, ih)])
    warp = Image.Resampling.BILINEAR

    def warped(a: np.ndarray) -> np.ndarray:
        img = Image.fromarray(a.astype(np.float32), mode="F")
        return np.asarray(img.transform((w, h), Image.Transform.PERSPECTIVE, coefficients, warp))

    on_sheet = warped(np.ones((ih, iw)))
    grain = np.sin(np.linspace(0, 40, h)[:, None] + 3 * rng.standard_normal((h, 1)))
    wood = table * (1 + 0.15 * grain) + 0.02 * rng.standard_normal((h, w))
    scene = on_sheet * warped(sheet) + (1 - on_sheet) * wood
    # Light: a gradient across the picture and a soft shadow along one edge.
    ys, xs = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    direction = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(direction) * xs + np.sin(direction) * ys
    illumination = 1 - light * (ramp - ramp.min()) / np.ptp(ramp)
    edge = [xs, 1 - xs, ys, 1 - ys][rng.integers(4)]  # distance from one edge
    illumination *= 1 - shadow / (1 + np.exp((edge - 0.15) / 0.04))
    grey = scene * illumination
    if not dark_on_light:
        grey = 1 - grey
    rgb = np.stack([grey * 0.98, grey, grey * 1.03], axis=-1) * 255
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), mode="RGB")
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    noisy = np.asarray(image, float) + 3 * rng.standard_normal((h, w, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), mode="RGB")


def smiley(size: int = 28) -> np.ndarray:
    """(size, size) a face drawn with a pen: an outline, two eyes, a nose and a mouth."""
    img = Image.new("L", (4 * size, 4 * size), 0)
    pen = ImageDraw.Draw(img)
    s = 4 * size
    pen.ellipse((0.05 * s, 0.05 * s, 0.95 * s, 0.95 * s), outline=255, width=round(s / 22))
    for x in (0.33, 0.67):
        pen.ellipse(((x - 0.07) * s, 0.3 * s, (x + 0.07) * s, 0.44 * s), fill=255)
    pen.line([(0.5 * s, 0.45 * s), (0.5 * s, 0.58 * s)], fill=255, width=round(s / 22))
    pen.arc((0.28 * s, 0.45 * s, 0.72 * s, 0.8 * s), 20, 160, fill=255, width=round(s / 22))
    return np.asarray(img.resize((size, size), Image.Resampling.BOX), dtype=float) / 255


def texture(shape=(400, 520), seed: int = 0) -> np.ndarray:
    """(H, W) blotchy ink all over a sheet (a printed pattern, fabric): many marks."""
    rng = np.random.default_rng(seed)
    noise = Image.fromarray((255 * rng.random((shape[0] // 8, shape[1] // 8))).astype(np.uint8))
    smooth = np.asarray(noise.resize(shape[::-1], Image.Resampling.BICUBIC), float) / 255
    return np.clip((smooth - 0.6) / 0.1, 0, 1)


def save_photo(path: Path, image: Image.Image, quality: int = 80) -> Path:
    """Save as JPEG (or PNG by the suffix), as a phone would."""
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, quality=quality)
    else:
        image.save(path)
    return path


def photo_set(
    folder: Path, seed: int = 0, hard: bool = False
) -> dict[str, tuple[Path, int | None]]:
    """Photo-like test pictures written to ``folder``: name -> (path, the digit or None
    when the picture is not one digit). Every digit 0-9 as dark ink and as light ink
    (MNIST writers chosen by ``seed``), small and large, plus an empty sheet, two digits,
    a face and a texture. ``hard``: more table, stronger shadows, thinner pens, smaller
    digits, larger pictures and lower JPEG quality."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, int | None]] = {}

    def conditions() -> dict:
        if not hard:
            return {"seed": int(rng.integers(1 << 30))}
        width = int(rng.integers(480, 1600))
        return {
            "seed": int(rng.integers(1 << 30)),
            "size": (width, width * 3 // 4),
            "tilt": rng.uniform(0, 10),
            "shadow": rng.uniform(0.2, 0.6),
            "light": rng.uniform(0.2, 0.6),
            "table": rng.uniform(0.1, 0.45),
            "cover": rng.uniform(0.7, 0.95),
        }

    for d in range(10):
        for k, dark in enumerate((True, False)):
            height = rng.uniform(0.15, 0.55) if hard else rng.uniform(0.25, 0.55)
            place = (rng.uniform(0.4, 0.6), rng.uniform(0.35, 0.65), height)
            pen = rng.uniform(0.3, 0.65) if hard else 0.35
            ink = ink_on_paper([(mnist_digit(d, 2 * seed + k), place)], pen=pen)
            image = photo(ink, dark_on_light=dark, **conditions())
            name = f"{d}_{'dark' if dark else 'light'}.jpg"
            quality = int(rng.integers(40, 90) if hard else rng.integers(60, 90))
            out[name] = (save_photo(folder / name, image, quality=quality), d)
    nothing = {
        "empty_sheet.jpg": np.zeros((520, 400)),
        "two_digits.jpg": ink_on_paper(
            [(mnist_digit(3, seed), (0.3, 0.5, 0.35)), (mnist_digit(8, seed), (0.7, 0.5, 0.35))]
        ),
        "face.jpg": ink_on_paper([(smiley(), (0.5, 0.5, 0.6))]),
        "texture.jpg": texture(seed=seed),
    }
    for name, ink in nothing.items():
        out[name] = (save_photo(folder / name, photo(ink, **conditions())), None)
    return out
