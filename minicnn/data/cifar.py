"""CIFAR-10, read from the *binary* version (never the pickled Python version).

``cifar-10-binary.tar.gz`` unpacks to ``cifar-10-batches-bin/`` holding
``data_batch_1.bin`` .. ``data_batch_5.bin`` (train, 10,000 images each) and
``test_batch.bin`` (10,000). Each file is a run of 3073-byte records::

    byte 0        the label, 0..9
    bytes 1-3072  the 32x32 image: 1024 red, then 1024 green, then 1024 blue bytes,
                  each plane row-major, so a record reshapes straight to (3, 32, 32)

The pickled version is not supported on purpose: unpickling a downloaded file
can run arbitrary code.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_bytes
from .dataset import FileDataset, check_labels, check_split
from .download import download_file
from .errors import DatasetError, DownloadError
from .idx import read_bytes

RECORD_BYTES = 1 + 3 * 32 * 32
MAX_RECORDS = 60_000  # the whole dataset; each batch file holds 10,000
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)


def read_cifar_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 3, 32, 32) uint8, labels (N,) int64) from one CIFAR-10 .bin file.

    Raises DatasetError if the file is empty, not a whole number of records, or
    has labels outside 0..9.
    """
    # Also reads a gzip-compressed copy, decompressing no more than a batch can hold.
    data = read_bytes(path, limit=MAX_RECORDS * RECORD_BYTES)
    if len(data) == 0 or len(data) % RECORD_BYTES:
        raise DatasetError(
            f"{path}: {len(data)} bytes is not a whole number of {RECORD_BYTES}-byte CIFAR-10 "
            "records (1 label byte + 3072 pixel bytes); the file is truncated or not a "
            "CIFAR-10 binary batch"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = check_labels(records[:, 0], len(CIFAR10.classes), str(path))
    images = records[:, 1:].reshape(-1, 3, 32, 32).copy()  # copy: frombuffer is read-only
    return images, labels


class CIFAR10(FileDataset):
    """CIFAR-10: 50,000 train / 10,000 test colour images, (N, 3, 32, 32) uint8.

    Args:
        root: a directory to look in first (and to download into); see ``paths``.
        split: "train" (the five data batches) or "test".
        download: download ``cifar-10-binary.tar.gz`` (SHA-256 checked) when no copy
            is found, and unpack its .bin files.
    """

    title = "CIFAR-10"
    subdirs = ("cifar-10-batches-bin", "cifar10/cifar-10-batches-bin", "cifar10")
    classes = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    not_found_hint = (
        "They come in cifar-10-binary.tar.gz (the BINARY version, not the python one) from "
        "https://www.cs.toronto.edu/~kriz/cifar.html: unpack it in one of those directories."
    )
    mirrors = ("https://www.cs.toronto.edu/~kriz/",)
    archive = "cifar-10-binary.tar.gz"
    # As recorded in tensorflow_datasets/url_checksums/cifar10.txt.
    archive_sha256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
    # The archive is about 163 MB; its six batches alone are 6 x 30.7 MB uncompressed.
    archive_max_bytes = 200 * 10**6

    def __init__(self, root=None, split: str = "train", download: bool = True):
        check_split(split, "CIFAR10")
        paths = self.locate(root, split, download)
        batches = [read_cifar_batch(p) for p in paths.values()]
        images = np.concatenate([b[0] for b in batches])
        labels = np.concatenate([b[1] for b in batches])
        super().__init__(images, labels, split, str(next(iter(paths.values())).parent))

    def wanted(self, split: str) -> dict[str, Sequence[str]]:
        return {name: [name] for name in (TRAIN_FILES if split == "train" else TEST_FILES)}

    def fetch_files(self, split: str, dest: Path) -> None:
        """Download the archive, unpack the six .bin files into ``dest``, delete the archive.

        Members are read by their known names and written under names we choose, so a
        malicious archive cannot write outside ``dest`` (no ``extractall``).
        """
        archive = download_file(
            self.archive, self.mirrors, self.archive_sha256, dest, max_bytes=self.archive_max_bytes
        )
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for name in TRAIN_FILES + TEST_FILES:
                    member = tar.extractfile(f"cifar-10-batches-bin/{name}")
                    if member is None:
                        raise DownloadError(f"{archive}: {name} is not a regular file")
                    atomic_write_bytes(dest / name, member.read())
        except (tarfile.TarError, KeyError) as e:
            raise DownloadError(f"{archive}: cannot unpack ({e})") from e
        finally:
            archive.unlink(missing_ok=True)
