"""Hangul in matplotlib figures.

matplotlib's default font, DejaVu Sans, has no Hangul: a title such as "학습 손실" comes
out as empty boxes, with the warning "Glyph 54617 (\\N{HANGUL SYLLABLE HAG}) missing from
font(s) DejaVu Sans." [`use_korean_font`][minicnn.fonts.use_korean_font] finds a Korean font
on the machine and puts it right after DejaVu Sans in matplotlib's font list. matplotlib (3.6
and newer) takes each glyph from the first font in the list that has it, so Latin letters,
digits and math keep their usual look and only the Hangul comes from the Korean font.

Where a Korean font comes from:

- Debian and Ubuntu: ``apt install fonts-nanum`` (CI installs it in ``.ci/run``);
- Windows: Malgun Gothic, built in;
- macOS: Apple SD Gothic Neo or AppleGothic, built in.

A font installed after matplotlib built its font cache is not in that cache, so the
system font folders are searched as well.
"""

from __future__ import annotations

from matplotlib import font_manager, rcParams

#: Korean font families in the order they are tried (family name as matplotlib reads it).
KOREAN_FONTS = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
)

# Parts of the file names of those fonts, for fonts missing from matplotlib's cache.
_FILE_HINTS = ("nanum", "notosanscjk", "notosanskr", "malgun", "applesdgothicneo", "applegothic")


def korean_font() -> str | None:
    """The family name of the first installed font in ``KOREAN_FONTS``, or None."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    found = next((name for name in KOREAN_FONTS if name in known), None)
    if found is not None:
        return found
    # Not in the cache: add the Korean font files from the system folders and look again.
    for path in font_manager.findSystemFonts():
        if any(hint in path.lower().replace(" ", "").replace("-", "") for hint in _FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a file matplotlib cannot read
                continue
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in KOREAN_FONTS if name in known), None)


def use_korean_font() -> str:
    """Let matplotlib draw Hangul: put the installed Korean font right after DejaVu Sans in
    ``rcParams["font.family"]`` (for this process, like any rcParams change; wrap it in
    ``matplotlib.rc_context()`` to limit it to a block).

    Returns:
        The Korean family now in use, e.g. ``"NanumGothic"``.

    Raises:
        RuntimeError: no Korean font is installed; the message says how to install one.
    """
    family = korean_font()
    if family is None:
        raise RuntimeError(
            "no Korean font found, so Hangul in figures would draw as empty boxes. "
            "Install one: on Debian or Ubuntu `sudo apt install fonts-nanum`; on other "
            "systems any of " + ", ".join(KOREAN_FONTS) + "; then call use_korean_font() again"
        )
    rcParams["font.family"] = ["DejaVu Sans", family]
    return family
