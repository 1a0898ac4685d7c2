"""Pretrained weights shipped inside the package, and how they are stored.

``lenet5_mnist.npz`` holds the weights of [`minicnn.zoo.lenet5`][] trained on
MNIST (``mc.zoo.lenet5(pretrained=True)`` loads them). ``lenet5_digits04.npz`` holds a
LeNet-5 for 5 classes trained the same way on the digits 0-4 only: lab 8 (transfer
learning) reuses its features for the digits 5-9, which it never saw
([`load_lenet5_digits04`][minicnn.weights.load_lenet5_digits04]). The file is a plain ``.npz``: one
float32 ``.npy`` array per parameter, named with PyTorch's state-dict keys (``0.weight``,
``0.bias``, ``3.weight``, ...), so ``np.load(path, allow_pickle=False)`` reads it and a
PyTorch twin can load it with ``torch.from_numpy``. Nothing is ever unpickled.

Its SHA-256 is written below (``LENET5_MNIST_SHA256``) and checked on every load:
a truncated, edited or swapped file is refused with an error that says how to get a
good copy. ``python -m minicnn.recipes_pretrained`` recreates the file, bit for bit, from
the MNIST training set (see that module for the recipe and the measured accuracy).

The archive is written by [`write_npz`][minicnn.weights.write_npz] with fixed zip timestamps, so the
same arrays always give the same bytes (``np.savez`` stamps the current time into the zip).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_bytes

WEIGHTS_DIR = Path(__file__).resolve().parent
LENET5_MNIST = WEIGHTS_DIR / "lenet5_mnist.npz"
# Printed by ``python -m minicnn.recipes_pretrained`` and written next to the file as
# lenet5_mnist.npz.sha256; a test checks the three agree.
LENET5_MNIST_SHA256 = "e5430b57d9c2c589af0d81ad06fe2066440d0d0329e0acb81921d05618c7fe01"
# Lab 8's source network: the same recipe on the digits 0-4 only (--classes 5 --epochs 3),
# so that the digits 5-9 are a new task for it.
LENET5_DIGITS04 = WEIGHTS_DIR / "lenet5_digits04.npz"
LENET5_DIGITS04_SHA256 = "ccc3a298a16b76adf7d8c023839a8e08d208306223c934acf1566a687651dc17"


class PretrainedWeightsError(RuntimeError):
    """The shipped weights file is missing, corrupt or does not fit the model."""


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive of ``arrays`` (in key order) as bytes, the same every time.

    Each array is stored as ``<key>.npy`` (NumPy's format, no pickles), deflate-compressed,
    with the zip timestamp fixed at 1980-01-01 so equal arrays give equal bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, npy.getvalue())
    return buffer.getvalue()


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> str:
    """Write ``arrays`` to ``path`` atomically (see [`npz_bytes`][minicnn.weights.npz_bytes]);
    return its SHA-256."""
    data = npz_bytes(arrays)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


def sha256_of(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_checked(path: str | os.PathLike, sha256: str) -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` at ``path`` after checking its SHA-256.

    Raises:
        PretrainedWeightsError: the file is missing, or its checksum differs (corrupt,
            truncated or replaced), with what to do about it.
    """
    path = Path(path)
    how = (
        "Reinstall minicnn (pip install --force-reinstall minicnn-course), or recreate "
        "the file in a checkout with: python -m minicnn.recipes_pretrained"
    )
    if not path.is_file():
        raise PretrainedWeightsError(f"the pretrained weights file {path} is missing. {how}")
    actual = sha256_of(path)
    if actual != sha256:
        raise PretrainedWeightsError(
            f"the pretrained weights file {path} is corrupt or not the shipped one: its "
            f"SHA-256 is {actual}, expected {sha256}. {how}"
        )
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def load_lenet5_mnist(model) -> None:
    """Copy the shipped MNIST weights into ``model`` (a [`minicnn.zoo.lenet5`][]
    for 10 classes and 1 input channel) with ``load_state_dict``, after checking the file."""
    _load_into(
        model, LENET5_MNIST, LENET5_MNIST_SHA256, "mc.zoo.lenet5(num_classes=10, in_channels=1)"
    )


def load_lenet5_digits04(model) -> None:
    """Copy the shipped digits-0-4 weights into ``model``, a
    ``mc.zoo.lenet5(num_classes=5)``, after checking the file (lab 8's source network)."""
    _load_into(model, LENET5_DIGITS04, LENET5_DIGITS04_SHA256, "mc.zoo.lenet5(num_classes=5)")


def _load_into(model, path: Path, sha256: str, fits: str) -> None:
    arrays = read_checked(path, sha256)
    try:
        model.load_state_dict(arrays)
    except ValueError as err:
        raise PretrainedWeightsError(
            f"{path} does not fit this model ({err}); the pretrained weights are for {fits}"
        ) from None


__all__ = [
    "LENET5_DIGITS04",
    "LENET5_DIGITS04_SHA256",
    "load_lenet5_digits04",
    "LENET5_MNIST",
    "LENET5_MNIST_SHA256",
    "PretrainedWeightsError",
    "load_lenet5_mnist",
    "npz_bytes",
    "read_checked",
    "sha256_of",
    "write_npz",
]
