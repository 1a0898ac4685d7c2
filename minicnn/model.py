"""Sequential: a chain of layers that is itself a layer, and its summary table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers.base import Layer, SummaryRow
from .receptive_field import ReceptiveField


@dataclass
class Summary:
    """What ``model.summary`` prints: one row per leaf layer and the totals.

    ``total_macs`` counts multiply-adds of one forward pass for one input.
    The receptive field column is the (height, width) of input pixels one output
    unit of the row's layer sees, shown as one number when square.
    """

    input_shape: tuple[int, ...]
    rows: list[SummaryRow]
    total_params: int
    total_macs: int
    trainable_params: int | None = None  # None: all of them (no frozen parameters)

    @property
    def frozen_params(self) -> int:
        """Parameters with requires_grad=False (counted in total_params, not trained)."""
        return 0 if self.trainable_params is None else self.total_params - self.trainable_params

    def __str__(self) -> str:
        header = ("layer", "output shape", "params", "mult-adds", "receptive field")
        lines = [
            (
                r.name,
                str(r.output_shape),
                f"{r.params:,}",
                f"{r.macs:,}",
                "-" if r.receptive_field is None else ReceptiveField(r.receptive_field).display(),
            )
            for r in self.rows
        ]
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(5)]

        def fmt(row):
            return (
                f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
                f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  {row[4]:>{widths[4]}}"
            )

        rule = "-" * len(fmt(header))
        return "\n".join(
            [
                f"input shape {self.input_shape}",
                fmt(header),
                rule,
                *map(fmt, lines),
                rule,
                f"total parameters: {self.total_params:,}",
                *self._trainable_lines(),
                f"total multiply-adds per input: {self.total_macs:,}",
            ]
        )

    def _trainable_lines(self) -> list[str]:
        # Shown only when something is frozen, so the tables of ordinary models stay short.
        if not self.frozen_params:
            return []
        trainable = self.total_params - self.frozen_params
        return [
            f"  trainable: {trainable:,}",
            f"  frozen (requires_grad=False): {self.frozen_params:,}",
        ]


class Sequential(Layer):
    """Layers applied in order: y = f_L(... f_2(f_1(x))).

    backward runs the chain rule in reverse: dL/dx = J_1ᵀ(... J_Lᵀ(dL/dy)).
    A Sequential is itself a Layer, so models nest.
    """

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
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def children(self):
        return list(self.layers)

    def parameters(self):
        for layer in self.layers:
            yield from layer.parameters()

    def named_parameters(self, prefix: str = ""):
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}{i}.")

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

    def receptive_field(self, input_shape, rf):
        for layer in self.layers:
            rf = layer.receptive_field(input_shape, rf)
            input_shape = layer.output_shape(input_shape)
        return rf

    def summary_rows(self, input_shape, name, rf=None):
        rows = []
        for i, layer in enumerate(self.layers):
            prefix = f"{name}.{i}" if name else str(i)
            rows += layer.summary_rows(
                input_shape,
                f"{prefix} {type(layer).__name__}" if not layer.children() else prefix,
                rf,
            )
            if rf is not None:
                rf = layer.receptive_field(input_shape, rf)
            input_shape = layer.output_shape(input_shape)
        return rows

    def summary(self, input_shape: tuple[int, ...], print_table: bool = True) -> Summary:
        """Print and return the per-layer table for one input of ``input_shape``
        (no batch axis, e.g. (1, 28, 28)). Only shapes flow through the model (no
        data), so even a 224×224 VGG or ResNet is summarised instantly."""
        shape = (1, *input_shape)
        # Receptive fields are measured in pixels of an image input (C, H, W).
        rf = ReceptiveField() if len(shape) == 4 else None
        rows = self.summary_rows(shape, "", rf)
        result = Summary(
            tuple(input_shape),
            rows,
            sum(p.size for p in self.parameters()),
            self.macs(shape),
            sum(p.size for p in self.parameters() if p.requires_grad),
        )
        if print_table:
            print(result)
        return result

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
