"""What the explorer page shows, computed by minicnn: every layer's output for one
digit, a unit's receptive field, one convolution unrolled step by step, the backward
pass and one convolution's backward (``backward.py``), and one SGD step that can be
undone.

The page only draws; every number comes from here. The methods return plain
dicts of lists, ready for ``json.dumps``. A model is a ``Sequential`` of leaf
layers taking (1, 28, 28) images, e.g. ``mc.zoo.lenet5()``.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .. import functional as F
from .. import optim
from ..layers.base import Layer
from ..layers.conv import Conv2D
from ..layers.pool import AvgPool2D, MaxPool2D
from ..model import Sequential
from .backward import backward_pass, conv_backward_steps, lecture_002

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


def _exact(value: Any) -> Any:
    """An array (or a dict of them) as JSON-ready lists at full float64 precision: the
    gradients the page shows are the functional pairs' own numbers."""
    if isinstance(value, dict):
        return {key: _exact(v) for key, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    return value


class Network:
    """A trained model wrapped for the explorer. Thread-safe: the lock is held while a
    forward pass runs (layers keep their caches between forward and backward) and while
    a training step changes the weights; ``reset`` restores the weights it started with.
    """

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
        self.pristine = model.state_dict()  # copies: what reset() restores
        self.steps = 0  # training steps taken since the start or the last reset
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
            "steps": self.steps,
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
        (kernel k, or its span with dilation, stride s, padding p) reads input rows
        [a·s − p, b·s − p + k − 1];
        other layers (ReLU) keep the range. Returns the box on the 28×28 input clipped
        to the image ('top', 'left', 'bottom', 'right', inclusive) and its 'size'
        before clipping (which counts padding, as mc's summary does).
        """
        self._spatial_layer(layer)
        _, H, W = self.shapes[layer]
        if not (0 <= y < H and 0 <= x < W):
            raise ValueError(f"unit ({y}, {x}) is outside layer {layer}'s {H}×{W} maps")
        top, bottom, left, right = y, y, x, x
        for i in reversed(range(layer + 1)):
            lay = self.model.layers[i]
            if isinstance(lay, Conv2D | MaxPool2D | AvgPool2D):
                # the window the layer slides: a dilated kernel spans d·(k − 1) + 1 pixels
                input_shape = (1, *(self.shapes[i - 1] if i else INPUT_SHAPE))
                (kh, kw), (sh, sw) = lay.window(input_shape)
                ph, pw = _padding(lay)
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

    def _conv(self, layer: int, channel: int) -> Conv2D:
        """Conv2D layer ``layer``, checked to have output channel ``channel``."""
        conv = self.model.layers[layer] if 0 <= layer < len(self.model) else None
        if not isinstance(conv, Conv2D):
            convs = [i for i, lay in enumerate(self.model) if isinstance(lay, Conv2D)]
            raise ValueError(f"layer {layer} is not a Conv2D; Conv2D layers: {convs}")
        if not 0 <= channel < conv.out_channels:
            raise ValueError(
                f"channel {channel} does not exist: layer {layer} has {conv.out_channels} "
                f"output channels (0..{conv.out_channels - 1})"
            )
        return conv

    def conv_steps(self, image: np.ndarray, layer: int, channel: int) -> dict:
        """Everything the convolution tab animates for output channel ``channel`` of
        Conv2D layer ``layer``, computed as Conv2D computes it:

            cols = im2col(x)                 (C·kh·kw, OH·OW), column t = window t
            y[t] = w[channel] · cols[:, t] + b[channel]

        Returns the padded input (C, H + 2p, W + 2p), ``cols``, the filter row
        ``w[channel]`` flattened (C·kh·kw,), the bias, and the output (OH, OW), which
        equals the layer's own output for this channel (tests check it). ``cols`` is
        ``F.im2col``, the matrix ``conv2d_forward`` multiplies; with ``groups`` > 1, C
        is the C_in/groups channels of the channel's group (all the filter reads), and
        with a ``dilation`` d a window's taps are d pixels apart.
        """
        conv = self._conv(layer, channel)
        outputs = self._outputs(image)
        x = image.reshape(1, *INPUT_SHAPE) if layer == 0 else outputs[layer - 1][None]
        # the channels this filter reads: all of them, or its group's C/groups
        group = channel // (conv.out_channels // conv.groups)
        C_g = conv.in_channels // conv.groups
        x = x[:, group * C_g : (group + 1) * C_g].astype(np.float64)
        padding = _padding(conv)
        geometry = (conv.stride, padding, conv.dilation)
        cols = F.im2col(x, conv.kernel_size, *geometry)  # the matrix conv2d_forward builds
        w_row = conv.weight.data[channel].reshape(-1).astype(np.float64)
        bias = 0.0 if conv.bias is None else float(conv.bias.data[channel])
        w = w_row.reshape(1, *conv.weight.data.shape[1:])
        y = F.conv2d(x, w, np.array([bias]), *geometry)[0, 0]  # = w_row @ cols + b
        padded = F.zero_pad(x, padding)[0]
        return {
            "layer": layer,
            "channel": channel,
            "kernel_size": list(conv.kernel_size),
            "stride": list(conv.stride),
            "padding": list(conv.padding),
            "dilation": list(conv.dilation),
            "input": _rounded(padded),
            "cols": _rounded(cols),
            "weight": _rounded(w_row),
            "bias": round(bias, DECIMALS),
            "output": _rounded(y),
        }

    # -- the backward pass ----------------------------------------------------------------

    def _label(self, label: int | None) -> int | None:
        if label is not None and not 0 <= label < len(self.classes):
            raise ValueError(
                f"label {label} does not exist: the classes are 0..{len(self.classes) - 1} "
                f"(or send null for the prediction)"
            )
        return label

    def _backward_pass(self, image: np.ndarray, label: int | None) -> dict:
        with self.lock:  # a training step may not change the weights meanwhile
            return backward_pass(self.model, image, self._label(label))

    def backward(self, image: np.ndarray, label: int | None = None) -> dict:
        """The forward pass (as ``forward``) and the backward pass of the cross-entropy
        loss for ``label`` (None: the prediction) for one preprocessed (28, 28) image:
        'loss', 'label', 'gradients' (dL/d(output) of every layer; the last is
        dL/d(scores) = softmax − onehot), 'dx' (dL/d(input), (28, 28)) and 'parameters'
        (per layer with weights: dL/dB, and dL/dK for each conv filter; a Linear layer
        gives the largest |dL/dW| only, its matrix being too big to draw). Gradients are
        float64 at full precision (see ``backward.backward_pass``).
        """
        result = self._backward_pass(image, label)
        parameters = []
        for i, grads in result["parameters"].items():
            info = {"layer": i, "type": type(self.model[i]).__name__, **_exact(grads)}
            if not isinstance(self.model[i], Conv2D):
                info["weight"] = None
                info["weight_abs_max"] = float(np.abs(grads["weight"]).max())
            parameters.append(info)
        return {
            "outputs": [_rounded(y) for y in result["outputs"]],
            "probabilities": _rounded(result["probabilities"]),
            "prediction": result["prediction"],
            "label": result["label"],
            "loss": result["loss"],
            "gradients": [_exact(g) for g in result["gradients"]],
            "dx": _exact(result["dx"]),
            "parameters": parameters,
        }

    def conv_backward_steps(
        self, image: np.ndarray, layer: int, channel: int, label: int | None = None
    ) -> dict:
        """Everything the backward stepper animates for output channel ``channel`` of Conv2D
        layer ``layer``, for this image and ``label`` (see
        ``backward.conv_backward_steps``): dL/dY of the
        channel from the backward pass, and dK, dB and this channel's share of dL/dX from
        ``F.conv2d_backward``."""
        conv = self._conv(layer, channel)
        if conv.stride != (1, 1):
            raise ValueError(f"the backward stepper draws stride 1; layer {layer} has {conv}")
        result = self._backward_pass(image, label)
        x = image[None] if layer == 0 else result["outputs"][layer - 1]
        w = conv.weight.data[channel].astype(np.float64)
        b = 0.0 if conv.bias is None else float(conv.bias.data[channel])
        dy = result["gradients"][layer][channel]
        steps = conv_backward_steps(x, w, b, dy, _padding(conv))
        return {"layer": layer, "channel": channel, "label": result["label"], **_exact(steps)}

    @staticmethod
    def lecture_002(dy: np.ndarray | None = None) -> dict:
        """The backward stepper's numbers for lecture 002's 3×3 example."""
        return {"layer": None, "channel": 0, "label": None, **_exact(lecture_002(dy))}

    # -- one training step -----------------------------------------------------------------

    def train_step(self, image: np.ndarray, label: int | None, lr: float) -> dict:
        """One SGD step (θ ← θ − lr·dL/dθ, ``mc.optim.SGD``) on this image and ``label``
        (None: the prediction), on the model itself. Returns the loss and probabilities
        before and after, and for every parameter how far it moved: 'max' and 'mean' of
        |Δ|, and for conv filters Δ itself, to draw."""
        if isinstance(lr, bool) or not isinstance(lr, int | float) or not 0 < lr <= 10:
            raise ValueError(f"the learning rate must be a number in (0, 10], got {lr!r}")
        lr = float(lr)  # NaN fails the range test above
        label = self._label(label)
        x = image.reshape(1, *INPUT_SHAPE).astype(np.float32)
        with self.lock:
            before = self.model.state_dict()
            self.model.zero_grad()
            scores = self.model.forward(x)
            label = int(np.argmax(scores[0])) if label is None else label
            loss, dscores = F.softmax_cross_entropy(scores, np.array([label]))
            self.model.backward(dscores)
            optim.SGD(self.model.parameters(), lr=lr).step()
            self.model.zero_grad()
            scores_after = self.model.forward(x)
            loss_after, _ = F.softmax_cross_entropy(scores_after, np.array([label]))
            self.steps += 1
            steps = self.steps
            after = self.model.state_dict()
        changes = []
        for name, old in before.items():
            delta = after[name].astype(np.float64) - old
            layer = int(name.split(".")[0])
            change = {
                "name": name,
                "layer": layer,
                "max": float(np.abs(delta).max()),
                "mean": float(np.abs(delta).mean()),
            }
            if isinstance(self.model[layer], Conv2D) and name.endswith("weight"):
                change["delta"] = _exact(delta)
            changes.append(change)
        probabilities = [F.softmax(s[0].astype(np.float64)) for s in (scores, scores_after)]
        return {
            "label": label,
            "lr": lr,
            "steps": steps,
            "loss_before": float(loss),
            "loss_after": float(loss_after),
            "probabilities_before": _rounded(probabilities[0]),
            "probabilities_after": _rounded(probabilities[1]),
            "prediction_before": int(np.argmax(probabilities[0])),
            "prediction_after": int(np.argmax(probabilities[1])),
            "changes": changes,
        }

    def reset(self) -> dict:
        """Restore the weights the explorer started with (undo every training step)."""
        with self.lock:
            self.model.load_state_dict(self.pristine)
            self.steps = 0
        return {"steps": 0}
