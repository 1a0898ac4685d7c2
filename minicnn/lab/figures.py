"""The figures of the labs' experiment cells, labelled in the notebook's language.

    fig = plot_curves(
        {"momentum 0": {"lr 0.01": losses_a, "lr 0.1": losses_b}, "momentum 0.9": {...}},
        "step", "loss", lang=check.lang,
    )

One panel per entry of ``panels``, one line per curve. Axis names, panel titles and
curve labels that are keys of `WORDS` are written in the
notebook's language; any other label (``"lr 0.01"``) is drawn as it is. A Korean figure
first calls [`use_korean_font`][minicnn.fonts.use_korean_font], so that its Hangul
draws instead of empty boxes (without a Korean font it says how to install one).

The figure is a ``matplotlib.figure.Figure`` built without ``pyplot`` (as in
``minicnn.viz``): in a notebook it displays itself as the cell's result, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

#: The labels the experiments use, in each language (the glossary's Korean terms).
WORDS: dict[str, dict[str, str]] = {
    "step": {"en": "step", "ko": "학습 단계(step)"},
    "epoch": {"en": "epoch", "ko": "에폭"},
    "loss": {"en": "training loss", "ko": "학습 손실"},
    "accuracy": {"en": "accuracy", "ko": "정확도"},
    "train": {"en": "training", "ko": "학습"},
    "validation": {"en": "validation", "ko": "검증"},
    "with batch norm": {"en": "with BatchNorm2D", "ko": "BatchNorm2D 있음"},
    "without batch norm": {"en": "without BatchNorm2D", "ko": "BatchNorm2D 없음"},
    "with dropout": {"en": "with dropout", "ko": "드롭아웃 있음"},
    "without dropout": {"en": "without dropout", "ko": "드롭아웃 없음"},
    "He initialization": {"en": "He initialization", "ko": "He 초기화"},
    "conv weights x 0.1": {"en": "conv weights × 0.1", "ko": "합성곱 가중치 × 0.1"},
}


def word(label: str, lang: str = "en") -> str:
    """``label`` in ``lang`` if ``WORDS`` has it, else ``label`` itself."""
    return WORDS.get(label, {}).get(lang, label)


def smoothed(values: Sequence[float], window: int) -> np.ndarray:
    """The running mean over ``window`` values (1: the values), so that a noisy curve
    of per-step losses shows its trend; NaN (a run that diverged) stays NaN."""
    v = np.asarray(values, dtype=float)
    if window <= 1 or len(v) < window:
        return v
    kernel = np.ones(window) / window
    return np.convolve(v, kernel, mode="valid")


def plot_curves(
    panels: Mapping[str, Mapping[str, Sequence[float]]],
    xlabel: str,
    ylabel: str,
    lang: str = "en",
    smooth: int = 1,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """A row of panels, ``{panel title: {curve label: values}}``, sharing the y axis.

    Args:
        panels: the curves of each panel, in order; x runs 1, 2, ... (steps or epochs).
        xlabel, ylabel: the axis names (keys of ``WORDS`` are translated).
        lang: "en" or "ko".
        smooth: average each curve over this many neighbouring values.
        ylim: the y axis's range, e.g. (0, 3) for losses, so that a run that blows up
            does not flatten the others (its curve leaves the top of the panel).
    """
    if lang == "ko":
        from ..fonts import use_korean_font

        use_korean_font()
    if not panels:
        raise ValueError("plot_curves needs at least one panel: {title: {label: values}}")
    fig = Figure(figsize=(4.2 * len(panels), 3.4))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True, squeeze=False)[0])
    for ax, (title, curves) in zip(axes, panels.items(), strict=True):
        for label, values in curves.items():
            y = smoothed(values, smooth)
            ax.plot(np.arange(1, len(y) + 1), y, label=word(label, lang))
        ax.set_title(word(title, lang))
        ax.set_xlabel(word(xlabel, lang))
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    axes[0].set_ylabel(word(ylabel, lang))
    fig.tight_layout()
    return fig
