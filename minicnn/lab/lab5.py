"""Lab 5, SGD with momentum and a LeNet-5 built from the student's own functions."""

from __future__ import annotations

import numpy as np

from ..losses import SoftmaxCrossEntropy
from ..optim import SGD
from ..parameter import Parameter
from ..zoo import lenet5
from .messages import say
from .parts import Part, StudentError
from .runs import LENET5_NAMES as NAMES
from .runs import run_init, run_lenet, run_sgd


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


def reference_lenet(params, x, labels):
    """minicnn's own mc.zoo.lenet5() in float64, given the student's parameter values."""
    model = lenet5().to(np.float64)
    named = dict(zip(NAMES, model.parameters(), strict=True))
    for name, p in named.items():
        p.data[...] = params[name]
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
        if name.endswith("weight"):
            std, fan_in = float(got[name].std()), int(np.prod(shape[1:]))
            he = np.sqrt(2 / fan_in)
            if not he / 3 < std < he * 3:
                raise StudentError(say("lab5.he", name=name, std=std, fan_in=fan_in, he=he))


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
]
