"""Lab 2, im2col and the convolution backward: dK = X ⋆ dY, dX = dY ∗full K, dB = Σ dY."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..gradcheck import numerical_gradient
from .messages import say
from .parts import Part
from .runs import run_conv_backward, run_conv_forward, run_im2col, run_numgrad

SHAPES = [  # (N, C, H, W, K, f, stride, padding); N = 2 only after N = 3 (a factor of 2
    # is then not mistaken for the batch size), and one case with C = K (where rot180
    # without the channel swap runs, and gives wrong values)
    (3, 3, 5, 5, 4, 3, 1, 0),
    (2, 3, 6, 5, 3, 3, 1, 1),
    (2, 2, 7, 6, 3, 3, 2, 1),
    (1, 3, 6, 6, 2, 2, 2, 0),
    (3, 1, 5, 7, 2, 3, 1, 2),
    (2, 2, 4, 4, 3, 1, 1, 0),
]


def conv_cases(rng):
    cases = []
    for n, c, h, w, k, f, s, p in SHAPES:
        x = rng.standard_normal((n, c, h, w))
        y_hw = (
            F.conv_output_size(h, f, s, p, allow_remainder=True),
            F.conv_output_size(w, f, s, p, allow_remainder=True),
        )
        cases.append(
            {
                "x": x,
                "w": rng.standard_normal((k, c, f, f)),
                "b": rng.standard_normal(k),
                "stride": s,
                "padding": p,
                "dy": rng.standard_normal((n, k, *y_hw)),
            }
        )
    # Lecture 002's simplified example: 3x3 input, 2x2 kernel, one channel.
    cases.append(
        {
            "x": np.array([[1.0, 6, 2], [5, 3, 1], [7, 0, 4]])[None, None],
            "w": np.array([[1.0, 2], [-1, 0]])[None, None],
            "b": np.zeros(1),
            "stride": 1,
            "padding": 0,
            "dy": rng.standard_normal((1, 1, 2, 2)),
        }
    )
    return cases


def im2col_cases(rng):
    return [
        {
            "x": c["x"],
            "kh": c["w"].shape[2],
            "kw": c["w"].shape[3],
            "stride": c["stride"],
            "padding": c["padding"],
        }
        for c in conv_cases(rng)
    ]


def reference_im2col(x, kh, kw, stride, padding):
    return F.im2col(x, (kh, kw), stride, padding)


def im2col_hint(case, name, got, want):
    if got.shape == want.shape[::-1]:
        return say("lab2.columns")
    return say("lab2.order")


def backward_hint(case, name, got, want):
    x, w, s, p, dy = case["x"], case["w"], case["stride"], case["padding"], case["dy"]
    if got.shape != want.shape:
        return say("hint.stride_spread", s=s, gap=s - 1) if s > 1 else None
    if name == "dx":
        # The same backward with the kernel not rotated: what forgetting rot180 gives.
        _, cache = F.conv2d_forward(x, w[:, :, ::-1, ::-1].copy(), case["b"], s, p)
        unrotated, _, _ = F.conv2d_backward(dy, cache)
        if w.shape[2] > 1 and np.allclose(got, unrotated):
            return say("lab2.no_rot")
    if name == "db":
        n, positions = dy.shape[0], dy.shape[2] * dy.shape[3]
        for k, how in ((n, say("lab2.batch")), (n * positions, "N·OH·OW")):
            if np.allclose(got * k, want):
                return say("lab2.db_mean", how=how, k=k)
    if name == "dw" and np.allclose(got, want[:, :, ::-1, ::-1]):
        return say("lab2.dw_rotated")
    if name == "dw" and dy.shape[0] > 1:
        cols = F.im2col(x, w.shape[2:], s, p)
        if np.allclose(got, (dy.reshape(w.shape[0], -1) @ cols.T).reshape(w.shape)):
            return say("hint.dw_axes")
    if name == "dx" and s == 1 and w.shape[0] == w.shape[1]:
        f = w.shape[2]
        full = F.conv2d(dy, w[:, :, ::-1, ::-1].copy(), None, stride=1, padding=f - 1)
        unswapped = full[:, :, p : full.shape[2] - p, p : full.shape[3] - p]
        if np.allclose(got, unswapped):
            return say("hint.rot_swap")
    if s > 1 and name in ("dx", "dw"):
        return say("hint.stride_spread", s=s, gap=s - 1)
    return None


def numgrad_cases(rng):
    return [
        {"x": rng.standard_normal(shape), "c": rng.standard_normal(shape)}
        for shape in [(3,), (2, 3), (2, 2, 3)]
    ]


def reference_numgrad(f, x):
    return numerical_gradient(f, x, 1e-5)


def numgrad_hint(case, name, got, want):
    if np.allclose(got, want, rtol=1e-2):
        return say("lab2.central")
    return None


PARTS = [
    Part(
        "im2col",
        2,
        ("im2col",),
        im2col_cases,
        run_im2col,
        {"im2col": reference_im2col},
        im2col_hint,
    ),
    Part(
        "conv2d_forward",
        2,
        ("conv2d_forward",),
        conv_cases,
        run_conv_forward,
        {"conv2d_forward": lambda *a: F.conv2d_forward(*a)},
    ),
    Part(
        "conv2d_backward",
        4,
        ("conv2d_forward", "conv2d_backward"),
        conv_cases,
        run_conv_backward,
        {
            "conv2d_forward": lambda *a: F.conv2d_forward(*a),
            "conv2d_backward": lambda *a: F.conv2d_backward(*a),
        },
        backward_hint,
    ),
    Part(
        "numerical_gradient",
        2,
        ("numerical_gradient",),
        numgrad_cases,
        run_numgrad,
        {"numerical_gradient": reference_numgrad},
        numgrad_hint,
    ),
]
