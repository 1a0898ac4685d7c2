"""The backend switch: which implementation of the hot kernels runs.

Every backend is a module in ``minicnn.kernels`` with the same functions
(``im2col``, ``col2im``, ``max_pool2d_forward``, ``max_pool2d_backward``,
``avg_pool2d_forward``, ``avg_pool2d_backward``). The choice changes speed, never
results:

- ``'numba'``  compiled loops (``kernels/jit.py``), the default when numba imports
- ``'numpy'``  vectorised NumPy (``kernels/numpy.py``), the fallback without numba
- ``'naive'``  Python loops straight from the equations (``kernels/naive.py``)

Pick one with ``mc.set_backend('numpy')``, for a block with
``with mc.backend('naive'): ...``, or before start-up with the environment
variable ``MINICNN_BACKEND=numpy``. This is the only global mutable state in minicnn.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import warnings
from collections.abc import Iterator
from types import ModuleType

_MODULES = {
    "numba": "minicnn.kernels.jit",
    "numpy": "minicnn.kernels.numpy",
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


def kernels() -> ModuleType:
    """The module implementing the current backend's kernels."""
    return importlib.import_module(_MODULES[_current])


def fused(name: str, *args):
    """A backend's optional fused path for one operation of the functional core:
    ``kernels().fused_<name>(*args)`` when the backend has that function (the numba
    backend has fused_conv2d_forward, fused_conv2d_backward, fused_batch_norm_statistics,
    fused_batch_norm_normalize and fused_batch_norm_backward), else None. The function
    itself returns None where it does not apply (e.g. float16); the caller then computes
    the result with its readable NumPy code, which defines what the fused path returns."""
    fast = getattr(kernels(), "fused_" + name, None)
    return None if fast is None else fast(*args)


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
