"""The backend switch: which implementation of the hot kernels runs.

Every backend is a module in ``minicnn.kernels`` with the same functions
(``im2col``, ``col2im``, ``max_pool2d_forward``, ``max_pool2d_backward``,
``avg_pool2d_forward``, ``avg_pool2d_backward``). The choice changes speed, never
results. This is the only global mutable state in minicnn.
"""

from __future__ import annotations

import contextlib
import importlib
from types import ModuleType

_MODULES = {
    "naive": "minicnn.kernels.naive",
    "numpy": "minicnn.kernels.im2col",
}
_current = "numpy"


def available_backends() -> tuple[str, ...]:
    return tuple(_MODULES)


def set_backend(name: str) -> None:
    """Select the kernels: one of :func:`available_backends`."""
    global _current
    if name not in _MODULES:
        raise ValueError(
            f"unknown backend {name!r}; choose one of {', '.join(map(repr, _MODULES))}"
        )
    importlib.import_module(_MODULES[name])
    _current = name


def get_backend() -> str:
    return _current


@contextlib.contextmanager
def backend(name: str):
    """``with mc.backend('naive'): ...`` runs the block on another backend."""
    previous = _current
    set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def kernels() -> ModuleType:
    """The module implementing the current backend's kernels."""
    return importlib.import_module(_MODULES[_current])
