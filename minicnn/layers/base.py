"""The Layer contract every building block follows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..kernels.common import output_hw
from ..parameter import Parameter
from ..receptive_field import ReceptiveField


class NonFiniteInputError(ValueError):
    """A layer received NaN or infinity (bad data, or activations that blew up)."""


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


class Layer:
    """Base class of every layer. A subclass implements ``forward`` and ``backward``
    and, if it has weights, ``parameters``.

    forward(x)         computes y and caches only what backward needs
    backward(dout)     given dL/dy, adds dL/dθ to each Parameter's ``grad`` and
                       returns dL/dx (same shape as x)
    parameters()       yields the layer's Parameter objects
    output_shape(s)    the output shape for an input of shape ``s`` (batch axis
                       included), raising on incompatible shapes before any data flows
    """

    training: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dout)")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def parameters(self) -> Iterator[Parameter]:
        """Trainable tensors; none by default (ReLU, pooling, ...)."""
        return iter(())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for p in self.parameters():
            yield prefix + p.name, p

    # Buffers: state a layer updates in forward but no optimizer touches, such as
    # BatchNorm's running mean and variance. A layer lists the attribute names in
    # ``buffer_names``; checkpoints save ``named_buffers()`` next to the parameters.
    buffer_names: tuple[str, ...] = ()

    def buffers(self) -> Iterator[np.ndarray]:
        """Non-trainable state arrays of this layer and its children (none by default)."""
        for _, buf in self.named_buffers():
            yield buf

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(name, array) of every buffer. Children get the prefix "i." like Sequential's
        parameters, so "3.running_mean" is layer 3's. The arrays are the live ones:
        restore a checkpoint by writing into them (``buf[...] = saved``)."""
        for name in self.buffer_names:
            yield prefix + name, getattr(self, name)
        for i, child in enumerate(self.children()):
            yield from child.named_buffers(f"{prefix}{i}.")

    def children(self) -> list[Layer]:
        """Sub-layers of a container (Sequential, Residual); none for a plain layer."""
        return []

    def train(self, mode: bool = True) -> Layer:
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Layer:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def requires_grad_(self, requires_grad: bool = True) -> Layer:
        """Freeze (False) or unfreeze (True) every parameter of this layer and its
        children, as ``torch.nn.Module.requires_grad_``; returns the layer, so
        ``model[:6].requires_grad_(False)`` freezes LeNet-5's convolutional features."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def to(self, dtype) -> Layer:
        """Cast every parameter and buffer to ``dtype`` (np.float64 for gradient checks)."""
        for p in self.parameters():
            p.to(dtype)
        self._buffers_to(dtype)
        return self

    def _buffers_to(self, dtype) -> None:
        for name in self.buffer_names:
            setattr(self, name, getattr(self, name).astype(dtype))
        for child in self.children():
            child._buffers_to(dtype)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape-preserving by default (activations, dropout)."""
        return tuple(input_shape)

    def macs(self, input_shape: tuple[int, ...]) -> int:
        """Multiply-adds of one forward pass on ``input_shape`` (0 if negligible)."""
        return 0

    def window(self, input_shape: tuple[int, ...]) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (kernel, stride) of the window this layer slides over (H, W), both
        (height, width) pairs: what it does to the receptive field. Element-wise and
        fully connected layers change nothing: kernel (1, 1), stride (1, 1)."""
        return (1, 1), (1, 1)

    def receptive_field(self, input_shape: tuple[int, ...], rf: ReceptiveField) -> ReceptiveField:
        """The receptive field of this layer's output, given ``rf`` of its input:
        r_out = r_in + (k − 1)·j_in, j_out = j_in·s. Containers compose their children."""
        return rf.through(*self.window(input_shape))

    def summary_rows(
        self, input_shape: tuple[int, ...], name: str, rf: ReceptiveField | None = None
    ) -> list[SummaryRow]:
        """Rows for ``Sequential.summary``; containers return their children's rows.

        ``rf`` is the receptive field of the input (None when it is not an image)."""
        out = self.output_shape(input_shape)
        params = sum(p.size for p in self.parameters())
        out_rf = None if rf is None else self.receptive_field(input_shape, rf).size
        return [SummaryRow(name, tuple(out[1:]), params, self.macs(input_shape), out_rf)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- input checks shared by the layers -------------------------------------

    def check_input(
        self, x, expected: str, ndim: int | None = None, channels: int | None = None
    ) -> None:
        """Raise a clear TypeError/ValueError when ``x`` cannot go through this layer.

        ``expected`` describes the layout, e.g. "(N, C, H, W)".
        """
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{self!r}: expected a NumPy array {expected}, got {type(x).__name__}")
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(
                f"{self!r}: expected a floating-point array, got dtype {x.dtype}; "
                f"convert it first, e.g. x.astype(np.float32) / 255"
            )
        if ndim is not None and x.ndim != ndim:
            raise ValueError(f"{self!r}: expected input of shape {expected}, got shape {x.shape}")
        if channels is not None and x.shape[1] != channels:
            raise ValueError(
                f"{self!r}: expected {channels} input channels {expected}, got {x.shape[1]} "
                f"(input shape {x.shape})"
            )

    def check_finite(self, x: np.ndarray) -> None:
        if not np.isfinite(x).all():
            raise NonFiniteInputError(
                f"{self!r}: input contains NaN or infinity; check the data (and, during "
                f"training, lower the learning rate if the values blew up)"
            )

    def check_dout(self, dout, expected_shape) -> None:
        if self._cache_missing():
            raise RuntimeError(f"{self!r}: backward called before forward")
        if dout.shape != tuple(expected_shape):
            raise ValueError(
                f"{self!r}: backward expected dout of shape {tuple(expected_shape)} "
                f"(the forward output), got {dout.shape}"
            )

    def _cache_missing(self) -> bool:
        return getattr(self, "_cache", None) is None


def window_output_hw(layer: Layer, input_shape, kernel, stride, padding) -> tuple[int, int]:
    """(OH, OW) of a sliding-window layer (conv, pooling) on (N, C, H, W), rounded down
    as in PyTorch; a window that does not fit raises an error naming the layer."""
    try:
        return output_hw(input_shape, kernel, stride, padding)
    except ValueError as err:
        raise ValueError(f"{layer!r} on input {tuple(input_shape)}: {err}") from None


def nchw(layer: Layer, shape) -> tuple[int, int, int, int]:
    """Check that ``shape`` is (N, C, H, W) for ``layer`` and return it as a tuple."""
    if len(shape) != 4:
        raise ValueError(f"{layer!r}: expected input of shape (N, C, H, W), got {tuple(shape)}")
    return tuple(shape)
