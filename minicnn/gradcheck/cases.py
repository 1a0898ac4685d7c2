"""The registry: a gradient-check case for every layer and loss in minicnn.

``python -m minicnn.gradcheck`` runs them all, and ``tests/test_gradcheck.py`` fails
when a layer is added to minicnn without a case here. A case is a factory and an input
shape small enough for central differences (two forward passes per input entry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import layers as L
from ..losses import (
    BCEWithLogitsLoss,
    Loss,
    MSELoss,
    MulticlassSVM,
    PixelCrossEntropy,
    SoftmaxCrossEntropy,
)
from ..model import Sequential
from .checker import check_layer, check_loss
from .report import GradcheckReport, format_table


@dataclass
class Case:
    """A gradient-check scenario: a layer factory and an input shape (batch included)."""

    name: str
    make: Callable[[], L.Layer]
    input_shape: tuple[int, ...]

    def run(self, **kwargs) -> GradcheckReport:
        return check_layer(self.make(), self.input_shape, name=self.name, **kwargs)


def random_batchnorm(
    layer: L.BatchNorm1D | L.BatchNorm2D, seed: int, train: bool = True
) -> L.Layer:
    """A BatchNorm with random γ, β and running statistics, in training or eval mode:
    the initial γ = 1, β = 0 would hide a backward that forgets to multiply by γ."""
    rng = np.random.default_rng(seed)
    C = layer.num_features
    layer.weight.data[...] = rng.uniform(0.5, 2.0, C)
    layer.bias.data[...] = rng.standard_normal(C)
    layer.running_mean[...] = 0.3 * rng.standard_normal(C)
    layer.running_var[...] = rng.uniform(0.5, 2.0, C)
    return layer.train(train)


CASES: list[Case] = [
    Case("Conv2D 3x3 pad 1", lambda: L.Conv2D(3, 4, 3, padding=1, seed=1), (2, 3, 5, 5)),
    Case(
        "Conv2D (3,2) stride (2,1) pad (1,0) no bias",
        lambda: L.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), bias=False, seed=2),
        (2, 2, 7, 6),
    ),
    Case(
        "Conv2D stride 2 with remainder", lambda: L.Conv2D(1, 2, 3, stride=2, seed=3), (1, 1, 6, 6)
    ),
    Case("MaxPool2D 2x2", lambda: L.MaxPool2D(2), (2, 3, 6, 6)),
    Case("MaxPool2D 3x3 stride 2 (overlapping)", lambda: L.MaxPool2D(3, stride=2), (2, 2, 7, 7)),
    Case("MaxPool2D 3x3 stride 2 pad 1", lambda: L.MaxPool2D(3, stride=2, padding=1), (1, 2, 6, 5)),
    Case("AvgPool2D 2x2", lambda: L.AvgPool2D(2), (2, 2, 4, 6)),
    Case("AvgPool2D 3x3 stride 2 pad 1", lambda: L.AvgPool2D(3, stride=2, padding=1), (1, 2, 6, 5)),
    Case("ReLU", lambda: L.ReLU(), (3, 4, 5)),
    Case("Dropout p=0.3 (train)", lambda: L.Dropout(0.3, seed=4), (4, 6)),
    Case("Linear", lambda: L.Linear(5, 4, seed=5), (3, 5)),
    Case("Flatten", lambda: L.Flatten(), (2, 3, 2, 2)),
    Case(
        "Sequential (conv-relu-pool-linear)",
        lambda: Sequential(
            L.Conv2D(1, 2, 3, padding=1, seed=6),
            L.ReLU(),
            L.MaxPool2D(2),
            L.Flatten(),
            L.Linear(2 * 4 * 4, 3, seed=7),
        ),
        (2, 1, 8, 8),
    ),
    # normalisation, activations, global pooling
    Case("BatchNorm2D (train)", lambda: random_batchnorm(L.BatchNorm2D(3), 8), (2, 3, 3, 4)),
    Case(
        "BatchNorm2D (eval)",
        lambda: random_batchnorm(L.BatchNorm2D(3), 9, train=False),
        (2, 3, 3, 4),
    ),
    Case("BatchNorm1D (N, F) (train)", lambda: random_batchnorm(L.BatchNorm1D(4), 10), (6, 4)),
    Case(
        "BatchNorm1D (N, C, L) (train)", lambda: random_batchnorm(L.BatchNorm1D(2), 11), (3, 2, 4)
    ),
    Case("BatchNorm1D (eval)", lambda: random_batchnorm(L.BatchNorm1D(4), 12, train=False), (5, 4)),
    # alpha far above AlexNet's 1e-4, so the cross-channel term is not lost in rounding
    Case(
        "LocalResponseNorm size 3",
        lambda: L.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0),
        (2, 6, 3, 3),
    ),
    Case(
        "LocalResponseNorm size 4 (asymmetric window)",
        lambda: L.LocalResponseNorm(4, alpha=1.0, beta=0.6, k=1.5),
        (2, 5, 2, 3),
    ),
    Case("LeakyReLU 0.1", lambda: L.LeakyReLU(0.1), (3, 4, 5)),
    Case("Sigmoid", lambda: L.Sigmoid(), (3, 4, 5)),
    Case("Tanh", lambda: L.Tanh(), (3, 4, 5)),
    Case("GlobalAvgPool2D", lambda: L.GlobalAvgPool2D(), (2, 3, 4, 5)),
    # no conv bias before a training-mode BatchNorm (as in ResNet): the mean subtraction
    # cancels it, its gradient is exactly 0 and a relative error of rounding noise is 1
    Case(
        "Sequential (conv-bn-relu-gap-linear)",
        lambda: Sequential(
            L.Conv2D(2, 3, 3, padding=1, bias=False, seed=13),
            random_batchnorm(L.BatchNorm2D(3), 14),
            L.ReLU(),
            L.GlobalAvgPool2D(),
            L.Linear(3, 2, seed=15),
        ),
        (3, 2, 4, 4),
    ),
    Case(
        "Residual identity shortcut",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 2, 3, padding=1, seed=8), L.ReLU(), L.Conv2D(2, 2, 3, padding=1, seed=9)
            )
        ),
        (2, 2, 5, 5),
    ),
    Case(
        "Residual projection shortcut (1x1 stride 2)",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, seed=10),
                L.ReLU(),
                L.Conv2D(3, 3, 3, padding=1, seed=11),
            ),
            L.Conv2D(2, 3, 1, stride=2, bias=False, seed=12),
        ),
        (2, 2, 6, 5),
    ),
    Case("PadShortcut 2->4 stride 2 (option A)", lambda: L.PadShortcut(2, 4, 2), (2, 2, 5, 6)),
    Case(
        "Residual basic block, projection 1x1 stride 2 + BatchNorm2D (train)",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, bias=False, seed=16),
                random_batchnorm(L.BatchNorm2D(3), 17),
                L.ReLU(),
                L.Conv2D(3, 3, 3, padding=1, bias=False, seed=18),
                random_batchnorm(L.BatchNorm2D(3), 19),
            ),
            Sequential(
                L.Conv2D(2, 3, 1, stride=2, bias=False, seed=20),
                random_batchnorm(L.BatchNorm2D(3), 21),
            ),
        ),
        (3, 2, 6, 5),
    ),
    # dilated, grouped and 'same'-padded convolution: the padding may be uneven, and
    # each group sees only its own input channels
    Case(
        "Conv2D dilation 2 groups 2 padding 'same'",
        lambda: L.Conv2D(4, 2, 3, padding="same", dilation=2, groups=2, seed=29),
        (2, 4, 6, 5),
    ),
    Case(
        "Conv2D depthwise (groups = in_channels) stride 2 dilation (1,2)",
        lambda: L.Conv2D(3, 6, (2, 3), stride=2, padding=1, dilation=(1, 2), groups=3, seed=30),
        (2, 3, 6, 7),
    ),
    Case(
        "Conv2D 4x2 padding 'same' (extra pixel bottom/right)",
        lambda: L.Conv2D(2, 2, (4, 2), padding="same", seed=31),
        (2, 2, 5, 4),
    ),
    # the blocks of Inception and U-Net: upsampling, branches side by side, skip connections
    Case("Upsample nearest x2", lambda: L.Upsample(2), (2, 2, 3, 4)),
    Case("Upsample bilinear x(2,3)", lambda: L.Upsample((2, 3), mode="bilinear"), (2, 2, 3, 4)),
    Case("Identity", lambda: L.Identity(), (2, 3, 4)),
    Case("ConvTranspose2D 3x3", lambda: L.ConvTranspose2D(2, 3, 3, seed=27), (2, 2, 3, 4)),
    Case(
        "ConvTranspose2D (3,2) stride (2,3) pad (1,0) output_padding (1,2) no bias",
        lambda: L.ConvTranspose2D(
            3, 2, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), bias=False, seed=28
        ),
        (2, 3, 3, 2),
    ),
    Case(
        "Concat (Inception-like: 1x1, 1x1-3x3, pool-1x1)",
        lambda: L.Concat(
            L.Conv2D(3, 2, 1, seed=22),
            Sequential(L.Conv2D(3, 2, 1, seed=23), L.ReLU(), L.Conv2D(2, 3, 3, padding=1, seed=24)),
            Sequential(L.MaxPool2D(3, 1, 1), L.Conv2D(3, 1, 1, seed=25)),
        ),
        (2, 3, 5, 4),
    ),
    Case(
        "Concat U-Net skip: Identity + (conv stride 2, upsample)",
        lambda: L.Concat(
            L.Identity(),
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, seed=26),
                L.ReLU(),
                L.Upsample(2, mode="bilinear"),
            ),
        ),
        (2, 2, 4, 6),
    ),
]

LOSS_CASES: list[tuple[str, Callable[[], Loss]]] = [
    ("SoftmaxCrossEntropy mean", lambda: SoftmaxCrossEntropy()),
    ("SoftmaxCrossEntropy sum", lambda: SoftmaxCrossEntropy(reduction="sum")),
    ("SoftmaxCrossEntropy none", lambda: SoftmaxCrossEntropy(reduction="none")),
    ("MulticlassSVM mean", lambda: MulticlassSVM()),
    ("MulticlassSVM margin 0.5 none", lambda: MulticlassSVM(margin=0.5, reduction="none")),
    ("MSELoss mean", lambda: MSELoss()),
    ("MSELoss none", lambda: MSELoss(reduction="none")),
    ("BCEWithLogitsLoss mean", lambda: BCEWithLogitsLoss()),
    ("BCEWithLogitsLoss sum", lambda: BCEWithLogitsLoss(reduction="sum")),
    ("PixelCrossEntropy mean", lambda: PixelCrossEntropy()),
    ("PixelCrossEntropy none", lambda: PixelCrossEntropy(reduction="none")),
]


def layer_classes() -> list[type]:
    """Every public Layer subclass defined in minicnn (the registry the test walks)."""
    found, todo = [], [L.Layer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("minicnn.") and not sub.__name__.startswith("_"):
                found.append(sub)
    return sorted(set(found), key=lambda c: c.__name__)


def run_all(verbose: bool = False) -> list[GradcheckReport]:
    """Check every registered layer case and every loss case."""
    reports = [case.run() for case in CASES]
    reports += [check_loss(make(), name=name) for name, make in LOSS_CASES]
    if verbose:
        print(format_table(reports))
    return reports
