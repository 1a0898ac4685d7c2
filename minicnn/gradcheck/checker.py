"""The gradient check: is a layer's backward the derivative of its forward?

This file is the whole method; read it top to bottom. (What the report says when a
check fails is in ``hints.py``, the layers minicnn checks in ``cases.py``, the command
line in ``cli.py``.)

For a layer y = f(x; θ) draw a random upstream gradient G of y's shape and check the
scalar

    L(x, θ) = Σ f(x; θ) ⊙ G,        so that dL/dy = G:

    analytic:   dL/dx = layer.backward(G),   dL/dθ = θ.grad
    numerical:  dL/dx_i ≈ (L(x + h·e_i) − L(x − h·e_i)) / 2h      (central difference)

G is random, never all ones: with G = 1 every output counts the same, and a backward
that sends a gradient to the wrong position (Wᵀ where W belongs, a reshape in the
wrong order) would pass.

The central difference has error O(h²) where a one-sided one has O(h); in float64
with h = 1e-6 the round-off, about ε_mach·|L|/h, stays near 1e-10. So a correct
backward agrees far better than the tolerance 1e-6, and a wrong one (a transposed
weight, a forgotten bias term, a missing ReLU mask) is off by O(1).

The inputs are distinct values away from 0, so no nudge of h crosses a ReLU kink or
changes which element of a pooling window wins. The layer runs in float64 on a deep
copy, so the caller's layer and its float32 weights are left alone.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable

import numpy as np

from .. import layers as L
from ..losses import BCEWithLogitsLoss, Loss, MSELoss, PixelCrossEntropy
from ..messages import say
from . import hints
from .report import GradcheckReport, TensorCheck

TOLERANCE = 1e-6  # a tensor passes when its relative error is below this
EPSILON = 1e-6  # the nudge h of the central difference


# -- the two gradients, and how far apart they are -------------------------------------


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = EPSILON) -> np.ndarray:
    """The central difference of the scalar ``f()`` with respect to every entry of ``x``:

        df/dx_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h,      h = ``eps``

    ``x`` is nudged in place, one entry at a time, and restored; ``f`` must read it."""
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
    """The round-off noise of a central difference of a loss of size ``loss_value``:
    ε_mach·|L|/h (float64's ε_mach ≈ 2.2e-16)."""
    return float(np.finfo(np.float64).eps * abs(loss_value) / eps)


def compare(
    name: str,
    analytic,
    numeric: np.ndarray,
    tol: float = TOLERANCE,
    noise: float = 0.0,
    batch: int | None = None,
) -> TensorCheck:
    """The relative error of the tensor ``name``'s ``analytic`` gradient against the
    ``numeric`` one, and whether it is below ``tol``:

        error = max_i |a_i − n_i| / max(max_i |a_i|, max_i |n_i|, 10·noise/tol)

    The worst disagreement is measured against the tensor's largest gradient, so
    entries that are legitimately near zero do not turn rounding noise into a huge
    ratio. The floor covers a gradient that is exactly zero (a conv bias right before
    batch norm): both sides are then pure round-off (``noise``, see
    [`roundoff`][minicnn.gradcheck.checker.roundoff]), and the floor makes that read
    as at most tol/10. ``batch`` (the batch size) lets a failure's hint say "off by
    the batch size"."""
    problem = hints.gradient_problem(name, analytic, numeric.shape)
    if problem:  # None, the wrong shape or dtype: nothing to subtract
        return TensorCheck(name, math.inf, (), False, message=problem)
    analytic = np.asarray(analytic)
    if not analytic.size:
        return TensorCheck(name, 0.0, (), True)
    diff = np.abs(analytic - numeric)
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 10 * noise / tol)
    error = 0.0 if scale == 0 else float(diff.max() / scale)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    if not np.isfinite(analytic).all():  # NaN compares as nothing: point at it
        error = math.inf
        worst = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
    passed = error < tol
    hint = "" if passed else hints.gradient_hint(analytic, numeric, batch)
    return TensorCheck(
        name, error, worst, passed, float(analytic[worst]), float(numeric[worst]), hint
    )


# -- the inputs ---------------------------------------------------------------------------


def distinct_inputs(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """float64 values in (−1, 1), pairwise ≥ 2/size apart and none within 0.5/size
    of zero, in random order: no kinks (ReLU at 0) and no ties (max-pool)."""
    n = math.prod(shape)
    values = (np.arange(n) - (n - 1) / 2 + 0.25) * (2.0 / max(n, 2))
    return rng.permutation(values).reshape(shape)


def loss_inputs(criterion: Loss, rng, batch: int, classes: int):
    """Random (scores, targets) in the layout ``criterion`` expects: (N, classes)
    scores and labels for classification, real targets for MSE, probabilities in
    [0, 1] for binary cross-entropy, (N, classes, 3, 2) scores and (N, 3, 2) labels
    for the per-pixel loss."""
    if isinstance(criterion, PixelCrossEntropy):
        scores = rng.standard_normal((batch, classes, 3, 2)) * 2
        return scores, rng.integers(0, classes, size=(batch, 3, 2))
    scores = rng.standard_normal((batch, classes)) * 2
    if isinstance(criterion, MSELoss):
        return scores, rng.standard_normal(scores.shape)
    if isinstance(criterion, BCEWithLogitsLoss):
        return scores, rng.uniform(0, 1, scores.shape)
    return scores, rng.integers(0, classes, size=batch)


# -- checking a layer ---------------------------------------------------------------------


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

    Random layers (dropout) replay the same random draws on every forward pass.
    Returns a [`GradcheckReport`][minicnn.gradcheck.report.GradcheckReport]; with
    ``verbose=True`` it also prints it.
    """
    report = GradcheckReport(name or type(layer).__name__)
    layer = copy.deepcopy(layer)
    report.problems += hints.unregistered_parameters(layer)
    layer.to(np.float64)  # every Parameter the walk finds, whatever parameters() yields
    fresh = copy.deepcopy(layer)  # never called before the stale-cache check
    forward = _replaying(layer)
    rng = np.random.default_rng(seed)

    # forward, on a copy of x: a forward that changes its input harms no one else
    x = distinct_inputs(tuple(input_shape), rng)
    x_in = x.copy()
    y = forward(x_in)
    problem = hints.output_problem(y)
    if problem:
        report.problems.append(problem)
        return _finish(report, verbose)
    report.problems += hints.modified_in_forward(x_in, x, "input")
    if reference is not None:
        report.problems += hints.reference_problems(
            layer, reference, y, lambda ref: ref.forward(x.copy())
        )

    # the analytic gradients, for a random upstream gradient G
    upstream = rng.standard_normal(y.shape)
    layer.zero_grad()
    x_seen, dout = x_in.copy(), upstream.copy()
    dx = layer.backward(dout)
    report.problems += hints.modified_in_backward(dout, upstream, x_in, x_seen, "input")

    # the numerical gradients of L = Σ forward(x) ⊙ G, and the comparison
    def loss_of(net: L.Layer) -> Callable[[], float]:
        run = forward if net is layer else _replaying(net)
        return lambda: float(np.sum(run(x.copy()) * upstream))

    loss = loss_of(layer)
    noise, batch = roundoff(float(np.sum(y * upstream)), eps), input_shape[0]
    report.results.append(compare("input", dx, numerical_gradient(loss, x, eps), tol, noise, batch))
    if not report.results[-1].passed and hints.unrotated_kernel(
        layer, dx, lambda flipped: numerical_gradient(loss_of(flipped), x, eps)
    ):
        report.results[-1].message = say("gc.dx_without_rot180")
    for pname, p in layer.named_parameters():
        if p.requires_grad:  # a frozen Parameter has no gradient to check
            numeric = numerical_gradient(loss, p.data, eps)
            report.results.append(compare(pname, p.grad, numeric, tol, noise, batch))

    # a second call on a different input must give what a fresh copy gives
    if all(r.analytic is not None or r.passed for r in report.results):
        x2, g2 = distinct_inputs(x.shape, rng), rng.standard_normal(y.shape)
        problem = hints.stale_cache_problem(
            lambda: _one_pass(layer, forward, x2, g2),
            lambda: _one_pass(fresh, _replaying(fresh), x2, g2),
        )
        if problem:
            report.problems.append(problem)
    return _finish(report, verbose)


def _replaying(layer: L.Layer) -> Callable[[np.ndarray], np.ndarray]:
    """``layer.forward`` that replays the same random draws on every call (dropout),
    so a forward pass is a deterministic function of its input and parameters."""
    frozen = [(g, copy.deepcopy(g.bit_generator.state)) for _, g in layer.named_generators()]

    def forward(x):
        for g, state in frozen:
            g.bit_generator.state = copy.deepcopy(state)
        return layer.forward(x)

    return forward


def _one_pass(layer, forward, x, upstream) -> tuple:
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


# -- checking a loss ----------------------------------------------------------------------


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
    on random scores (batch, classes) and valid targets.

    ``criterion`` is a minicnn Loss or any object with ``forward(scores, labels)``
    (a number, or one loss per sample) and ``backward()`` (dL/dscores); when
    backward takes an argument it gets a random upstream gradient (a scalar, or one
    per sample), and L = Σ loss ⊙ G as for a layer. The same diagnostics as
    [`check_layer`][minicnn.gradcheck.checker.check_layer] apply, and
    ``reference`` (e.g. ``mc.SoftmaxCrossEntropy()``) must give the same loss.
    """
    report = GradcheckReport(name or type(criterion).__name__, kind="loss")
    criterion = copy.deepcopy(criterion)
    fresh = copy.deepcopy(criterion)
    rng = np.random.default_rng(seed)

    scores, labels = loss_inputs(criterion, rng, batch, classes)
    s_in = scores.copy()
    out = criterion.forward(s_in, labels.copy())
    problem = hints.loss_output_problem(out, batch)
    if problem:
        report.problems.append(problem)
        return _finish(report, verbose)
    report.problems += hints.modified_in_forward(s_in, scores, "scores")
    if reference is not None:
        report.problems += hints.reference_problems(
            criterion, reference, out, lambda ref: ref.forward(scores.copy(), labels.copy()), batch
        )

    # one upstream gradient per loss value: () for a reduced loss, (N, ...) per sample
    per_sample, takes_upstream = np.ndim(out) >= 1, _takes_argument(criterion.backward)
    upstream = rng.standard_normal(np.shape(out)) if takes_upstream else np.ones(np.shape(out))

    def backward(obj, g: np.ndarray):
        if not takes_upstream:
            return obj.backward()
        return obj.backward(g if per_sample else float(g))

    s_seen, dout = s_in.copy(), upstream.copy()
    dscores = backward(criterion, dout)
    report.problems += hints.modified_in_backward(dout, upstream, s_in, s_seen, "scores")

    def loss() -> float:
        value = criterion.forward(scores.copy(), labels.copy())
        return float(np.sum(np.asarray(value, dtype=np.float64) * upstream))

    noise = roundoff(float(np.sum(np.asarray(out, dtype=np.float64) * upstream)), eps)
    numeric = numerical_gradient(loss, scores, eps)
    report.results.append(compare("scores", dscores, numeric, tol, noise, batch))

    if report.results[0].analytic is not None:  # a second call, as for a layer
        s2, l2 = loss_inputs(criterion, rng, batch, classes)

        def second(obj):
            value = obj.forward(s2.copy(), l2.copy())
            return value, {"scores": backward(obj, upstream.copy())}

        problem = hints.stale_cache_problem(lambda: second(criterion), lambda: second(fresh))
        if problem:
            report.problems.append(problem)
    return _finish(report, verbose)


def _takes_argument(method) -> bool:
    """Whether ``method`` (a bound backward) accepts a positional argument."""
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params
    )
