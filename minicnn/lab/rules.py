"""The grader's rule in the notebook: check cells refuse the reference as grading does.

While graded, the student's code runs where the modules a lab asks them to write do
not exist (``sandbox``). In the notebook everything is importable, so ``check``
enforces the same rule two ways, to teach it before the student submits:

* ``reference_uses`` reads the student's functions (and the helpers they call)
  for names that resolve to a blocked module or something defined in one
  (``F.conv2d``, ``mc.Linear``, ``from minicnn.layers import Linear``);
* ``blocking`` hides the blocked modules from ``sys.modules`` and refuses their
  import (``importlib``, ``__import__``) while the student's functions run.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator, Mapping


def _blocked_by(module: str, blocked: Mapping[str, str]) -> str | None:
    for name in blocked:
        if module == name or module.startswith(name + "."):
            return name
    return None


def _home(obj) -> str:
    """The module an object comes from ('' for plain data)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return str(getattr(obj, "__module__", "") or "")


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def reference_uses(
    names: tuple[str, ...], namespace: Mapping, blocked: Mapping[str, str]
) -> tuple[str, str, str] | None:
    """(function, blocked module, its message) for the first use found, else None."""
    seen: set[int] = set()
    todo = [namespace.get(n) for n in names]
    while todo:
        fn = todo.pop()
        if not isinstance(fn, types.FunctionType) or id(fn) in seen:
            continue
        seen.add(id(fn))
        used = _code_names(fn.__code__)
        values = [fn.__globals__[n] for n in used if n in fn.__globals__]
        values += [c.cell_contents for c in fn.__closure__ or () if _filled(c)]
        for value in values:
            for obj in _reached(value, used):
                hit = _blocked_by(_home(obj), blocked)
                if hit:
                    return fn.__name__, hit, blocked[hit]
            if isinstance(value, types.FunctionType) and value.__globals__ is fn.__globals__:
                todo.append(value)  # a helper the student wrote
    return None


def _reached(value, used: set[str], depth: int = 3) -> list:
    """``value`` and what the function may reach from it by the names it uses:
    ``mc.functional.conv_transpose2d_forward`` reaches a module's module's function."""
    found = [value]
    if isinstance(value, types.ModuleType) and depth > 1:
        for a in used:
            if hasattr(value, a):
                found += _reached(getattr(value, a), used, depth - 1)
    return found


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - raises ValueError when empty
    except ValueError:
        return False
    return True


class Blocker:
    """A meta path finder that refuses the modules a lab asks the student to write.

    ``blocked`` maps a module name to the message its import fails with; a name
    blocks its submodules too. The grader's child puts one first in
    ``sys.meta_path`` before the student's cells run; ``blocking`` does in the notebook.
    """

    def __init__(self, blocked: Mapping[str, str]):
        self.blocked = dict(blocked)

    def find_spec(self, name, path=None, target=None):
        hit = _blocked_by(name, self.blocked)
        if hit:
            # ImportError, not ModuleNotFoundError, which `from minicnn import
            # functional` would swallow and replace by "cannot import name".
            raise ImportError(self.blocked[hit], name=name)
        return None


@contextlib.contextmanager
def blocking(blocked: Mapping[str, str]) -> Iterator[None]:
    """Within the block, minicnn's blocked modules are neither in sys.modules nor
    importable. Other libraries (torch, scipy) are left alone here: numba calls
    scipy's BLAS from inside minicnn's kernels, and a loaded library cannot be taken
    away safely; ``reference_uses`` finds their use instead."""
    own = {k: v for k, v in blocked.items() if k.startswith("minicnn.")}
    hidden = {m: sys.modules.pop(m) for m in list(sys.modules) if _blocked_by(m, own)}
    finder = Blocker(own)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        sys.modules.update(hidden)
