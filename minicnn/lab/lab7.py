"""Lab 7, 1×1 convolutions, VGG's stacked 3×3 and an Inception module.

The counting parts are graded against the parameter count of ``Conv2D`` and
``minicnn.receptive_field``; the Inception forward against a ``Concat`` of
minicnn's ``Conv2D``/``ReLU``/``MaxPool2D`` in float64.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import functional as F
from ..layers import Concat, Conv2D, MaxPool2D, ReLU
from ..model import Sequential
from ..receptive_field import ReceptiveField
from .messages import say
from .parts import Part
from .runs import (
    INCEPTION_BRANCHES,
    run_bottleneck_params,
    run_conv_params,
    run_inception,
    run_receptive_field,
    run_stack_params,
)


def weights_of(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """The parameters of Conv2D(c_in, c_out, k): C_out filters of C_in·k·k weights, and
    one bias each (the tests check it against minicnn's layers, which would take
    gigabytes to build at the graded sizes)."""
    return c_out * (c_in * k * k + int(bias))


# ---- conv_params


def conv_cases(rng):
    cases = []
    for _ in range(6):
        cases.append(
            {
                "c_in": int(rng.integers(1, 513)),
                "c_out": int(rng.integers(1, 513)),
                "k": int(rng.choice([1, 3, 5, 7, 11])),
                "bias": bool(rng.integers(0, 2)),
            }
        )
    # both with and without a bias, whatever the draw
    cases[0]["bias"], cases[1]["bias"] = True, False
    return cases


def conv_hint(case, name, got, want):
    c_in, c_out, k, bias = case["c_in"], case["c_out"], case["k"], case["bias"]
    g = int(got)
    if bias and g == c_in * c_out * k * k:
        return say("lab1.weights_only")
    if not bias and g == c_in * c_out * k * k + c_out:
        return say("lab7.bias_false")
    if g in (c_in * c_out * k + c_out * bias, c_in * c_out * k):
        return say("lab7.k_squared")
    if g in (c_in * k * k + bias, c_out * k * k + bias):
        return say("lab1.one_filter")
    return say("lab7.conv_formula")


# ---- stack_params


def stack_cases(rng):
    return [
        {"c": int(rng.integers(1, 513)), "n": int(n)} for n in (1, 2, 3, *rng.integers(1, 7, 3))
    ]


def reference_stack(c, n):
    """(n stacked 3×3 convolutions C→C, one (2n+1)×(2n+1) convolution C→C), no biases."""
    return n * weights_of(c, c, 3, bias=False), weights_of(c, c, 2 * n + 1, bias=False)


def stack_hint(case, name, got, want):
    c, n = case["c"], case["n"]
    g = int(got)
    if name == "single":
        if g in ((2 * n - 1) ** 2 * c * c, (3 * n) ** 2 * c * c, (n + 2) ** 2 * c * c):
            return say("lab7.stack_field", n=n, f=2 * n + 1)
        return say("lab7.stack_single", f=2 * n + 1)
    if g in (9 * c * c, 3 * n * c * c):
        return say("lab7.stack_n", n=n)
    if g == n * 9 * c * c + n * c:
        return say("lab7.no_bias_here")
    return say("lab7.stack_formula")


# ---- bottleneck_params


def bottleneck_cases(rng):
    cases = []
    for _ in range(6):
        c_in = int(rng.integers(16, 1025))
        cases.append(
            {
                "c_in": c_in,
                "r": int(rng.integers(4, c_in // 2 + 5)),
                "c_out": int(rng.integers(8, 513)),
                "k": int(rng.choice([3, 5])),
            }
        )
    return cases


def reference_bottleneck(c_in, r, c_out, k):
    """(a direct k×k convolution C_in→C_out, a 1×1 reduce C_in→r then k×k r→C_out): weights."""
    direct = weights_of(c_in, c_out, k, bias=False)
    reduced = weights_of(c_in, r, 1, bias=False) + weights_of(r, c_out, k, bias=False)
    return direct, reduced


def bottleneck_hint(case, name, got, want):
    c_in, r, c_out, k = case["c_in"], case["r"], case["c_out"], case["k"]
    g = int(got)
    if name == "reduced":
        if g == r * c_out * k * k:
            return say("lab7.reduce_forgotten")
        if g == c_in * r * k * k + r * c_out * k * k:
            return say("lab7.reduce_is_1x1")
        if g == c_in * r + c_in * c_out * k * k:
            return say("lab7.reduced_reads_r")
    return say("lab7.bottleneck_formula")


# ---- receptive_field


def field_cases(rng):
    cases = [
        # VGG: three 3×3 convolutions see 7×7, like one 7×7 (lecture 004)
        {"kernels": [3, 3, 3], "strides": [1, 1, 1]},
    ]
    for _ in range(6):
        depth = int(rng.integers(2, 7))
        kernels = [int(k) for k in rng.choice([1, 2, 3, 5, 7], depth)]
        strides = [int(rng.choice([1, 1, 2])) if k > 1 else 1 for k in kernels]
        cases.append({"kernels": kernels, "strides": strides})
    cases.append({"kernels": [5, 2, 5, 2], "strides": [1, 2, 1, 2]})  # LeNet-5's trunk
    return cases


def reference_field(kernels, strides):
    field = ReceptiveField()
    for k, s in zip(kernels, strides, strict=True):
        field = field.through((k, k), (s, s))
    return field.size[0]


def field_hint(case, name, got, want):
    kernels, strides = case["kernels"], case["strides"]
    g = int(got)
    if g == 1 + sum(k - 1 for k in kernels):
        return say("lab7.field_jump")
    # the jump multiplied by the layer's own stride before its window is added
    r, j = 1, 1
    for k, s in zip(kernels, strides, strict=True):
        j *= s
        r += (k - 1) * j
    if g == r:
        return say("lab7.field_order")
    if g == sum(kernels):
        return say("lab7.field_sum")
    return say("lab7.field_formula")


# ---- inception_forward


def inception_cases(rng):
    cases = []
    for n, c, h, w in [(2, 3, 6, 6), (1, 5, 7, 5), (3, 4, 5, 8)]:
        widths = {b: int(rng.integers(1, 5)) for b in ("c1", "r3", "c3", "r5", "c5", "pp")}
        params = {}
        for name, c_in, c_out, k in inception_shapes(c, widths):
            scale = np.sqrt(2 / (c_in * k * k))
            params[f"w{name}"] = rng.standard_normal((c_out, c_in, k, k)) * scale
            params[f"b{name}"] = rng.standard_normal(c_out) * 0.1
        cases.append({"x": rng.standard_normal((n, c, h, w)), "params": params})
    return cases


def inception_shapes(c, widths):
    """(name, in, out, kernel) of the six convolutions of a module reading C channels."""
    return [
        ("1", c, widths["c1"], 1),
        ("3r", c, widths["r3"], 1),
        ("3", widths["r3"], widths["c3"], 3),
        ("5r", c, widths["r5"], 1),
        ("5", widths["r5"], widths["c5"], 5),
        ("p", c, widths["pp"], 1),
    ]


def reference_inception(x, params):
    """minicnn's Concat of the four branches, every convolution followed by ReLU."""

    def conv(name):
        w, b = params[f"w{name}"], params[f"b{name}"]
        layer = Conv2D(w.shape[1], w.shape[0], w.shape[2], padding=w.shape[2] // 2, seed=0)
        layer = layer.to(np.float64)
        layer.weight.data[...], layer.bias.data[...] = w, b
        return Sequential(layer, ReLU())

    module = Concat(
        conv("1"),
        Sequential(conv("3r"), conv("3")),
        Sequential(conv("5r"), conv("5")),
        Sequential(MaxPool2D(3, 1, 1), conv("p")),
    )
    return module.forward(x)


def reduce_without_relu(case, k: str) -> np.ndarray:
    """The 3×3 or 5×5 branch with the ReLU after its 1×1 reduce left out (a mistake)."""
    p = case["params"]
    reduced = F.conv2d(case["x"], p[f"w{k}r"], p[f"b{k}r"])
    w = p[f"w{k}"]
    return np.maximum(F.conv2d(reduced, w, p[f"b{k}"], padding=w.shape[2] // 2), 0)


def branch_blocks(case):
    """The channel count of each branch's output, in the concatenation's order."""
    return [case["params"][f"w{b}"].shape[0] for b in INCEPTION_BRANCHES]


def inception_hint(case, name, got, want):
    sizes = branch_blocks(case)
    if got.shape != want.shape:
        n, _, h, w = case["x"].shape
        if got.ndim == 4 and got.shape[1] == sum(sizes) and got.shape[2:] != (h, w):
            return say("lab7.same_size")
        if got.ndim == 4 and got.shape[0] != n:
            return say("lab7.concat_axis")
        return None
    edges = np.cumsum([0, *sizes])
    blocks = [want[:, a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    for order in itertools.permutations(range(4)):
        if order != (0, 1, 2, 3) and np.allclose(
            got, np.concatenate([blocks[i] for i in order], 1)
        ):
            return say("lab7.order")
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        if not np.allclose(got[:, a:b], blocks[i]):
            if (got[:, a:b] < 0).any():
                return say("lab7.relu_out", branch=BRANCH_NAMES[i])
            if i in (1, 2) and np.allclose(got[:, a:b], reduce_without_relu(case, "35"[i - 1])):
                return say("lab7.relu", branch=BRANCH_NAMES[i])
            return say("lab7.branch", branch=BRANCH_NAMES[i], a=int(a), b=int(b))
    return None


BRANCH_NAMES = ["1×1", "1×1 → 3×3", "1×1 → 5×5", "max pool → 1×1"]


PARTS = [
    Part(
        "conv_params",
        1,
        ("conv_params",),
        conv_cases,
        run_conv_params,
        {"conv_params": weights_of},
        conv_hint,
    ),
    Part(
        "stack_params",
        1,
        ("stack_params",),
        stack_cases,
        run_stack_params,
        {"stack_params": reference_stack},
        stack_hint,
    ),
    Part(
        "bottleneck_params",
        2,
        ("bottleneck_params",),
        bottleneck_cases,
        run_bottleneck_params,
        {"bottleneck_params": reference_bottleneck},
        bottleneck_hint,
    ),
    Part(
        "receptive_field",
        2,
        ("receptive_field",),
        field_cases,
        run_receptive_field,
        {"receptive_field": reference_field},
        field_hint,
    ),
    Part(
        "inception_forward",
        4,
        ("inception_forward",),
        inception_cases,
        run_inception,
        {"inception_forward": reference_inception},
        inception_hint,
    ),
]
