"""Concat: branches that see the same input, their outputs stacked along the channels
(GoogLeNet's Inception module, DenseNet, U-Net's skip connections), and Identity,
the branch that passes the input on unchanged."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .base import Layer


class Identity(Layer):
    """y = x, dL/dx = dL/dy, as ``torch.nn.Identity``. No parameters.

    As a branch of [`Concat`][minicnn.layers.concat.Concat] it carries the input itself into the
    output: ``Concat(Identity(), body)`` is DenseNet's x ↦ [x, body(x)] and U-Net's skip
    connection around a down-and-up ``body``.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(None, x.shape)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.saved_cache(dout)  # the shared checks (forward first, once, dout's shape)
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

    ``mc.summary`` lists each branch's rows (``<name>.<k>``) and a ``concat`` row
    where they join; the receptive field there is the largest of the branches'.
    Shapes: x (N, C, H, W); branch k gives (N, C_k, H', W') with the same H', W' for
    every branch; y (N, Σ C_k, H', W').

    Backward: y is the branch outputs side by side, so branch k's output gradient is
    its own slice of dL/dy, dL/dB_k = dL/dy[:, start_k:end_k]. x feeds every branch,
    so (the chain rule on a fork, as in Residual) the gradients that reach x add up:

        dL/dx = Σ_k J_kᵀ · dL/dy[:, start_k:end_k]

    A skip connection (U-Net) is a branch that is the identity: ``Concat(Identity(),
    body)`` hands x itself to the decoder next to body(x).
    Functional pair for the join: ``F.concat_forward`` / ``F.concat_backward``.

    Args:
        *branches: the layers that all run on x; their outputs must agree in height and width.
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

    join = "concat"  # how mc.summary names the row where the branches meet

    def forward(self, x: np.ndarray) -> np.ndarray:
        outputs = [branch(x) for branch in self.branches]
        self._joined_shape(x.shape, [o.shape for o in outputs])
        y, cache = F.concat_forward(outputs)
        self.save_for_backward(cache, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        pieces = F.concat_backward(dout, self.saved_cache(dout))
        dx = np.array(self.branches[0].backward(pieces[0]), copy=True)  # may be a view of dout
        for branch, piece in zip(self.branches[1:], pieces[1:], strict=True):
            dx += branch.backward(piece)
        return dx

    def named_children(self):
        for i, branch in enumerate(self.branches):
            yield str(i), branch

    def output_shape(self, input_shape):
        return self._joined_shape(input_shape, [b.output_shape(input_shape) for b in self.branches])

    def _joined_shape(self, input_shape, shapes):
        """The functional core's rule: every branch gives (N, C_k, H, W), the same N, H, W."""
        return F.concat_output_shape(shapes, f"Concat on input {tuple(input_shape)}", "branch")

    def macs(self, input_shape):
        return sum(branch.macs(input_shape) for branch in self.branches)

    def __repr__(self):
        inner = "\n".join(
            f"  ({i}): " + repr(b).replace("\n", "\n  ") for i, b in enumerate(self.branches)
        )
        return f"Concat(\n{inner}\n)"
