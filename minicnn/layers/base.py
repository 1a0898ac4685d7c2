"""The Layer contract every building block follows, and the one walk over a model."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, TypeVar

import numpy as np

from ..parameter import Parameter
from ..validate import NonFiniteInputError, check_grad

__all__ = ["Layer", "NonFiniteInputError", "name_the_layer"]

_CONSUMED = object()  # marks a cache that backward has already used
_L = TypeVar("_L", bound="Layer")


class Layer:
    """Base class of every layer. A subclass implements ``forward`` and ``backward``;
    its Parameters are simply attributes (``self.weight = Parameter(...)``).

    What a layer provides:

    - ``forward(x)``: computes y with a functional pair and keeps its cache:
      ``y, cache = F.relu_forward(x); self.save_for_backward(cache, y.shape)``
    - ``backward(dout)``: given dL/dy, adds dL/dθ to each Parameter's ``grad`` and returns
      dL/dx: ``dx = F.relu_backward(dout, self.saved_cache(dout))``
    - ``output_shape(s)``: the output shape for an input of shape ``s`` (batch axis
      included), raising on incompatible shapes before any data flows
    - ``macs(s)``, ``window(s)``: what ``mc.summary`` needs to describe the layer
      (multiply-adds of one forward pass; the sliding window's kernel and stride)

    Containers (Sequential, Residual) list their sub-layers in ``named_children``;
    ``named_modules`` walks the tree, and parameters, buffers, random generators,
    train/eval and ``to(dtype)`` all follow that one walk, so every walk names a
    sub-layer the same way (PyTorch's names: ``0.body.0.weight``).
    """

    training: bool = True
    # Buffers: state a layer updates in forward but no optimizer touches, such as
    # BatchNorm's running mean and variance, listed by attribute name.
    buffer_names: tuple[str, ...] = ()
    # How a container joins its children: in sequence (Sequential: each child's output
    # is the next child's input) or, when False, side by side (Residual, Concat: every
    # child sees the same input and the outputs are joined). summary() reads it, so it
    # can walk any container without importing the classes.
    in_sequence: bool = False
    # The shape of one input the model was built for, without the batch axis ((1, 28, 28)
    # for LeNet-5), if it knows one: the zoo's models do. summary() uses it when given none.
    input_shape: tuple[int, ...] | None = None

    # -- the contract -------------------------------------------------------------

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dout)")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``layer(x)`` is ``layer.forward(x)``; a bad input's error names the layer
        (the innermost one: containers let their children name themselves)."""
        try:
            return self.forward(x)
        except (ValueError, TypeError) as err:
            if not self.children():
                name_the_layer(err, self)
            raise

    def with_input_shape(self: _L, shape: tuple[int, ...]) -> _L:
        """Record the shape of one input (no batch axis) this model is built for, so
        that ``model.summary()`` needs no argument; returns the model."""
        self.input_shape = tuple(shape)
        return self

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape-preserving by default (activations, dropout)."""
        return tuple(input_shape)

    def macs(self, input_shape: tuple[int, ...]) -> int:
        """Multiply-adds of one forward pass on ``input_shape`` (0 if negligible)."""
        return 0

    def window(self, input_shape: tuple[int, ...]) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (kernel, stride) of the window this layer slides over (H, W), both
        (height, width) pairs. Element-wise and fully connected layers: (1, 1), (1, 1)."""
        return (1, 1), (1, 1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- the cache between forward and backward -------------------------------------

    def save_for_backward(self, cache: Any, out_shape: tuple[int, ...]) -> None:
        """Keep what backward needs: the functional pair's ``cache`` (the arrays its
        backward reads, as in PyTorch's ``ctx.save_for_backward``) and the shape of the
        output, so that ``saved_cache`` can check dL/dy's shape before any math runs.

        Only the shape of y is kept, never y itself: no layer's backward reads its own
        output (Sigmoid, whose derivative is y(1 - y), keeps that derivative as its cache)."""
        if isinstance(out_shape, np.ndarray):
            raise TypeError(
                f"{self!r}: save_for_backward takes the output's shape, not the output: "
                f"call self.save_for_backward(cache, y.shape)"
            )
        self._saved: Any = (cache, tuple(out_shape))

    def saved_cache(self, dout) -> Any:
        """The cache of the last forward, checked once here for every layer: backward
        needs a forward first, uses each forward once (a second backward would add the
        gradients twice), and ``dout`` must be a float array of the forward output's
        shape (``validate.check_grad``, the check every functional backward runs: the
        same words, with the layer's name)."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        if saved is _CONSUMED:
            raise RuntimeError(
                f"{self!r}: backward called twice after one forward; the gradients would be "
                f"added twice. Run forward again first (and zero_grad between steps)"
            )
        cache, out_shape = saved
        check_grad(dout, out_shape, f"{self!r}.backward", name="dout")
        self._saved = _CONSUMED
        return cache

    # -- the one walk, and what derives from it ------------------------------------

    def named_children(self) -> Iterator[tuple[str, Layer]]:
        """(name, sub-layer) of a container's direct children; none for a plain layer."""
        return iter(())

    def children(self) -> list[Layer]:
        return [child for _, child in self.named_children()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Layer]]:
        """This layer and every layer below it, with dotted names as PyTorch gives them:
        ``('', model), ('0', conv), ('3', block), ('3.body', ...), ('3.body.0', ...)``."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(_join(prefix, name))

    def modules(self) -> Iterator[Layer]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every Parameter below this layer: the attributes of each module that are
        Parameters, named ``<module>.<attribute>`` (``0.weight``, ``3.body.1.bias``)."""
        for name, module in self.named_modules(prefix):
            for attr, value in module._own_parameters():
                yield _join(name, attr), value

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def _own_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """(attribute name, array) of this module's buffers, its children's excluded:
        the one place that reads ``buffer_names``."""
        for attr in self.buffer_names:
            yield attr, getattr(self, attr)

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(attribute, Parameter) of this layer alone, in the order they were assigned."""
        for attr, value in vars(self).items():
            if isinstance(value, Parameter):
                yield attr, value

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(name, array) of every buffer, named like the parameters. The arrays are the
        live ones: restore a checkpoint by writing into them (``buf[...] = saved``)."""
        for name, module in self.named_modules(prefix):
            for attr, buf in module._own_buffers():
                yield _join(name, attr), buf

    def buffers(self) -> Iterator[np.ndarray]:
        for _, buf in self.named_buffers():
            yield buf

    def named_generators(self) -> Iterator[tuple[str, np.random.Generator]]:
        """Every ``np.random.Generator`` a module holds (Dropout's ``rng``), named like the
        parameters: checkpoints save their states so a resumed run draws the same masks."""
        for name, module in self.named_modules():
            for attr, value in vars(module).items():
                if isinstance(value, np.random.Generator):
                    yield _join(name, attr), value

    def train(self, mode: bool = True) -> Layer:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Layer:
        return self.train(False)

    def zero_grad(self) -> None:
        for _, p in self.named_parameters():  # the walk, not an overridable parameters()
            p.zero_grad()

    def requires_grad_(self, requires_grad: bool = True) -> Layer:
        """Freeze (False) or unfreeze (True) every parameter of this layer and its
        children, as ``torch.nn.Module.requires_grad_``; returns the layer, so
        ``model[:6].requires_grad_(False)`` freezes LeNet-5's convolutional features."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def to(self, *args, device=None, dtype=None) -> Layer:
        """Cast every parameter and floating-point buffer to ``dtype`` (np.float64 for
        gradient checks); integer buffers (counters) stay integers.

        Called as in PyTorch: ``to(np.float64)``, ``to('cpu')``, ``to('cpu', np.float64)``
        or ``to(device='cpu', dtype=np.float64)``. minicnn computes with NumPy on the CPU,
        so ``'cpu'`` is the one device: it changes nothing, and any other device
        (``'cuda'``, ``'mps'``) raises an error that says so.
        """
        for arg in args:
            if _is_device(arg):
                device = arg
            elif dtype is None:
                dtype = arg
            else:
                raise TypeError(
                    f"{type(self).__name__}.to: got more than one dtype ({dtype!r}, {arg!r}); "
                    f"call it as to(dtype), to('cpu') or to('cpu', dtype)"
                )
        if device is not None:
            _check_device(str(device))
        if dtype is None:
            return self
        dtype = _numpy_dtype(dtype)
        for _, p in self.named_parameters():
            p.to(dtype)
        for module in self.modules():
            for attr, value in module._own_buffers():
                if np.issubdtype(value.dtype, np.floating):
                    setattr(module, attr, value.astype(dtype))
        return self

    def cpu(self) -> Layer:
        """The model itself: it is already on the CPU (as ``torch.nn.Module.cpu``)."""
        return self

    def cuda(self, device=None) -> Layer:
        """minicnn has no GPU code: this raises an error that says what to use instead."""
        _check_device("cuda" if device is None else f"cuda:{device}")
        return self

    # -- state dicts, with PyTorch's keys and layouts ----------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer by name (``0.weight``, ``1.running_mean``),
        the keys and layouts of ``torch.nn.Module.state_dict()``: a PyTorch twin of the
        model loads it with ``{k: torch.from_numpy(v) for k, v in sd.items()}``."""
        state = {}
        for name, module in self.named_modules():  # PyTorch's order: module by module
            for attr, p in module._own_parameters():
                state[_join(name, attr)] = p.data.copy()
            for attr, buf in module._own_buffers():
                state[_join(name, attr)] = buf.copy()
        return state

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copy arrays (NumPy, or anything ``np.asarray`` takes, such as CPU tensors'
        ``.numpy()``) into the parameters and buffers, keeping the model's dtypes.

        Everything is checked first: with ``strict`` a missing or unexpected key is an
        error, and a shape mismatch always is; the error lists every problem and the
        model is left unchanged."""
        targets = {name: p.data for name, p in self.named_parameters()}
        targets.update(self.named_buffers())
        arrays = {key: np.asarray(value) for key, value in state.items()}
        problems = []
        if strict:
            missing = [k for k in targets if k not in arrays]
            unexpected = [k for k in arrays if k not in targets]
            if missing:
                problems.append(f"missing keys: {', '.join(missing)}")
            if unexpected:
                problems.append(f"unexpected keys: {', '.join(unexpected)}")
        for key in targets.keys() & arrays.keys():
            if arrays[key].shape != targets[key].shape:
                problems.append(
                    f"{key}: shape {arrays[key].shape} in the state dict, "
                    f"{targets[key].shape} in the model"
                )
        if problems:
            raise ValueError(
                f"load_state_dict: the state dict does not fit {type(self).__name__}:\n  "
                + "\n  ".join(problems)
            )
        for key in targets.keys() & arrays.keys():
            targets[key][...] = arrays[key]


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _is_device(arg) -> bool:
    """'cpu', 'cuda:0' or a torch.device; 'float64' is a dtype, not a device."""
    if type(arg).__name__ == "device":
        return True
    if not isinstance(arg, str):
        return False
    try:
        np.dtype(arg)
    except TypeError:
        return True
    return False


def _check_device(device: str) -> None:
    if device == "cpu" or device.startswith("cpu:"):
        return
    raise RuntimeError(
        f"minicnn runs on the CPU only (its layers compute with NumPy), so there is no "
        f"{device!r} device: leave the model on the CPU (model.to('cpu') is accepted and "
        f"changes nothing). For speed use mc.set_backend('numba'); for a GPU, load "
        f"model.state_dict() into a PyTorch twin of the model (see Layer.state_dict)."
    )


def _numpy_dtype(dtype) -> np.dtype:
    """np.float64, 'float64' or torch.float64 (PyTorch's dtypes are named like NumPy's)."""
    if str(dtype).startswith("torch."):
        dtype = str(dtype).removeprefix("torch.")
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"to: {dtype!r} is neither a device ('cpu') nor a NumPy dtype (np.float32, np.float64)"
        ) from None


def name_the_layer(err: Exception, layer: Layer) -> None:
    """Say which layer an input error came from, once: the innermost layer names itself
    (the containers around it add nothing), and a message that names the layer already
    (``Linear(400, 120): expected ...``) is left as it is. The name goes in a note
    (PEP 678), which a traceback prints under the message; Python 3.10 prints no notes,
    so there it goes in front of the message."""
    if getattr(err, "_minicnn_named", False):
        return
    err._minicnn_named = True  # type: ignore[attr-defined]
    name = repr(layer)
    if name in str(err):
        return
    if sys.version_info >= (3, 11):
        err.add_note(f"(raised in the layer {name})")
    elif err.args and isinstance(err.args[0], str):
        err.args = (f"{name}: {err.args[0]}", *err.args[1:])
