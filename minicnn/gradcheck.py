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

Run ``python -m minicnn.gradcheck`` to check every registered layer and loss, and
``python -m minicnn.gradcheck my_layer.py:MyConv --input-shape 2,3,8,8 --args '3, 4'``
to check a layer of your own (a subclass of mc.Layer); the exit status is non-zero
when a check fails.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import importlib.util
import math
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import layers as L
from .backend import available_backends, backend, get_backend
from .losses import Loss, MulticlassSVM, SoftmaxCrossEntropy
from .model import Sequential
from .parameter import Parameter

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
    rows = [
        (
            rep.name,
            r.tensor,
            f"{r.max_rel_error:.2e}",
            str(r.worst_index),
            "pass" if r.passed else "FAIL",
        )
        for rep in reports
        for r in rep.results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
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


def roundoff(loss_value: float, eps: float = EPSILON) -> float:
    """The round-off noise of a central difference: ε_mach·|L|/ε."""
    return float(np.finfo(np.float64).eps * abs(loss_value) / eps)


def compare(
    name: str, analytic: np.ndarray, numeric: np.ndarray, tol: float = TOLERANCE, noise: float = 0.0
) -> TensorCheck:
    """Max relative error of ``analytic`` against ``numeric`` (see module docstring);
    ``noise`` is the numeric estimate's round-off (:func:`roundoff`)."""
    if analytic is None or np.shape(analytic) != numeric.shape:
        shape = None if analytic is None else np.shape(analytic)
        return TensorCheck(
            f"{name} (backward gave shape {shape}, expected {numeric.shape})", math.inf, (), False
        )
    diff = np.abs(analytic - numeric)
    scale = max(
        np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0), 10 * noise / tol
    )
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
    err = 0.0 if scale == 0 else float(diff.max() / scale)
    if not np.isfinite(analytic).all():
        err = math.inf
    return TensorCheck(name, err, tuple(int(i) for i in worst), err < tol)


def check_layer(
    layer: L.Layer,
    input_shape: tuple[int, ...],
    *,
    seed: int = 0,
    eps: float = EPSILON,
    tol: float = TOLERANCE,
    name: str | None = None,
    verbose: bool = False,
) -> GradcheckReport:
    """Check dL/dx and dL/dθ of ``layer`` for an input of ``input_shape`` (batch axis
    included) against central differences in float64.

    The layer is deep-copied and cast to float64 first, so the caller's layer (and
    its float32 weights) are left untouched. Random layers (dropout) replay the
    same random draws on every forward pass. Returns a :class:`GradcheckReport`;
    with ``verbose=True`` it also prints the table.
    """
    layer = copy.deepcopy(layer)
    check_parameters_registered(layer)
    layer.to(np.float64)
    rng = np.random.default_rng(seed)
    x = distinct_inputs(tuple(input_shape), rng)
    frozen = [(g, copy.deepcopy(g.bit_generator.state)) for _, g in layer.named_generators()]

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
    noise = roundoff(loss(), eps)
    dx = layer.backward(upstream.copy())
    report = GradcheckReport(name or type(layer).__name__)
    report.results.append(compare("input", dx, numerical_gradient(loss, x, eps), tol, noise))
    for pname, p in layer.named_parameters():
        numeric = numerical_gradient(loss, p.data, eps)
        report.results.append(compare(pname, p.grad.copy(), numeric, tol, noise))
    if verbose:
        print(report)
    return report


def check_parameters_registered(layer: L.Layer) -> None:
    """Raise if a Parameter of ``layer`` is hidden where ``named_parameters()`` does not
    look (inside a list, tuple or dict attribute): its gradient would silently go
    unchecked (and untrained)."""
    registered = {id(p) for _, p in layer.named_parameters()}
    yielded = {id(p) for p in layer.parameters()}
    skipped = [name for name, p in layer.named_parameters() if id(p) not in yielded]
    if skipped:
        raise ValueError(
            f"{type(layer).__name__} has Parameter(s) {skipped} that parameters() does not "
            f"yield, so no optimizer would train them: remove your parameters() method "
            f"(mc.Layer finds every Parameter attribute itself) or yield them all"
        )
    for name, module in layer.named_modules():
        for attr, value in vars(module).items():
            items = value.values() if isinstance(value, dict) else value
            if isinstance(value, (list, tuple, dict)) and any(
                isinstance(v, Parameter) and id(v) not in registered for v in items
            ):
                where = f"{name}.{attr}" if name else attr
                raise ValueError(
                    f"{type(module).__name__} keeps Parameters in {where!r} (a "
                    f"{type(value).__name__}), where named_parameters() does not find them: "
                    f"store each Parameter as its own attribute (self.weight = Parameter(...)) "
                    f"so it is checked and trained"
                )


def check_loss(
    criterion: Loss,
    batch: int = 4,
    classes: int = 5,
    *,
    seed: int = 0,
    eps: float = EPSILON,
    tol: float = TOLERANCE,
    name: str | None = None,
) -> GradcheckReport:
    """Check ``criterion.backward`` against central differences of the loss value,
    with a random upstream gradient (a scalar, or one per sample for 'none')."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((batch, classes)) * 2
    labels = rng.integers(0, classes, size=batch)
    upstream = rng.standard_normal(batch if criterion.reduction == "none" else ())

    def loss() -> float:
        return float(np.sum(np.asarray(criterion(scores, labels)) * upstream))

    noise = roundoff(loss(), eps)
    analytic = criterion.backward(upstream)
    report = GradcheckReport(name or repr(criterion))
    numeric = numerical_gradient(loss, scores, eps)
    report.results.append(compare("scores", analytic, numeric, tol, noise))
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


def _batchnorm(layer: L.Layer, seed: int, train: bool = True) -> L.Layer:
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


# -- checking a layer a student wrote in their own file ------------------------------


class UsageError(Exception):
    """A command-line mistake: the message says what was wrong and how to fix it."""


def load_layer_class(target: str) -> type:
    """``module:ClassName`` -> the class. ``module`` is a dotted module name importable
    from the current directory (``my_layers``) or a path to a .py file (``my_layer.py``)."""
    module_name, sep, class_name = target.rpartition(":")
    if not sep or not module_name or not class_name.isidentifier():
        raise UsageError(
            f"expected module:ClassName (e.g. my_layer.py:MyConv or "
            f"my_package.layers:MyConv), got {target!r}"
        )
    if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
        module = _import_file(Path(module_name))
    else:
        sys.path.insert(0, os.getcwd())  # python -m puts the cwd first; be explicit
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            raise UsageError(
                f"cannot import module {module_name!r} ({err}); give a module "
                f"importable from the current directory or a path to a .py "
                f"file, e.g. my_layer.py:{class_name}"
            ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, L.Layer)
            and value.__module__ == module.__name__
        )
        raise UsageError(
            f"{module_name} has no {class_name!r}; the Layer classes it "
            f"defines are {found or 'none'}"
        )
    if not (isinstance(cls, type) and issubclass(cls, L.Layer)):
        raise UsageError(
            f"{class_name} in {module_name} is not a subclass of mc.Layer "
            f"(got {cls!r}); write `class {class_name}(mc.Layer):` with forward, "
            f"backward and, if it has weights, parameters()"
        )
    return cls


def _import_file(path: Path):
    if not path.is_file():
        raise UsageError(f"no such file: {str(path)!r} (relative to {os.getcwd()})")
    spec = importlib.util.spec_from_file_location(f"_student_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
    spec.loader.exec_module(module)
    return module


def parse_shape(text: str) -> tuple[int, ...]:
    """'2,3,8,8' -> (2, 3, 8, 8): the input shape, batch axis included."""
    try:
        shape = tuple(int(part) for part in text.replace(" ", "").strip("()").split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise UsageError(
            f"--input-shape must be positive integers separated by commas, "
            f"batch axis first, e.g. 2,3,8,8; got {text!r}"
        )
    return shape


def parse_arguments(args: str | None, kwargs: str | None) -> tuple[tuple, dict]:
    """Constructor arguments as Python literals, read with ast.literal_eval (never eval):
    --args '3, 4' -> (3, 4);  --kwargs "{'stride': 2}" -> {'stride': 2}."""
    try:
        positional = ast.literal_eval(f"({args},)") if args else ()
        keywords = ast.literal_eval(kwargs) if kwargs else {}
    except (ValueError, SyntaxError):
        raise UsageError(
            f"--args/--kwargs must be Python literals, e.g. --args '3, 4' "
            f"--kwargs \"{{'stride': 2}}\"; got {args!r} and {kwargs!r}"
        ) from None
    if not isinstance(keywords, dict) or not all(isinstance(k, str) for k in keywords):
        raise UsageError(
            f"--kwargs must be a dict with string keys, e.g. \"{{'stride': 2}}\"; got {kwargs!r}"
        )
    return positional, keywords


def check_student_layer(
    target: str, input_shape: str, args: str | None = None, kwargs: str | None = None, seed: int = 0
) -> GradcheckReport:
    """Load ``module:ClassName``, build it with the given arguments and check it."""
    cls = load_layer_class(target)
    shape = parse_shape(input_shape)
    positional, keywords = parse_arguments(args, kwargs)
    layer = cls(*positional, **keywords)
    return check_layer(layer, shape, seed=seed, name=target.rpartition(":")[2])


def _explain(report: GradcheckReport) -> str:
    if report.passed:
        return f"{report.name}: backward matches central differences for every tensor."
    lines = [f"{report.name}: the analytic gradient does not match central differences for:"]
    for r in report.failures():
        what = (
            "dL/dx, the value backward returns"
            if r.tensor == "input"
            else f"dL/d{r.tensor}, what backward adds to {r.tensor}.grad"
        )
        lines.append(f"  {r.tensor}: {what} (worst at index {r.worst_index})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minicnn.gradcheck",
        description="Check backward passes against central differences (float64): every "
        "minicnn layer, or, given module:ClassName, a layer you wrote.",
        epilog="example: python -m minicnn.gradcheck my_layer.py:MyConv --input-shape 2,3,8,8 "
        "--args '3, 4' --kwargs \"{'stride': 2}\"",
    )
    parser.add_argument(
        "target",
        nargs="?",
        help="your layer as module:ClassName, the module a dotted name or a "
        "path to a .py file (default: check every minicnn layer)",
    )
    parser.add_argument("--input-shape", help="input shape with the batch axis, e.g. 2,3,8,8")
    parser.add_argument("--args", help="constructor arguments as Python literals, e.g. '3, 4'")
    parser.add_argument("--kwargs", help="constructor keywords as a dict, e.g. \"{'stride': 2}\"")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the input and upstream gradient (default 0)"
    )
    parser.add_argument(
        "--backend",
        choices=available_backends(),
        default=get_backend(),
        help="kernel backend to check (default: the current one)",
    )
    args = parser.parse_args(argv)
    header = (
        f"gradient checks on the {args.backend!r} backend (central differences, "
        f"eps={EPSILON}, float64, pass: max rel error < {TOLERANCE})"
    )
    if args.target is None:
        if args.input_shape or args.args or args.kwargs:
            parser.error("--input-shape, --args and --kwargs need a target module:ClassName")
        with backend(args.backend):
            reports = run_all()
        print(header)
        print(format_table(reports))
        failed = [rep.name for rep in reports if not rep.passed]
        print(f"\n{len(reports) - len(failed)} passed, {len(failed)} failed")
        return 1 if failed else 0
    if not args.input_shape:
        parser.error("checking your own layer needs --input-shape, e.g. --input-shape 2,3,8,8")
    try:
        with backend(args.backend):
            report = check_student_layer(
                args.target, args.input_shape, args.args, args.kwargs, args.seed
            )
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # the student's code raised: show where, then say what failed
        traceback.print_exc()
        print(
            f"\nerror: building or running {args.target} raised {type(err).__name__}: {err}",
            file=sys.stderr,
        )
        return 2
    print(header)
    print(report)
    print()
    print(_explain(report))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
