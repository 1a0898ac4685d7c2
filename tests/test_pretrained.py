"""The pretrained LeNet-5 shipped in minicnn/weights/: checked on load, refused when
damaged, and good at reading MNIST digits."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn import recipes_pretrained, weights


def test_the_file_its_checksum_file_and_the_source_agree():
    digest = hashlib.sha256(weights.LENET5_MNIST.read_bytes()).hexdigest()
    assert digest == weights.LENET5_MNIST_SHA256
    sidecar = weights.LENET5_MNIST.with_name("lenet5_mnist.npz.sha256").read_text().split()
    assert sidecar == [digest, "lenet5_mnist.npz"]
    record = json.loads(weights.LENET5_MNIST.with_suffix(".json").read_text())
    assert record["sha256"] == digest and record["validation_images"] == 10_000
    # The accuracy the zoo's docstring states is the one the training run measured.
    assert f"{record['validation_accuracy']:.2%}" in mc.zoo.lenet5.__doc__


def test_lab_8s_source_network_its_checksum_and_its_record_agree():
    # The digits-0-4 LeNet-5 (python -m minicnn.recipes_pretrained --classes 5 --epochs 3)
    path = weights.LENET5_DIGITS04
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == weights.LENET5_DIGITS04_SHA256
    assert path.with_name(path.name + ".sha256").read_text().split() == [digest, path.name]
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["sha256"] == digest and record["classes"] == "the digits 0-4"
    assert record["validation_accuracy"] > 0.99 and "--classes 5" in record["command"]
    model = mc.zoo.lenet5(num_classes=5)
    weights.load_lenet5_digits04(model)
    x, y = mc.data.MNISTSample("test").arrays()
    seen = y < 5  # the digits it learned; the others are lab 8's new task
    assert np.mean(mc.predict(model, x[seen]) == y[seen]) > 0.97
    with pytest.raises(weights.PretrainedWeightsError, match="num_classes=5"):
        weights.load_lenet5_digits04(mc.zoo.lenet5())


def test_the_file_is_small_and_pickle_free():
    assert weights.LENET5_MNIST.stat().st_size < 300_000
    with np.load(weights.LENET5_MNIST, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    model = mc.zoo.lenet5()
    assert {k: v.shape for k, v in arrays.items()} == {
        name: p.data.shape for name, p in model.named_parameters()
    }
    assert all(v.dtype == np.float32 for v in arrays.values())


def test_pretrained_weights_load_and_work_on_the_shipped_sample():
    """A LOADING test, not an accuracy figure: >= 98% on mc.data.MNISTSample's 5,000 digits.

    Those digits are among the first 5,848 images of the MNIST training file (see
    test_the_held_out_figure_and_the_sample_overlap), so the weights were trained on
    them: this checks that the shipped weights load into the right places and work. How
    well they generalise is the held-out 99.20% (mc.zoo.lenet5, lenet5_mnist.json)."""
    model = mc.zoo.lenet5(pretrained=True)
    x = np.concatenate([mc.data.MNISTSample(s).arrays()[0] for s in ("train", "test")])
    y = np.concatenate([mc.data.MNISTSample(s).arrays()[1] for s in ("train", "test")])
    accuracy = float(np.mean(mc.predict(model, x) == y))
    assert accuracy >= 0.98, accuracy
    # An untrained LeNet-5 is at chance: the weights are what does the work.
    assert np.mean(mc.predict(mc.zoo.lenet5(), x[:500]) == y[:500]) < 0.3


def test_the_record_states_the_held_out_set_and_the_overlap():
    record = json.loads(weights.LENET5_MNIST.with_suffix(".json").read_text())
    assert record["validation"] == recipes_pretrained.HELD_OUT
    assert record["sample_overlap"] == recipes_pretrained.SAMPLE_OVERLAP
    assert "never trained on" in record["validation"] and "5,848" in record["sample_overlap"]


@pytest.mark.slow
def test_the_held_out_figure_and_the_sample_overlap():
    """Measured from the shipped file on the 10,000 held-out images of the official
    training file: the 99.20% the record and the docs state; and every digit of the
    sample is one of the training file's first 5,848 images (so not held out)."""
    data = _mnist_dir()
    if data is None:
        pytest.skip(
            "the official MNIST training file is not here (it is not shipped); set "
            "MINICNN_MNIST_DIR to a folder holding train-images/labels-idx*-ubyte.gz"
        )
    x, y = mc.data.MNIST(str(data), "train", download=False).arrays()
    accuracy, right, images = recipes_pretrained.evaluate(x, y)
    record = json.loads(weights.LENET5_MNIST.with_suffix(".json").read_text())
    assert right == 9920 and images == 10_000 and accuracy == record["validation_accuracy"]
    index = {x[i, 0].tobytes(): i for i in range(len(x))}
    sample = np.concatenate([mc.data.MNISTSample(s).arrays()[0] for s in ("train", "test")])
    where = np.array([index.get(a[0].tobytes(), -1) for a in sample])
    assert where.min() >= 0 and where.max() == 5847


def test_pretrained_only_for_ten_classes_and_one_channel():
    with pytest.raises(ValueError, match="10 classes and 1 input channel"):
        mc.zoo.lenet5(num_classes=3, pretrained=True)


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """Point the loader at a copy of the weights that the test may damage."""
    copy = tmp_path / "lenet5_mnist.npz"
    shutil.copyfile(weights.LENET5_MNIST, copy)
    monkeypatch.setattr(weights, "LENET5_MNIST", copy)
    return copy


def test_a_missing_file_says_how_to_get_it_back(shipped_copy):
    shipped_copy.unlink()
    with pytest.raises(weights.PretrainedWeightsError, match="is missing.*recipes_pretrained"):
        mc.zoo.lenet5(pretrained=True)


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "other weights"])
def test_a_damaged_file_is_refused(shipped_copy, damage):
    data = shipped_copy.read_bytes()
    if damage == "truncate":
        shipped_copy.write_bytes(data[: len(data) // 2])
    elif damage == "flip a byte":
        shipped_copy.write_bytes(data[:1000] + bytes([data[1000] ^ 1]) + data[1001:])
    else:  # a valid .npz, but not the shipped one
        mc.manual_seed(5)
        model = mc.zoo.lenet5()
        weights.write_npz(shipped_copy, {n: p.data for n, p in model.named_parameters()})
    with pytest.raises(weights.PretrainedWeightsError, match="corrupt or not the shipped one"):
        mc.zoo.lenet5(pretrained=True)


def test_npz_bytes_are_the_same_for_the_same_arrays(tmp_path):
    """np.savez stamps the time into the zip; write_npz does not, so a rerun of the
    training command can reproduce the file bit for bit."""
    arrays = {"0.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "0.bias": np.ones(2)}
    first = weights.write_npz(tmp_path / "a.npz", arrays)
    os.utime(tmp_path / "a.npz", (0, 0))
    second = weights.write_npz(tmp_path / "b.npz", arrays)
    assert first == second == weights.sha256_of(tmp_path / "b.npz")
    with np.load(tmp_path / "b.npz", allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["0.weight"], arrays["0.weight"])
        assert list(archive.files) == ["0.weight", "0.bias"]


def _mnist_dir() -> Path | None:
    for candidate in (os.environ.get("MINICNN_MNIST_DIR"), "/work/shared/data/mnist"):
        if candidate and (Path(candidate) / "train-labels-idx1-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("MINICNN_PRETRAIN") != "1",
    reason="retraining the shipped weights takes minutes (about 6 on 2 cores); run with "
    "MINICNN_PRETRAIN=1 (and MINICNN_MNIST_DIR=folder of the MNIST training files)",
)
@pytest.mark.parametrize(
    "args, sha256",
    [
        ([], weights.LENET5_MNIST_SHA256),
        (["--classes", "5", "--epochs", "3"], weights.LENET5_DIGITS04_SHA256),  # lab 8's
    ],
    ids=["lenet5_mnist", "lenet5_digits04"],
)
def test_the_training_command_reproduces_the_shipped_bytes(tmp_path, args, sha256):
    from minicnn import recipes_pretrained

    data = _mnist_dir()
    if data is None:
        pytest.skip("the MNIST training files are not here; set MINICNN_MNIST_DIR")
    out = tmp_path / "weights.npz"
    assert recipes_pretrained.main(["--data-dir", str(data), "--out", str(out), *args]) == 0
    assert weights.sha256_of(out) == sha256
