"""Your own handwritten digit, prepared the way MNIST's digits were.

    x = mc.data.load_digit("my_seven.jpg")                # (1, 28, 28) float32 in [0, 1]
    scores = mc.zoo.lenet5(pretrained=True).forward(x.reshape(1, 1, 28, 28))

MNIST's digits are white ink on black, the ink fills a 20×20 box (aspect ratio kept,
anti-aliased) and the box sits in a 28×28 image so that the centre of mass of the ink
is at the centre (LeCun et al., the MNIST page). A phone photo of a digit on paper is
far from that: dark ink on light paper, the light uneven (brighter near the window, a
soft shadow along one edge), the paper lying on a darker table that shows in the
corners, the digit at any size and position, JPEG noise. ``find_digit`` prepares
it step by step, and keeps every step so that ``minicnn predict --show`` can draw them:

1. **read, bounded** (``decode``, ``open_grey``): grey levels ``L = 0.299 R + 0.587 G + 0.114 B``
   in [0, 1], transparency as white paper, the EXIF rotation applied. Large images are
   reduced *while decoding* (JPEG's ``draft``: the decoder skips detail it would throw
   away) to a working size of ``WORK`` pixels on the longer side; more than
   ``MAX_PIXELS`` pixels is refused (see there for why).
2. **polarity** (``is_dark_ink``): dark ink on light paper, or light ink on a dark
   board (then the picture is inverted, so that the ink is dark from here on).
3. **flatten the light**: the paper's brightness ``B`` is estimated by a morphological
   *closing* (a maximum then a minimum filter over ``K × K`` pixels, ``K`` a sixth of the
   shorter side): it removes every dark mark thinner than ``K`` (pen strokes) and keeps
   what is larger (the light's gradient, a shadow, the table). Light multiplies
   (``L = light × reflectance``), so the ink's *contrast* ``c = (B - L) / B = 1 - L / B``
   no longer depends on how bright that part of the page was.
4. **the sheet**: where ``B`` is at least ``TABLE`` × the paper's brightness, holes
   filled: the largest such region is the paper; the table around it is left out,
   with a margin, so that the sheet's own edge is not taken for ink.
5. **the strokes**: pixels with ``c`` above half the strongest contrast on the sheet
   (and above ``MIN_CONTRAST``), grown into their fainter edges (``c`` above a quarter,
   at most ``EDGE`` pixels from such a core: hysteresis), split into connected pieces; specks are dropped, and pieces close to one
   another are grouped into *marks*.
6. **one digit?** (``judge``): nothing is found on an empty sheet; two marks side by
   side are two digits; many pieces, a mark covered with ink, or thick blots are not
   pen strokes (a face, a texture). The reason is returned (and raised by
   ``load_digit``), so that ``predict`` says it instead of answering.
7. **as MNIST** (``mnist_style``, which the explorer's canvas uses too): crop to the
   ink, scale the longer side to 20 pixels by area averaging (anti-aliased, aspect ratio
   kept), and place it in 28×28 with the centre of mass
   ``(Σ y·a / Σ a, Σ x·a / Σ a)`` on pixel (14, 14), where MNIST's own digits have it.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import DatasetError

SIZE = 28  # MNIST's image size
BOX = 20  # the ink is scaled to fit a BOX×BOX square
# MNIST's digits have their centre of mass at (14.0, 14.0) ± 0.3 in (row, column) index
# coordinates (measured on the shipped sample), half a pixel below and right of the
# field's middle (13.5): the original centring rounded to whole pixels that way.
CENTRE = 14.0
INK = 0.05  # mnist_style crops to the pixels brighter than INK × the brightest

# A phone photo is 12 MP (4000 × 3000); a few cameras save 48 or 50 MP. Pillow refuses
# only above 179 MP (and warns above 89 MP), and a 400 KB PNG can claim 400 MP: decoded
# in full that is gigabytes of memory. JPEGs are decoded at 1/8 .. 1/1 scale (draft), so
# their cost stays small; other formats are decoded in full, so MAX_PIXELS bounds the
# memory at about 4 bytes × 40 M = 160 MB and the time at a second or two.
MAX_PIXELS = 40_000_000
WORK = 480  # the longer side of the working image: strokes stay several pixels wide

TABLE = 0.5  # paper is at least half as bright as the brightest paper near it
MIN_CONTRAST = 0.2  # the faintest ink: 20 % darker than the paper around it
SPECK = 0.02  # a piece under 2 % of the largest piece's area is dust: dropped
EDGE = 4  # a stroke's faint edge reaches at most this many pixels beyond its core
PIECE = 0.05  # a piece of at least 5 % of the largest counts when pieces are counted
GAP = 0.25  # pieces closer than GAP × the mark's height belong to the same mark
# The limits of one digit, from MNIST's own digits (4 × upscaled, ink > 0.5; the largest
# value among 1,500 sample digits in brackets): pieces of >= PIECE × the largest [4],
# ink / (longer side)² [0.61], stroke width / longer side [0.26]; width / height [2.1]
# is wide open: a 2 or a 5 with a long stroke is 2.5 wide in the photo tests.
MAX_PIECES = 4
MAX_COVER = 0.62
MAX_WIDTH = 0.27
MAX_ASPECT = 3.0  # wider: a row of digits or a word, not one digit


class DigitImageError(DatasetError):
    """The file cannot be read as a picture of a digit."""


class NotOneDigitError(DigitImageError):
    """The image was read, but it does not look like one handwritten digit."""


# -- 1. reading, bounded --------------------------------------------------------------------

# EXIF orientation tag value -> the transpose that shows the picture upright.
_EXIF_TURN = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE"}
_EXIF_TURN.update({6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"})


def _open_image(source):
    """A ``PIL.Image`` from a path or an image, checked for size before decoding."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, Image.Image):
        image = source
        name = "the image"
    else:
        path = Path(os.fspath(source))
        name = str(path)
        if path.is_dir():
            raise DigitImageError(f"load_digit: {path} is a directory; give an image file")
        if not path.is_file():
            raise DigitImageError(f"load_digit: there is no file {path}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            image = None  # over Pillow's own limit: certainly over ours, said below
        except (UnidentifiedImageError, OSError) as err:
            raise DigitImageError(
                f"load_digit: {path} is not an image Pillow can read ({err}); "
                "give a PNG or JPEG photo or scan of one digit"
            ) from None
        if image is None:
            raise DigitImageError(
                f"load_digit: {path} is larger than Pillow accepts; load_digit reads "
                f"images of up to {MAX_PIXELS // 1_000_000} megapixels: shrink it first"
            )
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise DigitImageError(
            f"load_digit: {name} is {width}×{height} = {width * height / 1e6:.0f} "
            f"megapixels; load_digit reads images of up to {MAX_PIXELS // 1_000_000} "
            "megapixels (a phone photo is about 12): shrink it first"
        )
    return image


def decode(source, size: int = WORK):
    """The image as a ``PIL.Image`` in mode "L" (grey), reduced while decoding.

    At most ``MAX_PIXELS`` are accepted (checked from the header, before decoding). A
    JPEG is decoded at the smallest of Pillow's draft scales (1/1, 1/2, 1/4, 1/8) that
    keeps both sides at least ``size``: the decoder skips the detail that would be
    thrown away. Other formats are decoded in full and then reduced by whole-pixel
    block means (``Image.reduce``) to at most 2 × ``size``. Transparent pixels become
    white paper; the EXIF rotation of phone photos is applied.
    """
    from PIL import Image

    image = _open_image(source)
    turn = image.getexif().get(0x0112)
    try:
        if image.format == "JPEG":
            image.draft("L", (size, size))
        image.load()
    except (OSError, ValueError, SyntaxError) as err:  # truncated, corrupt, bad header
        raise DigitImageError(
            f"load_digit: the image could not be decoded ({err}); give a PNG or JPEG file"
        ) from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    image = image.convert("L")
    factor = max(image.size) // (2 * size)
    if factor >= 2:
        image = image.reduce(factor)
    if turn in _EXIF_TURN:
        image = image.transpose(getattr(Image.Transpose, _EXIF_TURN[turn]))
    return image


def open_grey(source, size: int = WORK) -> np.ndarray:
    """(H, W) float32 in [0, 1]: the image's grey levels, its longer side at most
    ``size`` (``decode``, then an exact anti-aliased resize by area)."""
    from PIL import Image

    image = decode(source, size)
    scale = size / max(image.size)
    if scale < 1:
        new = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(new, Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float32) / np.float32(255.0)


# -- 3. flattening the light: grey-level morphology ------------------------------------------


def _filter(a: np.ndarray, k: int, reduce) -> np.ndarray:
    """``reduce`` (np.max or np.min) over every k×k window, edges repeated: separable,
    one pass over the rows' windows and one over the columns'."""
    r = k // 2
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        a = reduce(sliding_window_view(np.pad(a, pad, mode="edge"), k, axis=axis), axis=-1)
    return a


def closing(a: np.ndarray, k: int) -> np.ndarray:
    """Maximum then minimum over k×k windows: dark details narrower than k vanish,
    everything larger (and every edge between large regions) stays where it was."""
    return _filter(_filter(a, k, np.max), k, np.min)


def contrast(grey: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(background B, contrast c = (B - grey) / B) for marks thinner than ``k`` pixels:
    how much darker than the paper around it each pixel is, in [0, 1].

    B is never taken below a quarter of the brightest paper (its 95th percentile): where the
    "paper" is dark (a table, or a dark board when light ink is tried), dividing by it
    would turn sensor noise into strong contrast."""
    background = closing(grey, k)
    floor = 0.25 * float(np.percentile(background, 95))
    c = (background - grey) / np.maximum(background, max(floor, 1e-3))
    return background, np.clip(c, 0.0, 1.0)


# -- 5. connected pieces ---------------------------------------------------------------------


def label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected pieces of a boolean (H, W) mask, 8-neighbour: (labels, n) with labels
    0 (background) or 1..n, numbered in reading order of their first pixel.

    Works on runs (horizontal stretches of True): a run joins every run of the row above
    that it touches (overlaps or meets diagonally); joined runs are merged with
    union-find. Loops over runs, not pixels, so a page takes milliseconds.
    """
    mask = np.asarray(mask, dtype=bool)
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    rows, cols = np.nonzero(np.diff(padded, axis=1))  # run starts and (end + 1)s, in pairs
    row, start, end = rows[::2], cols[::2], cols[1::2]  # run = mask[row, start:end]
    parent = list(range(len(row)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of_row = np.searchsorted(row, np.arange(h + 1))
    for i in range(len(row)):
        r = row[i]
        if r == 0:
            continue
        for j in range(first_of_row[r - 1], first_of_row[r]):
            if start[j] <= end[i] and start[i] <= end[j]:  # touch, diagonals included
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    roots = np.array([root(i) for i in range(len(row))], dtype=np.int64)
    _, numbers = np.unique(roots, return_inverse=True)
    labels = np.zeros((h, w), dtype=np.int32)
    for i in range(len(row)):
        labels[row[i], start[i] : end[i]] = numbers[i] + 1
    return labels, int(numbers.max(initial=-1) + 1)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with every enclosed hole filled: what of the outside cannot reach the
    image's border belongs to the mask."""
    labels, _ = label(~mask)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return ~np.isin(labels, border[border > 0])


# -- 7. as MNIST -----------------------------------------------------------------------------


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
    R (height, H) and C (width, W) from ``_area_weights`` (separable, no loops)."""
    rows = _area_weights(image.shape[0], height)
    cols = _area_weights(image.shape[1], width)
    return rows @ image @ cols.T


def mnist_style(image: np.ndarray) -> np.ndarray:
    """A 2-D drawing (H, W), white ink on black, values in [0, 1] -> (28, 28) float32
    as MNIST digits are: ink cropped, longer side scaled to 20 by area averaging,
    centre of mass on pixel (14, 14) (rounded to whole pixels).

    The last step of ``load_digit`` and what the explorer does to its canvas.
    A blank drawing (no ink) gives a blank field. Raises ValueError for anything that
    is not a finite 2-D array.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2 or min(image.shape) < 1:
        raise ValueError(f"mnist_style: expected a 2-D image (H, W), got shape {image.shape}")
    if not np.isfinite(image).all():
        raise ValueError("mnist_style: the image contains NaN or infinity")
    image = np.clip(image, 0.0, 1.0)
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
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
    # Centre of mass of the scaled digit, then the offset that moves it to CENTRE.
    mass = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(new_h)) / mass
    cx = (digit.sum(axis=0) @ np.arange(new_w)) / mass
    top = int(np.clip(round(CENTRE - cy), 0, SIZE - new_h))
    left = int(np.clip(round(CENTRE - cx), 0, SIZE - new_w))
    out[top : top + new_h, left : left + new_w] = digit
    return out


# -- the steps together ----------------------------------------------------------------------


@dataclass
class DigitSteps:
    """Every step of ``find_digit``, for ``predict --show`` and for curious students.

    All (h, w) arrays are at the working size (longer side ``WORK``).

    Attributes:
        grey: (h, w) the photo's grey levels, dark ink made dark (inverted if it was light).
        background: (h, w) the paper's brightness B (step 3).
        contrast: (h, w) c = 1 - grey / B in [0, 1] (step 3).
        sheet: (h, w) bool, the paper (step 4).
        pieces: (h, w) int, the kept pieces of ink numbered 1..n, 0 elsewhere (step 5).
        marks: one list of piece numbers per mark, the main mark first.
        ink: (h, w) white-on-black ink of the main mark, in [0, 1] (step 5).
        digit: (28, 28) the input for the model (step 7); zeros when nothing was found.
        dark_ink: whether the ink was darker than the paper.
        problem: why this does not look like one digit, or None when it does (step 6).
    """

    grey: np.ndarray
    background: np.ndarray
    contrast: np.ndarray
    sheet: np.ndarray
    pieces: np.ndarray
    marks: list[list[int]]
    ink: np.ndarray
    digit: np.ndarray
    dark_ink: bool
    problem: str | None


def is_dark_ink(grey: np.ndarray) -> bool:
    """Step 2: whether the ink is darker than the paper.

    The middle of a photo of a sheet is paper with some ink on it, so the median grey
    level of the central quarter (the middle half of the rows and of the columns) is
    the paper's. Ink lies far to one side of it; so does the table around the sheet
    (darker than white paper, brighter than a dark board when the picture is a
    negative), which helps. Dark ink when the darkest 1 % of the whole picture lies
    further below the paper than the brightest 1 % lies above it.
    """
    h, w = grey.shape
    paper = float(np.median(grey[h // 4 : h - h // 4, w // 4 : w - w // 4]))
    low, high = np.percentile(grey, [1, 99])
    return bool(paper - low >= high - paper)


def _window(shape: tuple[int, ...]) -> int:
    """K for the closing: an odd sixth of the shorter side (at least 3)."""
    return max(3, min(shape) // 6 | 1)


def _sheet(grey: np.ndarray, k: int) -> np.ndarray:
    """Step 4: the paper. A pixel is paper-bright when it is at least TABLE × the
    brightest pixel within k//2 of it (a ratio, so the light's gradient and a shadow do
    not matter, while the table next to the paper is far darker); the largest such
    region, holes (the ink) filled, shrunk by k//4 pixels (its edge is shaded, not ink)."""
    bright = grey >= TABLE * _filter(grey, k, np.max)
    labels, n = label(bright)
    if n > 1:
        largest = np.argmax(np.bincount(labels.ravel())[1:]) + 1
        bright = labels == largest
    sheet = fill_holes(bright)
    margin = 2 * max(2, k // 4) + 1
    return ~_filter((~sheet).astype(np.uint8), margin, np.max).astype(bool)


def _boxes(labels: np.ndarray, n: int) -> np.ndarray:
    """(n, 4) int: top, left, bottom, right (inclusive) of pieces 1..n."""
    boxes = np.zeros((n, 4), dtype=np.int64)
    for i in range(1, n + 1):
        rows, cols = np.nonzero(labels == i)
        boxes[i - 1] = rows.min(), cols.min(), rows.max(), cols.max()
    return boxes


def _group(boxes: np.ndarray, areas: np.ndarray) -> list[list[int]]:
    """Pieces (numbered from 1) grouped into marks: two pieces whose boxes come closer
    than GAP × the taller one's height belong together. Largest mark (by area) first."""
    n = len(boxes)
    mark = list(range(n))
    for i in range(n):
        for j in range(i + 1, n):
            gap_y = max(boxes[i, 0], boxes[j, 0]) - min(boxes[i, 2], boxes[j, 2])
            gap_x = max(boxes[i, 1], boxes[j, 1]) - min(boxes[i, 3], boxes[j, 3])
            tall = max(boxes[i, 2] - boxes[i, 0], boxes[j, 2] - boxes[j, 0]) + 1
            if max(gap_x, gap_y) < GAP * tall:
                old, new = mark[j], mark[i]
                mark = [new if m == old else m for m in mark]
    groups: dict[int, list[int]] = {}
    for piece, m in enumerate(mark):
        groups.setdefault(m, []).append(piece + 1)
    return sorted(groups.values(), key=lambda g: -sum(areas[p - 1] for p in g))


def judge(pieces: np.ndarray, marks: list[list[int]], sheet: np.ndarray) -> str | None:
    """Step 6: why the kept ink does not look like one handwritten digit, or None.

    The rules, in order (the constants are at the top of this module):

    - no piece at all: an empty sheet;
    - a second mark with at least a third of the main mark's ink: two digits (or more);
    - the main mark wider than MAX_ASPECT × its height: digits written close together;
    - more than MAX_PIECES pieces of at least PIECE × the largest's area: a digit is a
      few strokes, a face or a texture is many;
    - a piece inside the loop of another (an eye inside a face's outline): a digit's
      loops are empty;
    - ink covering more than MAX_COVER of the mark's square box: a blot or a picture;
    - strokes wider than MAX_WIDTH × the mark's size (width ≈ 2 · area / perimeter, as
      for a long thin band): a filled shape, not pen strokes.
    """
    if not marks:
        return "found no ink (an empty sheet?)"
    areas = np.bincount(pieces.ravel())
    mass = [int(sum(areas[p] for p in m)) for m in marks]
    if len(marks) > 1 and mass[1] >= mass[0] / 3:
        return f"found {len(marks)} separate marks side by side, not one digit"
    main = np.isin(pieces, marks[0])
    rows, cols = np.nonzero(main)
    height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
    if width > MAX_ASPECT * height:
        return f"the ink is {width / height:.1f} times as wide as high: more than one digit?"
    largest = max(areas[p] for p in marks[0])
    counted = sum(areas[p] >= PIECE * largest for p in marks[0])
    if counted > MAX_PIECES:
        return f"the ink is in {counted} separate pieces; a digit is a few pen strokes"
    for p in marks[0]:
        piece = pieces == p
        inside = fill_holes(piece) & ~piece  # the loops of this piece
        if np.any(inside & (pieces > 0)):
            return "there are marks inside a closed loop (a face?); a digit's loops are empty"
    side = max(height, width)
    cover = main.sum() / side**2
    if cover > MAX_COVER:
        return f"ink covers {cover:.0%} of its box: a blot or a picture, not pen strokes"
    edges = np.count_nonzero(np.diff(main, axis=0)) + np.count_nonzero(np.diff(main, axis=1))
    stroke = 2 * main.sum() / max(edges, 1) / side
    if stroke > MAX_WIDTH:
        return f"the strokes are {stroke:.0%} of the digit's size: a filled shape, not pen strokes"
    return None


def _strokes(c: np.ndarray, sheet: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Step 5: (kept pieces numbered 1..n, n, the strongest contrast on the sheet)."""
    on_sheet = np.where(sheet, c, 0.0)
    peak = float(np.percentile(on_sheet[sheet], 99.9)) if sheet.any() else 0.0
    if peak < MIN_CONTRAST:
        return np.zeros(c.shape, dtype=np.int32), 0, peak
    core = on_sheet > 0.5 * peak
    # The faint edges of the strokes: weaker pixels, but only next to a core (within
    # EDGE pixels), so that a printed line that a stroke crosses is not followed along.
    edge = (on_sheet > 0.25 * peak) & _filter(core.astype(np.uint8), 2 * EDGE + 1, np.max)
    labels, n = label(core | edge.astype(bool))
    strong = np.unique(labels[core])
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    keep = strong[(strong > 0)]
    keep = keep[areas[keep] >= SPECK * areas[keep].max()] if keep.size else keep
    labels = np.where(np.isin(labels, keep), labels, 0)
    renumber = np.zeros(n + 1, dtype=np.int32)
    renumber[keep] = np.arange(1, len(keep) + 1)
    return renumber[labels], len(keep), peak


def find_digit(source) -> DigitSteps:
    """Find the digit in a photo or scan and prepare it as MNIST's; every step kept.

    Args:
        source: a path to an image file Pillow reads, or a ``PIL.Image.Image``.

    Returns:
        ``DigitSteps``; ``.digit`` is the (28, 28) input and ``.problem`` says why
        the image does not look like one digit (None when it does).

    Raises:
        DigitImageError: no such file, a directory, not an image, or too many pixels.
    """
    grey = open_grey(source)
    dark_ink = is_dark_ink(grey)
    g = grey if dark_ink else 1.0 - grey
    k = _window(g.shape)
    background, c = contrast(g, k)
    sheet = _sheet(g, k)
    pieces, n, peak = _strokes(c, sheet)
    marks: list[list[int]] = []
    problem: str | None = (
        f"found no ink (the strongest mark is {peak:.0%} darker than the paper; an empty sheet?)"
    )
    if n > 0:
        marks = _group(_boxes(pieces, n), np.bincount(pieces.ravel())[1:])
        problem = judge(pieces, marks, sheet)
    main = np.isin(pieces, marks[0] if marks else [])
    ink = np.where(main, np.clip(c / max(peak, MIN_CONTRAST), 0.0, 1.0), 0.0)
    return DigitSteps(
        g, background, c, sheet, pieces, marks, ink, mnist_style(ink), dark_ink, problem
    )


def load_digit(source, check: bool = True) -> np.ndarray:
    """A photo or scan of one handwritten digit as MNIST-style input.

    Args:
        source: a path to an image file Pillow reads (PNG, JPEG, ...; up to
            ``MAX_PIXELS``; dark ink on light paper or light on dark), or a
            ``PIL.Image.Image``.
        check: raise ``NotOneDigitError`` when the image does not look like one
            digit (an empty sheet, two digits, a face). With ``check=False`` only an
            empty sheet raises; otherwise the main mark is returned.

    Returns:
        float32 array of shape (1, 28, 28), values in [0, 1], white ink on black, the ink
        scaled into 20×20 and centred by its centre of mass: the input the pretrained
        LeNet-5 expects (add the batch axis: ``x.reshape(1, 1, 28, 28)``, or stack several).

    Raises:
        DigitImageError: no such file, a directory, not an image, too many pixels.
        NotOneDigitError (a DigitImageError): no ink, or (with ``check``) not one digit.

    The steps are in the module docstring; ``find_digit`` returns all of them.
    """
    steps = find_digit(source)
    if steps.problem is not None and (check or not steps.marks):
        raise NotOneDigitError(f"load_digit: {steps.problem}")
    return steps.digit[None]
