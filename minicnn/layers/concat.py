"""Concat: branches that see the same input, their outputs stacked along the channels
(GoogLeNet's Inception module, DenseNet, U-Net's skip connections), and Identity,
the branch that passes the input on unchanged."""

from __future__ import annotations

import numpy as np

from .. import functional_new_blocks as F
from .base import Layer, SummaryRow


class Identity(Layer):
    """y = x, dL/dx = dL/dy, as ``torch.nn.Identity``. No parameters.

    As a branch of :class:`Concat` it carries the input itself into the output:
    ``Concat(Identity(), body)`` is DenseNet's x ↦ [x, body(x)] and U-Net's skip
    connection around a down-and-up ``body``.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = x.shape
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.check_dout(dout, getattr(self, "_cache", None) or ())
        return dout


class Concat(Layer):
    """y = [B₁(x), B₂(x), ..., B_k(x)]: every branch runs on the same input x and the
    outputs are concatenated along the channel axis, as GoogLeNet's Inception module
    (torch: ``torch.cat([b(x) for b in branches], dim=1)``)::

        inception = mc.Concat(
            mc.Conv2D(192, 64, 1),                                         # 1×1
            mc.Sequential(mc.Conv2D(192, 96, 1), mc.ReLU(), mc.Conv2D(96, 128, 3, padding=1)),
            mc.Sequential(mc.MaxPool2D(3, 1, 1), mc.Conv2D(192, 32, 1)),
        )

    Shapes: x (N, C, H, W); branch k gives (N, C_k, H', W') with the same H', W' for
    every branch; y (N, Σ C_k, H', W').

    Backward: y is the branch outputs side by side, so branch k's output gradient is
    its own slice of dL/dy, dL/dB_k = dL/dy[:, start_k:end_k]. x feeds every branch,
    so (the chain rule on a fork, as in Residual) the gradients that reach x add up:

        dL/dx = Σ_k J_kᵀ · dL/dy[:, start_k:end_k]

    A skip connection (U-Net) is a branch that is the identity: ``Concat(Identity(),
    body)`` hands x itself to the decoder next to body(x).
    Functional pair for the join: ``F.concat_forward`` / ``F.concat_backward``.
    """

    def __init__(self, *branches: Layer):
        if not branches:
            raise ValueError("Concat needs at least one branch, e.g. Concat(Identity(), body)")
        for i, branch in enumerate(branches):
            if not isinstance(branch, Layer):
                raise TypeError(
                    f"Concat: branch {i} is a {type(branch).__name__}, not a mc.Layer; pass "
                    f"layer instances, e.g. mc.Conv2D(192, 64, 1) or mc.Identity()"
                )
        self.branches = list(branches)
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        outputs = [branch.forward(x) for branch in self.branches]
        self._check_shapes(x.shape, [o.shape for o in outputs])
        y, self._cache = F.concat_forward(outputs)
        self._out_shape = y.shape
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.check_dout(dout, self._out_shape if self._cache is not None else ())
        pieces = F.concat_backward(dout, self._cache)
        dx = self.branches[0].backward(pieces[0])
        dx = np.array(dx, copy=True)  # a new array: the branch may return a view of dout
        for branch, piece in zip(self.branches[1:], pieces[1:], strict=True):
            dx += branch.backward(piece)
        return dx

    def _check_shapes(self, input_shape, shapes) -> None:
        first = shapes[0]
        for i, shape in enumerate(shapes):
            if len(shape) != 4 or shape[0] != first[0] or shape[2:] != first[2:]:
                listing = ", ".join(f"branch {k}: {tuple(s)}" for k, s in enumerate(shapes))
                raise ValueError(
                    f"Concat on input {tuple(input_shape)}: branch {i} gives {tuple(shape)}, "
                    f"but every branch must give (N, C_k, H, W) with the same N, H, W to be "
                    f"stacked along the channels ({listing}); pad so that each branch keeps "
                    f"the size (e.g. padding='same') or resize it"
                )

    def children(self):
        return list(self.branches)

    def parameters(self):
        for branch in self.branches:
            yield from branch.parameters()

    def named_parameters(self, prefix: str = ""):
        for i, branch in enumerate(self.branches):
            yield from branch.named_parameters(f"{prefix}{i}.")

    def output_shape(self, input_shape):
        shapes = [tuple(b.output_shape(input_shape)) for b in self.branches]
        self._check_shapes(input_shape, shapes)
        N, _, H, W = shapes[0]
        return (N, sum(s[1] for s in shapes), H, W)

    def macs(self, input_shape):
        return sum(branch.macs(input_shape) for branch in self.branches)

    def receptive_field(self, input_shape, rf):
        """An output channel sees what its branch sees; the block as a whole sees the
        largest of the branches' fields."""
        fields = [branch.receptive_field(input_shape, rf) for branch in self.branches]
        out = fields[0]
        for field in fields[1:]:
            out = out.union(field)
        return out

    def summary_rows(self, input_shape, name, rf=None):
        """Each branch's rows, named ``<name>.<k>``, then one row for the join,
        ``<name> concat (Concat)``, whose output shape shows the stacked channels."""
        base = name or "concat"
        rows = []
        for i, branch in enumerate(self.branches):
            label = f"{base}.{i}" if branch.children() else f"{base}.{i} {type(branch).__name__}"
            rows += branch.summary_rows(input_shape, label, rf)
        out = self.output_shape(input_shape)
        out_rf = None if rf is None else self.receptive_field(input_shape, rf).size
        rows.append(SummaryRow(f"{base} concat (Concat)", tuple(out[1:]), 0, 0, out_rf))
        return rows

    def __repr__(self):
        inner = "\n".join(
            f"  ({i}): " + repr(b).replace("\n", "\n  ") for i, b in enumerate(self.branches)
        )
        return f"Concat(\n{inner}\n)"
