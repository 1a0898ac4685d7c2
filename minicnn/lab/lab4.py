"""Lab 4, the classifier's end: a linear layer, softmax cross-entropy and the SVM hinge loss."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .messages import say
from .parts import Part
from .runs import (
    run_linear_backward,
    run_linear_forward,
    run_multiclass_svm,
    run_softmax_cross_entropy,
)


def linear_cases(rng):
    cases = []
    for n, d_in, d_out in [(4, 5, 3), (1, 7, 2), (6, 3, 8)]:
        cases.append(
            {
                "x": rng.standard_normal((n, d_in)),
                "w": rng.standard_normal((d_out, d_in)),
                "b": rng.standard_normal(d_out),
                "dy": rng.standard_normal((n, d_out)),
            }
        )
    return cases


def linear_hint(case, name, got, want):
    if name == "dw" and got.shape == want.shape[::-1]:
        return say("lab4.dw_shape")
    if name == "db" and np.allclose(got * case["x"].shape[0], want):
        return say("lab4.db_mean")
    return None


def loss_cases(rng):
    lecture = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    cases = [{"scores": lecture, "labels": np.array([0, 1, 2])}]  # cat, car, frog
    for n, c in [(5, 4), (8, 10), (1, 3)]:
        cases.append({"scores": 3 * rng.standard_normal((n, c)), "labels": rng.integers(0, c, n)})
    # Scores in the thousands: exp overflows unless the row maximum is subtracted first.
    cases.append(
        {
            "scores": np.array([[1000.0, 1001.0, 990.0], [-800.0, 0.0, 5.0]]),
            "labels": np.array([1, 0]),
        }
    )
    return cases


def softmax_hint(case, name, got, want):
    if not np.all(np.isfinite(got)) or np.abs(case["scores"]).max() > 100:
        return say("lab4.overflow")
    n = case["scores"].shape[0]
    if np.allclose(got, want * n):
        return say("lab4.not_divided")
    return say("lab4.softmax")


def svm_hint(case, name, got, want):
    if name == "loss" and np.allclose(got, want * case["scores"].shape[0]):
        return say("lab4.svm_mean")
    if name == "loss" and np.allclose(got, want + 1):
        return say("hint.svm_correct_class")
    if name == "dscores":
        return say("lab4.svm_dscores")
    return say("lab4.svm")


PARTS = [
    Part(
        "linear_forward",
        1,
        ("linear_forward",),
        linear_cases,
        run_linear_forward,
        {"linear_forward": lambda *a: F.linear_forward(*a)},
    ),
    Part(
        "linear_backward",
        3,
        ("linear_forward", "linear_backward"),
        linear_cases,
        run_linear_backward,
        {
            "linear_forward": lambda *a: F.linear_forward(*a),
            "linear_backward": lambda *a: F.linear_backward(*a),
        },
        linear_hint,
    ),
    Part(
        "softmax_cross_entropy",
        3,
        ("softmax_cross_entropy",),
        loss_cases,
        run_softmax_cross_entropy,
        {"softmax_cross_entropy": lambda *a: F.softmax_cross_entropy(*a)},
        softmax_hint,
    ),
    Part(
        "multiclass_svm",
        3,
        ("multiclass_svm",),
        loss_cases,
        run_multiclass_svm,
        {"multiclass_svm": lambda *a: F.multiclass_svm(*a)},
        svm_hint,
    ),
]
