"""Hand a model to PyTorch and take one back: ``mc.to_torch(model)`` and
``mc.from_torch(module)``.

A student who outgrows minicnn (GPUs, PyTorch's own DistributedDataParallel, a bigger
dataset) takes the architecture and the trained weights along::

    module = mc.to_torch(model)            # a torch.nn.Module computing the same function
    model = mc.from_torch(module)          # and back, for the layers minicnn has

The two are one table apart. Each minicnn layer has a PyTorch counterpart with the same
hyper-parameters (``Conv2D(3, 16, 3, padding=1, groups=1)`` ↔
``nn.Conv2d(3, 16, 3, padding=1, groups=1)``); containers map to containers; and the
weights move by name, because minicnn's ``state_dict()`` already uses PyTorch's keys and
layouts (``0.weight`` (out, in, kh, kw), ``3.body.1.running_mean``). Four minicnn blocks
have no ``torch.nn`` class (PyTorch writes them inside a ``forward``): ``Residual``,
``Concat``, ``PadShortcut`` and ``GlobalAvgPool2D`` become the small
``nn.Module`` classes of ``torch_blocks``, which ``from_torch`` also reads back.

The result keeps the model's dtype (float64 stays float64) and its train/eval mode.
PyTorch is imported only here, when called: it is never a dependency of minicnn.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import numpy as np

from .distributed import DistributedDataParallel
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
    PadShortcut,
    ReLU,
    Residual,
    Sigmoid,
    Tanh,
    Upsample,
)
from .model import Sequential


def _torch():
    try:
        import torch
    except ImportError as err:
        raise ImportError(
            "mc.to_torch / mc.from_torch need PyTorch, which minicnn itself does not: "
            "pip install torch (on a machine without an NVIDIA GPU, the CPU build: "
            "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
        ) from err
    return torch


@functools.cache
def torch_blocks() -> SimpleNamespace:
    """The ``nn.Module`` classes for minicnn's blocks that ``torch.nn`` lacks, made once
    (they need torch, so they cannot be defined when minicnn is imported)."""
    torch = _torch()
    nn: Any = torch.nn  # Any: mypy cannot follow classes built on a lazily imported torch

    class Residual(nn.Module):
        """y = body(x) + shortcut(x) (the identity when shortcut is None)."""

        def __init__(self, body: nn.Module, shortcut: nn.Module | None = None):
            super().__init__()
            self.body, self.shortcut = body, shortcut

        def forward(self, x):
            return self.body(x) + (x if self.shortcut is None else self.shortcut(x))

    class Concat(nn.Sequential):
        """Every branch on the same x, outputs stacked on the channels (children named
        0, 1, ... as minicnn's Concat names them)."""

        def forward(self, x):
            return torch.cat([branch(x) for branch in self], dim=1)

    class PadShortcut(nn.Module):
        """x[:, :, ::s, ::s] with zero channels appended up to out_channels."""

        def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
            super().__init__()
            self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

        def forward(self, x):
            s, extra = self.stride, self.out_channels - self.in_channels
            return nn.functional.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, 0, extra))

    class GlobalAvgPool2D(nn.Module):
        """(N, C, H, W) -> (N, C): the mean of each map (AdaptiveAvgPool2d(1) + flatten)."""

        def forward(self, x):
            return x.mean(dim=(2, 3))

    return SimpleNamespace(
        Residual=Residual, Concat=Concat, PadShortcut=PadShortcut, GlobalAvgPool2D=GlobalAvgPool2D
    )


# -- minicnn -> PyTorch ------------------------------------------------------------------------


def _torch_layer(layer: Layer) -> Any:
    """The PyTorch module for one minicnn layer (its children converted too), untrained."""
    nn, blocks = _torch().nn, torch_blocks()
    if isinstance(layer, Sequential):
        return nn.Sequential(*(_torch_layer(child) for child in layer))
    if isinstance(layer, Residual):
        shortcut = None if layer.shortcut is None else _torch_layer(layer.shortcut)
        return blocks.Residual(_torch_layer(layer.body), shortcut)
    if isinstance(layer, Concat):
        return blocks.Concat(*(_torch_layer(child) for child in layer.children()))
    if isinstance(layer, Conv2D):
        return nn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            stride=layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
            groups=layer.groups,
            bias=layer.bias is not None,
        )
    if isinstance(layer, ConvTranspose2D):
        return nn.ConvTranspose2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            stride=layer.stride,
            padding=layer.padding,
            output_padding=layer.output_padding,
            bias=layer.bias is not None,
        )
    if isinstance(layer, Linear):
        return nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    if isinstance(layer, (BatchNorm1D, BatchNorm2D)):
        kind = nn.BatchNorm1d if isinstance(layer, BatchNorm1D) else nn.BatchNorm2d
        return kind(layer.num_features, eps=layer.eps, momentum=layer.momentum)
    if isinstance(layer, MaxPool2D):
        return nn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, AvgPool2D):
        return nn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, LocalResponseNorm):
        return nn.LocalResponseNorm(layer.size, layer.alpha, layer.beta, layer.k)
    if isinstance(layer, Upsample):
        scale = tuple(float(s) for s in layer.scale_factor)
        corners = {"align_corners": False} if layer.mode == "bilinear" else {}
        return nn.Upsample(scale_factor=scale, mode=layer.mode, **corners)
    if isinstance(layer, PadShortcut):
        return blocks.PadShortcut(layer.in_channels, layer.out_channels, layer.stride)
    if isinstance(layer, GlobalAvgPool2D):
        return blocks.GlobalAvgPool2D()
    if isinstance(layer, LeakyReLU):
        return nn.LeakyReLU(layer.negative_slope)
    if isinstance(layer, Dropout):
        return nn.Dropout(layer.p)
    simple = {ReLU: nn.ReLU, Sigmoid: nn.Sigmoid, Tanh: nn.Tanh, Flatten: nn.Flatten}
    if type(layer) in simple:
        return simple[type(layer)]()
    if type(layer) is Identity:
        return nn.Identity()
    raise TypeError(
        f"mc.to_torch: no PyTorch counterpart for {type(layer).__name__} ({layer!r}); "
        f"supported: {', '.join(SUPPORTED)}"
    )


def to_torch(model: Layer):
    """A ``torch.nn.Module`` that computes what ``model`` computes, with its weights and
    buffers copied (not shared), in the model's dtype and train/eval mode.

    Raises:
        TypeError: a layer has no counterpart (the message lists those that do).
        ImportError: PyTorch is not installed (the message says how to install it).
    """
    plain = model.module if isinstance(model, DistributedDataParallel) else model
    if not isinstance(plain, Layer):
        raise TypeError(f"mc.to_torch: expected a minicnn model (mc.Layer), got {type(model)}")
    torch = _torch()
    module = _torch_layer(plain)
    dtypes = {p.dtype for p in plain.parameters()}
    if dtypes:  # torch builds float32; cast to the model's dtype before copying weights
        module = module.to(getattr(torch, np.dtype(dtypes.pop()).name))
    state = {key: torch.from_numpy(np.array(value)) for key, value in plain.state_dict().items()}
    module.load_state_dict(state, strict=True)
    return module.train(getattr(plain, "training", True))


# -- PyTorch -> minicnn ------------------------------------------------------------------------


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)  # type: ignore[return-value]


def _unsupported(module, why: str = "") -> TypeError:
    return TypeError(
        f"mc.from_torch: {type(module).__name__} ({module}) has no minicnn layer{why}; "
        f"minicnn reads {', '.join(SUPPORTED)} (nn.Sequential trees of them, as mc.to_torch "
        "writes). A module with its own forward() cannot be read: its layers' order is "
        "not its computation"
    )


def _minicnn_layer(module) -> Layer:
    nn, blocks = _torch().nn, torch_blocks()
    if isinstance(module, blocks.Concat):  # before nn.Sequential, which it extends
        return Concat(*(_minicnn_layer(child) for child in module))
    if type(module) is nn.Sequential:
        return Sequential(*(_minicnn_layer(child) for child in module))
    if isinstance(module, blocks.Residual):
        shortcut = None if module.shortcut is None else _minicnn_layer(module.shortcut)
        return Residual(_minicnn_layer(module.body), shortcut)
    if isinstance(module, blocks.PadShortcut):
        return PadShortcut(module.in_channels, module.out_channels, module.stride)
    if isinstance(module, blocks.GlobalAvgPool2D):
        return GlobalAvgPool2D()
    if isinstance(module, nn.Conv2d):
        if isinstance(module.padding, str) or module.padding_mode != "zeros":
            raise _unsupported(module, f" for padding={module.padding!r} ({module.padding_mode})")
        return Conv2D(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            module.stride,
            module.padding,
            bias=module.bias is not None,
            dilation=module.dilation,
            groups=module.groups,
        )
    if isinstance(module, nn.ConvTranspose2d):
        if module.groups != 1 or _pair(module.dilation) != (1, 1):
            raise _unsupported(module, " with groups or dilation")
        return ConvTranspose2D(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            module.stride,
            module.padding,
            module.output_padding,
            bias=module.bias is not None,
        )
    if isinstance(module, nn.Linear):
        return Linear(module.in_features, module.out_features, bias=module.bias is not None)
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        if not (module.affine and module.track_running_stats) or module.momentum is None:
            raise _unsupported(module, " without affine, running statistics or a momentum")
        kind = BatchNorm1D if isinstance(module, nn.BatchNorm1d) else BatchNorm2D
        return kind(module.num_features, eps=module.eps, momentum=module.momentum)
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        if module.ceil_mode or getattr(module, "dilation", 1) not in (1, (1, 1)):
            raise _unsupported(module, " with ceil_mode or dilation")
        if isinstance(module, nn.AvgPool2d) and not module.count_include_pad:
            raise _unsupported(module, " with count_include_pad=False")
        pool = MaxPool2D if isinstance(module, nn.MaxPool2d) else AvgPool2D
        return pool(module.kernel_size, module.stride, module.padding)
    if isinstance(module, nn.LocalResponseNorm):
        return LocalResponseNorm(module.size, module.alpha, module.beta, module.k)
    if isinstance(module, nn.Upsample):
        if module.scale_factor is None or module.mode not in ("nearest", "bilinear"):
            raise _unsupported(module, " but with scale_factor and nearest or bilinear mode")
        if module.mode == "bilinear" and module.align_corners:
            raise _unsupported(module, " with align_corners=True")
        scale = tuple(int(s) for s in _pair(module.scale_factor))
        return Upsample(scale, module.mode)
    if isinstance(module, nn.LeakyReLU):
        return LeakyReLU(module.negative_slope)
    if isinstance(module, nn.Dropout):
        return Dropout(module.p)
    if isinstance(module, nn.Flatten):
        if module.start_dim != 1 or module.end_dim != -1:
            raise _unsupported(module, " other than Flatten(start_dim=1)")
        return Flatten()
    simple = {nn.ReLU: ReLU, nn.Sigmoid: Sigmoid, nn.Tanh: Tanh, nn.Identity: Identity}
    if type(module) in simple:
        return simple[type(module)]()
    raise _unsupported(module)


def from_torch(module) -> Layer:
    """The minicnn model of a ``torch.nn.Module`` built from the layers in ``SUPPORTED``
    (nested ``nn.Sequential``, and the blocks ``to_torch`` writes), with its weights
    and buffers copied, in its dtype and train/eval mode.

    Raises:
        TypeError: a module minicnn has no layer for, or a setting minicnn's layer lacks
            (``ceil_mode``, ``padding='same'``, ...); the message names it.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"mc.from_torch: expected a torch.nn.Module, got {type(module)}")
    model = _minicnn_layer(module)
    dtypes = {p.dtype for p in module.parameters()}
    if dtypes:
        model.to(np.dtype(str(dtypes.pop()).removeprefix("torch.")))
    state = {key: value.detach().cpu().numpy() for key, value in module.state_dict().items()}
    model.load_state_dict(state)
    return model.train(module.training)


# What the two functions convert (the error messages list it).
SUPPORTED = (
    "Sequential",
    "Conv2D",
    "ConvTranspose2D",
    "Linear",
    "BatchNorm1D",
    "BatchNorm2D",
    "MaxPool2D",
    "AvgPool2D",
    "GlobalAvgPool2D",
    "LocalResponseNorm",
    "Upsample",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Dropout",
    "Flatten",
    "Identity",
    "Residual",
    "PadShortcut",
    "Concat",
)
