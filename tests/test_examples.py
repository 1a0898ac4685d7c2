"""The example training scripts, end to end on a few hundred images, without network.

Every run points HOME at a temporary folder, unsets $MINICNN_DATA and passes an empty
--data-dir, so the scripts see exactly the data the test gives them (no cached MNIST
of the machine's user); they never download unless --download is given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn.data import paths, write_idx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.slow  # each runs a whole training script (seconds, not minutes)

OUTPUTS = [
    "checkpoint.npz",
    "training_curves.png",
    "filters_before.png",
    "filters.png",
    "feature_maps.png",
    "confusion_matrix.png",
    "misclassified.png",
    "results.json",
    "report.html",
]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty data folder and HOME, no $MINICNN_DATA, no system dataset folders;
    the backend is restored afterwards."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    backend = mc.get_backend()  # --backend switches it for the whole process
    yield data_dir
    mc.set_backend(backend)


def import_example(name: str):
    sys.path.insert(0, str(EXAMPLES))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(EXAMPLES))


def fake_idx_dataset(folder: Path, n: int = 120, seed: int = 0) -> None:
    """Tiny MNIST-format files: class k is a bright square at position k."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for prefix in ("train", "t10k"):
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        images = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 + 2 * k : 6 + 2 * k, 4:12] = 250
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)


def check_outputs(out: Path) -> dict:
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert not list(out.glob("*.tmp"))
    mc.load(out / "checkpoint.npz", mc.zoo.lenet5())  # loads into a fresh LeNet-5
    return json.loads((out / "results.json").read_text())


def test_main_job_end_to_end_on_the_sample(tmp_path, isolated):
    """What a student without full MNIST sees: a plain statement, then a full run."""
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != paths.ENV_VAR}
    env.update(HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "train_mnist_lenet.py"),
            "--limit",
            "300",
            "--epochs",
            "1",
            "--data-dir",
            str(isolated),
            "--out",
            str(out),
            "--backend",
            "numpy",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "Data: the 5,000-digit real MNIST sample shipped with minicnn: 4,000 training "
        "images and a held-out test split of 1,000 (full MNIST is not available; add "
        "--download to fetch it, or see --data-dir)."
    ) in proc.stdout
    assert "Test accuracy:" in proc.stdout and "epoch 1/1:" in proc.stdout
    results = check_outputs(out)
    assert results["train_images"] == 300 and results["test_images"] == 300
    assert results["epochs"] == 1 and 0 <= results["test_accuracy"] <= 1
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "61,706" in report  # the model's summary table, not only the stored tensors
    assert "before training" in report


def test_full_mnist_is_used_when_its_files_are_found(tmp_path, isolated, capsys):
    fake_idx_dataset(isolated / "mnist")
    example = import_example("train_mnist_lenet")
    out = tmp_path / "out"
    assert (
        example.main(
            ["--epochs", "2", "--data-dir", str(isolated), "--out", str(out), "--lr", "0.02"]
        )
        == 0
    )
    stdout = capsys.readouterr().out
    assert f"Data: full MNIST from {isolated / 'mnist'} (120 training / 120 test images)" in stdout
    results = check_outputs(out)
    assert results["epochs"] == 2 and len(results["history"]["train_loss"]) == 2


def test_resume_continues_to_the_same_weights(tmp_path, isolated, capsys):
    """--epochs 2 straight == --epochs 1, then --epochs 2 --resume (bit for bit)."""
    example = import_example("train_mnist_lenet")
    common = ["--limit", "160", "--data-dir", str(isolated)]
    assert example.main([*common, "--epochs", "2", "--out", str(tmp_path / "a")]) == 0
    assert example.main([*common, "--epochs", "1", "--out", str(tmp_path / "b")]) == 0
    assert example.main([*common, "--epochs", "2", "--out", str(tmp_path / "b"), "--resume"]) == 0
    assert "Resumed from" in capsys.readouterr().out
    straight, resumed = mc.zoo.lenet5(), mc.zoo.lenet5()
    mc.load(tmp_path / "a" / "checkpoint.npz", straight)
    meta = mc.load(tmp_path / "b" / "checkpoint.npz", resumed)
    assert meta["epoch"] == 2
    for (name, a), (_, b) in zip(
        straight.named_parameters(), resumed.named_parameters(), strict=True
    ):
        assert np.array_equal(a.data, b.data), name


def test_fashion_example_on_tiny_files(tmp_path, isolated, capsys):
    fake_idx_dataset(isolated / "fashion-mnist", n=100, seed=1)
    example = import_example("train_fashion_mnist")
    out = tmp_path / "out"
    assert example.main(["--epochs", "1", "--data-dir", str(isolated), "--out", str(out)]) == 0
    assert "Data: Fashion-MNIST from" in capsys.readouterr().out
    results = check_outputs(out)
    assert results["train_images"] == 100


def test_fashion_example_without_data_explains_and_fails(tmp_path, isolated, capsys):
    example = import_example("train_fashion_mnist")
    assert example.main(["--data-dir", str(isolated), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "Fashion-MNIST" in err and "not found" in err and str(isolated) in err
    assert "download=False" in err
    assert not (tmp_path / "o").exists()


def test_main_job_without_mnist_or_the_sample_explains_both(
    tmp_path, isolated, capsys, monkeypatch
):
    from minicnn.data import mnist

    monkeypatch.setattr(mnist, "SAMPLE_PATH", tmp_path / "deleted.csv.gz")
    example = import_example("train_mnist_lenet")
    assert example.main(["--data-dir", str(isolated), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "Full MNIST is not available" in err and "reinstall minicnn" in err


def test_resume_without_a_checkpoint_says_so(tmp_path, isolated):
    example = import_example("train_mnist_lenet")
    with pytest.raises(SystemExit, match="no checkpoint at .*checkpoint.npz"):
        example.main(["--data-dir", str(isolated), "--out", str(tmp_path / "o"), "--resume"])
