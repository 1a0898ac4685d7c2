"""Numerical gradient checks: is a layer's backward the derivative of its forward?

For a layer y = f(x; θ) we pick a random upstream gradient G (never all ones: a
constant G cannot tell W from Wᵀ) and the scalar L = Σ y ⊙ G, so dL/dy = G. Then

    analytic:  dL/dx = layer.backward(G), dL/dθ = θ.grad
    numeric:   dL/dx_i ≈ (L(x + ε e_i) − L(x − ε e_i)) / 2ε        (central differences)

Central differences have error O(ε²) instead of O(ε) for one-sided ones, and in
float64 with ε = 1e-6 the round-off error (≈ 1e-16·|L|/ε) stays near 1e-10, so a
correct backward agrees to far better than the 1e-6 threshold while a wrong one
(a transposed weight, a forgotten bias term, a missing ReLU mask) is off by O(1).

The error of a tensor is max_i |a_i − n_i| / max_i max(|a_i|, |n_i|): the worst
disagreement relative to the tensor's largest gradient, so entries that are
legitimately near zero do not turn rounding noise into a huge ratio.

Inputs are distinct values spaced ≥ 2/size apart and ≥ 0.5/size away from 0, so
no ε-nudge crosses a ReLU kink or changes which element of a pooling window wins.

Run ``python -m minicnn.gradcheck`` to check every registered layer and loss.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from . import layers as L
from .backend import available_backends, backend, get_backend
from .losses import Loss, MulticlassSVM, SoftmaxCrossEntropy
from .model import Sequential

TOLERANCE = 1e-6
EPSILON = 1e-6


# -- the check itself --------------------------------------------------------------

@dataclass
class TensorCheck:
    """The outcome for one tensor (the input, or a parameter)."""

    tensor: str
    max_rel_error: float
    worst_index: tuple[int, ...]
    passed: bool


@dataclass
class GradcheckReport:
    """Per-tensor results for one layer or loss; ``passed`` if every tensor passed."""

    name: str
    results: list[TensorCheck] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def failures(self) -> list[TensorCheck]:
        return [r for r in self.results if not r.passed]

    def __str__(self) -> str:
        return format_table([self])


def format_table(reports: list[GradcheckReport]) -> str:
    """A readable table: layer, tensor, max relative error, worst index, pass/FAIL."""
    header = ("layer", "tensor", "max rel error", "worst index", "result")
    rows = [(rep.name, r.tensor, f"{r.max_rel_error:.2e}", str(r.worst_index),
             "pass" if r.passed else "FAIL") for rep in reports for r in rep.results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


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


def compare(name: str, analytic: np.ndarray, numeric: np.ndarray,
            tol: float = TOLERANCE) -> TensorCheck:
    """Max relative error of ``analytic`` against ``numeric`` (see module docstring)."""
    if analytic is None or np.shape(analytic) != numeric.shape:
        shape = None if analytic is None else np.shape(analytic)
        return TensorCheck(f"{name} (backward gave shape {shape}, expected {numeric.shape})",
                           math.inf, (), False)
    diff = np.abs(analytic - numeric)
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
    err = 0.0 if scale == 0 else float(diff.max() / scale)
    if not np.isfinite(analytic).all():
        err = math.inf
    return TensorCheck(name, err, tuple(int(i) for i in worst), err < tol)


def _generators(layer: L.Layer) -> Iterator[np.random.Generator]:
    """Every random generator a layer (or its children) draws from, e.g. Dropout's."""
    for value in vars(layer).values():
        if isinstance(value, np.random.Generator):
            yield value
    for child in layer.children():
        yield from _generators(child)


def check_layer(layer: L.Layer, input_shape: tuple[int, ...], *, seed: int = 0,
                eps: float = EPSILON, tol: float = TOLERANCE, name: str | None = None,
                verbose: bool = False) -> GradcheckReport:
    """Check dL/dx and dL/dθ of ``layer`` for an input of ``input_shape`` (batch axis
    included) against central differences in float64.

    The layer is deep-copied and cast to float64 first, so the caller's layer (and
    its float32 weights) are left untouched. Random layers (dropout) replay the
    same random draws on every forward pass. Returns a :class:`GradcheckReport`;
    with ``verbose=True`` it also prints the table.
    """
    layer = copy.deepcopy(layer).to(np.float64)
    rng = np.random.default_rng(seed)
    x = distinct_inputs(tuple(input_shape), rng)
    frozen = [(g, copy.deepcopy(g.bit_generator.state)) for g in _generators(layer)]

    def forward(inp):
        for g, state in frozen:
            g.bit_generator.state = copy.deepcopy(state)
        return layer.forward(inp)

    y = forward(x)
    if not isinstance(y, np.ndarray) or y.dtype != np.float64:
        raise TypeError(
            f"{name or layer!r}: forward returned {getattr(y, 'dtype', type(y).__name__)} for a "
            f"float64 input; a gradient check needs float64 end to end (do not cast to float32)"
        )
    upstream = rng.standard_normal(y.shape)

    def loss() -> float:
        return float(np.sum(forward(x) * upstream))

    layer.zero_grad()
    forward(x)
    dx = layer.backward(upstream.copy())
    report = GradcheckReport(name or type(layer).__name__)
    report.results.append(compare("input", dx, numerical_gradient(loss, x, eps), tol))
    for pname, p in layer.named_parameters():
        analytic = p.grad.copy()
        report.results.append(compare(pname, analytic, numerical_gradient(loss, p.data, eps), tol))
    if verbose:
        print(report)
    return report


def check_loss(criterion: Loss, batch: int = 4, classes: int = 5, *, seed: int = 0,
               eps: float = EPSILON, tol: float = TOLERANCE,
               name: str | None = None) -> GradcheckReport:
    """Check ``criterion.backward`` against central differences of the loss value,
    with a random upstream gradient (a scalar, or one per sample for 'none')."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((batch, classes)) * 2
    labels = rng.integers(0, classes, size=batch)
    upstream = rng.standard_normal(batch if criterion.reduction == "none" else ())

    def loss() -> float:
        return float(np.sum(np.asarray(criterion(scores, labels)) * upstream))

    criterion(scores, labels)
    analytic = criterion.backward(upstream)
    report = GradcheckReport(name or repr(criterion))
    report.results.append(compare("scores", analytic, numerical_gradient(loss, scores, eps), tol))
    return report


# -- the registry: every layer in minicnn must have a case here ------------------

@dataclass
class Case:
    """A gradient-check scenario: a layer factory and an input shape (batch included)."""

    name: str
    make: Callable[[], L.Layer]
    input_shape: tuple[int, ...]

    def run(self, **kwargs) -> GradcheckReport:
        return check_layer(self.make(), self.input_shape, name=self.name, **kwargs)


CASES: list[Case] = [
    Case("Conv2D 3x3 pad 1", lambda: L.Conv2D(3, 4, 3, padding=1, seed=1), (2, 3, 5, 5)),
    Case("Conv2D (3,2) stride (2,1) pad (1,0) no bias",
         lambda: L.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), bias=False, seed=2),
         (2, 2, 7, 6)),
    Case("Conv2D stride 2 with remainder", lambda: L.Conv2D(1, 2, 3, stride=2, seed=3),
         (1, 1, 6, 6)),
    Case("MaxPool2D 2x2", lambda: L.MaxPool2D(2), (2, 3, 6, 6)),
    Case("MaxPool2D 3x3 stride 2 (overlapping)", lambda: L.MaxPool2D(3, stride=2), (2, 2, 7, 7)),
    Case("MaxPool2D 3x3 stride 2 pad 1", lambda: L.MaxPool2D(3, stride=2, padding=1),
         (1, 2, 6, 5)),
    Case("AvgPool2D 2x2", lambda: L.AvgPool2D(2), (2, 2, 4, 6)),
    Case("AvgPool2D 3x3 stride 2 pad 1", lambda: L.AvgPool2D(3, stride=2, padding=1),
         (1, 2, 6, 5)),
    Case("ReLU", lambda: L.ReLU(), (3, 4, 5)),
    Case("Dropout p=0.3 (train)", lambda: L.Dropout(0.3, seed=4), (4, 6)),
    Case("Linear", lambda: L.Linear(5, 4, seed=5), (3, 5)),
    Case("Flatten", lambda: L.Flatten(), (2, 3, 2, 2)),
    Case("Sequential (conv-relu-pool-linear)", lambda: Sequential(
        L.Conv2D(1, 2, 3, padding=1, seed=6), L.ReLU(), L.MaxPool2D(2),
        L.Flatten(), L.Linear(2 * 4 * 4, 3, seed=7)), (2, 1, 8, 8)),
]

LOSS_CASES: list[tuple[str, Callable[[], Loss]]] = [
    ("SoftmaxCrossEntropy mean", lambda: SoftmaxCrossEntropy()),
    ("SoftmaxCrossEntropy sum", lambda: SoftmaxCrossEntropy(reduction="sum")),
    ("SoftmaxCrossEntropy none", lambda: SoftmaxCrossEntropy(reduction="none")),
    ("MulticlassSVM mean", lambda: MulticlassSVM()),
    ("MulticlassSVM margin 0.5 none", lambda: MulticlassSVM(margin=0.5, reduction="none")),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minicnn.gradcheck",
        description="Check every layer's backward pass against central differences (float64).")
    parser.add_argument("--backend", choices=available_backends(), default=get_backend(),
                        help="kernel backend to check (default: the current one)")
    args = parser.parse_args(argv)
    with backend(args.backend):
        reports = run_all()
    print(f"gradient checks on the {args.backend!r} backend "
          f"(central differences, eps={EPSILON}, float64, pass: max rel error < {TOLERANCE})")
    print(format_table(reports))
    failed = [rep.name for rep in reports if not rep.passed]
    print(f"\n{len(reports) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
