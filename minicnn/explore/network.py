"""What the explorer page shows, computed by minicnn: every layer's output for one
digit, a unit's receptive field, and one convolution unrolled step by step.

The page only draws; every number comes from here. The methods return plain
dicts of lists, ready for ``json.dumps``. A model is a ``Sequential`` of leaf
layers taking (1, 28, 28) images, e.g. ``mc.zoo.lenet5()``.
"""

from __future__ import annotations

import threading

import numpy as np

from .. import functional as F
from ..backend import kernels
from ..layers.base import Layer
from ..layers.conv import Conv2D
from ..layers.pool import AvgPool2D, MaxPool2D
from ..model import Sequential

INPUT_SHAPE = (1, 28, 28)
DECIMALS = 4  # enough for a picture, and keeps the JSON small


def _rounded(a: np.ndarray) -> list:
    return np.round(np.asarray(a, dtype=np.float64), DECIMALS).tolist()


def _kind(layer: Layer, output_ndim: int) -> str:
    """How the page draws a layer's output: conv, pool or act as a stack of maps;
    vector as bars."""
    if isinstance(layer, Conv2D):
        return "conv"
    if hasattr(layer, "kernel_size"):  # MaxPool2D, AvgPool2D
        return "pool"
    if output_ndim == 3:
        return "act"
    return "vector"


def _padding(layer: Conv2D | MaxPool2D | AvgPool2D) -> tuple[int, int]:
    """The layer's (ph, pw) zero padding; a Conv2D's padding='same' or 'valid' has no
    such pair, so the explorer cannot draw it."""
    if isinstance(layer.padding, str):
        raise ValueError(
            f"{layer!r} has padding={layer.padding!r}; the explorer needs the padding as "
            f"numbers, e.g. padding=2"
        )
    return layer.padding


class Network:
    """A trained model wrapped for the explorer (thread-safe: one forward at a time,
    since layers keep their caches between forward and backward)."""

    def __init__(self, model: Sequential, source: str, classes: list[str] | None = None) -> None:
        if not isinstance(model, Sequential) or any(layer.children() for layer in model):
            raise TypeError(
                "the explorer needs a flat mc.Sequential of layers (e.g. mc.zoo.lenet5()), "
                f"got {type(model).__name__}"
            )
        model.eval()
        self.model = model
        self.source = source
        self.shapes: list[tuple[int, ...]] = []  # each layer's output shape, no batch axis
        shape = (1, *INPUT_SHAPE)
        for layer in model:
            shape = layer.output_shape(shape)
            self.shapes.append(tuple(shape[1:]))
        n_classes = self.shapes[-1][0]
        self.classes = list(classes) if classes is not None else [str(i) for i in range(n_classes)]
        self.lock = threading.Lock()
        # The first forward pass compiles the numba kernels (about 1.5 s); pay it now,
        # not on the student's first stroke.
        self._outputs(np.zeros(INPUT_SHAPE[1:], dtype=np.float32))

    # -- what the page asks once --------------------------------------------------------

    def describe(self) -> dict:
        """The layers (index, type, kind, output shape), every conv filter, the classes."""
        layers = []
        for i, (layer, shape) in enumerate(zip(self.model, self.shapes, strict=True)):
            info = {
                "index": i,
                "type": type(layer).__name__,
                "kind": _kind(layer, len(shape)),
                "shape": list(shape),
            }
            if isinstance(layer, Conv2D):
                info.update(
                    kernel_size=list(layer.kernel_size),
                    stride=list(layer.stride),
                    padding=list(layer.padding),
                    weight=_rounded(layer.weight.data),
                    bias=None if layer.bias is None else _rounded(layer.bias.data),
                )
            elif hasattr(layer, "kernel_size"):
                info.update(
                    kernel_size=list(layer.kernel_size),
                    stride=list(layer.stride),
                    padding=list(layer.padding),
                )
            layers.append(info)
        return {
            "input_shape": list(INPUT_SHAPE),
            "layers": layers,
            "classes": self.classes,
            "source": self.source,
            "parameters": int(sum(p.size for p in self.model.parameters())),
        }

    # -- one digit through the network --------------------------------------------------

    def _outputs(self, image: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for one (28, 28) image, batch axis dropped."""
        x = image.reshape(1, *INPUT_SHAPE).astype(np.float32)
        outputs = []
        with self.lock:
            for layer in self.model:
                x = layer.forward(x)
                outputs.append(x[0].copy())
        return outputs

    def forward(self, image: np.ndarray) -> dict:
        """{'outputs': each layer's output, 'probabilities': softmax of the last,
        'prediction': its argmax} for one preprocessed (28, 28) image."""
        outputs = self._outputs(image)
        probabilities = F.softmax(outputs[-1].astype(np.float64))
        return {
            "outputs": [_rounded(y) for y in outputs],
            "probabilities": _rounded(probabilities),
            "prediction": int(np.argmax(probabilities)),
        }

    # -- geometry -------------------------------------------------------------------------

    def _spatial_layer(self, layer: int) -> None:
        if not 0 <= layer < len(self.shapes) or len(self.shapes[layer]) != 3:
            spatial = [i for i, s in enumerate(self.shapes) if len(s) == 3]
            raise ValueError(f"layer {layer} has no feature maps; layers with maps: {spatial}")

    def receptive_field(self, layer: int, y: int, x: int) -> dict:
        """The input pixels that unit (y, x) of layer ``layer``'s maps sees.

        Walking back through the layers, an output range [a, b] of a window layer
        (kernel k, stride s, padding p) reads input rows [a·s − p, b·s − p + k − 1];
        other layers (ReLU) keep the range. Returns the box on the 28×28 input clipped
        to the image ('top', 'left', 'bottom', 'right', inclusive) and its 'size'
        before clipping (which counts padding, as mc's summary does).
        """
        self._spatial_layer(layer)
        _, H, W = self.shapes[layer]
        if not (0 <= y < H and 0 <= x < W):
            raise ValueError(f"unit ({y}, {x}) is outside layer {layer}'s {H}×{W} maps")
        top, bottom, left, right = y, y, x, x
        for lay in reversed(self.model.layers[: layer + 1]):
            if isinstance(lay, Conv2D | MaxPool2D | AvgPool2D):
                (kh, kw), (sh, sw), (ph, pw) = lay.kernel_size, lay.stride, _padding(lay)
                top, bottom = top * sh - ph, bottom * sh - ph + kh - 1
                left, right = left * sw - pw, right * sw - pw + kw - 1
        size = [bottom - top + 1, right - left + 1]
        _, h, w = INPUT_SHAPE
        return {
            "top": max(top, 0),
            "left": max(left, 0),
            "bottom": min(bottom, h - 1),
            "right": min(right, w - 1),
            "size": size,
        }

    # -- one convolution, step by step ------------------------------------------------

    def conv_steps(self, image: np.ndarray, layer: int, channel: int) -> dict:
        """Everything the convolution tab animates for output channel ``channel`` of
        Conv2D layer ``layer``, computed as Conv2D computes it:

            cols = im2col(x)                 (C·kh·kw, OH·OW), column t = window t
            y[t] = w[channel] · cols[:, t] + b[channel]

        Returns the padded input (C, H + 2p, W + 2p), ``cols``, the filter row
        ``w[channel]`` flattened (C·kh·kw,), the bias, and the output (OH, OW), which
        equals the layer's own output for this channel (tests check it).
        """
        conv = self.model.layers[layer] if 0 <= layer < len(self.model) else None
        if not isinstance(conv, Conv2D):
            convs = [i for i, lay in enumerate(self.model) if isinstance(lay, Conv2D)]
            raise ValueError(f"layer {layer} is not a Conv2D; Conv2D layers: {convs}")
        if not 0 <= channel < conv.out_channels:
            raise ValueError(
                f"channel {channel} does not exist: layer {layer} has {conv.out_channels} "
                f"output channels (0..{conv.out_channels - 1})"
            )
        outputs = self._outputs(image)
        x = image.reshape(1, *INPUT_SHAPE) if layer == 0 else outputs[layer - 1][None]
        x = x.astype(np.float64)
        (ph, pw), (OH, OW) = _padding(conv), self.shapes[layer][1:]
        cols = kernels().im2col(x, conv.kernel_size, conv.stride, (ph, pw))
        w_row = conv.weight.data[channel].reshape(-1).astype(np.float64)
        bias = 0.0 if conv.bias is None else float(conv.bias.data[channel])
        y = (w_row @ cols + bias).reshape(OH, OW)
        padded = np.pad(x[0], ((0, 0), (ph, ph), (pw, pw)))
        return {
            "layer": layer,
            "channel": channel,
            "kernel_size": list(conv.kernel_size),
            "stride": list(conv.stride),
            "padding": list(conv.padding),
            "input": _rounded(padded),
            "cols": _rounded(cols),
            "weight": _rounded(w_row),
            "bias": round(bias, DECIMALS),
            "output": _rounded(y),
        }
