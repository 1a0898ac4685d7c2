"""Argument checks shared by every constructor and function: one place, one wording.

A wrong argument should fail where it is given, with a message that names the
function, the argument, what is allowed and what was passed::

    >>> real("SGD", "momentum", -0.5, low=0)
    Traceback (most recent call last):
    ValueError: SGD: momentum must be a number >= 0, got momentum=-0.5

Two kinds of failure, as in Python itself:

* ``TypeError``: the value is not of the right kind at all (a string, ``None``,
  ``True``, a float where a count is needed: ``Conv2D(2.5, ...)``).
* ``ValueError``: the right kind but outside the meaningful range (a negative
  momentum, a dropout probability of 1.5, NaN).

Any real number is accepted where a number is expected: Python ``int``/``float``
and NumPy scalars alike (``np.float32(0.1)``, ``np.int64(3)``), because values
computed with NumPy are NumPy scalars. ``bool`` is refused (``True`` is an
``int`` in Python, but ``momentum=True`` is always a mistake).
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

__all__ = ["real", "integer", "interval"]


def interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """The allowed range in words: '>= 0', '> 0', '<= 1', 'in [0, 1)', or '' (any)."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return ""


def _describe(kind: str, low, high, low_open, high_open) -> str:
    text = interval(low, high, low_open, high_open)
    return f"{kind} {text}".rstrip()


def _inside(value: float, low, high, low_open, high_open) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return False
    if high is not None and (value >= high if high_open else value > high):
        return False
    return True


def _of_kind(owner: str, name: str, value: Any, kind: type, want: str, hint: str) -> None:
    """TypeError unless ``value`` is an instance of the abstract number ``kind`` (bools
    excluded: ``True`` is an int to Python, but never a hyperparameter)."""
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"{owner}: {name} must be {want}{hint}, got {name}={value!r} ({type(value).__name__})"
        )


def _in_range(owner: str, name: str, value: Any, number, bounds: tuple, want: str, hint: str):
    """``number`` if it lies within ``bounds`` (low, high, low_open, high_open), else
    a ValueError that gives the range."""
    if not _inside(number, *bounds):
        raise ValueError(f"{owner}: {name} must be {want}{hint}, got {name}={value!r}")
    return number


def real(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a Python float, after checking it is a real number in the range.

    Args:
        owner: who is asking, for the message (``"SGD"``, ``"Dropout"``).
        name: the argument's name (``"momentum"``).
        value: what the user passed: int, float or NumPy scalar.
        low, high: the bounds (None: unbounded). NaN and ±infinity are always
            refused: no hyperparameter means anything at infinity; nor does an int too
            large for a float (``lr=10**400``), refused with the same message.
        low_open, high_open: exclude the bound itself (``low=0, low_open=True``: > 0).
        hint: follows the range in the message, e.g. ``" (0.1 divides the rate by 10)"``.

    Raises:
        TypeError: not a real number (str, None, bool, complex, an array).
        ValueError: NaN, infinite or outside the range; the message gives the range.
    """
    bounds = (low, high, low_open, high_open)
    want = _describe("a number", *bounds)
    _of_kind(owner, name, value, numbers.Real, want, hint)
    try:
        number = float(value)
    except OverflowError:  # an int beyond ~1.8e308, e.g. 10**400: no float holds it
        number = math.inf if value > 0 else -math.inf
    if not math.isfinite(number):
        raise ValueError(f"{owner}: {name} must be {want}{hint} and finite, got {name}={value!r}")
    return _in_range(owner, name, value, number, bounds, want, hint)


def integer(
    owner: str,
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    hint: str = "",
) -> int:
    """``value`` as a Python int, after checking it is an integer in ``[low, high]``.

    Python ints and NumPy integer scalars are accepted; floats are not, not even
    ``3.0`` (as ``range(3.0)`` refuses them): a size or a count given as a float
    is usually a ``/`` that should have been ``//``.

    An integer beyond 64 bits (``cooldown=10**400``) is refused too: no array can be
    that long, and a checkpoint could not store it.

    Raises:
        TypeError: not an integer (2.5, '3', None, True).
        ValueError: outside the range or beyond 64 bits; the message gives the range.
    """
    bounds = (low, high, False, False)
    want = _describe("an integer", *bounds)
    _of_kind(owner, name, value, numbers.Integral, want, hint)
    number = operator.index(value)
    if abs(number) > INT64_MAX:
        raise ValueError(
            f"{owner}: {name} must be {want}{hint} and fit in 64 bits, got {name}={value!r}"
        )
    return _in_range(owner, name, value, number, bounds, want, hint)


INT64_MAX = 2**63 - 1  # the largest integer NumPy (and an .npz checkpoint) holds
