"""Labs 7 and 8 (the notes' second half), graded part by part in this process: the
reference passes its own cases, each typical mistake is named in both languages, and
the counting references agree with minicnn's layers and receptive_field."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn.lab import lab7
from minicnn.lab.grade import judge_part
from minicnn.lab.messages import speaking


def grade_part(part, ns, seed=5, lang="en"):
    """(verdict, message) of the functions in ``ns`` on the part's cases of ``seed``."""
    cases = part.cases(np.random.default_rng(seed))
    with speaking(lang):
        try:
            outputs = [part.run(ns, case) for case in cases]
        except Exception as err:  # noqa: BLE001 - a StudentError names the mistake
            return "error", str(err)
        return judge_part(part, cases, outputs)


def lab7_part(name):
    return next(p for p in lab7.PARTS if p.name == name)


@pytest.mark.parametrize("part", lab7.PARTS, ids=[p.name for p in lab7.PARTS])
def test_lab7_reference_passes_its_own_cases(part):
    assert grade_part(part, part.reference)[0] == "passed"


@pytest.mark.parametrize(
    "c_in, c_out, k, bias", [(3, 4, 5, True), (6, 2, 1, False), (2, 7, 3, True)]
)
def test_lab7_conv_count_is_minicnns(c_in, c_out, k, bias):
    conv = mc.Conv2D(c_in, c_out, k, bias=bias)
    assert lab7.weights_of(c_in, c_out, k, bias) == sum(p.size for p in conv.parameters())


def test_lab7_counts_of_the_lecture():
    # lecture 004: three 3×3 = 27C², one 7×7 = 49C²; docs/inception.md: GoogLeNet 3a's 5×5
    assert lab7.reference_stack(10, 3) == (2700, 4900)
    assert lab7.reference_bottleneck(192, 16, 32, 5) == (153600, 15872)
    assert lab7.reference_field([3, 3, 3], [1, 1, 1]) == 7
    assert (
        lab7.reference_field([5, 2, 5, 2], [1, 2, 1, 2]) == 16
    )  # minicnn.receptive_field: 14 before the last pool


def test_lab7_inception_keeps_the_size_and_stacks_the_branches():
    case = lab7.inception_cases(np.random.default_rng(0))[0]
    y = lab7.reference_inception(**case)
    n, _, h, w = case["x"].shape
    assert y.shape == (n, sum(lab7.branch_blocks(case)), h, w)
    first = case["params"]["w1"].shape[0]
    one_by_one = np.einsum("kc,nchw->nkhw", case["params"]["w1"][:, :, 0, 0], case["x"])
    np.testing.assert_allclose(
        y[:, :first], np.maximum(one_by_one + case["params"]["b1"][:, None, None], 0)
    )


def _concat(branches):
    """An Inception forward computed with minicnn.functional, branches in a given order."""
    import minicnn.functional as F

    def conv_relu(x, p, name, relu=True):
        w = p[f"w{name}"]
        y, _ = F.conv2d_forward(x, w, p[f"b{name}"], 1, w.shape[2] // 2)
        return np.maximum(y, 0) if relu else y

    def forward(x, p):
        out = {
            "1": conv_relu(x, p, "1"),
            "3": conv_relu(conv_relu(x, p, "3r", relu=branches.get("relu", True)), p, "3"),
            "5": conv_relu(conv_relu(x, p, "5r", relu=branches.get("relu", True)), p, "5"),
            "p": conv_relu(F.max_pool2d_forward(x, 3, 1, branches.get("pad", 1))[0], p, "p"),
        }
        return np.concatenate(
            [out[b] for b in branches.get("order", "135p")], axis=branches.get("axis", 1)
        )

    return forward


MISTAKES_7 = {
    "bias forgotten": (
        "conv_params",
        {"conv_params": lambda c_in, c_out, k, bias=True: c_in * c_out * k * k},
        "each filter also has one bias",
        "편향",
    ),
    "k not squared": (
        "conv_params",
        {"conv_params": lambda c_in, c_out, k, bias=True: c_out * (c_in * k + bias)},
        "squared",
        "제곱",
    ),
    "field of the single conv": (
        "stack_params",
        {"stack_params": lambda c, n: (9 * n * c * c, (2 * n - 1) ** 2 * c * c)},
        "1 + 2n",
        "1 + 2n",
    ),
    "reduce conv forgotten": (
        "bottleneck_params",
        {"bottleneck_params": lambda c_in, r, c_out, k: (c_in * c_out * k * k, r * c_out * k * k)},
        "reduce convolution has weights",
        "축소",
    ),
    "strides ignored": (
        "receptive_field",
        {"receptive_field": lambda ks, ss: 1 + sum(k - 1 for k in ks)},
        "jump",
        "점프",
    ),
    "branches out of order": (
        "inception_forward",
        {"inception_forward": _concat({"order": "315p"})},
        "wrong order",
        "순서",
    ),
    "no ReLU after the reduce": (
        "inception_forward",
        {"inception_forward": _concat({"relu": False})},
        "followed by a ReLU",
        "ReLU",
    ),
    "pool without padding": (
        "inception_forward",
        {"inception_forward": _concat({"pad": 0})},
        None,
        None,
    ),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("mistake", MISTAKES_7, ids=list(MISTAKES_7))
def test_lab7_mistakes_are_named(mistake, lang):
    name, ns, en, ko = MISTAKES_7[mistake]
    verdict, message = grade_part(lab7_part(name), ns, lang=lang)
    assert verdict != "passed"
    word = en if lang == "en" else ko
    if word:
        assert word in message, message
