"""Adam, AdamW, AdaGrad, RMSprop and AdaDelta: step for step against torch.optim on
identical parameters and gradients, by hand on one step, state_dict round trips
(through an .npz file) and clear errors for bad hyperparameters."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc

TOL = dict(rtol=1e-10, atol=1e-12)

# (minicnn class, torch.optim name, keyword arguments shared by both)
CONFIGS = [
    (mc.Adam, "Adam", {}),
    (mc.Adam, "Adam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.1}),
    (mc.AdamW, "AdamW", {}),
    (mc.AdamW, "AdamW", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.3}),
    (mc.AdaGrad, "Adagrad", {}),
    (
        mc.AdaGrad,
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.2,
            "weight_decay": 0.05,
            "initial_accumulator_value": 0.3,
            "eps": 1e-6,
        },
    ),
    (mc.RMSprop, "RMSprop", {}),
    (mc.RMSprop, "RMSprop", {"lr": 0.001, "alpha": 0.9, "momentum": 0.8}),
    (mc.RMSprop, "RMSprop", {"centered": True, "eps": 1e-4}),
    (mc.RMSprop, "RMSprop", {"alpha": 0.7, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    (mc.AdaDelta, "Adadelta", {}),
    (mc.AdaDelta, "Adadelta", {"lr": 0.5, "rho": 0.6, "eps": 1e-4, "weight_decay": 0.2}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CONFIGS)]


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [
        mc.Parameter(rng.standard_normal((3, 4)), "weight"),
        mc.Parameter(rng.standard_normal(5), "bias"),
    ]


def gradients(step, params):
    """A different random gradient per step (mixed signs and scales)."""
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(p.shape) * rng.uniform(0.1, 3.0) for p in params]


def run(opt, params, steps, first=0):
    """``steps`` optimizer steps with the scripted gradients; returns the parameter
    values after each step."""
    history = []
    for step in range(first, first + steps):
        opt.zero_grad()
        for p, g in zip(params, gradients(step, params), strict=True):
            p.grad += g
        opt.step()
        history.append([p.data.copy() for p in params])
    return history


@pytest.mark.parametrize("cls, torch_name, kwargs", CONFIGS, ids=IDS)
def test_matches_torch_step_for_step(torch, cls, torch_name, kwargs):
    params = make_params()
    tparams = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
    topt = getattr(torch.optim, torch_name)(tparams, foreach=False, **kwargs)
    ours = run(cls(params, **kwargs), params, steps=8)
    for step, values in enumerate(ours):
        for t, g in zip(tparams, gradients(step, params), strict=True):
            t.grad = torch.tensor(g)
        topt.step()
        for mine, t in zip(values, tparams, strict=True):
            np.testing.assert_allclose(
                mine, t.detach().numpy(), **TOL, err_msg=f"{torch_name} {kwargs} step {step + 1}"
            )
    moved = [np.abs(v - p0.data).max() for v, p0 in zip(ours[-1], make_params(), strict=True)]
    assert min(moved) > 1e-4  # the comparison is not between two unmoved parameters


@pytest.mark.parametrize("cls, torch_name, kwargs", CONFIGS, ids=IDS)
def test_state_dict_round_trip_through_npz(tmp_path, cls, torch_name, kwargs):
    """Stop after 3 steps, save, load into a fresh optimizer on copied parameters:
    the next 4 steps are identical to those of an optimizer that never stopped."""
    params = make_params()
    opt = cls(params, **kwargs)
    run(opt, params, steps=3)
    np.savez(tmp_path / "opt.npz", **opt.state_dict())
    resumed_params = [mc.Parameter(p.data.copy(), p.name) for p in params]
    resumed = cls(resumed_params, **kwargs)
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    assert int(resumed.state[0]["step"]) == 3 and resumed.steps == 3
    expected = run(opt, params, steps=4, first=3)
    got = run(resumed, resumed_params, steps=4, first=3)
    for a, b in zip(expected, got, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_adam_first_step_by_hand():
    """After one step m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g)."""
    p = mc.Parameter(np.array([1.0, -2.0, 0.0]))
    p.grad[...] = [0.5, -3.0, 1e-3]
    mc.Adam([p], lr=0.1, eps=1e-8).step()
    g = np.array([0.5, -3.0, 1e-3])
    np.testing.assert_allclose(p.data, [1.0, -2.0, 0.0] - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_adamw_decays_the_weights_not_the_gradient():
    """With a zero gradient Adam's L2 term still goes through m/√v, while AdamW just
    shrinks θ by the factor (1 − lr·λ)."""
    p = mc.Parameter(np.array([2.0]))
    mc.AdamW([p], lr=0.1, weight_decay=0.5).step()  # grad is 0: m = v = 0
    np.testing.assert_allclose(p.data, [2.0 * (1 - 0.05)])
    q = mc.Parameter(np.array([2.0]))
    mc.Adam([q], lr=0.1, weight_decay=0.5).step()  # g = λθ = 1: a full Adam step
    np.testing.assert_allclose(q.data, [2.0 - 0.1], rtol=1e-7)


def test_adagrad_lr_decay_by_hand():
    p = mc.Parameter(np.array([0.0]))
    opt = mc.AdaGrad([p], lr=1.0, lr_decay=0.5, eps=0.0)
    for g, expected in [(2.0, -1.0), (2.0, -1.0 - (1 / 1.5) * 2 / np.sqrt(8))]:
        p.grad[...] = g
        opt.step()
        np.testing.assert_allclose(p.data, [expected], rtol=1e-12)


def test_float32_parameters_stay_float32():
    for cls, _, kwargs in CONFIGS:
        p = mc.Parameter(np.ones((2, 2), np.float32))
        p.grad[...] = 0.5
        opt = cls([p], **kwargs)
        opt.step()
        opt.step()
        assert p.data.dtype == np.float32, cls.__name__
        assert all(v.dtype == np.float32 for k, v in opt.state[0].items() if k != "step")


def test_gradient_is_not_modified_by_weight_decay():
    p = mc.Parameter(np.array([3.0]))
    p.grad[...] = 1.0
    for opt in (
        mc.Adam([p], weight_decay=0.1),
        mc.AdaGrad([p], weight_decay=0.1),
        mc.RMSprop([p], weight_decay=0.1),
        mc.AdaDelta([p], weight_decay=0.1),
    ):
        opt.step()
        assert p.grad[0] == 1.0


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda ps: mc.Adam(ps, lr=0), ["Adam", "learning rate", "lr=0"]),
        (lambda ps: mc.Adam(ps, betas=(0.9, 1.0)), ["Adam", "beta2", "[0, 1)", "1.0"]),
        (lambda ps: mc.Adam(ps, betas=(-0.1, 0.9)), ["beta1", "-0.1"]),
        (lambda ps: mc.Adam(ps, betas=0.9), ["betas must be a pair"]),
        (lambda ps: mc.Adam(ps, eps=-1e-8), ["eps must be a number >= 0"]),
        (
            lambda ps: mc.AdamW(ps, weight_decay=-0.01),
            ["AdamW", "weight_decay must be a number >= 0"],
        ),
        (lambda ps: mc.AdaGrad(ps, lr_decay=-1), ["AdaGrad", "lr_decay must be a number >= 0"]),
        (lambda ps: mc.AdaGrad(ps, initial_accumulator_value=-1), ["initial_accumulator_value"]),
        (lambda ps: mc.RMSprop(ps, alpha=1.5), ["RMSprop", "alpha", "[0, 1]"]),
        (lambda ps: mc.RMSprop(ps, momentum=-0.9), ["momentum must be a number in [0, 1)"]),
        (lambda ps: mc.RMSprop(ps, lr=float("nan")), ["lr=nan"]),
        (lambda ps: mc.AdaDelta(ps, rho=2), ["AdaDelta", "rho", "[0, 1]"]),
        (lambda ps: mc.AdaDelta(ps, eps=float("nan")), ["eps must be a number >= 0", "nan"]),
    ],
)
def test_bad_hyperparameters(make, words):
    with pytest.raises((ValueError, TypeError)) as info:
        make(make_params())
    assert all(word in str(info.value) for word in words), str(info.value)


def test_centered_must_be_a_bool():
    with pytest.raises(TypeError, match="centered must be True or False"):
        mc.RMSprop(make_params(), centered="yes")


def test_a_schedule_may_set_the_rate_to_zero_but_the_constructor_may_not():
    opt = mc.Adam(make_params())
    opt.lr = 0.0
    assert opt.lr == 0.0
    with pytest.raises(ValueError, match="number >= 0"):
        opt.lr = -1.0


# ---- tests/test_optim.py


def _param(values):
    p = mc.Parameter(np.array(values, dtype=np.float64), "w")
    return p


def test_plain_sgd_step():
    p = _param([1.0, -2.0])
    p.grad[...] = [0.5, 1.0]
    mc.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.1])


def test_momentum_nesterov_and_weight_decay_by_hand():
    p = _param([1.0])
    opt = mc.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    p.grad[...] = 2.0
    opt.step()  # g = 2 + 0.01·1 = 2.01, v = g, step = g + 0.9·v = 3.819
    np.testing.assert_allclose(p.data, [1.0 - 0.3819])
    p.grad[...] = 2.0
    opt.step()  # g = 2 + 0.01·0.6181, v = 0.9·2.01 + g, step = g + 0.9·v
    g = 2 + 0.01 * 0.6181
    v = 0.9 * 2.01 + g
    np.testing.assert_allclose(p.data, [0.6181 - 0.1 * (g + 0.9 * v)])


def test_zero_grad_and_state_dict_round_trip():
    p = _param([1.0, 2.0])
    opt = mc.SGD([p], lr=0.1, momentum=0.9)
    p.grad[...] = 1.0
    opt.step()
    opt.zero_grad()
    assert not p.grad.any()
    state = opt.state_dict()
    other = mc.SGD([_param([1.0, 2.0])], lr=0.5, momentum=0.9)
    other.load_state_dict(state)
    assert other.lr == 0.1 and other.steps == 1
    np.testing.assert_array_equal(other.state[0]["momentum_buffer"], [1.0, 1.0])


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"lr": 0}, ["lr must be a number > 0 (the learning rate)", "lr=0"]),
        ({"lr": -0.1}, ["lr=-0.1"]),
        ({"lr": float("nan")}, ["lr=nan"]),
        ({"lr": 0.1, "momentum": -1}, ["momentum must be a number in [0, 1)"]),
        ({"lr": 0.1, "nesterov": True}, ["nesterov=True needs momentum"]),
    ],
)
def test_bad_sgd_hyperparameters(kwargs, words):
    with pytest.raises(ValueError) as info:
        mc.SGD([_param([1.0])], **kwargs)
    for word in words:
        assert word in str(info.value)


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        mc.SGD(mc.ReLU().parameters(), lr=0.1)
    with pytest.raises(TypeError, match="mc.Parameter"):
        mc.SGD([np.zeros(3)], lr=0.1)
