"""The labs' experiment figures (minicnn/lab/figures.py): labelled in the notebook's
language, Hangul drawn with a Korean font, curves smoothed and clipped as asked."""

from __future__ import annotations

import io
import os
import warnings

import matplotlib
import numpy as np
import pytest

from minicnn import fonts
from minicnn.lab.figures import WORDS, plot_curves, smoothed, word

REQUIRED = os.environ.get("MINICNN_REQUIRE_KOREAN_FONT") == "1"  # set in CI, as test_fonts

PANELS = {
    "momentum 0.0": {"lr 0.03": [2.3, 2.0, 1.5, 1.1], "lr 0.3": [2.3, 9.0, np.nan, np.nan]},
    "momentum 0.9": {"lr 0.03": [2.3, 1.8, 0.9, 0.4]},
}


def texts(fig) -> list[str]:
    """Every title, axis name and legend entry of the figure."""
    found = []
    for ax in fig.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in found if t]


def test_labels_follow_the_language():
    en = texts(plot_curves(PANELS, "step", "loss"))
    assert "training loss" in en and "step" in en and "lr 0.3" in en
    ko = texts(plot_curves(PANELS, "step", "loss", lang="ko")) if fonts.korean_font() else []
    if ko:
        assert "학습 손실" in ko and "lr 0.3" in ko
    assert word("not a key", "ko") == "not a key"
    assert all(set(v) == {"en", "ko"} for v in WORDS.values())


def test_a_korean_figure_draws_every_glyph():
    if fonts.korean_font() is None:
        if REQUIRED:
            pytest.fail("no Korean font installed; .ci/run installs Debian's fonts-nanum")
        pytest.skip("no Korean font installed (on Debian or Ubuntu: apt install fonts-nanum)")
    with matplotlib.rc_context():
        fig = plot_curves(PANELS, "step", "loss", lang="ko")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_curves_are_smoothed_and_the_axis_clipped():
    assert np.allclose(smoothed([1, 2, 3, 4, 5], 2), [1.5, 2.5, 3.5, 4.5])
    assert np.allclose(smoothed([1, 2], 5), [1, 2])  # too short to average: as it is
    fig = plot_curves(PANELS, "step", "loss", smooth=2, ylim=(0, 3))
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylim() == (0, 3)
    assert len(fig.axes[1].get_lines()[0].get_xdata()) == 3


def test_no_panels_is_a_clear_error():
    with pytest.raises(ValueError, match="at least one panel"):
        plot_curves({}, "step", "loss")
