"""The accuracy targets of the examples, checked wherever their data exists.

Each run trains for minutes, so these run only with MINICNN_ACCURACY=1
(`make accuracy`); without it they are skipped with that reason. Full MNIST is
used when its IDX files are found the way the example finds them ($MINICNN_DATA,
~/.cache/minicnn/mnist, ...); Fashion-MNIST comes from Debian's
dataset-fashion-mnist package or the same places.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import minicnn as mc

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("MINICNN_ACCURACY") != "1",
        reason="accuracy runs train for minutes; run `make accuracy` "
        "(MINICNN_ACCURACY=1) to check the targets",
    ),
]


def _found(dataset) -> bool:
    try:
        dataset(split="test", download=False)
    except mc.data.DatasetNotFoundError:
        return False
    return True


def _train(script: str, out: Path) -> dict:
    subprocess.run([sys.executable, str(EXAMPLES / script), "--out", str(out)], check=True)
    return json.loads((out / "results.json").read_text())


def test_lenet_on_full_mnist_reaches_99_percent(tmp_path):
    if not _found(mc.data.MNIST):
        pytest.skip(
            "full MNIST is not on this machine; put its four IDX files in "
            "~/.cache/minicnn/mnist (or $MINICNN_DATA/mnist)"
        )
    results = _train("train_mnist_lenet.py", tmp_path)
    assert results["test_images"] == 10_000
    assert results["test_accuracy"] >= 0.99, results["test_accuracy"]


def test_lenet_on_the_mnist_sample_reaches_96_percent(tmp_path, monkeypatch):
    monkeypatch.setenv("MINICNN_DATA", str(tmp_path / "no-mnist-here"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.cache/minicnn: the sample is used
    results = _train("train_mnist_lenet.py", tmp_path / "run")
    assert results["test_images"] == 1_000
    assert results["test_accuracy"] >= 0.96, results["test_accuracy"]


def test_lenet_on_fashion_mnist_reaches_90_percent(tmp_path):
    if not _found(mc.data.FashionMNIST):
        pytest.skip(
            "Fashion-MNIST is not on this machine: apt-get install "
            "dataset-fashion-mnist, or put its IDX files in ~/.cache/minicnn/fashion-mnist"
        )
    results = _train("train_fashion_mnist.py", tmp_path)
    assert results["test_images"] == 10_000
    assert results["test_accuracy"] >= 0.90, results["test_accuracy"]
