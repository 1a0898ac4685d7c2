"""Lab 1, convolution forward by hand: output size, parameter count, padding, naive loops."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..layers import Conv2D
from .messages import say
from .parts import Part
from .runs import run_conv_naive, run_output_size, run_pad, run_param_count


def output_size_cases(rng):
    # The lecture's table (N=7, F=3, strides 1, 2, 3 -- the last does not fit), the
    # 32x32 volume with 5x5 filters and pad 2, and random ones, fitting or not.
    table = [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0), (32, 5, 1, 2), (7, 3, 1, 1)]
    for _ in range(5):
        f = int(rng.integers(1, 6))
        table.append(
            (int(rng.integers(f, 20)), f, int(rng.integers(1, 4)), int(rng.integers(0, 3)))
        )
    return [{"n": n, "f": f, "stride": s, "padding": p} for n, f, s, p in table]


def reference_output_size(n, f, stride, padding):
    return F.conv_output_size(n, f, stride, padding)


def output_size_hint(case, name, got, want):
    if name == "raises" and int(want) == 1:
        return say("lab1.not_whole", n=case["n"], f=case["f"], p=case["padding"], s=case["stride"])
    if name == "raises":
        return say("lab1.whole")
    return say("lab1.formula")


def param_count_cases(rng):
    table = [(3, 10, 5), (1, 32, 3), (3, 6, 5)]  # lecture 001: 760; lecture 002: 320
    table += [tuple(int(v) for v in rng.integers(1, 9, size=3)) for _ in range(3)]
    return [{"in_channels": c, "out_channels": k, "kernel_size": f} for c, k, f in table]


def reference_param_count(in_channels, out_channels, kernel_size):
    layer = Conv2D(in_channels, out_channels, kernel_size)
    return sum(p.data.size for p in layer.parameters())


def param_count_hint(case, name, got, want):
    c, k, f = case["in_channels"], case["out_channels"], case["kernel_size"]
    if int(got) == f * f * c * k:
        return say("lab1.weights_only")
    if int(got) == f * f * c + 1:
        return say("lab1.one_filter")
    return say("lab1.count")


def pad_cases(rng):
    return [{"x": rng.standard_normal((2, 3, 4, 5)), "p": p} for p in (0, 1, 2)] + [
        {"x": rng.standard_normal((1, 1, 3, 3)), "p": 3}
    ]


def reference_pad(x, p):
    return F.zero_pad(x, p)


def conv_cases(rng):
    edge = np.array([[10.0] * 3 + [0.0] * 3] * 6)[None, None]
    vertical = np.array([[1.0, 0, -1]] * 3)[None, None]
    cases = [{"x": edge, "w": vertical, "b": np.zeros(1), "stride": 1, "padding": 0}]
    for n, c, h, w, k, f, s, p in [
        (2, 3, 7, 8, 4, 3, 1, 0),
        (2, 3, 7, 7, 2, 3, 2, 1),
        (1, 2, 8, 6, 3, 2, 2, 0),
        (3, 1, 6, 7, 2, 5, 1, 2),
        (1, 2, 5, 4, 3, 1, 1, 0),
    ]:
        cases.append(
            {
                "x": rng.standard_normal((n, c, h, w)),
                "w": rng.standard_normal((k, c, f, f)),
                "b": rng.standard_normal(k),
                "stride": s,
                "padding": p,
            }
        )
    return cases


def reference_conv(x, w, b, stride, padding):
    return F.conv2d(x, w, b, stride=stride, padding=padding)


def conv_hint(case, name, got, want):
    x, w, b = case["x"], case["w"], case["b"]
    flipped = F.conv2d(x, w[:, :, ::-1, ::-1].copy(), b, case["stride"], case["padding"])
    if got.shape == flipped.shape and np.allclose(got, flipped):
        return say("lab1.flipped")
    nobias = F.conv2d(x, w, None, case["stride"], case["padding"])
    if np.allclose(got, nobias):
        return say("lab1.no_bias")
    return None


PARTS = [
    Part(
        "conv_output_size",
        2,
        ("conv_output_size",),
        output_size_cases,
        run_output_size,
        {"conv_output_size": reference_output_size},
        hint=output_size_hint,
    ),
    Part(
        "conv_param_count",
        1,
        ("conv_param_count",),
        param_count_cases,
        run_param_count,
        {"conv_param_count": reference_param_count},
        hint=param_count_hint,
    ),
    Part("zero_pad", 1, ("zero_pad",), pad_cases, run_pad, {"zero_pad": reference_pad}),
    Part(
        "conv2d_naive",
        6,
        ("conv2d_naive",),
        conv_cases,
        run_conv_naive,
        {"conv2d_naive": reference_conv},
        hint=conv_hint,
    ),
]
