"""Lab 8, transfer learning: freeze, replace the head, fine-tune, and reuse digit features.

The source network is a LeNet-5 trained on the digits 0-4 only
(``minicnn/weights/lenet5_digits04.npz``); the target task is the digits 5-9, which
it never saw, from a few labelled examples of each. The graded accuracy is measured
on the held-out digits 5-9 of ``mc.data.MNISTSample("test")``, whose labels stay in
the grader's process: the reference "model" (``Truth``) answers with them.
"""

from __future__ import annotations

import functools

import numpy as np

from ..data import MNISTSample
from ..weights import LENET5_DIGITS04, LENET5_DIGITS04_SHA256, read_checked
from .messages import say
from .parts import Part, StudentError, compare
from .runs import (
    TRANSFER_CLASSES,
    lenet_for,
    run_fine_tune,
    run_freeze,
    run_replace_head,
    run_transfer,
)

# LeNet-5's twelve layers (conv, ReLU, pool, conv, ReLU, pool, flatten, fc, ReLU, fc,
# ReLU, fc) and the parameters each holds.
LENET_LAYERS = 12


# ---- freeze


def reference_freeze(model, n):
    """The first n layers frozen (no gradient, no update), every later one trainable."""
    layers = list(model)
    for layer in layers[:n]:
        layer.requires_grad_(False)
    for layer in layers[n:]:
        layer.requires_grad_(True)
    return model


def freeze_cases(rng):
    cases = []
    for n in (7, *rng.integers(1, LENET_LAYERS, 3)):
        frozen_before = bool(rng.integers(0, 2))
        cases.append(
            {
                "seed": int(rng.integers(1 << 30)),
                "classes": 10,
                "n": int(n),
                "frozen_before": frozen_before,
            }
        )
    cases[1]["frozen_before"] = True  # freeze must also leave the later layers trainable
    return cases


def layer_of_each_parameter() -> list[int]:
    """For each of LeNet-5's parameters, in order, the index of its layer."""
    model = lenet_for({"seed": 0, "classes": 10})
    return [i for i, layer in enumerate(model) for _ in layer.parameters()]


def freeze_hint(case, name, got, want):
    layers = np.array(layer_of_each_parameter())
    n = case["n"]
    wanted = {
        "lab8.parameters_not_layers": (np.arange(len(layers)) >= n).astype(int),
        "lab8.first_layers": (layers < LENET_LAYERS - n).astype(int),
        "lab8.off_by_one": (layers >= n + 1).astype(int),
        "lab8.off_by_one_less": (layers >= n - 1).astype(int),
    }
    for key, flags in wanted.items():
        if np.array_equal(got, flags):
            return say(key, n=n)
    if case["frozen_before"] and not got[layers >= n].any():
        return say("lab8.unfreeze", n=n)
    return None


# ---- replace_head


def reference_replace_head(model, num_classes, rng):
    """The model's layers but the last, then a new, trainable Linear(84, num_classes)."""
    from ..layers import Linear
    from ..model import Sequential

    old = model[-1]
    head = Linear(old.weight.shape[1], num_classes, rng=rng).to(old.weight.data.dtype)
    return Sequential(*model[:-1], head)


def replace_head_cases(rng):
    cases = []
    for frozen in (7, 11, 0):
        cases.append(
            {
                "seed": int(rng.integers(1 << 30)),
                "classes": 10,
                "frozen": frozen,
                "new_classes": int(rng.integers(2, 20)),
                "rng_seed": int(rng.integers(1 << 30)),
                "x": rng.random((3, 1, 28, 28)),
            }
        )
    cases[2]["new_classes"] = 10  # as many classes as before: is the head new?
    return cases


def replace_head_hint(case, name, got, want):
    if name == "scores.shape":
        return say("lab8.head_classes", k=case["new_classes"])
    if name == "head is the old head":
        return say("lab8.old_head")
    if name == "head requires_grad":
        return say("lab8.head_frozen")
    if name == "trunk requires_grad":
        return say("lab8.trunk_flags")
    if name == "features":
        return say("lab8.trunk_changed")
    return None


# ---- fine_tune_step


def reference_step(model, optimizer, x, y):
    """One step, as PyTorch writes it: zero_grad, forward, loss, backward, step."""
    from ..losses import SoftmaxCrossEntropy

    criterion = SoftmaxCrossEntropy()
    optimizer.zero_grad()
    loss = criterion(model.forward(x), y)
    model.backward(criterion.backward())
    optimizer.step()
    return loss


def fine_tune_cases(rng):
    cases = []
    for frozen, batch in ((7, 4), (11, 3), (0, 2)):
        classes = int(rng.integers(2, 11))
        cases.append(
            {
                "seed": int(rng.integers(1 << 30)),
                "classes": classes,
                "frozen": frozen,
                "lr": float(rng.choice([0.01, 0.05, 0.1])),
                "x": rng.random((3, batch, 1, 28, 28)),
                "y": rng.integers(0, classes, (3, batch)),
            }
        )
    return cases


def step_without(zero_grad: bool = True, backward: bool = True, step: bool = True):
    """A fine-tuning step with one of its calls left out (the typical mistakes)."""

    def fine_tune_step(model, optimizer, x, y):
        from ..losses import SoftmaxCrossEntropy

        criterion = SoftmaxCrossEntropy()
        if zero_grad:
            optimizer.zero_grad()
        loss = criterion(model.forward(x), y)
        if backward:
            model.backward(criterion.backward())
        if step:
            optimizer.step()
        return loss

    return fine_tune_step


def fine_tune_hint(case, name, got, want):
    """A step without zero_grad, step or backward gives itself away in the losses (from
    the second step on) and in every updated weight."""
    for key, variant in (
        ("lab8.zero_grad", step_without(zero_grad=False)),
        ("lab8.no_step", step_without(step=False)),
        ("lab8.no_backward", step_without(backward=False)),
    ):
        if np.allclose(got, run_fine_tune({"fine_tune_step": variant}, case)[name]):
            return say(key)
    return say("lab8.loss") if name == "losses" else None


# ---- transfer: the accuracy on digits 5-9 never seen by the source network

# Labelled examples of each new digit the student's transfer gets, and the accuracy it
# must reach on the held-out digits 5-9 (about 500), within the grader's time per part.
SHOTS = 10
THRESHOLD = 0.8


@functools.cache
def target_digits(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The digits 5-9 of the MNIST sample's ``split``, as (x float32 in [0, 1], labels 0-4)."""
    x, y = MNISTSample(split).arrays()
    keep = y >= TRANSFER_CLASSES
    return x[keep], y[keep] - TRANSFER_CLASSES


@functools.cache
def source_weights() -> dict[str, np.ndarray]:
    return read_checked(LENET5_DIGITS04, LENET5_DIGITS04_SHA256)


def transfer_cases(rng):
    x, y = target_digits("train")
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), SHOTS, replace=False) for c in range(TRANSFER_CLASSES)]
    )
    picked = rng.permutation(picked)
    return [
        {
            "source": dict(source_weights()),
            "x": x[picked],
            "y": y[picked],
            "x_test": target_digits("test")[0],
        }
    ]


class Truth:
    """The reference 'model': it answers the held-out digits with their labels, which
    never leave the grader's process."""

    def parameters(self):
        return []

    def forward(self, x):
        x_test, y_test = target_digits("test")
        if x.shape != x_test.shape or not np.array_equal(x, x_test):
            raise ValueError("Truth answers the held-out digits only")
        return np.eye(TRANSFER_CLASSES)[y_test]


def judge_transfer(case, got, reference):
    pred, truth = got.get("pred"), reference["pred"]
    if pred is None or pred.shape != truth.shape:
        compare(PARTS[-1], case, got, reference)  # names the missing or misshapen output
    right = int(np.sum(pred == truth))
    accuracy = right / len(truth)
    if accuracy < THRESHOLD:
        raise StudentError(
            say("lab8.accuracy", accuracy=accuracy, right=right, n=len(truth), threshold=THRESHOLD)
        )


PARTS = [
    Part(
        "freeze",
        2,
        ("freeze",),
        freeze_cases,
        run_freeze,
        {"freeze": reference_freeze},
        freeze_hint,
    ),
    Part(
        "replace_head",
        2,
        ("replace_head",),
        replace_head_cases,
        run_replace_head,
        {"replace_head": reference_replace_head},
        replace_head_hint,
    ),
    Part(
        "fine_tune_step",
        2,
        ("fine_tune_step",),
        fine_tune_cases,
        run_fine_tune,
        {"fine_tune_step": reference_step},
        fine_tune_hint,
    ),
    Part(
        "transfer",
        4,
        ("transfer",),
        transfer_cases,
        run_transfer,
        {"transfer": lambda source, x, y: Truth()},
        judge=judge_transfer,
    ),
]
