from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc


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


@pytest.mark.parametrize("kwargs, words", [
    ({"lr": 0}, ["learning rate must be a positive number", "lr=0"]),
    ({"lr": -0.1}, ["lr=-0.1"]),
    ({"lr": float("nan")}, ["lr=nan"]),
    ({"lr": 0.1, "momentum": -1}, ["momentum must be >= 0"]),
    ({"lr": 0.1, "nesterov": True}, ["nesterov=True needs momentum"]),
])
def test_bad_hyperparameters(kwargs, words):
    with pytest.raises(ValueError) as info:
        mc.SGD([_param([1.0])], **kwargs)
    for word in words:
        assert word in str(info.value)


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        mc.SGD(mc.ReLU().parameters(), lr=0.1)
    with pytest.raises(TypeError, match="mc.Parameter"):
        mc.SGD([np.zeros(3)], lr=0.1)
