"""Datasets and batching: IDX/CIFAR readers, find-or-download with checksums, DataLoader.

    import minicnn as mc
    x, y = mc.data.MNISTSample("train").arrays()          # 4,000 real digits, no network
    loader = mc.data.DataLoader(x, y, batch_size=64, seed=0,
                                transform=mc.data.RandomShift(2))
    for xb, yb in loader:                                  # one epoch
        ...

Modules: ``idx`` (the IDX format), ``paths`` (where files are looked for),
``download`` (mirrors + SHA-256 + atomic write), ``mnist`` and ``cifar`` (the
datasets), ``loader`` (DataLoader), ``transforms`` (augmentation), ``digits`` (your own
handwritten digit as MNIST input: ``load_digit``, ``find_digit``).
"""

from . import download, paths
from .cifar import CIFAR10, read_cifar_batch
from .dataset import ImageDataset, stratified_split
from .digits import DigitImageError, DigitSteps, NotOneDigitError, find_digit, load_digit
from .errors import DatasetError, DatasetNotFoundError, DownloadError
from .idx import read_idx, write_idx
from .loader import DataLoader
from .mnist import MNIST, FashionMNIST, MNISTSample
from .segmentation import DigitCanvas, make_digit_canvases, mnist_canvases
from .transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip, RandomShift

__all__ = [
    "download",
    "paths",
    "CIFAR10",
    "read_cifar_batch",
    "ImageDataset",
    "stratified_split",
    "DatasetError",
    "DatasetNotFoundError",
    "DownloadError",
    "DigitImageError",
    "NotOneDigitError",
    "DigitSteps",
    "find_digit",
    "load_digit",
    "read_idx",
    "write_idx",
    "DataLoader",
    "MNIST",
    "FashionMNIST",
    "MNISTSample",
    "Compose",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomShift",
    "DigitCanvas",
    "make_digit_canvases",
    "mnist_canvases",
]
