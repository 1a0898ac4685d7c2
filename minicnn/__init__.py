"""minicnn: a from-scratch NumPy CNN framework for teaching backpropagation.

    import minicnn as mc
    model = mc.Sequential(mc.Conv2D(1, 6, 5, padding=2), mc.ReLU(), mc.MaxPool2D(2), ...)
"""

from . import data, functional, zoo
from .backend import available_backends, backend, get_backend, set_backend
from .init import manual_seed
from .layers import (
    AvgPool2D,
    Conv2D,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2D,
    ReLU,
)
from .losses import Loss, MulticlassSVM, SoftmaxCrossEntropy
from .model import Sequential, Summary
from .optim import SGD, Optimizer
from .parameter import Parameter

__version__ = "0.1.0"

__all__ = [
    "data", "functional", "zoo", "available_backends", "backend", "get_backend", "set_backend",
    "manual_seed", "Layer", "Conv2D", "MaxPool2D", "AvgPool2D", "ReLU", "Dropout", "Flatten",
    "Linear", "Loss", "SoftmaxCrossEntropy", "MulticlassSVM", "Sequential", "Summary",
    "Optimizer", "SGD", "Parameter",
]
