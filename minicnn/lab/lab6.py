"""Lab 6 (advanced), batch normalisation forward/backward and a residual block."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..layers import Conv2D, ReLU, Residual
from ..model import Sequential
from .messages import say
from .parts import Part
from .runs import (
    res_args,
    run_bn_backward,
    run_bn_forward,
    run_res_backward,
    run_res_forward,
)

BN_SHAPES = [(6, 4), (4, 3, 5, 5), (2, 2, 3, 4)]


def bn_cases(rng):
    cases = []
    for shape in BN_SHAPES:
        c = shape[1]
        for training in (True, False):
            cases.append(
                {
                    "x": 2 * rng.standard_normal(shape) + 1,
                    "gamma": rng.standard_normal(c),
                    "beta": rng.standard_normal(c),
                    "running_mean": rng.standard_normal(c),
                    "running_var": rng.random(c) + 0.5,
                    "training": training,
                    "dy": rng.standard_normal(shape),
                }
            )
    return cases


def bn_forward_hint(case, name, got, want):
    if name.startswith("running") and case["training"] and np.allclose(got, case[name]):
        return say("lab6.not_updated", name=name)
    if name == "running_var":
        return say("lab6.running_var")
    if name == "running_mean":
        return say("lab6.running_mean")
    if not case["training"]:
        return say("lab6.eval")
    return say("lab6.stats")


def bn_backward_hint(case, name, got, want):
    if name == "dx" and case["training"]:
        gamma = case["gamma"].reshape((1, -1) + (1,) * (case["x"].ndim - 2))
        axes = (0, *range(2, case["x"].ndim))
        inv_std = 1 / np.sqrt(case["x"].var(axis=axes, keepdims=True) + 1e-5)
        if np.allclose(got, case["dy"] * gamma * inv_std):
            return say("lab6.constant_stats")
    return None


def res_cases(rng):
    cases = []
    for n, c, h in [(2, 3, 5), (1, 2, 4), (3, 1, 6)]:
        cases.append(
            {
                "x": rng.standard_normal((n, c, h, h)),
                "w1": rng.standard_normal((c, c, 3, 3)) * 0.5,
                "b1": rng.standard_normal(c),
                "w2": rng.standard_normal((c, c, 3, 3)) * 0.5,
                "b2": rng.standard_normal(c),
                "dy": rng.standard_normal((n, c, h, h)),
            }
        )
    return cases


def reference_block(x, w1, b1, w2, b2):
    """minicnn's own layers: ReLU(Residual(conv1 → ReLU → conv2)), in float64."""
    c = x.shape[1]
    block = Sequential(
        Residual(Sequential(Conv2D(c, c, 3, padding=1), ReLU(), Conv2D(c, c, 3, padding=1))),
        ReLU(),
    ).to(np.float64)
    conv1, conv2 = block[0].body[0], block[0].body[2]
    for conv, w, b in ((conv1, w1, b1), (conv2, w2, b2)):
        conv.weight.data[...] = w
        conv.bias.data[...] = b
    return block, conv1, conv2


def reference_res_forward(x, w1, b1, w2, b2):
    """y = ReLU(x + conv2(ReLU(conv1(x)))), 3x3 convolutions with padding 1."""
    block, conv1, conv2 = reference_block(x, w1, b1, w2, b2)
    return block.forward(x), (block, conv1, conv2)


def reference_res_backward(dy, cache):
    block, conv1, conv2 = cache
    dx = block.backward(dy)
    return dx, conv1.weight.grad, conv1.bias.grad, conv2.weight.grad, conv2.bias.grad


def res_backward_hint(case, name, got, want):
    if name != "dx":
        return None
    y, _ = reference_res_forward(**res_args(case))
    ds = case["dy"] * (y > 0)  # the gradient at the sum, behind the last ReLU
    if np.allclose(got, want - ds):
        return say("lab6.skip_missing")
    if np.allclose(got, want - ds + case["dy"]):
        return say("lab6.skip_mask")
    return None


PARTS = [
    Part(
        "batch_norm_forward",
        3,
        ("batch_norm_forward",),
        bn_cases,
        run_bn_forward,
        {"batch_norm_forward": lambda *a: F.batch_norm_forward(*a)},
        bn_forward_hint,
    ),
    Part(
        "batch_norm_backward",
        4,
        ("batch_norm_forward", "batch_norm_backward"),
        bn_cases,
        run_bn_backward,
        {
            "batch_norm_forward": lambda *a: F.batch_norm_forward(*a),
            "batch_norm_backward": lambda *a: F.batch_norm_backward(*a),
        },
        bn_backward_hint,
    ),
    Part(
        "residual_block_forward",
        1,
        ("residual_block_forward",),
        res_cases,
        run_res_forward,
        {"residual_block_forward": reference_res_forward},
    ),
    Part(
        "residual_block_backward",
        2,
        ("residual_block_forward", "residual_block_backward"),
        res_cases,
        run_res_backward,
        {
            "residual_block_forward": reference_res_forward,
            "residual_block_backward": reference_res_backward,
        },
        res_backward_hint,
    ),
]
