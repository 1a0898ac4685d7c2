"""Lab 9, transposed convolution forward/backward and a small U-Net that segments digits.

The first two parts compare the student's transposed convolution with minicnn's
(``functional.conv_transpose``); the student writes it with numpy alone. The last two
have no reference to compare with: ``build_unet`` is judged on what the network is
(output shape, the U-Net's layers) and ``train_unet`` on what it does, its pixel
accuracy and mean IoU on held-out canvases drawn from the grading seed, whose masks
the student's process never sees.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import functional as F
from ..data.segmentation import CLASSES, make_digit_canvases
from ..metrics import mean_iou, pixel_accuracy
from .messages import say
from .parts import Part, StudentError
from .runs import (
    UNET_LAYERS,
    run_build_unet,
    run_conv_transpose_backward,
    run_conv_transpose_forward,
    run_train_unet,
)

SHAPES = [  # (N, C_in, H, W, C_out, k, stride, padding): U-Net's 2x2 stride-2 upsampling
    # first, then kernels that overlap (k > s), gaps (k < s), padding to crop, C_in = C_out
    # (where a kernel read as (C_out, C_in, k, k) runs and gives wrong values), N = 3
    (3, 4, 3, 3, 2, 2, 2, 0),
    (2, 2, 3, 4, 3, 3, 2, 1),
    (2, 3, 4, 3, 3, 3, 1, 0),
    (1, 2, 2, 3, 2, 4, 2, 1),
    (3, 1, 3, 3, 2, 2, 3, 0),
    (2, 3, 2, 2, 1, 3, 3, 1),
]


def output_hw(h, w, k, s, p):
    """OH = (H − 1)·s − 2p + k (and the same for W)."""
    return (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k


def conv_transpose_cases(rng):
    cases = []
    for n, c, h, w, k, f, s, p in SHAPES:
        cases.append(
            {
                "x": rng.standard_normal((n, c, h, w)),
                "w": rng.standard_normal((c, k, f, f)),
                "b": rng.standard_normal(k),
                "stride": s,
                "padding": p,
                "dy": rng.standard_normal((n, k, *output_hw(h, w, f, s, p))),
            }
        )
    # The lecture's picture: one channel, a 2x2 input, a 3x3 kernel, stride 2.
    cases.append(
        {
            "x": np.array([[1.0, 2], [3, 4]])[None, None],
            "w": np.arange(1.0, 10).reshape(1, 1, 3, 3),
            "b": np.zeros(1),
            "stride": 2,
            "padding": 0,
            "dy": rng.standard_normal((1, 1, 5, 5)),
        }
    )
    return cases


def reference_forward(x, w, b, stride, padding):
    return F.conv_transpose2d_forward(x, w, b, (stride, stride), (padding, padding))


def reference_backward(dy, cache):
    return F.conv_transpose2d_backward(dy, cache)


CT_REFERENCE: dict[str, Callable] = {
    "conv_transpose2d_forward": reference_forward,
    "conv_transpose2d_backward": reference_backward,
}


def _forward(case, **changes):
    """minicnn's y for the case with some of its arguments changed (a known mistake)."""
    args = {k: case[k] for k in ("x", "w", "b", "stride", "padding")} | changes
    return reference_forward(**args)[0]


def forward_hint(case, name, got, want):
    x, w, s, p = case["x"], case["w"], case["stride"], case["padding"]
    n, c, h, wd = x.shape
    f = w.shape[2]
    if got.ndim == 4 and got.shape[:2] == want.shape[:2] and got.shape != want.shape:
        if p and got.shape[2:] == (want.shape[2] + 2 * p, want.shape[3] + 2 * p):
            return say("lab9.crop", p=p)
        if s > 1 and got.shape[2:] == output_hw(h, wd, f, 1, p):
            return say("lab9.stride", s=s)
        return say("lab9.size", h=h, s=s, p=p, f=f, oh=want.shape[2])
    if got.shape != want.shape:
        return None
    if np.allclose(got, _forward(case, w=w[:, :, ::-1, ::-1])):
        return say("lab9.flipped")
    if np.allclose(got, want - case["b"].reshape(1, -1, 1, 1)):
        return say("lab9.bias")
    if c == w.shape[1] and np.allclose(got, _forward(case, w=w.transpose(1, 0, 2, 3))):
        return say("lab9.channels")
    return None


def backward_hint(case, name, got, want):
    x, w, dy = case["x"], case["w"], case["dy"]
    if got.shape != want.shape:
        return None
    s, p = case["stride"], case["padding"]
    if name == "dx":
        _, cache = reference_forward(x, w[:, :, ::-1, ::-1], case["b"], s, p)
        flipped = reference_backward(dy, cache)[0]
        if np.allclose(got, flipped):
            return say("lab9.dx_flipped")
        return say("lab9.dx")
    if name == "dw":
        return say("lab9.dw")
    if name == "db":
        return say("lab9.db")
    return None


# ---- the U-Net: what it is, and what it does

SIZE, DIGITS = 48, 2  # the canvases of docs/segmentation.md: 48x48, two digits each
TRAIN_CANVASES, TEST_CANVASES = 1000, 200
# Thresholds on the held-out canvases. "Background everywhere" scores 0.91 and 0.08; a
# network that finds the ink but cannot tell the digits apart about 0.92 and 0.12. The
# lab's solution (eight epochs, about 55 s of one core) reached 0.950/0.339, 0.952/0.367
# and 0.946/0.315 on the cases of seeds 0, 1 and 2.
PIXEL_ACCURACY, MEAN_IOU = 0.935, 0.25
# The train_unet part's limit in the student's process: generous, so that a busy machine
# does not fail the solution; a laptop core trains the solution in about a minute.
TRAIN_SECONDS = 240


def build_cases(rng):
    # A 48x48 canvas batch and a smaller one: the network must be fully convolutional.
    return [{"x": rng.random((2, 1, SIZE, SIZE))}, {"x": rng.random((1, 1, 32, 32))}]


def judge_build(case, got, _reference):
    n, _, h, w = case["x"].shape
    shape = tuple(int(v) for v in got.get("shape", ()))
    want = (n, len(CLASSES), h, w)
    if shape != want:
        raise StudentError(say("lab9.unet_shape", have=shape, want=want))
    counts = got.get("layers", np.zeros(len(UNET_LAYERS)))
    for (kind, _), count in zip(UNET_LAYERS, counts, strict=True):
        if int(count) == 0:
            raise StudentError(say(f"lab9.unet_no_{kind}"))


def _canvases(split, n, rng):
    from ..data.mnist import MNISTSample

    source = MNISTSample(split)
    seed = int(rng.integers(2**31))
    return make_digit_canvases(source.images, source.labels, n, SIZE, DIGITS, seed=seed)


def train_cases(rng):
    """Training canvases from the sample's training digits and held-out canvases from its
    test digits, both drawn from the seed: the test masks stay in the grader."""
    x_train, m_train = _canvases("train", TRAIN_CANVASES, rng).arrays()
    x_test, m_test = _canvases("test", TEST_CANVASES, rng).arrays()
    return [{"images": x_train, "masks": m_train, "test_images": x_test, "test_masks": m_test}]


def judge_train(case, got, _reference):
    truth = case["test_masks"]
    pred = got.get("pred")
    if pred is None or pred.shape != truth.shape or not np.issubdtype(pred.dtype, np.integer):
        have = None if pred is None else (pred.shape, str(pred.dtype))
        raise StudentError(say("lab9.pred", have=have, want=truth.shape))
    pred = np.clip(pred, 0, len(CLASSES) - 1)
    acc, iou = pixel_accuracy(pred, truth), mean_iou(pred, truth, len(CLASSES))
    scores = {"acc": acc, "iou": iou, "need_acc": PIXEL_ACCURACY, "need_iou": MEAN_IOU}
    if acc < PIXEL_ACCURACY or iou < MEAN_IOU:
        base_acc = pixel_accuracy(np.zeros_like(truth), truth)
        raise StudentError(say("lab9.scores", n=len(truth), base=base_acc, **scores))
    return say("lab9.scored", n=len(truth), **scores)


PARTS = [
    Part(
        "conv_transpose2d_forward",
        3,
        ("conv_transpose2d_forward",),
        conv_transpose_cases,
        run_conv_transpose_forward,
        CT_REFERENCE,
        forward_hint,
        alone=True,
    ),
    Part(
        "conv_transpose2d_backward",
        3,
        ("conv_transpose2d_forward", "conv_transpose2d_backward"),
        conv_transpose_cases,
        run_conv_transpose_backward,
        CT_REFERENCE,
        backward_hint,
        alone=True,
    ),
    Part(
        "build_unet",
        1,
        ("build_unet",),
        build_cases,
        run_build_unet,
        {},
        judge=judge_build,
    ),
    Part(
        "train_unet",
        3,
        ("train_unet",),
        train_cases,
        run_train_unet,
        {},
        judge=judge_train,
        seconds=TRAIN_SECONDS,
        hidden=("test_masks",),
    ),
]
