"""Export a model to ONNX, to run it outside minicnn: on a phone, in a web page, in any
ONNX runtime.

    mc.onnx.export(mc.zoo.lenet5(pretrained=True), "lenet5.onnx", input_shape=(1, 28, 28))

    # then, e.g. with onnxruntime:
    session = onnxruntime.InferenceSession("lenet5.onnx")
    scores = session.run(None, {"input": x})[0]          # x: (N, 1, 28, 28) float32

ONNX (Open Neural Network Exchange) describes a network as a graph of standard
operators (``Conv``, ``Gemm``, ``Relu``, ...) whose weights travel inside the file as
*initializers*. Exporting is a walk over the model: each layer becomes one or a few
operators that compute exactly what its ``forward`` computes in eval mode, and
containers become wiring::

    minicnn             ONNX
    Sequential          the layers' operators one after another
    Conv2D              Conv (strides, pads top/left/bottom/right, dilations, group)
    Linear              Gemm: y = x · Wᵀ + b (transB = 1; W is (out, in) in both)
    ReLU, LeakyReLU     Relu, LeakyRelu (alpha = negative_slope)
    Sigmoid, Tanh       Sigmoid, Tanh
    MaxPool2D           MaxPool (padding is −∞, as minicnn's)
    AvgPool2D           AveragePool with count_include_pad = 1 (padded zeros count)
    GlobalAvgPool2D     GlobalAveragePool, then Flatten: (N, C, 1, 1) -> (N, C)
    Flatten             Flatten (axis 1)
    Dropout, Identity   Identity (Dropout does nothing in eval mode)
    BatchNorm1D/2D      BatchNormalization with the running mean and variance (eval mode)
    LocalResponseNorm   LRN (both use α/n: y = x / (k + α/n · Σ x²)^β)
    Residual            body and shortcut from the same input, then Add
    PadShortcut         Slice (every s-th pixel), then Pad (zero channels)
    Concat              every branch from the same input, then Concat (axis 1)

Any other layer (Upsample, ConvTranspose2D, your own) raises ``ONNXExportError``
naming it and where it sits in the model. The batch size is left free (the input's
first axis is called ``N``). The ``onnx`` package is needed (``pip install
minicnn-course[onnx]``); minicnn itself runs without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import layers as L
from .atomic import atomic_write_bytes
from .layers import Layer
from .model import Sequential

OPSET = 17  # ONNX operator set: understood by onnxruntime >= 1.13 and by onnx.js/ort-web


class ONNXExportError(ValueError):
    """The model holds a layer that has no ONNX counterpart here, or the shapes do not fit."""


class _Graph:
    """The graph being built: nodes in order, and the weights (initializers)."""

    def __init__(self, helper: Any, numpy_helper: Any) -> None:
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.count = 0

    def weight(self, name: str, array: np.ndarray, dtype=np.float32) -> str:
        """Store ``array`` in the file under ``name``; returns the name to refer to it."""
        self.initializers.append(
            self.numpy_helper.from_array(np.ascontiguousarray(array, dtype=dtype), name)
        )
        return name

    def node(self, op: str, inputs: list[str], where: str, **attributes) -> str:
        """Add one operator; returns the name of its output."""
        self.count += 1
        output = f"{where or 'model'}:{op}:{self.count}"
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=output, **attributes))
        return output


def _sequential(layer: Sequential, g: _Graph, x: str, where: str) -> str:
    for name, child in layer.named_children():
        x = _convert(child, g, x, f"{where}.{name}" if where else name)
    return x


def _conv(layer: L.Conv2D, g: _Graph, x: str, where: str) -> str:
    inputs = [x, g.weight(f"{where}.weight", layer.weight.data)]
    if layer.bias is not None:
        inputs.append(g.weight(f"{where}.bias", layer.bias.data))
    (top, bottom), (left, right) = layer._sides  # as given, or what 'same' amounts to
    return g.node(
        "Conv",
        inputs,
        where,
        kernel_shape=list(layer.kernel_size),
        strides=list(layer.stride),
        pads=[top, left, bottom, right],
        dilations=list(layer.dilation),
        group=layer.groups,
    )


def _linear(layer: L.Linear, g: _Graph, x: str, where: str) -> str:
    inputs = [x, g.weight(f"{where}.weight", layer.weight.data)]
    if layer.bias is not None:
        inputs.append(g.weight(f"{where}.bias", layer.bias.data))
    return g.node("Gemm", inputs, where, transB=1)


def _pool(op: str, **extra) -> Callable[[Any, _Graph, str, str], str]:
    def convert(layer, g: _Graph, x: str, where: str) -> str:
        ph, pw = layer.padding
        return g.node(
            op,
            [x],
            where,
            kernel_shape=list(layer.kernel_size),
            strides=list(layer.stride),
            pads=[ph, pw, ph, pw],
            **extra,
        )

    return convert


def _batch_norm(layer, g: _Graph, x: str, where: str) -> str:
    inputs = [
        x,
        g.weight(f"{where}.weight", layer.weight.data),
        g.weight(f"{where}.bias", layer.bias.data),
        g.weight(f"{where}.running_mean", layer.running_mean),
        g.weight(f"{where}.running_var", layer.running_var),
    ]
    return g.node("BatchNormalization", inputs, where, epsilon=layer.eps)


def _residual(layer: L.Residual, g: _Graph, x: str, where: str) -> str:
    body = _convert(layer.body, g, x, f"{where}.body")
    short = x if layer.shortcut is None else _convert(layer.shortcut, g, x, f"{where}.shortcut")
    return g.node("Add", [body, short], where)


def _concat(layer: L.Concat, g: _Graph, x: str, where: str) -> str:
    outputs = [_convert(child, g, x, f"{where}.{name}") for name, child in layer.named_children()]
    return g.node("Concat", outputs, where, axis=1)


def _pad_shortcut(layer: L.PadShortcut, g: _Graph, x: str, where: str) -> str:
    s = layer.stride
    index = lambda name, values: g.weight(f"{where}.{name}", np.array(values), np.int64)  # noqa: E731
    sliced = g.node(
        "Slice",
        [x, index("starts", [0, 0]), index("ends", [2**62, 2**62]), index("axes", [2, 3]),
         index("steps", [s, s])],
        where,
    )  # fmt: skip
    extra = layer.out_channels - layer.in_channels
    pads = index("pads", [0, 0, 0, 0, 0, extra, 0, 0])  # (begin N C H W, end N C H W)
    return g.node("Pad", [sliced, pads], where)


def _global_avg_pool(layer, g: _Graph, x: str, where: str) -> str:
    return g.node("Flatten", [g.node("GlobalAveragePool", [x], where)], where, axis=1)


def _simple(op: str, **attributes_of: Callable[[Any], Any]):
    """A layer that is one ONNX operator on its input, attributes read from the layer."""

    def convert(layer, g: _Graph, x: str, where: str) -> str:
        return g.node(op, [x], where, **{k: get(layer) for k, get in attributes_of.items()})

    return convert


# The conversions, by layer class (a subclass finds its parent's).
CONVERTERS: dict[type, Callable[[Any, _Graph, str, str], str]] = {
    Sequential: _sequential,
    L.Conv2D: _conv,
    L.Linear: _linear,
    L.ReLU: _simple("Relu"),
    L.LeakyReLU: _simple("LeakyRelu", alpha=lambda layer: layer.negative_slope),
    L.Sigmoid: _simple("Sigmoid"),
    L.Tanh: _simple("Tanh"),
    L.MaxPool2D: _pool("MaxPool"),
    L.AvgPool2D: _pool("AveragePool", count_include_pad=1),
    L.GlobalAvgPool2D: _global_avg_pool,
    L.Flatten: _simple("Flatten", axis=lambda layer: 1),
    L.Dropout: _simple("Identity"),
    L.Identity: _simple("Identity"),
    L.BatchNorm1D: _batch_norm,
    L.BatchNorm2D: _batch_norm,
    L.LocalResponseNorm: _simple(
        "LRN",
        size=lambda layer: layer.size,
        alpha=lambda layer: layer.alpha,
        beta=lambda layer: layer.beta,
        bias=lambda layer: layer.k,
    ),
    L.Residual: _residual,
    L.PadShortcut: _pad_shortcut,
    L.Concat: _concat,
}


def _convert(layer: Layer, g: _Graph, x: str, where: str) -> str:
    for cls in type(layer).__mro__:
        if cls in CONVERTERS:
            return CONVERTERS[cls](layer, g, x, where)
    supported = ", ".join(sorted(c.__name__ for c in CONVERTERS))
    raise ONNXExportError(
        f"onnx.export: {type(layer).__name__} (at {where or 'the top'}: {layer!r}) has no "
        f"ONNX conversion in minicnn; the layers that export are: {supported}"
    )


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "mc.onnx.export needs the onnx package: pip install 'minicnn-course[onnx]' "
            "(or pip install onnx)"
        ) from None
    return onnx


def to_onnx(model: Layer, input_shape: tuple[int, ...], opset: int = OPSET):
    """The model as an ``onnx.ModelProto`` (checked with ``onnx.checker``), input
    ``input`` of shape (N, *input_shape), output ``output``; see ``export``."""
    onnx = _onnx()
    from onnx import helper, numpy_helper

    input_shape = tuple(int(n) for n in input_shape)
    try:
        out_shape = tuple(model.output_shape((1, *input_shape)))
    except (ValueError, TypeError) as err:
        raise ONNXExportError(
            f"onnx.export: the model does not take inputs of shape (N, *{input_shape}): {err}"
        ) from None
    g = _Graph(helper, numpy_helper)
    output = _convert(model, g, "input", "")
    g.nodes.append(helper.make_node("Identity", [output], ["output"], name="output"))
    f32 = onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        g.nodes,
        type(model).__name__,
        [helper.make_tensor_value_info("input", f32, ["N", *input_shape])],
        [helper.make_tensor_value_info("output", f32, ["N", *out_shape[1:]])],
        initializer=g.initializers,
    )
    proto = helper.make_model(
        graph, producer_name="minicnn", opset_imports=[helper.make_opsetid("", opset)]
    )
    proto.ir_version = min(proto.ir_version, 8)  # readable by older runtimes (opset 17 needs 8)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export(
    model: Layer, path: str | os.PathLike, input_shape: tuple[int, ...], opset: int = OPSET
) -> Path:
    """Write ``model`` as an ONNX file that computes what ``model.forward`` computes in
    eval mode (Dropout off, BatchNorm with its running statistics).

    Args:
        model: a minicnn model (any nesting of the layers in the module's table).
        path: the .onnx file to write (atomically: a failed export leaves no file).
        input_shape: one input without the batch axis, e.g. (1, 28, 28); the batch
            size stays free.
        opset: the ONNX operator set version (default 17).

    Returns the path written. Raises ONNXExportError naming a layer that cannot be
    exported, or when the model does not take ``input_shape``; ImportError (saying
    what to install) without the onnx package.
    """
    proto = to_onnx(model, input_shape, opset)
    return atomic_write_bytes(Path(path), proto.SerializeToString())


__all__ = ["export", "to_onnx", "ONNXExportError", "OPSET", "CONVERTERS"]
