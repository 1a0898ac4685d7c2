"""Residual: a block whose input skips ahead and is added to its output (He et al., 2016)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import validate
from .base import Layer


class Residual(Layer):
    """y = F(x) + S(x): a ``body`` F and a ``shortcut`` S applied to the same input,
    their outputs added. S is the identity by default (y = F(x) + x), or any layer
    that maps x to F(x)'s shape, e.g. a projection when the block changes the
    number of channels or the resolution::

        mc.Residual(body, shortcut=mc.Sequential(
            mc.Conv2D(64, 128, 1, stride=2, bias=False), mc.BatchNorm2D(128)))

    The graph forks at x and joins at the sum, so backward is the chain rule on
    both paths, and the gradients that reach x are added (x is used twice):

        dL/dF = dL/dS = dL/dy                         (an addition passes dy to both terms)
        dL/dx = J_Fᵀ · dL/dy + J_Sᵀ · dL/dy           (= J_Fᵀ · dL/dy + dL/dy for S = identity)

    The identity term is why very deep residual networks train: dL/dx always gets
    dL/dy unchanged, however small the body's Jacobian has become.
    Shapes: x (N, C, H, W) -> y = shape of F(x), which must equal that of S(x).
    A ReLU after the sum, as in ResNet, is a separate layer: Sequential(Residual(...), ReLU()).

    Args:
        body: F, the block's layers (usually a Sequential).
        shortcut: S, None for the identity, or a layer that maps x to F(x)'s shape.
    """

    join = "add"  # how mc.summary names the row where the paths meet

    def __init__(self, body: Layer, shortcut: Layer | None = None):
        for role, layer in (("body", body), ("shortcut", shortcut)):
            if layer is not None and not isinstance(layer, Layer):
                raise TypeError(
                    f"Residual: {role} must be a mc.Layer (e.g. a mc.Sequential), "
                    f"got {type(layer).__name__}"
                )
        self.body = body
        self.shortcut = shortcut

    def forward(self, x: np.ndarray) -> np.ndarray:
        fx = self.body(x)
        sx = x if self.shortcut is None else self.shortcut(x)
        if fx.shape != sx.shape:
            raise ValueError(self._mismatch(x.shape, fx.shape, sx.shape))
        y = fx + sx
        self.save_for_backward(None, y.shape)  # nothing to keep: an addition has no parameters
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.saved_cache(dout)  # the shared checks (forward first, once, dout's shape)
        dx_body = self.body.backward(dout)
        dx_short = dout if self.shortcut is None else self.shortcut.backward(dout)
        # A new array, not +=: either term may be a view of dout (identity, Flatten).
        return dx_body + dx_short

    def named_children(self):
        yield "body", self.body
        if self.shortcut is not None:
            yield "shortcut", self.shortcut

    def _paths(self, input_shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Output shapes of the body and the shortcut for ``input_shape``."""
        body = self.body.output_shape(input_shape)
        short = (
            tuple(input_shape) if self.shortcut is None else self.shortcut.output_shape(input_shape)
        )
        return tuple(body), tuple(short)

    def _mismatch(self, input_shape, body, short) -> str:
        fix = (
            "give the block a projection shortcut, e.g. shortcut=mc.Conv2D(C_in, C_out, 1, "
            "stride=s)"
            if self.shortcut is None
            else "make the shortcut produce the body's shape"
        )
        return (
            f"Residual: body and shortcut disagree on input {tuple(input_shape)}: body gives "
            f"{tuple(body)}, shortcut gives {tuple(short)}; their outputs are added, so they "
            f"must match ({fix})"
        )

    def output_shape(self, input_shape):
        body, short = self._paths(input_shape)
        if body != short:
            raise ValueError(self._mismatch(input_shape, body, short))
        return body

    def macs(self, input_shape):
        # The addition costs no multiplications.
        short = 0 if self.shortcut is None else self.shortcut.macs(input_shape)
        return self.body.macs(input_shape) + short

    def __repr__(self):
        body = repr(self.body).replace("\n", "\n  ")
        short = "identity" if self.shortcut is None else repr(self.shortcut).replace("\n", "\n  ")
        return f"Residual(\n  body: {body}\n  shortcut: {short}\n)"


class PadShortcut(Layer):
    """The parameter-free shortcut of He et al.'s CIFAR ResNets ("option A"):
    subsample by ``stride`` and append zero channels,

        y[n, c, i, j] = x[n, c, i·s, j·s]    for c < C_in
        y[n, c, i, j] = 0                    for C_in ≤ c < C_out

    so an identity shortcut can join a block that doubles the channels and halves
    the resolution without adding weights. Backward routes each gradient back to
    the pixel it was read from; the padded channels and the skipped pixels get 0:

        dL/dx[n, c, i·s, j·s] = dL/dy[n, c, i, j]   (c < C_in), every other entry 0

    Shapes: x (N, C_in, H, W) -> y (N, C_out, ⌈H/s⌉, ⌈W/s⌉), as x[:, :, ::s, ::s] padded.

    Args:
        in_channels: C_in, the input's channels.
        out_channels: C_out ≥ C_in; channels C_in to C_out − 1 are zeros.
        stride: s, keep every s-th row and column.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
        self.in_channels, self.out_channels, self.stride = validate.check_shortcut(
            in_channels, out_channels, stride, "PadShortcut"
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        if isinstance(x, np.ndarray):
            self.output_shape(x.shape)  # the functional pair does not know in_channels
        y, x_shape = F.pad_shortcut_forward(x, self.out_channels, self.stride)
        self.save_for_backward(x_shape, y.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.pad_shortcut_backward(dout, self.saved_cache(dout), self.stride)

    def output_shape(self, input_shape):
        return F.pad_shortcut_output_shape(
            input_shape, self.out_channels, self.stride, repr(self), self.in_channels
        )

    def window(self, input_shape):
        return (1, 1), (self.stride, self.stride)

    def __repr__(self):
        return f"PadShortcut({self.in_channels}, {self.out_channels}, stride={self.stride})"
