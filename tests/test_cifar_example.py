"""examples/train_cifar10_resnet.py end to end on a tiny fake CIFAR-10 written here
in the binary format (1 label byte + 3072 pixel bytes a record); no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn.data import paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
pytestmark = pytest.mark.slow  # trains a ResNet-20 for an epoch (seconds)


@pytest.fixture
def example(tmp_path, monkeypatch):
    """The example's module, seeing only the data folder the test gives it."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    monkeypatch.syspath_prepend(str(EXAMPLES))
    sys.modules.pop("train_cifar10_resnet", None)
    import train_cifar10_resnet

    return train_cifar10_resnet


def write_fake_cifar(root: Path, per_file: int = 8, seed: int = 0) -> None:
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        labels = rng.integers(0, 10, size=(per_file, 1), dtype=np.uint8)
        pixels = rng.integers(0, 256, size=(per_file, 3072), dtype=np.uint8)
        (folder / name).write_bytes(np.hstack([labels, pixels]).tobytes())


def test_trains_an_epoch_and_reports_accuracy(example, tmp_path, capsys):
    write_fake_cifar(tmp_path / "data")
    out = tmp_path / "out"
    code = example.main(
        [
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(out),
            "--backend",
            "numpy",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Data: CIFAR-10 from" in printed and "40 training / 8 test images" in printed
    assert "269,722 parameters" in printed
    assert "Test accuracy: " in printed
    results = json.loads((out / "results.json").read_text())
    assert 0.0 <= results["test_accuracy"] <= 1.0
    assert results["epochs"] == 1 and results["train_images"] == 40
    assert np.isfinite(results["history"]["train_loss"][0])
    assert (out / "training_curves.png").stat().st_size > 0
    fresh = mc.zoo.resnet20()
    mc.load(out / "checkpoint.npz", fresh)  # weights and BatchNorm statistics fit a new model
    first_bn = next(layer for layer in iter_layers(fresh) if isinstance(layer, mc.BatchNorm2D))
    assert first_bn.running_var.any() and not np.allclose(first_bn.running_var, 1.0)


def iter_layers(layer):
    yield layer
    for child in layer.children():
        yield from iter_layers(child)


def test_subset_trains_on_a_slice(example, tmp_path, capsys):
    write_fake_cifar(tmp_path / "data")
    code = example.main(
        [
            "--epochs",
            "1",
            "--subset",
            "12",
            "--batch-size",
            "6",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    assert "12 training / 8 test images (--subset)" in capsys.readouterr().out


def test_missing_data_says_where_to_put_it(example, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = example.main(["--data-dir", str(empty), "--out", str(tmp_path / "out")])
    assert code == 1
    err = capsys.readouterr().err
    assert "data_batch_1.bin" in err and str(empty) in err and "cifar-10-binary.tar.gz" in err
    assert not (tmp_path / "out").exists()
