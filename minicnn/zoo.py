"""Classic architectures, built from minicnn layers."""

from __future__ import annotations

from .layers import Conv2D, Flatten, Linear, MaxPool2D, ReLU
from .model import Sequential


def lenet5(num_classes: int = 10, in_channels: int = 1) -> Sequential:
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for 28×28 inputs:

    conv 6@5×5 pad 2 → ReLU → maxpool 2 → conv 16@5×5 → ReLU → maxpool 2
    → 120 → ReLU → 84 → ReLU → num_classes.   61,706 parameters for 10 classes.
    """
    return Sequential(
        Conv2D(in_channels, 6, 5, padding=2), ReLU(), MaxPool2D(2),
        Conv2D(6, 16, 5), ReLU(), MaxPool2D(2),
        Flatten(),
        Linear(16 * 5 * 5, 120), ReLU(),
        Linear(120, 84), ReLU(),
        Linear(84, num_classes),
    )
