"""model.summary(): each layer's output shape, parameters, multiply-adds and receptive
field, computed from shapes alone (no data flows, so a 224×224 VGG is instant).

A layer describes only itself (``output_shape``, ``macs``, ``window``); this module walks
the model. A container whose children run ``in_sequence`` (``Sequential``) passes each
child's output shape to the next; any other container (``Residual``, ``Concat``) gives
every child the same input and joins their outputs. The walk asks the layer, not its
class, so this module imports no container (and ``Sequential.summary`` can import it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .layers.base import Layer, name_the_layer
from .receptive_field import ReceptiveField


@dataclass
class SummaryRow:
    """One line of ``model.summary``: shapes exclude the batch axis.

    ``receptive_field`` is the (height, width) in input pixels that one output unit
    of the layer sees (see minicnn.receptive_field), None for non-image inputs.
    """

    name: str
    output_shape: tuple[int, ...]
    params: int
    macs: int
    receptive_field: tuple[int, int] | None = None


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


def summary(
    model: Layer, input_shape: tuple[int, ...] | None = None, print_table: bool = True
) -> Summary:
    """Print and return the per-layer table for one input of ``input_shape``
    (no batch axis, e.g. (1, 28, 28) for MNIST). Without ``input_shape``, the model's
    own: the zoo's models know theirs (``mc.zoo.resnet20().input_shape`` is (3, 32, 32)),
    and ``model.with_input_shape((1, 28, 28))`` tells any model."""
    if input_shape is None:
        input_shape = model.input_shape
    if input_shape is None:
        raise TypeError(
            f"summary: this {type(model).__name__} does not know the shape of its input; "
            f"pass the shape of one input, without the batch axis: model.summary((1, 28, 28)) "
            f"for MNIST, (3, 32, 32) for CIFAR-10 (or set it once with "
            f"model.with_input_shape(...))"
        )
    shape = (1, *input_shape)
    # Receptive fields are measured in pixels of an image input (C, H, W).
    rf = ReceptiveField() if len(shape) == 4 else None
    try:
        rows = _rows(model, shape, "", rf)
        total_macs = model.macs(shape)
    except ValueError as err:
        if len(input_shape) == 4:
            err.args = (
                f"{err.args[0]}\n(summary takes the shape of ONE input, without the batch "
                f"axis: did you mean summary({tuple(input_shape[1:])})?)",
            )
        raise
    result = Summary(
        tuple(input_shape),
        rows,
        sum(p.size for p in model.parameters()),
        total_macs,
        sum(p.size for p in model.parameters() if p.requires_grad),
    )
    if print_table:
        print(result)
    return result


def receptive_field(layer: Layer, input_shape, rf: ReceptiveField) -> ReceptiveField:
    """The receptive field of ``layer``'s output given ``rf`` of its input:
    r_out = r_in + (k − 1)·j_in, j_out = j_in·s through a window; composed along a
    Sequential; the larger of the paths where parallel paths join."""
    if layer.in_sequence:
        for child in layer.children():
            rf = receptive_field(child, input_shape, rf)
            input_shape = child.output_shape(input_shape)
        return rf
    if layer.children():
        fields = [receptive_field(child, input_shape, rf) for child in layer.children()]
        if getattr(layer, "shortcut", True) is None:  # an identity path sees rf unchanged
            fields.append(rf)
        return _union(fields)
    return rf.through(*layer.window(input_shape))


def _union(fields: list[ReceptiveField]) -> ReceptiveField:
    result = fields[0]
    for other in fields[1:]:
        result = result.union(other)
    return result


def _rows(layer: Layer, input_shape, name: str, rf: ReceptiveField | None) -> list[SummaryRow]:
    children = list(layer.named_children())
    if not children:
        return [_leaf_row(layer, input_shape, name, rf)]
    rows = []
    if layer.in_sequence:
        for child_name, child in children:
            rows += _rows(child, input_shape, _child_label(name, child_name, child), rf)
            if rf is not None:
                rf = receptive_field(child, input_shape, rf)
            input_shape = child.output_shape(input_shape)
        return rows
    # parallel paths: every child sees the same input, then the paths join
    for child_name, child in children:
        rows += _rows(child, input_shape, _child_label(name, child_name, child), rf)
    if getattr(layer, "shortcut", True) is None:
        rows.append(
            SummaryRow(
                f"{name}.shortcut identity",
                tuple(input_shape[1:]),
                0,
                0,
                None if rf is None else rf.size,
            )
        )
    out = layer.output_shape(input_shape)
    out_rf = None if rf is None else receptive_field(layer, input_shape, rf).size
    join = f"{name} {getattr(layer, 'join', 'join')} ({type(layer).__name__})"
    rows.append(SummaryRow(join, tuple(out[1:]), 0, 0, out_rf))
    return rows


def _leaf_row(layer: Layer, input_shape, name: str, rf) -> SummaryRow:
    try:
        out = layer.output_shape(input_shape)
    except ValueError as err:
        name_the_layer(err, layer)
        raise
    return SummaryRow(
        name,
        tuple(out[1:]),
        sum(p.size for p in layer.parameters()),
        layer.macs(input_shape),
        None if rf is None else rf.through(*layer.window(input_shape)).size,
    )


def _child_label(parent: str, child_name: str, child: Layer) -> str:
    """Leaves are labelled with their type, containers let their children add theirs."""
    full = f"{parent}.{child_name}" if parent else child_name
    return full if child.children() else f"{full} {type(child).__name__}"
