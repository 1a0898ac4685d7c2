"""A graded part of a lab, and how a student's answer is compared with minicnn's.

A [`Part`][minicnn.lab.parts.Part] names the functions the student writes for it, draws a few random
cases, and says how to *run* those functions on one case (``run(ns, case) ->
outputs``). The same ``run`` is applied to the student's namespace (in a separate
process when grading, see ``harness``) and to a namespace of minicnn's reference
functions (in the grader's own process); ``judge`` then compares the two outputs
and, where it recognises a typical mistake, says which one.

Everything a student gets back is a plain sentence: [`StudentError`][minicnn.lab.parts.StudentError]
carries it from the place the problem is found to the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .messages import say

# Outputs are compared in float64 (the cases are float64): a correct loop or im2col
# version agrees with the reference to ~1e-12, a wrong one is off by far more.
RTOL, ATOL = 1e-5, 1e-7


class StudentError(Exception):
    """A problem in the student's code, with a message the student can act on."""

    verdict = "wrong"


class NotImplementedPart(StudentError):
    """The student has not written this function yet (the stub still raises)."""

    verdict = "not implemented"


Case = dict
Outputs = dict
Hint = Callable[[Case, str, np.ndarray, np.ndarray], "str | None"]


@dataclass(frozen=True)
class Part:
    """One graded exercise.

    name: the part's name in reports (usually the function the student writes).
    points: what it is worth.
    defines: the functions the student writes for it (looked up in their namespace).
    cases: rng -> list of cases (dicts of arrays, numbers, None).
    run: (namespace, case) -> {output name: array}; runs the student's functions or,
        with ``reference`` as the namespace, minicnn's.
    reference: name -> minicnn's function with the student's signature.
    hint: (case, output name, got, expected) -> a sentence naming a known mistake.
    judge: replaces the comparison with the reference when the answer is random
        (dropout) or is scored, not compared (a trained network's accuracy):
        (case, got outputs, reference outputs) -> None (or what it measured, a sentence
        shown when the part passes) or raises StudentError.
    seconds: the time this part may take, when it needs more than the lab-wide limit
        (a part that trains a network); the larger of the two applies.
    alone: the part's functions may use numpy only, not what the lab provides for its
        other parts (lab 9's U-Net uses minicnn's layers, its transposed convolution
        must not).
    hidden: case keys the grader keeps to judge with and never sends to the student's
        process (lab 5's held-out digits and their labels, lab 9's held-out masks).
    """

    name: str
    points: int
    defines: tuple[str, ...]
    cases: Callable[[np.random.Generator], list[Case]]
    run: Callable[[Mapping, Case], Outputs]
    reference: Mapping[str, Callable]
    hint: Hint | None = None
    judge: Callable[[Case, Outputs, Outputs], str | None] | None = None
    doc: str = field(default="")
    seconds: float = 0.0
    alone: bool = False
    hidden: tuple[str, ...] = ()

    def time_limit(self, seconds: float) -> float:
        """The seconds this part may run when the lab-wide limit is ``seconds``."""
        return max(seconds, self.seconds)

    def sent(self, case: Case) -> Case:
        """What of a case the student's process receives (all but ``hidden``)."""
        return {k: v for k, v in case.items() if k not in self.hidden}


def call(ns: Mapping, name: str, args: Mapping, returns: tuple[str, ...], updates=()):
    """Call the student's ``name`` with ``args`` (positional, in order) and check the result.

    Arrays are passed as copies and compared afterwards, so a function that changes
    its input in place is caught by name. ``returns`` names the values it must
    return: one name means a single value, several mean a tuple of that length.
    ``updates`` names the arguments the function is meant to change in place (batch
    norm's running statistics): those are passed as they are, for the caller to read.
    """
    fn = ns.get(name)
    if fn is None:
        raise StudentError(say("call.undefined", name=name))
    if not callable(fn):
        raise StudentError(say("call.not_function", name=name, kind=type(fn).__name__))
    given = {k: v if k in updates else _copy(v) for k, v in args.items()}
    try:
        result = fn(*given.values())
    except NotImplementedError:
        raise NotImplementedPart(say("call.not_implemented", name=name)) from None
    for k, v in args.items():
        if k not in updates and not _same(given[k], v):
            raise StudentError(say("call.in_place", name=name, arg=k))
    return check_returns(name, result, returns)


def check_returns(name: str, result, returns: tuple[str, ...]):
    """The result as a tuple of ``len(returns)`` values (or the one value), or a clear error."""
    wanted = ", ".join(returns)
    if result is None:
        raise StudentError(say("call.none", name=name, wanted=wanted))
    if len(returns) == 1:
        return result
    if not isinstance(result, tuple) or len(result) != len(returns):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise StudentError(say("call.count", name=name, n=len(returns), wanted=wanted, got=got))
    return result


def _copy(value):
    """A copy of an array or a dict of arrays (the values a student may change)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _same(given, original) -> bool:
    """Is ``given`` (after the call) still equal to the ``original`` argument?"""
    if isinstance(original, np.ndarray):
        return (
            isinstance(given, np.ndarray)
            and given.shape == original.shape
            and np.array_equal(given, original, equal_nan=True)
        )
    if isinstance(original, dict):
        return given.keys() == original.keys() and all(
            _same(given[k], v) for k, v in original.items()
        )
    return True


def as_output(name: str, value, what: str) -> np.ndarray:
    """An output as an array, or a StudentError saying what it was instead."""
    if value is None:
        raise StudentError(say("output.none", what=what))
    arr = np.asarray(value)
    if arr.dtype == object:
        raise StudentError(say("output.object", what=what, kind=type(value).__name__))
    return arr


def compare(part: Part, case: Case, got: Outputs, expected: Outputs) -> None:
    """Raise StudentError at the first output that differs from the reference."""
    for name, want in expected.items():
        if name not in got:
            raise StudentError(say("compare.missing", name=name))
        have = got[name]
        if have.shape != want.shape:
            msg = say("compare.shape", name=name, have=have.shape, want=want.shape)
            if have.shape == want.shape[::-1] and have.ndim == 2:
                msg += say("compare.transposed")
            elif have.size == want.size:
                msg += say("compare.arrangement")
            hint = _hint_of(part, case, name, have, want)
            raise StudentError(msg + (f". {hint}" if hint else ""))
        if np.allclose(have, want, rtol=RTOL, atol=ATOL):
            continue
        detail = worst_index(have, want)
        hint = (part.hint and part.hint(case, name, have, want)) or generic_hint(case, have, want)
        raise StudentError(
            say("compare.wrong", name=name, detail=detail) + (f". {hint}" if hint else "")
        )


def _hint_of(part: Part, case: Case, name: str, have, want) -> str | None:
    """The part's hint for an output whose shape is wrong (most hints assume the right
    shape, and may fail on another: then there is none)."""
    if part.hint is None:
        return None
    try:
        return part.hint(case, name, have, want)
    except Exception:  # noqa: BLE001 - a hint comparing arrays of other shapes
        return None


def worst_index(have: np.ndarray, want: np.ndarray) -> str:
    """'at [1, 0, 2]: got 3.5, expected 1.25 (17 of 60 values differ)'."""
    if not np.all(np.isfinite(have)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(have))[0])
        return say("compare.not_finite", value=have[bad], where=list(bad))
    err = np.abs(have - want) - RTOL * np.abs(want)
    idx = np.unravel_index(int(np.argmax(err)), have.shape) if have.ndim else ()
    wrong = int(np.sum(~np.isclose(have, want, rtol=RTOL, atol=ATOL)))
    where = say("compare.at", index=[int(i) for i in idx]) if have.ndim else say("compare.value")
    return say(
        "compare.worst",
        where=where,
        got=f"{float(have[idx]) + 0.0:.6g}",
        want=f"{float(want[idx]) + 0.0:.6g}",
        wrong=wrong,
        size=have.size,
    )


def generic_hint(case: Case, have: np.ndarray, want: np.ndarray) -> str | None:
    """Name a pattern that fits the whole array: a sign, a constant factor, a transpose."""
    if np.allclose(have, -want, rtol=RTOL, atol=ATOL):
        return say("hint.sign")
    if np.allclose(have, 0) and not np.allclose(want, 0):
        return say("hint.zeros")
    nz = np.abs(want) > 1e-8
    if nz.any():
        ratio = have[nz] / want[nz]
        r = float(np.median(ratio))
        if abs(r) > 1e-12 and np.allclose(have, r * want, rtol=1e-4, atol=ATOL):
            x = case.get("x")
            batch = x.shape[0] if isinstance(x, np.ndarray) else None
            # With N = 2 a factor of 2 (a missing 1/2 of a square's derivative) would be
            # blamed on the batch: name the batch only when the two differ.
            if batch and batch != 2 and np.isclose(r, 1 / batch):
                return say("hint.div_batch", n=batch)
            if batch and batch != 2 and np.isclose(r, batch):
                return say("hint.times_batch", n=batch)
            return say("hint.factor", r=r)
    if have.ndim >= 2 and have.shape[-1] == have.shape[-2]:
        if np.allclose(np.swapaxes(have, -1, -2), want, rtol=RTOL, atol=ATOL):
            return say("hint.swapped")
    return None
