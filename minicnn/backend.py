"""The backend switch: which implementation of the hot kernels runs.

Every backend is a module in ``minicnn.kernels`` that ends with one ``KERNELS`` value,
the contract of ``kernels/contract.py``: the window operations every backend writes
(im2col, col2im, pooling) and the whole operations it may take over (convolution,
batch norm). The choice changes speed, never results (up to rounding):

- ``'numba'``  compiled loops and BLAS (``kernels/compiled.py``), the default when
  numba imports
- ``'numpy'``  the functional core's own im2col code on vectorised NumPy
  (``functional/conv.py`` + ``kernels/vectorised.py``), the fallback without numba
- ``'naive'``  Python loops straight from the lecture's equations (``kernels/naive.py``),
  convolution included

Pick one with ``mc.set_backend('numpy')``, for a block with
``with mc.backend('naive'): ...``, or before start-up with the environment
variable ``MINICNN_BACKEND=numpy``. This is the only global mutable state in minicnn.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from .kernels.contract import Kernels

_MODULES = {
    "numba": "minicnn.kernels.compiled",
    "numpy": "minicnn.kernels.vectorised",
    "naive": "minicnn.kernels.naive",
}
ENV_VAR = "MINICNN_BACKEND"


def available_backends() -> tuple[str, ...]:
    """The names [`set_backend`][minicnn.backend.set_backend] accepts (whether or not numba is
    installed)."""
    return tuple(_MODULES)


def _check_name(name: str, where: str) -> None:
    if name not in _MODULES:
        raise ValueError(
            f"unknown backend {name!r}{where}; choose one of {', '.join(map(repr, _MODULES))}"
        )


def set_backend(name: str) -> None:
    """Select the kernels: one of [`available_backends`][minicnn.backend.available_backends].

    Raises ValueError for an unknown name and ImportError for 'numba' when numba
    cannot be imported.
    """
    global _current
    _check_name(name, "")
    importlib.import_module(_MODULES[name])
    _current = name


def get_backend() -> str:
    """The name of the backend in use."""
    return _current


@contextlib.contextmanager
def backend(name: str) -> Iterator[None]:
    """``with mc.backend('naive'): ...`` runs the block on another backend and
    restores the previous one afterwards, also when the block raises."""
    previous = _current
    set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def kernels() -> Kernels:
    """The current backend's implementations (``kernels/contract.py``)."""
    return importlib.import_module(_MODULES[_current]).KERNELS


def set_benchmark(on: bool) -> None:
    """Benchmark mode, PyTorch's ``torch.backends.cudnn.benchmark`` for the 'numba'
    backend: on, each convolution geometry's first call times the candidate ways of
    grouping images into matrix products and later calls use the fastest (see
    ``Tuner`` in ``kernels/compiled.py``). Off by default, because the candidates agree
    to rounding, not bit for bit, so a run with it on is not an exact replay of another.
    The environment variable ``MINICNN_BENCHMARK=1`` turns it on at start-up. Without
    numba there is nothing to tune and this does nothing."""
    try:
        compiled = importlib.import_module(_MODULES["numba"])
    except ImportError:
        return
    compiled.tuner.enabled = bool(on)


def optional(operation: Callable[..., Any] | None, *args: Any) -> Any:
    """``operation(*args)`` when the backend provides that optional operation of the
    contract (``kernels().conv2d_forward`` etc.), else None. None (also when the
    operation returns None for these arguments) tells the functional core to compute
    the result with its own readable NumPy lines, which define what it must be."""
    return None if operation is None else operation(*args)


def _initial_backend() -> str:
    """$MINICNN_BACKEND if set, else numba if it imports, else numpy (warning once)."""
    requested = os.environ.get(ENV_VAR, "").strip()
    if requested:
        _check_name(requested, f" in the environment variable {ENV_VAR}")
        return requested
    try:
        importlib.import_module(_MODULES["numba"])
    except ImportError as err:
        warnings.warn(
            f"minicnn: numba is not available ({err}); using the slower 'numpy' backend. "
            f"Install numba for the fast kernels, or set {ENV_VAR}=numpy to silence this.",
            RuntimeWarning,
            stacklevel=2,
        )
        return "numpy"
    return "numba"


_current = "numpy"
set_backend(_initial_backend())
