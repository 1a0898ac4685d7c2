"""The layers, one concept a file."""

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .base import Layer, NonFiniteInputError
from .concat import Concat, Identity
from .conv import Conv2D
from .conv_transpose import ConvTranspose2D
from .dropout import Dropout
from .linear import Flatten, Linear
from .norm import BatchNorm1D, BatchNorm2D, LocalResponseNorm
from .pool import AvgPool2D, GlobalAvgPool2D, MaxPool2D
from .residual import PadShortcut, Residual
from .upsample import Upsample

__all__ = [
    "Layer",
    "NonFiniteInputError",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "ReLU",
    "Dropout",
    "Linear",
    "Flatten",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "BatchNorm1D",
    "BatchNorm2D",
    "LocalResponseNorm",
    "GlobalAvgPool2D",
    "Residual",
    "PadShortcut",
    "Concat",
    "Identity",
    "Upsample",
    "ConvTranspose2D",
]
