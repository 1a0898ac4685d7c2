"""The layers, one concept a file."""

from .activations import ReLU
from .base import Layer, SummaryRow
from .conv import Conv2D
from .dropout import Dropout
from .linear import Flatten, Linear
from .pool import AvgPool2D, MaxPool2D
from .residual import PadShortcut, Residual

__all__ = ["Layer", "SummaryRow", "Conv2D", "MaxPool2D", "AvgPool2D", "ReLU", "Dropout",
           "Linear", "Flatten", "Residual", "PadShortcut"]
