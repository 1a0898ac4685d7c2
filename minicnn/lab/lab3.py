"""Lab 3, pooling, ReLU and dropout, forward and backward."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .messages import say
from .parts import Part, StudentError
from .runs import (
    run_dropout_backward,
    run_dropout_forward,
    run_pool_backward,
    run_pool_forward,
    run_relu_backward,
    run_relu_forward,
)

POOLS = [  # (N, C, H, W, kernel, stride): non-overlapping, overlapping, uneven
    (2, 3, 4, 4, 2, 2),
    (1, 2, 5, 5, 3, 1),
    (2, 1, 7, 7, 3, 2),
    (1, 2, 6, 4, 2, 1),
]


def pool_cases(rng):
    cases = []
    for n, c, h, w, k, s in POOLS:
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        for x in (
            rng.standard_normal((n, c, h, w)),
            rng.integers(0, 3, size=(n, c, h, w)).astype(float),  # many ties
        ):
            cases.append(
                {"x": x, "kernel_size": k, "stride": s, "dy": rng.standard_normal((n, c, oh, ow))}
            )
    return cases


def pool_backward_hint(case, name, got, want):
    x, k, s, dy = case["x"], case["kernel_size"], case["stride"], case["dy"]
    every = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            every[:, :, i * s : i * s + k, j * s : j * s + k] += dy[:, :, i : i + 1, j : j + 1]
    if np.allclose(got, every):
        return say("lab3.every")
    if np.allclose(got, every / (k * k)):
        return say("lab3.average")
    if np.allclose(x, np.round(x)):
        return say("lab3.ties")
    if k > s:
        return say("lab3.overlap")
    return None


def relu_cases(rng):
    return [
        {"x": rng.standard_normal(shape), "dy": rng.standard_normal(shape)}
        for shape in [(4, 5), (2, 3, 4, 4), (7,)]
    ]


def relu_backward_hint(case, name, got, want):
    if np.allclose(got, case["dy"]):
        return say("lab3.unchanged")
    if np.allclose(got, (case["x"] > 0).astype(float)):
        return say("lab3.mask_only")
    return None


def dropout_cases(rng):
    cases = []
    for p, training in [(0.5, True), (0.2, True), (0.8, True), (0.5, False), (0.0, True)]:
        shape = (64, 50)
        cases.append(
            {
                "x": rng.standard_normal(shape) + 3.0,  # away from 0: a zero means dropped
                "p": p,
                "training": training,
                "seed": int(rng.integers(1 << 30)),
                "dy": rng.standard_normal(shape),
            }
        )
    return cases


def judge_dropout_forward(case, got, _reference):
    x, p, y = case["x"], case["p"], got["y"]
    if y.shape != x.shape:
        raise StudentError(say("compare.shape", name="y", have=y.shape, want=x.shape))
    if not case["training"] or p == 0:
        if not np.allclose(y, x):
            raise StudentError(say("lab3.identity") + (say("lab3.no_test_scale") if p else ""))
        return
    kept = y != 0
    if np.allclose(y[kept], x[kept]):
        raise StudentError(say("lab3.not_scaled"))
    if np.allclose(y[kept], x[kept] / p) and abs(kept.mean() - p) < 0.05 and p != 0.5:
        raise StudentError(say("hint.dropout_keep", kept=float(kept.mean()), p=p))
    if not np.allclose(y[kept], x[kept] / (1 - p)):
        raise StudentError(say("lab3.scale", keep=1 - p))
    dropped = 1 - kept.mean()
    if abs(dropped - p) > 0.05:
        raise StudentError(say("lab3.drop_rate", dropped=dropped, p=p))


def judge_dropout_backward(case, got, _reference):
    judge_dropout_forward(case, got, _reference)
    x, p, y, dy, dx = case["x"], case["p"], got["y"], case["dy"], got["dx"]
    if dx.shape != x.shape:
        raise StudentError(say("compare.shape", name="dx", have=dx.shape, want=x.shape))
    expected = dy * (y / x)  # the mask scaled by 1/(1-p), as the forward applied it
    if not np.allclose(dx, expected):
        if case["training"] and p and np.allclose(dx, dy * (y != 0)):
            raise StudentError(say("lab3.backward_scale"))
        raise StudentError(say("lab3.same_mask"))


PARTS = [
    Part(
        "max_pool2d_forward",
        2,
        ("max_pool2d_forward",),
        pool_cases,
        run_pool_forward,
        {"max_pool2d_forward": lambda *a: F.max_pool2d_forward(*a)},
    ),
    Part(
        "max_pool2d_backward",
        3,
        ("max_pool2d_forward", "max_pool2d_backward"),
        pool_cases,
        run_pool_backward,
        {
            "max_pool2d_forward": lambda *a: F.max_pool2d_forward(*a),
            "max_pool2d_backward": lambda *a: F.max_pool2d_backward(*a),
        },
        pool_backward_hint,
    ),
    Part(
        "relu_forward",
        1,
        ("relu_forward",),
        relu_cases,
        run_relu_forward,
        {"relu_forward": lambda *a: F.relu_forward(*a)},
    ),
    Part(
        "relu_backward",
        1,
        ("relu_forward", "relu_backward"),
        relu_cases,
        run_relu_backward,
        {
            "relu_forward": lambda *a: F.relu_forward(*a),
            "relu_backward": lambda *a: F.relu_backward(*a),
        },
        relu_backward_hint,
    ),
    Part(
        "dropout_forward",
        2,
        ("dropout_forward",),
        dropout_cases,
        run_dropout_forward,
        {"dropout_forward": lambda *a: F.dropout_forward(*a)},
        judge=judge_dropout_forward,
    ),
    Part(
        "dropout_backward",
        1,
        ("dropout_forward", "dropout_backward"),
        dropout_cases,
        run_dropout_backward,
        {
            "dropout_forward": lambda *a: F.dropout_forward(*a),
            "dropout_backward": lambda *a: F.dropout_backward(*a),
        },
        judge=judge_dropout_backward,
    ),
]
