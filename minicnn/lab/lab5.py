"""Lab 5, SGD with momentum and a LeNet-5 built from the student's own functions."""

from __future__ import annotations

import numpy as np

from ..data.mnist import MNISTSample
from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..parameter import Parameter
from ..zoo import lenet5
from .messages import say
from .parts import Part, StudentError
from .runs import LENET5_NAMES as NAMES
from .runs import run_init, run_lenet, run_sgd, run_train


def lenet5_shapes() -> dict[str, tuple[int, ...]]:
    """{name: shape} of minicnn's own LeNet-5 (the reference the student rebuilds)."""
    shapes = [p.data.shape for p in lenet5().parameters()]
    return dict(zip(NAMES, shapes, strict=True))


def sgd_cases(rng):
    cases = []
    for shape, lr, mu in [((3, 4), 0.1, 0.9), ((5,), 0.05, 0.0), ((2, 2, 3), 0.01, 0.5)]:
        cases.append(
            {
                "w": rng.standard_normal(shape),
                "grads": rng.standard_normal((4, *shape)),  # four steps in a row
                "lr": lr,
                "momentum": mu,
            }
        )
    return cases


def reference_sgd(w, dw, v, lr, momentum):
    """One step of minicnn's SGD from velocity v (PyTorch's rule: v = μv + g, w -= lr·v)."""
    p = Parameter(w.copy())
    opt = SGD([p], lr=lr, momentum=momentum)
    if momentum:
        opt.state[0]["momentum_buffer"] = v.copy()
    p.grad = dw.copy()
    opt.step()
    new_v = opt.state[0].get("momentum_buffer", dw) if momentum else dw
    return p.data, np.array(new_v, copy=True)


def sgd_hint(case, name, got, want):
    return say("lab5.sgd")


def lenet_cases(rng):
    cases = []
    for n in (2, 3):
        params = {
            k: rng.standard_normal(s) * (np.sqrt(2 / np.prod(s[1:])) if len(s) > 1 else 0.1)
            for k, s in lenet5_shapes().items()
        }
        cases.append(
            {
                "params": params,
                "x": rng.random((n, 1, 28, 28)),
                "labels": rng.integers(0, 10, n),
            }
        )
    return cases


def reference_model(params):
    """minicnn's own mc.zoo.lenet5() in float64, holding the student's parameter values."""
    model = lenet5().to(np.float64)
    for name, p in zip(NAMES, model.parameters(), strict=True):
        p.data[...] = params[name]
    return model


def reference_lenet(params, x, labels):
    """Loss and gradients of minicnn's LeNet-5 with the student's parameter values."""
    model = reference_model(params)
    named = dict(zip(NAMES, model.parameters(), strict=True))
    criterion = SoftmaxCrossEntropy()
    loss = criterion(model.forward(x), labels)
    model.backward(criterion.backward())
    return loss, {name: p.grad for name, p in named.items()}


def lenet_hint(case, name, got, want):
    if name == "loss":
        return say("lab5.loss")
    return say("lab5.reverse", name=name)


def init_cases(rng):
    return [{"seed": s} for s in (0, 1)]


def judge_init(case, got, _reference):
    check_params(got)
    for name, shape in lenet5_shapes().items():
        if name.endswith("weight"):
            std, fan_in = float(got[name].std()), int(np.prod(shape[1:]))
            he = np.sqrt(2 / fan_in)
            if not he / 3 < std < he * 3:
                raise StudentError(say("lab5.he", name=name, std=std, fan_in=fan_in, he=he))


def check_params(got):
    """The ten parameters of LeNet-5, each of its shape and finite, or a StudentError."""
    for name, shape in lenet5_shapes().items():
        if name not in got:
            raise StudentError(say("lab5.no_param", name=name, names=", ".join(NAMES)))
        if got[name].shape != shape:
            have = got[name].shape
            raise StudentError(
                say("compare.shape", name=f"params[{name!r}]", have=have, want=shape)
            )
        if not np.all(np.isfinite(got[name])):
            raise StudentError(say("lab5.not_finite", name=name))


# ---- training: overfit a small batch, then the accuracy on held-out digits

OVERFIT_IMAGES = 20  # one batch, the sanity check before any long training
OVERFIT_STEPS = 30  # the solution reaches 100% in about 10 steps
TRAIN_EPOCHS = 3  # on 4,000 digits: about 20 s on a busy 2-core machine
TRAIN_MILESTONES = [2]  # the last epoch at lr / 10 settles the noisy weights
THRESHOLD = 0.93  # the solution gets about 96% after 3 epochs
TRAIN_SECONDS = 120.0  # the accuracy part's time limit (the other parts keep 20 s)
RECIPE = {"lr": 0.05, "momentum": 0.9}


def _digits(rng):
    """The grading seed's split of the MNIST sample: (train, held-out) as (x, y) pairs."""
    seed = int(rng.integers(2**31))
    return MNISTSample("train", seed=seed).arrays(), MNISTSample("test", seed=seed).arrays()


def overfit_cases(rng):
    (x, y), _ = _digits(rng)
    pick = rng.choice(len(x), OVERFIT_IMAGES, replace=False)
    one_batch = {"epochs": OVERFIT_STEPS, "batch_size": OVERFIT_IMAGES, "milestones": [], **RECIPE}
    return [{"x": x[pick], "y": y[pick], **one_batch, "seed": int(rng.integers(2**31))}]


def accuracy_cases(rng):
    """4,000 digits to train on; the 1,000 held out (``_x``, ``_y``) stay in the grader.

    The ten labels are renamed by a random permutation, the same for both sets: a
    function that trains on anything but the digits it is given learns the wrong names.
    """
    (x, y), (x_test, y_test) = _digits(rng)
    rename = rng.permutation(10)
    recipe = {"epochs": TRAIN_EPOCHS, "batch_size": 64, "milestones": TRAIN_MILESTONES, **RECIPE}
    seed = int(rng.integers(2**31))
    return [{"x": x, "y": rename[y], **recipe, "seed": seed, "_x": x_test, "_y": rename[y_test]}]


def trained_params(got) -> dict[str, np.ndarray]:
    """The parameters ``run_train`` sent back, checked, by their names."""
    params = {k[len("params[") : -1]: v for k, v in got.items() if k.startswith("params[")}
    check_params(params)
    return params


def accuracy_of(params, x, y) -> float:
    """The fraction of ``x`` that minicnn's LeNet-5 with ``params`` classifies as ``y``."""
    model = reference_model(params).eval()
    scores = np.concatenate([model.forward(x[i : i + 500]) for i in range(0, len(x), 500)])
    return float(np.mean(scores.argmax(axis=1) == y))


def judge_overfit(case, got, _reference):
    acc = accuracy_of(trained_params(got), case["x"], case["y"])
    if acc < 1:
        losses = np.ravel(got["losses"])
        last = f"{float(losses[-1]):.3g}" if losses.size else "-"
        raise StudentError(
            say("lab5.overfit", acc=acc, n=len(case["x"]), steps=case["epochs"], loss=last)
        )


def judge_accuracy(case, got, _reference):
    acc = accuracy_of(trained_params(got), case["_x"], case["_y"])
    if acc < THRESHOLD:
        raise StudentError(
            say("lab5.accuracy", acc=acc, n=len(case["_x"]), epochs=case["epochs"], want=THRESHOLD)
        )


def no_reference(*args):
    """The training parts have no output to compare: their judges measure accuracy."""
    return {}, []


PARTS = [
    Part(
        "sgd_momentum",
        2,
        ("sgd_momentum",),
        sgd_cases,
        run_sgd,
        {"sgd_momentum": reference_sgd},
        sgd_hint,
    ),
    Part(
        "init_lenet5",
        1,
        ("init_lenet5",),
        init_cases,
        run_init,
        {"init_lenet5": lambda rng: {}},
        judge=judge_init,
    ),
    Part(
        "lenet5_loss",
        7,
        ("lenet5_loss",),
        lenet_cases,
        run_lenet,
        {"lenet5_loss": reference_lenet},
        lenet_hint,
    ),
    Part(
        "overfit_small_batch",
        1,
        ("train_lenet5",),
        overfit_cases,
        run_train,
        {"train_lenet5": no_reference},
        judge=judge_overfit,
    ),
    Part(
        "train_lenet5",
        3,
        ("train_lenet5",),
        accuracy_cases,
        run_train,
        {"train_lenet5": no_reference},
        judge=judge_accuracy,
        seconds=TRAIN_SECONDS,
        hidden=("_x", "_y"),  # the held-out digits and their labels
    ),
]
