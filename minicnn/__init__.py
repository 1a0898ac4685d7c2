"""minicnn: a from-scratch NumPy CNN framework for teaching backpropagation.

import minicnn as mc
model = mc.Sequential(mc.Conv2D(1, 6, 5, padding=2), mc.ReLU(), mc.MaxPool2D(2), ...)
"""

from . import (
    data,
    distributed,  # mpi4py is imported only when a communicator is asked for
    functional,
    metrics,
    zoo,
)
from .backend import available_backends, backend, get_backend, set_backend, set_benchmark
from .checkpoint import Checkpoint, CheckpointError, load, save
from .init import get_rng_state, manual_seed, set_rng_state
from .layers import (
    AvgPool2D,
    BatchNorm1D,
    BatchNorm2D,
    Concat,
    Conv2D,
    ConvTranspose2D,
    Dropout,
    Flatten,
    GlobalAvgPool2D,
    Identity,
    Layer,
    LeakyReLU,
    Linear,
    LocalResponseNorm,
    MaxPool2D,
    NonFiniteInputError,
    PadShortcut,
    ReLU,
    Residual,
    Sigmoid,
    Tanh,
    Upsample,
)
from .losses import (
    BCEWithLogitsLoss,
    Loss,
    MSELoss,
    MulticlassSVM,
    PixelCrossEntropy,
    SoftmaxCrossEntropy,
)
from .model import Sequential
from .optim import SGD, AdaDelta, AdaGrad, Adam, AdamW, Optimizer, RMSprop
from .parameter import Parameter
from .schedules import CosineLR, LRScheduler, MultiStepLR, ReduceLROnPlateau, StepLR
from .summary import Summary
from .threads import get_num_threads, set_num_threads
from .torch_bridge import from_torch, to_torch  # torch itself is imported only when called
from .train import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    TrainingDivergedError,
    confusion_matrix,
    evaluate,
    fit,
    predict,
)

__version__ = "0.1.0"


def __getattr__(name: str):
    """``mc.viz`` is imported on first use: matplotlib takes about a second to import,
    and training or testing without plots should not pay for it (PEP 562). So are
    ``mc.gradcheck`` and ``mc.onnx`` (mc.onnx.export(...), which imports onnx itself)."""
    if name in ("viz", "gradcheck", "onnx"):  # mc.gradcheck.check_layer(...) as the README shows
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'minicnn' has no attribute {name!r}")


__all__ = [
    "data",
    "functional",
    "onnx",
    "viz",
    "zoo",
    "metrics",
    "distributed",
    "available_backends",
    "backend",
    "get_backend",
    "set_backend",
    "set_benchmark",
    "get_num_threads",
    "set_num_threads",
    "manual_seed",
    "Layer",
    "NonFiniteInputError",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "ReLU",
    "Dropout",
    "Flatten",
    "Linear",
    "Residual",
    "PadShortcut",
    "Loss",
    "SoftmaxCrossEntropy",
    "MulticlassSVM",
    "Sequential",
    "Summary",
    "Optimizer",
    "SGD",
    "Parameter",
    "BatchNorm1D",
    "BatchNorm2D",
    "LocalResponseNorm",
    "GlobalAvgPool2D",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Adam",
    "AdamW",
    "AdaGrad",
    "RMSprop",
    "AdaDelta",
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "CosineLR",
    "ReduceLROnPlateau",
    "get_rng_state",
    "set_rng_state",
    "save",
    "load",
    "CheckpointError",
    "fit",
    "evaluate",
    "predict",
    "confusion_matrix",
    "History",
    "Callback",
    "Checkpoint",
    "CSVLogger",
    "EarlyStopping",
    "TrainingDivergedError",
    # blocks for Inception, U-Net and transfer learning, and their losses
    "MSELoss",
    "BCEWithLogitsLoss",
    "PixelCrossEntropy",
    "Concat",
    "Identity",
    "Upsample",
    "ConvTranspose2D",
    # the hand-over to PyTorch (a model's weights both ways)
    "to_torch",
    "from_torch",
]
