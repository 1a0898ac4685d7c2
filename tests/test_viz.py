"""Each plot returns a Figure and writes a non-empty PNG, without a display."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import minicnn as mc
from minicnn import viz

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_png(fig, path):
    assert isinstance(fig, Figure)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    assert not list(path.parent.glob("*.tmp"))


@pytest.fixture(scope="module")
def lenet():
    mc.manual_seed(0)
    return mc.zoo.lenet5()


def test_plot_history(tmp_path):
    history = mc.History()
    for i in range(4):
        history.append(
            train_loss=1 / (i + 1),
            train_acc=0.5 + i / 10,
            val_loss=1.2 / (i + 1),
            val_acc=0.45 + i / 10,
            seconds=1.0,
            images_per_sec=100.0,
            lr=0.1,
        )
    fig = viz.plot_history(history, path=tmp_path / "curves.png")
    check_png(fig, tmp_path / "curves.png")
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 2
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), history.val_acc)
    assert acc_ax.get_legend_handles_labels()[1] == ["train", "validation"]
    fig = viz.plot_history(history, val_label="test")
    assert fig.axes[0].get_legend_handles_labels()[1] == ["train", "test"]


def test_plot_history_without_validation_draws_only_training():
    history = mc.History(
        train_loss=[1.0, 0.5],
        train_acc=[0.5, 0.7],
        val_loss=[None, None],
        val_acc=[None, None],
        seconds=[1, 1],
        images_per_sec=[1, 1],
        lr=[0.1, 0.1],
    )
    fig = viz.plot_history(history)
    assert [len(ax.lines) for ax in fig.axes] == [1, 1]


def test_plot_filters_of_a_model_and_of_rgb_weights(tmp_path, lenet):
    fig = viz.plot_filters(lenet, path=tmp_path / "filters.png")
    check_png(fig, tmp_path / "filters.png")
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 6  # LeNet's first layer has 6 kernels
    rgb = np.random.default_rng(0).normal(size=(10, 3, 3, 3))
    fig = viz.plot_filters(rgb, path=tmp_path / "rgb.png", cols=4)
    check_png(fig, tmp_path / "rgb.png")
    assert len([ax for ax in fig.axes if ax.images]) == 10
    assert fig.axes[0].images[0].get_array().shape == (3, 3, 3)
    with pytest.raises(ValueError, match="no Conv2D"):
        viz.plot_filters(mc.Sequential(mc.Flatten(), mc.Linear(4, 2)))


def test_plot_feature_maps_one_row_per_conv(tmp_path, lenet):
    image = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32)
    lenet.train()
    fig = viz.plot_feature_maps(lenet, image, path=tmp_path / "maps.png", max_channels=8)
    check_png(fig, tmp_path / "maps.png")
    rows = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert rows == ["input", "0: 6@28×28", "3: first 8 of 16@10×10"]
    assert len([ax for ax in fig.axes if ax.images]) == 1 + 6 + 8
    assert lenet.training  # mode restored


def test_plot_confusion_matrix(tmp_path):
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    fig = viz.plot_confusion_matrix(
        y_true, y_pred, class_names=["cat", "dog", "emu"], path=tmp_path / "cm.png"
    )
    check_png(fig, tmp_path / "cm.png")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), mc.confusion_matrix(y_true, y_pred))
    assert "71.43%" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "emu"]


def test_plot_misclassified(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.random((20, 1, 8, 8), dtype=np.float32)
    y_true = np.arange(20) % 10
    y_pred = y_true.copy()
    y_pred[[2, 5, 11]] = 0
    fig = viz.plot_misclassified(images, y_true, y_pred, path=tmp_path / "wrong.png")
    check_png(fig, tmp_path / "wrong.png")
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["2 → 0", "5 → 0", "1 → 0"]
    assert "3 shown of 3" in fig._suptitle.get_text()
    # Readable: large and bold, not small red text.
    title = next(ax.title for ax in fig.axes if ax.images)
    assert title.get_fontsize() >= 10 and title.get_fontweight() == "bold"


def test_filters_before_and_after_on_one_scale_with_the_same_titles(tmp_path):
    rng = np.random.default_rng(0)
    before = 0.1 * rng.normal(size=(6, 1, 5, 5))
    after = 3 * before + 0.5 * rng.normal(size=(6, 1, 5, 5))
    fig = viz.plot_filters_before_after(before, after, path=tmp_path / "pair.png")
    check_png(fig, tmp_path / "pair.png")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 12
    left, right = panels[:6], panels[6:]
    assert [a.get_title() for a in left] == [a.get_title() for a in right] == list("012345")
    v = max(np.abs(before).max(), np.abs(after).max())
    for ax in panels:  # one grey scale for all twelve: -v black .. +v white
        np.testing.assert_allclose(ax.images[0].get_clim(), (-v, v))
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == [
        "before training",
        "after training",
    ]
    with pytest.raises(ValueError, match="one shape"):
        viz.plot_filters_before_after(before, after[:3])


def test_digit_steps_figure(tmp_path):
    """One row per image, six panels, the verdict above the 28×28 input."""
    from PIL import Image

    blank = Image.new("L", (60, 40), 220)
    page = Image.new("L", (120, 90), 220)
    page.paste(30, (55, 20, 63, 70))  # a dark bar: a 1
    steps = [mc.data.find_digit(page), mc.data.find_digit(blank)]
    fig = viz.plot_digit_steps(steps, ["one.png", "blank.png"], path=tmp_path / "steps.png")
    check_png(fig, tmp_path / "steps.png")
    assert len([ax for ax in fig.axes if ax.images]) == 12
    verdicts = [ax.get_title() for ax in fig.axes if ax.images][5::6]
    assert verdicts[0] == "one digit" and verdicts[1].startswith("found no ink")


def test_saving_replaces_an_old_png_atomically(tmp_path, monkeypatch):
    history = mc.History(
        train_loss=[1.0],
        train_acc=[0.5],
        val_loss=[None],
        val_acc=[None],
        seconds=[1],
        images_per_sec=[1],
        lr=[0.1],
    )
    path = tmp_path / "curves.png"
    path.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", fail)
    with pytest.raises(RuntimeError):
        viz.plot_history(history, path=path)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["curves.png"]
