"""The run report: one HTML file with every picture inside, from what a run leaves."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import minicnn as mc
from minicnn import report as report_cli
from minicnn import viz

PICTURES = (
    "training_curves.png",
    "filters.png",
    "feature_maps.png",
    "confusion_matrix.png",
    "misclassified.png",
)


def make_run(folder, with_before: bool = True):
    """A small but real run folder: what examples/common.py writes, for a random LeNet-5
    (tests and the browser test share it)."""
    mc.manual_seed(0)
    model = mc.zoo.lenet5()
    if with_before:
        viz.save_initial_filters(model, folder)
    rng = np.random.default_rng(0)
    images = rng.random((20, 1, 28, 28), dtype=np.float32)
    y_true = np.arange(20) % 10
    y_pred = (y_true + (np.arange(20) % 3 == 0)) % 10
    history = mc.History(
        train_loss=[2.0, 1.0],
        train_acc=[0.4, 0.7],
        val_loss=[1.5, 0.9],
        val_acc=[0.5, 0.75],
        seconds=[3.0, 3.1],
        images_per_sec=[400.0, 410.0],
        lr=[0.05, 0.05],
    )
    viz.plot_history(history, folder / "training_curves.png", val_label="test")
    viz.plot_filters(model, folder / "filters.png")
    viz.plot_feature_maps(model, images[0], folder / "feature_maps.png")
    viz.plot_confusion_matrix(y_true, y_pred, None, folder / "confusion_matrix.png")
    viz.plot_misclassified(images, y_true, y_pred, None, folder / "misclassified.png")
    mc.save(folder / "checkpoint.npz", model)
    results = {
        "test_accuracy": 0.75,
        "test_images": 20,
        "epochs": 2,
        "data": "MNIST <test> & friends",
        "backend": "numpy",
        "command": "examples/train_mnist_lenet.py --epochs 2 --out runs/x",
        "history": history.to_dict(),
    }
    (folder / "results.json").write_text(json.dumps(results))
    return folder


class Page(HTMLParser):
    """Every tag's attributes and the page's text, to check what the page refers to."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_report_embeds_every_picture_and_refers_to_nothing_outside(tmp_path):
    run = make_run(tmp_path)
    path = viz.report(run)
    assert path == run / "report.html"
    page = parse(path)
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    # filters before + after, curves, feature maps, confusion matrix, mistakes
    assert len(images) == 6
    embedded = {base64.b64decode(a["src"].split(",", 1)[1]) for a in images}
    for name in (*PICTURES, "filters_before.png"):
        assert (run / name).read_bytes() in embedded, f"{name} is not embedded"
    # Self-contained: no scripts, no links, no URL other than data: anywhere.
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe")]
    for tag, attrs in page.tags:
        if tag == "a":  # links only to the page's own sections
            assert attrs["href"].startswith("#")
            assert ("h2", {"id": attrs["href"][1:]}) in page.tags
        elif "src" in attrs or "href" in attrs:
            assert attrs["src"].startswith("data:image/png;base64,")
    text = " ".join(page.text)
    assert "examples/train_mnist_lenet.py --epochs 2" in text
    assert "MNIST <test> & friends" in text  # escaped in the HTML, intact as text
    assert "75.00%" in text  # test accuracy
    assert "0.weight" in text and "61,706" in text  # parameter table from the checkpoint
    assert not list(run.glob("*.tmp"))


def test_report_with_model_has_the_summary_table_and_drawn_initial_filters(tmp_path):
    run = make_run(tmp_path, with_before=False)
    mc.manual_seed(1)
    model = mc.zoo.lenet5()
    initial = model[0].weight.data.copy()
    path = viz.report(
        run, model=model, input_shape=(1, 28, 28), initial_filters=initial, title="Lab 3"
    )
    page = parse(path)
    text = " ".join(page.text)
    assert "Lab 3" in text and "MaxPool2D" in text and "416,520" in text  # multiply-adds
    assert "14×14" in text  # the second conv's receptive field
    # The filters before and after are ONE picture on one scale (not two PNGs).
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 5
    assert any(a["alt"] == "first-layer filters before and after training" for a in images)


def test_report_draws_the_saved_initial_weights_beside_the_model(tmp_path):
    """A run saved filters_before.npy; given the trained model, the report draws both."""
    run = make_run(tmp_path)
    assert (run / "filters_before.npy").is_file()
    mc.manual_seed(7)
    page = parse(viz.report(run, model=mc.zoo.lenet5(), input_shape=(1, 28, 28)))
    alts = [attrs["alt"] for tag, attrs in page.tags if tag == "img"]
    assert "first-layer filters before and after training" in alts


def test_per_epoch_numbers_have_one_format_per_column(tmp_path):
    run = make_run(tmp_path)
    results = json.loads((run / "results.json").read_text())
    results["history"]["images_per_sec"] = [9829.4, 10100.2]
    results["history"]["seconds"] = [3.0, 12345.67]
    results["seconds"] = 10100.5
    (run / "results.json").write_text(json.dumps(results))
    text = " ".join(parse(viz.report(run)).text)
    assert "e+" not in text and "e-0" not in text
    assert "9,829" in text and "10,100" in text and "12,345.7" in text
    assert "2.0000" in text and "40.00%" in text  # losses with 4 decimals, accuracies in %


def test_a_zip_bomb_checkpoint_costs_the_report_nothing(tmp_path):
    """checkpoint.npz with a member that inflates to 256 MB: the report lists the
    parameters from the .npy headers and never inflates the data."""
    import tracemalloc
    import zipfile

    run = make_run(tmp_path)
    with zipfile.ZipFile(run / "checkpoint.npz", "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("param/bomb.npy", "w", force_zip64=True) as f:
            f.write(_npy_header((2**26,)))  # 2**26 float32 = 256 MB of zeros
            zeros = bytes(2**20)
            for _ in range(256):
                f.write(zeros)
    assert (run / "checkpoint.npz").stat().st_size < 2_000_000
    tracemalloc.start()
    page = parse(viz.report(run))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 2**20, peak
    text = " ".join(page.text)
    assert "bomb" in text and "67,108,864" in text and "0.weight" in text


def _npy_header(shape: tuple[int, ...]) -> bytes:
    """The bytes a .npy file of float32 ``shape`` starts with (magic and header)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def test_report_of_a_partial_run_says_what_is_missing(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({"test_accuracy": 0.5}))
    text = " ".join(parse(viz.report(tmp_path)).text)
    assert "No training_curves.png in this run." in text
    assert "No model given and no checkpoint.npz" in text


def test_report_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        viz.report(tmp_path / "nope")
    with pytest.raises(ValueError, match="none of the files a training run writes"):
        viz.report(tmp_path)
    (tmp_path / "results.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        viz.report(tmp_path)


def test_save_initial_filters_writes_the_before_picture(tmp_path):
    mc.manual_seed(0)
    path = viz.save_initial_filters(mc.zoo.lenet5(), tmp_path / "run")
    assert path == tmp_path / "run" / "filters_before.png"
    assert path.read_bytes().startswith(viz.PNG_MAGIC)


def test_report_command_line(tmp_path, capsys):
    run = make_run(tmp_path)
    assert report_cli.main([str(run), "--title", "my run"]) == 0
    assert re.search(r"Wrote .*report\.html", capsys.readouterr().out)
    assert "my run" in (run / "report.html").read_text()
    assert report_cli.main([str(tmp_path / "missing")]) == 1
    assert "not a folder" in capsys.readouterr().err
