"""A figure with Hangul draws every glyph once use_korean_font() has run (minicnn/fonts.py).

matplotlib reports a glyph its fonts lack with the warning "Glyph ... missing from
font(s) ...", and draws an empty box; the test draws a Korean title and axis labels and
fails on that warning.
"""

from __future__ import annotations

import io
import os
import warnings

import matplotlib
import pytest
from matplotlib.figure import Figure

from minicnn import fonts

# CI installs Debian's fonts-nanum (.ci/run) and sets this, so that a missing font fails
# there instead of skipping the check.
REQUIRED = os.environ.get("MINICNN_REQUIRE_KOREAN_FONT") == "1"


def missing_glyph_warnings() -> list[str]:
    """Draw a small figure with Korean text and return the missing-glyph warnings."""
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2.3, 1.1, 0.6])
    ax.set_title("학습 손실 (loss)")
    ax.set_xlabel("에폭")
    ax.set_ylabel("교차 엔트로피")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture
def korean_font():
    family = fonts.korean_font()
    if family is None:
        if REQUIRED:
            pytest.fail("no Korean font installed; .ci/run installs Debian's fonts-nanum")
        pytest.skip("no Korean font installed (on Debian or Ubuntu: apt install fonts-nanum)")
    return family


def test_default_font_cannot_draw_hangul():
    """The check below can fail: without a Korean font, matplotlib warns."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        assert missing_glyph_warnings(), "DejaVu Sans drew Hangul; the test below checks nothing"


def test_hangul_draws_with_the_korean_font(korean_font):
    with matplotlib.rc_context():
        assert fonts.use_korean_font() == korean_font
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", korean_font]
        assert missing_glyph_warnings() == []
    # rc_context restored the default: the setting does not leak into other tests
    assert matplotlib.rcParams["font.family"] != ["DejaVu Sans", korean_font]


def test_no_korean_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(fonts, "korean_font", lambda: None)
    with pytest.raises(RuntimeError, match="apt install fonts-nanum"):
        fonts.use_korean_font()


def test_a_font_missing_from_matplotlibs_cache_is_found(korean_font, monkeypatch):
    """A font installed after matplotlib built its cache (fonts-nanum installed into a
    running CI machine) is found in the system font folders."""
    manager = fonts.font_manager.fontManager
    without = [entry for entry in manager.ttflist if entry.name not in fonts.KOREAN_FONTS]
    monkeypatch.setattr(manager, "ttflist", without)
    assert fonts.korean_font() in fonts.KOREAN_FONTS
