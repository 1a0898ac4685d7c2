"""Numerical gradient checks: is a layer's backward the derivative of its forward?

For a layer y = f(x; θ) we pick a random upstream gradient G (never all ones: a
constant G cannot tell W from Wᵀ) and the scalar L = Σ y ⊙ G, so dL/dy = G. Then

    analytic:  dL/dx = layer.backward(G), dL/dθ = θ.grad
    numeric:   dL/dx_i ≈ (L(x + ε e_i) − L(x − ε e_i)) / 2ε        (central differences)

Central differences have error O(ε²) instead of O(ε) for one-sided ones, and in
float64 with ε = 1e-6 the round-off error (≈ 1e-16·|L|/ε) stays near 1e-10, so a
correct backward agrees to far better than the 1e-6 threshold while a wrong one
(a transposed weight, a forgotten bias term, a missing ReLU mask) is off by O(1).

The error of a tensor is max_i |a_i − n_i| / max(max_i |a_i|, max_i |n_i|, floor):
the worst disagreement relative to the tensor's largest gradient, so entries that
are legitimately near zero do not turn rounding noise into a huge ratio. The floor
covers tensors whose true gradient is zero (a conv bias right before batch norm):
there both sides are pure round-off, about ε_mach·|L|/ε, and a ratio of noise to
noise would read as a false failure. The floor is 10·noise/tol, so round-off alone
reads as at most tol/10, while any difference the numbers can resolve still counts.

Inputs are distinct values spaced ≥ 2/size apart and ≥ 0.5/size away from 0, so
no ε-nudge crosses a ReLU kink or changes which element of a pooling window wins.

Besides the numbers, the check watches for the mistakes students make most and says
each in a sentence (the "diagnostics" section): a backward that returns None or a
gradient of the wrong shape or dtype, a forward that modifies its input, a backward
that modifies dout, a cache set only on the first call (a second, different input is
run through the layer and through a fresh copy), a Parameter that parameters() does
not yield; at the worst index it shows both values, with a hint where a known mistake
fits (sign flipped, off by the batch size, transposed, rot180, a mask). Given a
reference (minicnn's own layer), the forward output is compared too.

Run ``python -m minicnn.gradcheck`` to check every registered layer and loss, and
``python -m minicnn.gradcheck my_layer.py:MyConv --input-shape 2,3,8,8 --args '3, 4'``
to check a layer of your own (a subclass of mc.Layer; add ``--reference mc.Conv2D`` to
compare its forward with minicnn's), or ``my_loss.py:MyLoss --input-shape 4,5`` a loss
(any class with forward(scores, labels) and backward()); the exit status is non-zero
when a check fails.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import importlib.util
import inspect
import math
import os
import sys
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import layers as L
from .backend import available_backends, backend, get_backend
from .losses import (
    BCEWithLogitsLoss,
    Loss,
    MSELoss,
    MulticlassSVM,
    PixelCrossEntropy,
    SoftmaxCrossEntropy,
)
from .messages import LANGS, speaking
from .messages import say as _say
from .model import Sequential
from .parameter import Parameter

TOLERANCE = 1e-6
EPSILON = 1e-6


# -- the check itself --------------------------------------------------------------


@dataclass
class TensorCheck:
    """The outcome for one tensor (the input, or a parameter).

    ``analytic`` and ``numeric`` are the two gradients at ``worst_index``, side by
    side; ``message`` says in plain words what is wrong (a wrong shape, or a hint
    such as "sign flipped"), empty when nothing more can be said."""

    tensor: str
    max_rel_error: float
    worst_index: tuple[int, ...]
    passed: bool
    analytic: float | None = None
    numeric: float | None = None
    message: str = ""


@dataclass
class GradcheckReport:
    """Per-tensor results for one layer or loss, and ``problems``: what the layer
    did wrong besides its gradients (forward modified its input, a stale cache, a
    forward that differs from the reference, ...). ``passed`` if nothing failed."""

    name: str
    results: list[TensorCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kind: str = "layer"  # or "loss": names the table row of the problems

    @property
    def passed(self) -> bool:
        return not self.problems and all(r.passed for r in self.results)

    def failures(self) -> list[TensorCheck]:
        return [r for r in self.results if not r.passed]

    def explain(self) -> str:
        """What failed, one line each, with the two values at the worst index and
        a hint where a known mistake fits."""
        if self.passed:
            return _say("gc.explain.ok", name=self.name)
        lines = [_say("gc.explain.head", name=self.name)]
        lines += [f"  - {problem}" for problem in self.problems]
        for r in self.failures():
            if r.analytic is None:  # no numbers to compare: the message says why
                lines.append(f"  {r.tensor}: {r.message}")
                continue
            if r.tensor in ("input", "scores"):
                what = _say(f"gc.explain.{r.tensor}")
            else:
                what = _say("gc.explain.param", tensor=r.tensor)
            line = _say(
                "gc.explain.line",
                what=what,
                index=r.worst_index,
                analytic=r.analytic,
                numeric=r.numeric,
            )
            lines.append(f"  {r.tensor}: {line}")
            if r.message:
                lines.append(f"    {_say('gc.hint')}: {r.message}")
        return "\n".join(lines)

    def __str__(self) -> str:
        table = format_table([self])
        return table if self.passed else f"{table}\n\n{self.explain()}"


TABLE_COLUMNS = ("layer", "tensor", "error", "index", "analytic", "numerical", "result")


def format_table(reports: list[GradcheckReport]) -> str:
    """A readable table: layer, tensor, max relative error, worst index, the analytic
    and numerical gradient there, pass/FAIL. A report with problems besides its
    gradients gets a row "(layer)" or "(loss)" marked FAIL (explain() says what they are)."""
    header = tuple(_say(f"gc.table.{column}") for column in TABLE_COLUMNS)
    verdict = {True: _say("gc.table.pass"), False: _say("gc.table.fail")}
    rows = []
    for rep in reports:
        for r in rep.results:
            pair = ("-", "-") if r.analytic is None else (f"{r.analytic:.6g}", f"{r.numeric:.6g}")
            error = "-" if math.isinf(r.max_rel_error) else f"{r.max_rel_error:.2e}"
            rows.append((rep.name, r.tensor, error, str(r.worst_index), *pair, verdict[r.passed]))
        if rep.problems:
            rows.append((rep.name, f"({rep.kind})", "-", "-", "-", "-", verdict[False]))
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines = [line.rstrip() for line in lines]
    lines.insert(1, "-" * _width(lines[0]))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Hangul syllable takes two (--lang ko)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def distinct_inputs(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """float64 values in (−1, 1), pairwise ≥ 2/size apart and none within 0.5/size
    of zero, in random order: no kinks (ReLU at 0) and no ties (max-pool)."""
    n = math.prod(shape)
    values = (np.arange(n) - (n - 1) / 2 + 0.25) * (2.0 / max(n, 2))
    return rng.permutation(values).reshape(shape)


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = EPSILON) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``x`` (perturbed in
    place, one element at a time, and restored)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = f()
        x[i] = original - eps
        minus = f()
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def roundoff(loss_value: float, eps: float = EPSILON) -> float:
    """The round-off noise of a central difference: ε_mach·|L|/ε."""
    return float(np.finfo(np.float64).eps * abs(loss_value) / eps)


def compare(
    name: str,
    analytic,
    numeric: np.ndarray,
    tol: float = TOLERANCE,
    noise: float = 0.0,
    batch: int | None = None,
) -> TensorCheck:
    """Max relative error of ``analytic`` against ``numeric`` (see module docstring);
    ``noise`` is the numeric estimate's round-off ([`roundoff`][minicnn.gradcheck.roundoff]),
    ``batch`` the batch size (for the hint "off by the batch size")."""
    problem = gradient_problem(name, analytic, numeric.shape)
    if problem:
        return TensorCheck(name, math.inf, (), False, message=problem)
    analytic = np.asarray(analytic)
    diff = np.abs(analytic - numeric)
    scale = max(
        np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0), 10 * noise / tol
    )
    if not diff.size:
        return TensorCheck(name, 0.0, (), True)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    err = 0.0 if scale == 0 else float(diff.max() / scale)
    if not np.isfinite(analytic).all():
        err = math.inf
        worst = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
    passed = err < tol
    hint = "" if passed else gradient_hint(analytic, numeric, batch)
    return TensorCheck(
        name, err, worst, passed, float(analytic[worst]), float(numeric[worst]), hint
    )


# -- diagnostics: the usual mistakes, said in plain words --------------------------
#
# A failed comparison alone says *that* a gradient is wrong. These checks say *what*
# a student most likely did: each returns a sentence for the report, or nothing.

# The English sentences, as a test or a caller compares them (the report itself says
# them in the current language, see minicnn.messages).
FORWARD_CHANGED_INPUT = _say("gc.forward_changed_input", "en", what="input x")
BACKWARD_CHANGED_DOUT = _say("gc.backward_changed_dout", "en")
BACKWARD_CHANGED_INPUT = _say("gc.backward_changed_input", "en", what="input x")
STALE_CACHE = _say("gc.stale_cache", "en", what="{what}")


def gradient_problem(name: str, value, shape: tuple[int, ...]) -> str | None:
    """Why ``value`` cannot be compared with a gradient of ``shape`` at all (None,
    not an array, wrong shape or dtype), or None when it can."""
    returned = name in ("input", "scores")
    where = _say("gc.where.returned") if returned else _say("gc.where.grad", name=name)
    like = {"input": "x", "scores": "scores"}.get(name, name)
    if value is None:
        if returned:
            return _say("gc.grad.none_returned", like=like, shape=shape)
        return _say("gc.grad.none_param", name=name)
    if not isinstance(value, np.ndarray | np.generic | float | int):
        return _say("gc.grad.type", where=where, type=type(value).__name__, shape=shape)
    got = np.shape(value)
    if got != shape:
        why = _say("gc.grad.shape", where=where, got=got, like=like, shape=shape)
        if len(got) > 1 and got == shape[::-1]:
            why += _say("gc.grad.shape.transposed")
        elif got[1:] == shape and not returned:
            why += _say("gc.grad.shape.batch_kept")
        elif got == shape[1:]:
            why += _say("gc.grad.shape.batch_missing")
        elif math.prod(got) == math.prod(shape):
            why += _say("gc.grad.shape.reshape", like=like)
        return why
    dtype = np.asarray(value).dtype
    if dtype != np.float64:
        return _say("gc.grad.dtype", where=where, dtype=dtype)
    return None


def output_problem(y) -> str | None:
    """Why forward's output cannot be checked (None, not an array, not float64)."""
    if y is None:
        return _say("gc.out.none")
    if not isinstance(y, np.ndarray):
        return _say("gc.out.type", type=type(y).__name__)
    if y.dtype != np.float64:
        return _say("gc.out.dtype", dtype=y.dtype)
    return None


def gradient_hint(
    analytic: np.ndarray,
    numeric: np.ndarray,
    batch: int | None = None,
    ours: str | None = None,
    theirs: str | None = None,
) -> str:
    """A known mistake that explains how ``analytic`` differs from ``numeric``
    (sign flipped, off by the batch size or another constant, transposed, the kernel
    rotated by 180°, a mask that blocks or leaks), or "" when none fits."""
    a, n = analytic, numeric
    ours, theirs = ours or _say("gc.ours"), theirs or _say("gc.theirs")
    if not np.isfinite(a).all():
        return _say("gc.nan", ours=ours)
    scale = max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0))
    if scale == 0:
        return ""

    def same(u, v):
        return u.shape == v.shape and bool(np.all(np.abs(u - v) <= 1e-5 * scale))

    small, large = np.abs(n) <= 1e-6 * scale, np.abs(n) > 1e-3 * scale
    if np.abs(a).max() <= 1e-6 * scale:
        return _say("gc.zero", ours=ours)
    if same(a, -n):
        return _say("gc.sign", ours=ours, theirs=theirs)
    if large.any():
        c = float(np.median(a[large] / n[large]))
        if abs(c - 1) > 1e-3 and same(a, c * n):
            return _factor_hint(c, batch, ours, theirs)
    if a.ndim == 2 and a.shape[0] == a.shape[1] and same(a, n.T):
        return _say("gc.transposed", ours=ours, theirs=theirs)
    if a.ndim >= 2 and same(a, n[..., ::-1, ::-1]) and not same(n, n[..., ::-1, ::-1]):
        return _say("gc.rot180", ours=ours, theirs=theirs)
    if a.ndim == 4 and a.shape[0] == a.shape[1] and same(a, n.swapaxes(0, 1)):
        return _say("gc.axes", ours=ours)
    blocked = (np.abs(a) <= 1e-6 * scale) & large
    leaked = (np.abs(a) > 1e-3 * scale) & small
    rest = ~(blocked | leaked)
    if (blocked.any() or leaked.any()) and same(a[rest], n[rest]):
        first = tuple(int(i) for i in np.argwhere(blocked | leaked)[0])
        if blocked.any() and leaked.any():
            return _say("gc.mask_inverted", ours=ours, theirs=theirs, first=first)
        if blocked.any():
            count = int(blocked.sum())
            return _say("gc.mask_blocks", ours=ours, theirs=theirs, count=count, first=first)
        count = int(leaked.sum())
        return _say("gc.mask_missing", ours=ours, theirs=theirs, count=count, first=first)
    return ""


def _factor_hint(c: float, batch: int | None, ours: str, theirs: str) -> str:
    """The hint for ``ours = c · theirs`` everywhere. A batch of 2 is never blamed: a
    factor of 2 (a square's derivative halved, a gradient counted twice) is as likely,
    so the plain factor is named instead."""
    if batch == 2:
        batch = None
    if batch and batch > 1 and math.isclose(c, 1 / batch, rel_tol=1e-4):
        return _say("gc.div_batch", ours=ours, theirs=theirs, batch=batch)
    if batch and batch > 1 and math.isclose(c, batch, rel_tol=1e-4):
        return _say("gc.times_batch", ours=ours, theirs=theirs, batch=batch)
    k = round(1 / c) if abs(c) < 1 else 0
    if k >= 2 and math.isclose(c, 1 / k, rel_tol=1e-4):
        return _say("gc.div_k", ours=ours, theirs=theirs, k=k)
    if abs(c) >= 1 and round(c) >= 2 and math.isclose(c, round(c), rel_tol=1e-4):
        return _say("gc.times_k", ours=ours, theirs=theirs, k=round(c))
    return _say("gc.factor", ours=ours, theirs=theirs, c=c)


def unregistered_parameters(layer: L.Layer) -> list[str]:
    """A sentence for each Parameter that would silently go untrained: one that an
    overridden ``parameters()`` does not yield, and Parameters kept in a list, tuple
    or dict attribute, where ``named_parameters()`` (the attribute walk) does not look."""
    yielded = {id(p) for p in layer.parameters()}
    problems = [
        _say(
            "gc.param.not_yielded",
            cls=type(layer).__name__,
            name=name,
            attr=name.rpartition(".")[2],
        )
        for name, p in layer.named_parameters()
        if id(p) not in yielded
    ]
    registered = {id(p) for _, p in layer.named_parameters()}
    for name, module in layer.named_modules():
        for attr, value in vars(module).items():
            items = value.values() if isinstance(value, dict) else value
            if isinstance(value, list | tuple | dict) and any(
                isinstance(v, Parameter) and id(v) not in registered for v in items
            ):
                where = f"{name}.{attr}" if name else attr
                problems.append(
                    _say(
                        "gc.param.in_container",
                        cls=type(module).__name__,
                        where=repr(where),
                        type=type(value).__name__,
                    )
                )
    return problems


def stale_cache_problem(used: Callable[[], tuple], fresh: Callable[[], tuple]) -> str | None:
    """Compare (output, {tensor: gradient}) of one forward and backward pass on a
    second, different input: ``used()`` runs the checked layer, ``fresh()`` a fresh
    copy of it that sees that input first."""
    try:
        (y_used, grads_used), (y_fresh, grads_fresh) = used(), fresh()
    except Exception as err:  # the student's code: say what happened, keep the report
        return _say("gc.second_call_raised", error=type(err).__name__, message=err)
    if not _same(y_used, y_fresh):
        return _say("gc.stale_cache", what=_say("gc.stale.output"))
    stale = [t for t, g in grads_fresh.items() if not _same(grads_used[t], g)]
    if not stale:
        return None
    return _say("gc.stale_cache", what=_say("gc.stale.gradient", names=", ".join(stale)))


def _same(u, v) -> bool:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    scale = max(np.abs(v).max(initial=0.0), 1e-300)
    return u.shape == v.shape and bool(np.all(np.abs(u - v) <= 1e-9 * scale))


def reference_problems(ours, reference, y, run, batch: int | None = None) -> list[str]:
    """Compare ``y`` (the checked layer's forward output) with minicnn's ``reference``
    layer or loss, which first gets the checked layer's parameters, copied by name.
    ``run(ref)`` calls the reference's forward on the same input."""
    if isinstance(reference, type):
        raise TypeError(_say("gc.ref.class", name=reference.__name__))
    ref = copy.deepcopy(reference)
    if isinstance(ref, L.Layer):
        ref.to(np.float64).train(getattr(ours, "training", True))
    mine = dict(ours.named_parameters()) if isinstance(ours, L.Layer) else {}
    problems = []
    for name, p in ref.named_parameters() if isinstance(ref, L.Layer) else []:
        q = mine.get(name)
        if q is None:
            problems.append(
                _say("gc.ref.missing_param", ref=repr(ref), name=repr(name), shape=p.shape)
            )
        elif q.shape != p.shape:
            problems.append(
                _say(
                    "gc.ref.param_shape",
                    name=repr(name),
                    shape=q.shape,
                    ref=repr(ref),
                    ref_shape=p.shape,
                )
            )
        else:
            p.data[...] = q.data
    if problems:
        return problems
    y_ref = np.asarray(run(ref), dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != y_ref.shape:
        return [_say("gc.ref.shape", shape=y.shape, ref=repr(ref), ref_shape=y_ref.shape)]
    diff = np.abs(y - y_ref)
    if diff.size == 0 or diff.max() <= 1e-7 * max(np.abs(y_ref).max(), 1.0):
        return []
    i = tuple(int(k) for k in np.unravel_index(np.argmax(diff), diff.shape))
    hint = gradient_hint(y, y_ref, batch, _say("gc.ref.ours"), _say("gc.ref.theirs"))
    differs = _say("gc.ref.differs", ref=repr(ref), index=i, yours=y[i], theirs=y_ref[i])
    return [differs + (_say("gc.ref.hint", hint=hint) if hint else "")]


def unrotated_kernel(layer: L.Layer, x, upstream, dx, eps: float = EPSILON) -> bool:
    """Is ``dx`` the input gradient the layer would have with its 4-D kernel rotated
    by 180° (the backward forgot rot180)? The gradient itself is then not an exact
    flip of the true one, so ``gradient_hint`` cannot see it; this asks the
    layer's own forward, with the kernel flipped, for its numerical gradient."""
    weight = dict(layer.named_parameters()).get("weight")
    if weight is None or weight.data.ndim != 4 or weight.data.shape[2:] == (1, 1):
        return False
    flipped = copy.deepcopy(layer)
    dict(flipped.named_parameters())["weight"].data[...] = weight.data[:, :, ::-1, ::-1]
    forward = _replaying(flipped)
    nudged = x.copy()  # numerical_gradient nudges this array; the loss reads it

    def loss() -> float:
        return float(np.sum(forward(nudged.copy()) * upstream))

    alt = numerical_gradient(loss, nudged, eps)
    dx = np.asarray(dx)
    scale = max(np.abs(alt).max(initial=0.0), 1e-12)
    return dx.shape == alt.shape and bool(np.abs(dx - alt).max() <= 1e-5 * scale)


def _replaying(layer: L.Layer) -> Callable[[np.ndarray], np.ndarray]:
    """``layer.forward`` that replays the same random draws on every call (dropout),
    so a forward pass is a deterministic function of its input and parameters."""
    frozen = [(g, copy.deepcopy(g.bit_generator.state)) for _, g in layer.named_generators()]

    def forward(x):
        for g, state in frozen:
            g.bit_generator.state = copy.deepcopy(state)
        return layer.forward(x)

    return forward


# -- checking a layer or a loss --------------------------------------------------------


def check_layer(
    layer: L.Layer,
    input_shape: tuple[int, ...],
    *,
    seed: int = 0,
    eps: float = EPSILON,
    tol: float = TOLERANCE,
    name: str | None = None,
    verbose: bool = False,
    reference: L.Layer | None = None,
) -> GradcheckReport:
    """Check dL/dx and dL/dθ of ``layer`` for an input of ``input_shape`` (batch axis
    included) against central differences in float64, and what the layer does
    besides: forward must leave x alone, backward must leave dout alone, and a
    second call on a different input must not reuse the first call's cache.

    ``reference`` (a minicnn layer built with the same arguments, e.g.
    ``mc.MaxPool2D(2)``) gets the layer's parameters, copied by name, and must give
    the same forward output: a wrong forward with a matching backward passes the
    gradient check, not this one.

    The layer is deep-copied and cast to float64 first, so the caller's layer (and
    its float32 weights) are left untouched. Random layers (dropout) replay the
    same random draws on every forward pass. Returns a
    [`GradcheckReport`][minicnn.gradcheck.GradcheckReport]; with ``verbose=True`` it also prints it.
    """
    report = GradcheckReport(name or type(layer).__name__)
    layer = copy.deepcopy(layer)
    report.problems += unregistered_parameters(layer)
    layer.to(np.float64)  # every Parameter the walk finds, whatever parameters() yields
    fresh = copy.deepcopy(layer)  # never called before the stale-cache check
    forward = _replaying(layer)
    rng = np.random.default_rng(seed)
    x = distinct_inputs(tuple(input_shape), rng)
    x_in = x.copy()
    y = forward(x_in)
    problem = output_problem(y)
    if problem:
        report.problems.append(problem)
        return _finish(report, verbose)
    if not np.array_equal(x_in, x):
        report.problems.append(_say("gc.forward_changed_input", what=_say("gc.what.input")))
    if reference is not None:
        report.problems += reference_problems(
            layer, reference, y, lambda ref: ref.forward(x.copy())
        )
    upstream = rng.standard_normal(y.shape)
    layer.zero_grad()
    x_seen, dout = x_in.copy(), upstream.copy()
    dx = layer.backward(dout)
    if not np.array_equal(dout, upstream):
        report.problems.append(_say("gc.backward_changed_dout"))
    elif not np.array_equal(x_in, x_seen):
        report.problems.append(_say("gc.backward_changed_input", what=_say("gc.what.input")))

    def loss() -> float:  # a fresh copy of x each time: a forward that changes x harms no one
        return float(np.sum(forward(x.copy()) * upstream))

    noise, batch = roundoff(float(np.sum(y * upstream)), eps), input_shape[0]
    report.results.append(compare("input", dx, numerical_gradient(loss, x, eps), tol, noise, batch))
    if not report.results[-1].passed and unrotated_kernel(layer, x, upstream, dx, eps):
        report.results[-1].message = _say("gc.dx_without_rot180")
    for pname, p in layer.named_parameters():
        if not p.requires_grad:
            continue  # frozen: no gradient to check (its grad reads as zeros)
        numeric = numerical_gradient(loss, p.data, eps)
        report.results.append(compare(pname, p.grad, numeric, tol, noise, batch))
    if all(r.analytic is not None or r.passed for r in report.results):
        x2, g2 = distinct_inputs(x.shape, rng), rng.standard_normal(y.shape)
        problem = stale_cache_problem(
            lambda: _second_call(layer, forward, x2, g2),
            lambda: _second_call(fresh, _replaying(fresh), x2, g2),
        )
        if problem:
            report.problems.append(problem)
    return _finish(report, verbose)


def _second_call(layer, forward, x, upstream) -> tuple:
    """(output, {tensor: gradient}) of one forward and backward pass on ``x``."""
    layer.zero_grad()
    y = forward(x.copy())
    grads = {"input": layer.backward(upstream.copy())}
    grads.update((name, p.grad.copy()) for name, p in layer.named_parameters())
    return y, grads


def _finish(report: GradcheckReport, verbose: bool) -> GradcheckReport:
    if verbose:
        print(report)
    return report


def is_loss(obj) -> bool:
    """A loss is a minicnn Loss, or (duck typing) any class or object that is not a
    Layer and has ``forward(scores, labels)`` and ``backward(...)``."""
    cls = obj if isinstance(obj, type) else type(obj)
    if issubclass(cls, Loss):
        return True
    forward, backward = getattr(cls, "forward", None), getattr(cls, "backward", None)
    if issubclass(cls, L.Layer) or not (callable(forward) and callable(backward)):
        return False
    try:
        params = list(inspect.signature(forward).parameters.values())[1:]  # after self
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


def check_loss(
    criterion,
    batch: int = 4,
    classes: int = 5,
    *,
    seed: int = 0,
    eps: float = EPSILON,
    tol: float = TOLERANCE,
    name: str | None = None,
    verbose: bool = False,
    reference=None,
) -> GradcheckReport:
    """Check ``criterion.backward`` against central differences of the loss value,
    on random scores (batch, classes) and valid integer labels.

    ``criterion`` is a minicnn Loss or any object with ``forward(scores, labels)``
    (a number, or one loss per sample) and ``backward()`` (dL/dscores); when
    backward takes an argument it gets a random upstream gradient (a scalar, or one
    per sample). The same diagnostics as [`check_layer`][minicnn.gradcheck.check_layer] apply, and
    ``reference`` (e.g. ``mc.SoftmaxCrossEntropy()``) must give the same loss.
    """
    report = GradcheckReport(name or type(criterion).__name__, kind="loss")
    criterion = copy.deepcopy(criterion)
    fresh = copy.deepcopy(criterion)
    rng = np.random.default_rng(seed)
    scores, labels = loss_inputs(criterion, rng, batch, classes)
    s_in = scores.copy()
    out = criterion.forward(s_in, labels.copy())
    problem = _loss_output_problem(out, batch)
    if problem:
        report.problems.append(problem)
        return _finish(report, verbose)
    if not np.array_equal(s_in, scores):
        report.problems.append(_say("gc.forward_changed_input", what=_say("gc.what.scores")))
    if reference is not None:
        report.problems += reference_problems(
            criterion, reference, out, lambda ref: ref.forward(scores.copy(), labels.copy()), batch
        )
    per_sample, takes_upstream = np.ndim(out) >= 1, _takes_argument(criterion.backward)
    shape = np.shape(out)  # () for a reduced loss, (N, ...) for one loss per term
    upstream = rng.standard_normal(shape) if takes_upstream else np.ones(shape)

    def backward(obj, g: np.ndarray):
        if not takes_upstream:
            return obj.backward()
        return obj.backward(g if per_sample else float(g))

    s_seen, dout = s_in.copy(), upstream.copy()
    dscores = backward(criterion, dout)
    if not np.array_equal(dout, upstream):
        report.problems.append(_say("gc.backward_changed_dout"))
    elif not np.array_equal(s_in, s_seen):
        report.problems.append(_say("gc.backward_changed_input", what=_say("gc.what.scores")))

    def loss() -> float:
        value = criterion.forward(scores.copy(), labels.copy())
        return float(np.sum(np.asarray(value, dtype=np.float64) * upstream))

    noise = roundoff(float(np.sum(np.asarray(out, dtype=np.float64) * upstream)), eps)
    numeric = numerical_gradient(loss, scores, eps)
    report.results.append(compare("scores", dscores, numeric, tol, noise, batch))
    if report.results[0].analytic is not None:
        s2, l2 = loss_inputs(criterion, rng, batch, classes)

        def second(obj):
            value = obj.forward(s2.copy(), l2.copy())
            return value, {"scores": backward(obj, upstream.copy())}

        problem = stale_cache_problem(lambda: second(criterion), lambda: second(fresh))
        if problem:
            report.problems.append(problem)
    return _finish(report, verbose)


def _loss_output_problem(out, batch: int) -> str | None:
    if out is None:
        return _say("gc.loss.none")
    if np.ndim(out) == 0 or np.shape(out)[0] == batch:
        try:
            np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            return _say("gc.loss.type", type=type(out).__name__)
        return None
    return _say("gc.loss.shape", shape=np.shape(out), batch=batch)


def _takes_argument(method) -> bool:
    """Whether ``method`` (a bound backward) accepts a positional argument."""
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params
    )


def loss_inputs(criterion: Loss, rng, batch: int, classes: int):
    """Random (scores, targets) in the layout ``criterion`` expects: (N, classes)
    scores and labels for classification, real targets for MSE, probabilities in
    [0, 1] for binary cross-entropy, (N, classes, 3, 2) scores and (N, 3, 2) labels
    for the per-pixel loss."""
    if isinstance(criterion, PixelCrossEntropy):
        return rng.standard_normal((batch, classes, 3, 2)) * 2, rng.integers(
            0, classes, size=(batch, 3, 2)
        )
    scores = rng.standard_normal((batch, classes)) * 2
    if isinstance(criterion, MSELoss):
        return scores, rng.standard_normal(scores.shape)
    if isinstance(criterion, BCEWithLogitsLoss):
        return scores, rng.uniform(0, 1, scores.shape)
    return scores, rng.integers(0, classes, size=batch)


# -- the registry: every layer in minicnn must have a case here ------------------


@dataclass
class Case:
    """A gradient-check scenario: a layer factory and an input shape (batch included)."""

    name: str
    make: Callable[[], L.Layer]
    input_shape: tuple[int, ...]

    def run(self, **kwargs) -> GradcheckReport:
        return check_layer(self.make(), self.input_shape, name=self.name, **kwargs)


def _batchnorm(layer: L.BatchNorm1D | L.BatchNorm2D, seed: int, train: bool = True) -> L.Layer:
    """A BatchNorm with random γ, β and running statistics, in training or eval mode:
    the initial γ = 1, β = 0 would hide a backward that forgets to multiply by γ."""
    rng = np.random.default_rng(seed)
    C = layer.num_features
    layer.weight.data[...] = rng.uniform(0.5, 2.0, C)
    layer.bias.data[...] = rng.standard_normal(C)
    layer.running_mean[...] = 0.3 * rng.standard_normal(C)
    layer.running_var[...] = rng.uniform(0.5, 2.0, C)
    return layer.train(train)


CASES: list[Case] = [
    Case("Conv2D 3x3 pad 1", lambda: L.Conv2D(3, 4, 3, padding=1, seed=1), (2, 3, 5, 5)),
    Case(
        "Conv2D (3,2) stride (2,1) pad (1,0) no bias",
        lambda: L.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), bias=False, seed=2),
        (2, 2, 7, 6),
    ),
    Case(
        "Conv2D stride 2 with remainder", lambda: L.Conv2D(1, 2, 3, stride=2, seed=3), (1, 1, 6, 6)
    ),
    Case("MaxPool2D 2x2", lambda: L.MaxPool2D(2), (2, 3, 6, 6)),
    Case("MaxPool2D 3x3 stride 2 (overlapping)", lambda: L.MaxPool2D(3, stride=2), (2, 2, 7, 7)),
    Case("MaxPool2D 3x3 stride 2 pad 1", lambda: L.MaxPool2D(3, stride=2, padding=1), (1, 2, 6, 5)),
    Case("AvgPool2D 2x2", lambda: L.AvgPool2D(2), (2, 2, 4, 6)),
    Case("AvgPool2D 3x3 stride 2 pad 1", lambda: L.AvgPool2D(3, stride=2, padding=1), (1, 2, 6, 5)),
    Case("ReLU", lambda: L.ReLU(), (3, 4, 5)),
    Case("Dropout p=0.3 (train)", lambda: L.Dropout(0.3, seed=4), (4, 6)),
    Case("Linear", lambda: L.Linear(5, 4, seed=5), (3, 5)),
    Case("Flatten", lambda: L.Flatten(), (2, 3, 2, 2)),
    Case(
        "Sequential (conv-relu-pool-linear)",
        lambda: Sequential(
            L.Conv2D(1, 2, 3, padding=1, seed=6),
            L.ReLU(),
            L.MaxPool2D(2),
            L.Flatten(),
            L.Linear(2 * 4 * 4, 3, seed=7),
        ),
        (2, 1, 8, 8),
    ),
    # normalisation, activations, global pooling
    Case("BatchNorm2D (train)", lambda: _batchnorm(L.BatchNorm2D(3), 8), (2, 3, 3, 4)),
    Case("BatchNorm2D (eval)", lambda: _batchnorm(L.BatchNorm2D(3), 9, train=False), (2, 3, 3, 4)),
    Case("BatchNorm1D (N, F) (train)", lambda: _batchnorm(L.BatchNorm1D(4), 10), (6, 4)),
    Case("BatchNorm1D (N, C, L) (train)", lambda: _batchnorm(L.BatchNorm1D(2), 11), (3, 2, 4)),
    Case("BatchNorm1D (eval)", lambda: _batchnorm(L.BatchNorm1D(4), 12, train=False), (5, 4)),
    # alpha far above AlexNet's 1e-4, so the cross-channel term is not lost in rounding
    Case(
        "LocalResponseNorm size 3",
        lambda: L.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0),
        (2, 6, 3, 3),
    ),
    Case(
        "LocalResponseNorm size 4 (asymmetric window)",
        lambda: L.LocalResponseNorm(4, alpha=1.0, beta=0.6, k=1.5),
        (2, 5, 2, 3),
    ),
    Case("LeakyReLU 0.1", lambda: L.LeakyReLU(0.1), (3, 4, 5)),
    Case("Sigmoid", lambda: L.Sigmoid(), (3, 4, 5)),
    Case("Tanh", lambda: L.Tanh(), (3, 4, 5)),
    Case("GlobalAvgPool2D", lambda: L.GlobalAvgPool2D(), (2, 3, 4, 5)),
    # no conv bias before a training-mode BatchNorm (as in ResNet): the mean subtraction
    # cancels it, its gradient is exactly 0 and a relative error of rounding noise is 1
    Case(
        "Sequential (conv-bn-relu-gap-linear)",
        lambda: Sequential(
            L.Conv2D(2, 3, 3, padding=1, bias=False, seed=13),
            _batchnorm(L.BatchNorm2D(3), 14),
            L.ReLU(),
            L.GlobalAvgPool2D(),
            L.Linear(3, 2, seed=15),
        ),
        (3, 2, 4, 4),
    ),
    Case(
        "Residual identity shortcut",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 2, 3, padding=1, seed=8), L.ReLU(), L.Conv2D(2, 2, 3, padding=1, seed=9)
            )
        ),
        (2, 2, 5, 5),
    ),
    Case(
        "Residual projection shortcut (1x1 stride 2)",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, seed=10),
                L.ReLU(),
                L.Conv2D(3, 3, 3, padding=1, seed=11),
            ),
            L.Conv2D(2, 3, 1, stride=2, bias=False, seed=12),
        ),
        (2, 2, 6, 5),
    ),
    Case("PadShortcut 2->4 stride 2 (option A)", lambda: L.PadShortcut(2, 4, 2), (2, 2, 5, 6)),
    Case(
        "Residual basic block, projection 1x1 stride 2 + BatchNorm2D (train)",
        lambda: L.Residual(
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, bias=False, seed=16),
                _batchnorm(L.BatchNorm2D(3), 17),
                L.ReLU(),
                L.Conv2D(3, 3, 3, padding=1, bias=False, seed=18),
                _batchnorm(L.BatchNorm2D(3), 19),
            ),
            Sequential(
                L.Conv2D(2, 3, 1, stride=2, bias=False, seed=20), _batchnorm(L.BatchNorm2D(3), 21)
            ),
        ),
        (3, 2, 6, 5),
    ),
    # issue 13: dilated, grouped and 'same'-padded convolution
    Case(
        "Conv2D dilation 2 groups 2 padding 'same'",
        lambda: L.Conv2D(4, 2, 3, padding="same", dilation=2, groups=2, seed=29),
        (2, 4, 6, 5),
    ),
    Case(
        "Conv2D depthwise (groups = in_channels) stride 2 dilation (1,2)",
        lambda: L.Conv2D(3, 6, (2, 3), stride=2, padding=1, dilation=(1, 2), groups=3, seed=30),
        (2, 3, 6, 7),
    ),
    Case(
        "Conv2D 4x2 padding 'same' (extra pixel bottom/right)",
        lambda: L.Conv2D(2, 2, (4, 2), padding="same", seed=31),
        (2, 2, 5, 4),
    ),
    # issue 13: upsampling, branching and skip connections
    Case("Upsample nearest x2", lambda: L.Upsample(2), (2, 2, 3, 4)),
    Case("Upsample bilinear x(2,3)", lambda: L.Upsample((2, 3), mode="bilinear"), (2, 2, 3, 4)),
    Case("Identity", lambda: L.Identity(), (2, 3, 4)),
    Case("ConvTranspose2D 3x3", lambda: L.ConvTranspose2D(2, 3, 3, seed=27), (2, 2, 3, 4)),
    Case(
        "ConvTranspose2D (3,2) stride (2,3) pad (1,0) output_padding (1,2) no bias",
        lambda: L.ConvTranspose2D(
            3, 2, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), bias=False, seed=28
        ),
        (2, 3, 3, 2),
    ),
    Case(
        "Concat (Inception-like: 1x1, 1x1-3x3, pool-1x1)",
        lambda: L.Concat(
            L.Conv2D(3, 2, 1, seed=22),
            Sequential(L.Conv2D(3, 2, 1, seed=23), L.ReLU(), L.Conv2D(2, 3, 3, padding=1, seed=24)),
            Sequential(L.MaxPool2D(3, 1, 1), L.Conv2D(3, 1, 1, seed=25)),
        ),
        (2, 3, 5, 4),
    ),
    Case(
        "Concat U-Net skip: Identity + (conv stride 2, upsample)",
        lambda: L.Concat(
            L.Identity(),
            Sequential(
                L.Conv2D(2, 3, 3, stride=2, padding=1, seed=26),
                L.ReLU(),
                L.Upsample(2, mode="bilinear"),
            ),
        ),
        (2, 2, 4, 6),
    ),
]

LOSS_CASES: list[tuple[str, Callable[[], Loss]]] = [
    ("SoftmaxCrossEntropy mean", lambda: SoftmaxCrossEntropy()),
    ("SoftmaxCrossEntropy sum", lambda: SoftmaxCrossEntropy(reduction="sum")),
    ("SoftmaxCrossEntropy none", lambda: SoftmaxCrossEntropy(reduction="none")),
    ("MulticlassSVM mean", lambda: MulticlassSVM()),
    ("MulticlassSVM margin 0.5 none", lambda: MulticlassSVM(margin=0.5, reduction="none")),
    ("MSELoss mean", lambda: MSELoss()),
    ("MSELoss none", lambda: MSELoss(reduction="none")),
    ("BCEWithLogitsLoss mean", lambda: BCEWithLogitsLoss()),
    ("BCEWithLogitsLoss sum", lambda: BCEWithLogitsLoss(reduction="sum")),
    ("PixelCrossEntropy mean", lambda: PixelCrossEntropy()),
    ("PixelCrossEntropy none", lambda: PixelCrossEntropy(reduction="none")),
]


def layer_classes() -> list[type]:
    """Every public Layer subclass defined in minicnn (the registry the test walks)."""
    found, todo = [], [L.Layer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("minicnn.") and not sub.__name__.startswith("_"):
                found.append(sub)
    return sorted(set(found), key=lambda c: c.__name__)


def run_all(verbose: bool = False) -> list[GradcheckReport]:
    """Check every registered layer case and every loss case."""
    reports = [case.run() for case in CASES]
    reports += [check_loss(make(), name=name) for name, make in LOSS_CASES]
    if verbose:
        print(format_table(reports))
    return reports


# -- checking a layer a student wrote in their own file ------------------------------


class UsageError(Exception):
    """A command-line mistake: the message says what was wrong and how to fix it."""


def load_layer_class(target: str) -> type:
    """``module:ClassName`` -> the class: a layer (a subclass of mc.Layer) or a loss
    (see [`is_loss`][minicnn.gradcheck.is_loss]). ``module`` is a dotted module name importable from
    the current directory (``my_layers``) or a path to a .py file (``my_layer.py``)."""
    module_name, sep, class_name = target.rpartition(":")
    if not sep or not module_name or not class_name.isidentifier():
        raise UsageError(_say("gc.use.target", target=repr(target)))
    if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
        module = _import_file(Path(module_name))
    else:
        sys.path.insert(0, os.getcwd())  # python -m puts the cwd first; be explicit
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            raise UsageError(
                _say("gc.use.import", module=repr(module_name), err=err, cls=class_name)
            ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and (issubclass(value, L.Layer) or is_loss(value))
            and value.__module__ == module.__name__
        )
        raise UsageError(
            _say(
                "gc.use.no_class",
                module=module_name,
                cls=repr(class_name),
                found=found or _say("gc.use.none"),
            )
        )
    if not (isinstance(cls, type) and (issubclass(cls, L.Layer) or is_loss(cls))):
        raise UsageError(
            _say("gc.use.not_layer", cls=class_name, module=module_name, got=repr(cls))
        )
    return cls


def _import_file(path: Path):
    if not path.is_file():
        raise UsageError(_say("gc.use.no_file", path=repr(str(path)), cwd=os.getcwd()))
    spec = importlib.util.spec_from_file_location(f"_student_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(_say("gc.use.not_python", path=repr(str(path))))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
    spec.loader.exec_module(module)
    return module


def load_reference(text: str) -> type:
    """``mc.MaxPool2D`` (or ``minicnn.MaxPool2D``, ``MaxPool2D``) -> minicnn's class."""
    import minicnn

    name = text.strip().removeprefix("minicnn.").removeprefix("mc.")
    cls = getattr(minicnn, name, None)
    if not (isinstance(cls, type) and (issubclass(cls, L.Layer) or issubclass(cls, Loss))):
        known = sorted(c.__name__ for c in layer_classes() if hasattr(minicnn, c.__name__))
        raise UsageError(_say("gc.use.reference", text=repr(text), known=", ".join(known)))
    return cls


def parse_shape(text: str) -> tuple[int, ...]:
    """'2,3,8,8' -> (2, 3, 8, 8): the input shape, batch axis included."""
    try:
        shape = tuple(int(part) for part in text.replace(" ", "").strip("()").split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise UsageError(_say("gc.use.shape", text=repr(text)))
    return shape


def parse_arguments(args: str | None, kwargs: str | None) -> tuple[tuple, dict]:
    """Constructor arguments as Python literals, read with ast.literal_eval (never eval):
    --args '3, 4' -> (3, 4);  --kwargs "{'stride': 2}" -> {'stride': 2}."""
    try:
        positional = ast.literal_eval(f"({args},)") if args else ()
        keywords = ast.literal_eval(kwargs) if kwargs else {}
    except (ValueError, SyntaxError):
        raise UsageError(_say("gc.use.literals", args=repr(args), kwargs=repr(kwargs))) from None
    if not isinstance(keywords, dict) or not all(isinstance(k, str) for k in keywords):
        raise UsageError(_say("gc.use.kwargs", kwargs=repr(kwargs)))
    return positional, keywords


def check_student_layer(
    target: str,
    input_shape: str | None,
    args: str | None = None,
    kwargs: str | None = None,
    seed: int = 0,
    reference: str | None = None,
) -> GradcheckReport:
    """Load ``module:ClassName``, build it with the given arguments and check it: a
    layer on an input of ``input_shape``, a loss on scores of ``input_shape`` (N, C;
    default 4,5). ``reference`` names minicnn's class to compare the forward with,
    built with the same arguments."""
    cls = load_layer_class(target)
    loss = is_loss(cls)
    if input_shape is None and not loss:
        raise UsageError(_say("gc.use.needs_shape"))
    shape = parse_shape(input_shape or "4,5")
    if loss and len(shape) != 2:
        raise UsageError(_say("gc.use.loss_shape", cls=cls.__name__, shape=repr(input_shape)))
    positional, keywords = parse_arguments(args, kwargs)
    ref_cls = load_reference(reference) if reference else None
    obj = cls(*positional, **keywords)
    ref = None
    if ref_cls is not None:
        try:
            ref = ref_cls(*positional, **keywords)
        except Exception as err:
            raise UsageError(
                _say("gc.use.ref_args", reference=reference, cls=ref_cls.__name__, err=err)
            ) from None
    name = target.rpartition(":")[2]
    if loss:
        return check_loss(obj, *shape, seed=seed, name=name, reference=ref)
    return check_layer(obj, shape, seed=seed, name=name, reference=ref)


def main(argv: list[str] | None = None, prog: str = "python -m minicnn.gradcheck") -> int:
    """The command line (``prog`` is its name in ``--help``: ``minicnn gradcheck`` when
    the ``minicnn`` command hands its arguments on)."""
    # --help speaks the language asked for, so --lang is read before the parser is built
    language = argparse.ArgumentParser(prog=prog, add_help=False)
    language.add_argument("--lang", choices=LANGS, default="en")
    with speaking(language.parse_known_args(argv)[0].lang):
        parser = _parser(prog)
        args = parser.parse_args(argv)
    with speaking(args.lang):
        return _run(parser, args)


def _parser(prog: str) -> argparse.ArgumentParser:
    """The command line's options, described in the current language."""
    parser = argparse.ArgumentParser(
        prog=prog, description=_say("gc.cli.description"), epilog=_say("gc.cli.epilog", prog=prog)
    )
    parser.add_argument("target", nargs="?", help=_say("gc.cli.help.target"))
    parser.add_argument("--input-shape", help=_say("gc.cli.help.input_shape"))
    parser.add_argument("--args", help=_say("gc.cli.help.args"))
    parser.add_argument("--kwargs", help=_say("gc.cli.help.kwargs"))
    parser.add_argument("--reference", help=_say("gc.cli.help.reference"))
    parser.add_argument("--seed", type=int, default=0, help=_say("gc.cli.help.seed"))
    parser.add_argument("--lang", choices=LANGS, default="en", help=_say("gc.cli.help.lang"))
    parser.add_argument(
        "--backend",
        choices=available_backends(),
        default=get_backend(),
        help=_say("gc.cli.help.backend"),
    )
    return parser


def _run(parser, args) -> int:
    header = _say("gc.cli.header", backend=repr(args.backend), eps=EPSILON, tol=TOLERANCE)
    if args.target is None:
        if args.input_shape or args.args or args.kwargs or args.reference:
            parser.error(_say("gc.use.no_target"))
        with backend(args.backend):
            reports = run_all()
        print(header)
        print(format_table(reports))
        failed = [rep.name for rep in reports if not rep.passed]
        print("\n" + _say("gc.cli.summary", passed=len(reports) - len(failed), failed=len(failed)))
        return 1 if failed else 0
    try:
        with backend(args.backend):
            report = check_student_layer(
                args.target, args.input_shape, args.args, args.kwargs, args.seed, args.reference
            )
    except UsageError as err:
        print(_say("gc.cli.error", message=err), file=sys.stderr)
        return 2
    except Exception as err:  # the student's code raised: show where, then say what failed
        traceback.print_exc()
        raised = _say("gc.cli.raised", target=args.target, error=type(err).__name__, message=err)
        print("\n" + _say("gc.cli.error", message=raised), file=sys.stderr)
        return 2
    print(header)
    print(format_table([report]))
    print()
    print(report.explain())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
