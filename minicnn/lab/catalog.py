"""The labs: their files, the lecture sections they practise, and their graded parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import lab1, lab2, lab3, lab4, lab5, lab6
from .parts import Part


@dataclass(frozen=True)
class Lab:
    id: str  # "lab1"
    stem: str  # file name without .py / .ipynb
    title: str
    lectures: str  # the lecture sections it practises
    parts: tuple[Part, ...]

    @property
    def points(self) -> int:
        return sum(p.points for p in self.parts)

    def part(self, name: str) -> Part:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(f"{self.id} has no part {name!r}; its parts: {[p.name for p in self.parts]}")


LABS = {
    lab.id: lab
    for lab in (
        Lab(
            "lab1",
            "lab1_conv_forward",
            "Convolution forward by hand",
            "001 (convolution layer, stride, zero-padding, parameter counts), "
            "000 (edge detection), 002 (Keras parameter count)",
            tuple(lab1.PARTS),
        ),
        Lab(
            "lab2",
            "lab2_conv_backward",
            "im2col and the convolution backward",
            "002 (cross-correlation vs convolution, backward kernel, bias, input), "
            "001 (the conv layer), 003's references (Deep Learning from Scratch: im2col)",
            tuple(lab2.PARTS),
        ),
        Lab(
            "lab3",
            "lab3_pool_relu_dropout",
            "Pooling, ReLU and dropout",
            "001 (pooling layer), 003 (pooling), 004 (ReLU, dropout in AlexNet)",
            tuple(lab3.PARTS),
        ),
        Lab(
            "lab4",
            "lab4_linear_losses",
            "Linear layer, softmax cross-entropy and the SVM loss",
            "000 (softmax, SVM loss), 001 (fully connected layer), 003 (classification layer)",
            tuple(lab4.PARTS),
        ),
        Lab(
            "lab5",
            "lab5_sgd_lenet",
            "SGD with momentum and LeNet-5 on MNIST",
            "003 (training CNNs), 004 (MNIST, LeNet, momentum 0.9 in VGG's training)",
            tuple(lab5.PARTS),
        ),
        Lab(
            "lab6",
            "lab6_batchnorm_residual",
            "(advanced) Batch normalisation and a residual block",
            "003 (ResNet; the CNN baseline: residual network, batch normalization), "
            "004 (ResNet: residual learning, degradation of deep networks)",
            tuple(lab6.PARTS),
        ),
    )
}


def find_lab(name: str) -> Lab:
    """A lab from 'lab1', '1', 'lab1_conv_forward' or a path like 'out/lab1_conv_forward.ipynb'."""
    key = Path(str(name)).stem
    if key.isdigit():
        key = f"lab{key}"
    for lab in LABS.values():
        if key in (lab.id, lab.stem) or key.startswith(lab.stem):
            return lab
    raise ValueError(
        f"no lab called {name!r}; the labs are {', '.join(LABS)} "
        "(python -m minicnn.lab list shows them)"
    )
