"""Sequential: a chain of layers that is itself a layer."""

from __future__ import annotations

import numpy as np

from .layers.base import Layer
from .summary import Summary, summary


class Sequential(Layer):
    """Layers applied in order: y = f_L(... f_2(f_1(x))).

    backward runs the chain rule in reverse: dL/dx = J_1ᵀ(... J_Lᵀ(dL/dy)).
    A Sequential is itself a Layer, so models nest.
    """

    in_sequence = True  # each child's output is the next child's input

    def __init__(self, *layers: Layer):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential: item {i} is a {type(layer).__name__}, not a mc.Layer; "
                    f"pass layer instances, e.g. mc.ReLU() rather than mc.ReLU"
                )
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def named_children(self):
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def output_shape(self, input_shape):
        for layer in self.layers:
            input_shape = layer.output_shape(input_shape)
        return tuple(input_shape)

    def macs(self, input_shape):
        total = 0
        for layer in self.layers:
            total += layer.macs(input_shape)
            input_shape = layer.output_shape(input_shape)
        return total

    def summary(
        self, input_shape: tuple[int, ...] | None = None, print_table: bool = True
    ) -> Summary:
        """Print and return the per-layer table ([`minicnn.summary.summary`][]) for one
        input of ``input_shape`` (no batch axis, e.g. (1, 28, 28)): output shapes,
        parameters, multiply-adds and receptive fields, from shapes alone. Without a
        shape, the model's own ``input_shape`` (the zoo's models know theirs)."""
        return summary(self, input_shape, print_table)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        inner = "\n".join(
            f"  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers)
        )
        return f"Sequential(\n{inner}\n)"
