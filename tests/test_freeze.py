"""Parameter.requires_grad: a frozen parameter gets no gradient and no update, from
any optimizer (weight decay included), and summary() counts it apart."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn.gradcheck import check_layer

OPTIMIZERS = [
    lambda ps: mc.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: mc.Adam(ps, lr=0.1, weight_decay=0.1),
    lambda ps: mc.AdamW(ps, lr=0.1, weight_decay=0.1),
    lambda ps: mc.AdaGrad(ps, lr=0.1, weight_decay=0.1),
    lambda ps: mc.RMSprop(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: mc.AdaDelta(ps, lr=1.0, weight_decay=0.1),
]


def small_model():
    return mc.Sequential(
        mc.Conv2D(1, 2, 3, padding=1, seed=0),
        mc.ReLU(),
        mc.Flatten(),
        mc.Linear(2 * 4 * 4, 3, seed=1),
    )


def step(model, make_optimizer):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 1, 4, 4)).astype(np.float32)
    optimizer = make_optimizer(list(model.parameters()))
    for _ in range(2):
        optimizer.zero_grad()
        loss = mc.SoftmaxCrossEntropy()
        loss(model(x), np.array([0, 1, 2, 0]))
        model.backward(loss.backward())
        optimizer.step()
    return optimizer


@pytest.mark.parametrize(
    "make_optimizer", OPTIMIZERS, ids=lambda f: f([mc.Parameter(0.0)]).__class__.__name__
)
def test_every_optimizer_skips_frozen_parameters(make_optimizer):
    model = small_model()
    conv = model[0]
    conv.requires_grad_(False)
    before = [p.data.copy() for p in conv.parameters()]
    head_before = model[3].weight.data.copy()
    optimizer = step(model, make_optimizer)
    for p, old in zip(conv.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, old)  # not even weight decay moved it
        assert not p.grad.any()
    assert not np.array_equal(model[3].weight.data, head_before)  # the head trained
    frozen_index = [i for i, p in enumerate(optimizer.params) if not p.requires_grad]
    assert frozen_index and all(not optimizer.state[i] for i in frozen_index)


def test_frozen_parameter_gets_no_gradient_but_input_gradient_flows():
    layer = mc.Linear(3, 2, seed=0)
    layer.weight.requires_grad = False
    x = np.ones((2, 3), dtype=np.float32)
    layer(x)
    dx = layer.backward(np.ones((2, 2), dtype=np.float32))
    assert not layer.weight.grad.any()  # reads as zeros
    assert layer.bias.grad.tolist() == [2.0, 2.0]  # the trainable bias still learns
    np.testing.assert_allclose(dx, np.ones((2, 2)) @ layer.weight.data)


def test_unfreezing_starts_from_a_zero_gradient():
    p = mc.Parameter(np.ones(3))
    p.grad += 5
    p.requires_grad = False
    p.grad += 7  # discarded
    p.requires_grad = True
    assert p.grad.tolist() == [0, 0, 0]
    with pytest.raises(TypeError, match="True or False"):
        p.requires_grad = "no"
    assert "requires_grad=False" in repr(mc.Parameter(np.ones(2), requires_grad=False))


def test_summary_counts_trainable_and_frozen_apart():
    model = mc.zoo.lenet5()
    full = model.summary((1, 28, 28), print_table=False)
    assert full.frozen_params == 0 and "frozen" not in str(full)
    model[:6].requires_grad_(False)  # the convolutional features of LeNet-5
    s = model.summary((1, 28, 28), print_table=False)
    conv = 6 * 1 * 25 + 6 + 16 * 6 * 25 + 16
    assert s.total_params == 61_706
    assert s.frozen_params == conv == 2_572
    assert s.trainable_params == 61_706 - 2_572
    assert "trainable: 59,134" in str(s) and "frozen (requires_grad=False): 2,572" in str(s)


def test_gradcheck_skips_frozen_parameters():
    layer = mc.Linear(3, 2, seed=0)
    layer.weight.requires_grad = False
    report = check_layer(layer, (2, 3))
    assert report.passed
    assert [r.tensor for r in report.results] == ["input", "bias"]
