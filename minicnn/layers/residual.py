"""Residual: a block whose input skips ahead and is added to its output (He et al., 2016)."""

from __future__ import annotations

import numpy as np

from .base import Layer, SummaryRow, nchw


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
    """

    def __init__(self, body: Layer, shortcut: Layer | None = None):
        for role, layer in (("body", body), ("shortcut", shortcut)):
            if layer is not None and not isinstance(layer, Layer):
                raise TypeError(
                    f"Residual: {role} must be a mc.Layer (e.g. a mc.Sequential), "
                    f"got {type(layer).__name__}"
                )
        self.body = body
        self.shortcut = shortcut
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        fx = self.body.forward(x)
        sx = x if self.shortcut is None else self.shortcut.forward(x)
        if fx.shape != sx.shape:
            raise ValueError(self._mismatch(x.shape, fx.shape, sx.shape))
        self._cache = fx.shape
        return fx + sx

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.check_dout(dout, self._cache or ())
        dx_body = self.body.backward(dout)
        dx_short = dout if self.shortcut is None else self.shortcut.backward(dout)
        # A new array, not +=: either term may be a view of dout (identity, Flatten).
        return dx_body + dx_short

    def children(self):
        return [self.body] if self.shortcut is None else [self.body, self.shortcut]

    def parameters(self):
        for child in self.children():
            yield from child.parameters()

    def named_parameters(self, prefix: str = ""):
        yield from self.body.named_parameters(f"{prefix}body.")
        if self.shortcut is not None:
            yield from self.shortcut.named_parameters(f"{prefix}shortcut.")

    def named_buffers(self, prefix: str = ""):
        # Same names as the parameters ("body.", "shortcut."), not the base class's "0.", "1.".
        yield from self.body.named_buffers(f"{prefix}body.")
        if self.shortcut is not None:
            yield from self.shortcut.named_buffers(f"{prefix}shortcut.")

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

    def receptive_field(self, input_shape, rf):
        """An output unit sees what either path sees: the larger field of the two."""
        body = self.body.receptive_field(input_shape, rf)
        if self.shortcut is None:
            return body.union(rf)
        return body.union(self.shortcut.receptive_field(input_shape, rf))

    def summary_rows(self, input_shape, name, rf=None):
        """The body's rows, the shortcut's rows (one 'identity' row if none), then the sum,
        all named ``<name>.body...``, ``<name>.shortcut...``, ``<name> add`` to show the block."""
        base = name or "residual"
        rows = self.body.summary_rows(input_shape, self._child_name(base, "body", self.body), rf)
        if self.shortcut is None:
            rows.append(
                SummaryRow(
                    f"{base}.shortcut identity",
                    tuple(input_shape[1:]),
                    0,
                    0,
                    None if rf is None else rf.size,
                )
            )
        else:
            rows += self.shortcut.summary_rows(
                input_shape, self._child_name(base, "shortcut", self.shortcut), rf
            )
        out = self.output_shape(input_shape)
        out_rf = None if rf is None else self.receptive_field(input_shape, rf).size
        rows.append(SummaryRow(f"{base} add (Residual)", tuple(out[1:]), 0, 0, out_rf))
        return rows

    @staticmethod
    def _child_name(base: str, role: str, layer: Layer) -> str:
        # Leaves are named with their type, containers let their children add theirs.
        return f"{base}.{role}" if layer.children() else f"{base}.{role} {type(layer).__name__}"

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
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
        if not 1 <= in_channels <= out_channels or stride < 1:
            raise ValueError(
                f"PadShortcut needs 1 <= in_channels <= out_channels and stride >= 1, got "
                f"in_channels={in_channels}, out_channels={out_channels}, stride={stride}"
            )
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.check_input(x, "(N, C, H, W)", ndim=4, channels=self.in_channels)
        s = self.stride
        sub = x[:, :, ::s, ::s]
        y = np.zeros((x.shape[0], self.out_channels, *sub.shape[2:]), dtype=x.dtype)
        y[:, : self.in_channels] = sub
        self._cache = x.shape
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_shape = self._cache
        self.check_dout(dout, self.output_shape(x_shape) if x_shape else ())
        dx = np.zeros(x_shape, dtype=dout.dtype)
        s = self.stride
        dx[:, :, ::s, ::s] = dout[:, : self.in_channels]
        return dx

    def output_shape(self, input_shape):
        N, C, H, W = nchw(self, input_shape)
        if C != self.in_channels:
            raise ValueError(
                f"{self!r}: expected {self.in_channels} input channels, got {C} "
                f"(input shape {tuple(input_shape)})"
            )
        s = self.stride
        return (N, self.out_channels, -(-H // s), -(-W // s))

    def window(self, input_shape):
        return (1, 1), (self.stride, self.stride)

    def __repr__(self):
        return f"PadShortcut({self.in_channels}, {self.out_channels}, stride={self.stride})"
