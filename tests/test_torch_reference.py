"""Cross-checks against PyTorch (the reference): same weights and inputs, float64,
outputs and gradients equal to 1e-10. Random upstream gradients throughout."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc

TOL = dict(rtol=1e-10, atol=1e-10)


def run_both(torch, layer, torch_fn, x, torch_params=()):
    """Forward and backward through our layer and the torch function; returns
    ((y, dx), (y_t, dx_t)) with a shared random upstream gradient."""
    y = layer(x)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt, *torch_params)
    yt.backward(torch.tensor(dy))
    return (y, dx), (yt.detach().numpy(), xt.grad.numpy())


def assert_pair(ours, theirs):
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses(torch, rng, reduction):
    scores, labels = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    upstream = rng.standard_normal(6) if reduction == "none" else rng.standard_normal()
    for ours, theirs in [
        (
            mc.SoftmaxCrossEntropy(reduction=reduction),
            lambda s: torch.nn.functional.cross_entropy(
                s, torch.tensor(labels), reduction=reduction
            ),
        ),
        # torch's MultiMarginLoss divides the hinge sum by the number of classes.
        (
            mc.MulticlassSVM(margin=0.7, reduction=reduction),
            lambda s: (
                4
                * torch.nn.functional.multi_margin_loss(
                    s, torch.tensor(labels), margin=0.7, reduction=reduction
                )
            ),
        ),
    ]:
        loss = ours(scores, labels)
        st_ = torch.tensor(scores, requires_grad=True)
        lt = theirs(st_)
        lt.backward(torch.tensor(upstream, dtype=torch.float64))
        np.testing.assert_allclose(loss, lt.detach().numpy(), **TOL)
        np.testing.assert_allclose(ours.backward(upstream), st_.grad.numpy(), **TOL)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, nesterov=True),
        dict(lr=0.1, momentum=0.5, weight_decay=0.01),
    ],
)
def test_sgd_matches_torch_step_for_step(torch, rng, kwargs):
    start = rng.standard_normal((3, 4))
    p = mc.Parameter(start.copy(), "w")
    pt = torch.tensor(start.copy(), requires_grad=True)
    ours, theirs = mc.SGD([p], **kwargs), torch.optim.SGD([pt], **kwargs)
    for _ in range(5):
        g = rng.standard_normal((3, 4))
        p.grad[...] = g
        pt.grad = torch.tensor(g)
        ours.step()
        theirs.step()
        np.testing.assert_allclose(p.data, pt.detach().numpy(), **TOL)


def test_lenet_end_to_end_matches_torch(torch, rng):
    """The whole LeNet-5, forward and backward, equals the same net in torch."""
    model = mc.zoo.lenet5().to(np.float64)
    tnet = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(400, 120),
        torch.nn.ReLU(),
        torch.nn.Linear(120, 84),
        torch.nn.ReLU(),
        torch.nn.Linear(84, 10),
    ).double()
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), tnet.parameters(), strict=True):
            theirs.copy_(torch.tensor(ours.data))
    x, labels = rng.standard_normal((4, 1, 28, 28)), rng.integers(0, 10, 4)
    crit = mc.SoftmaxCrossEntropy()
    loss = crit(model(x), labels)
    dx = model.backward(crit.backward())
    xt = torch.tensor(x, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(tnet(xt), torch.tensor(labels))
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    for ours, theirs in zip(model.parameters(), tnet.parameters(), strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **TOL)
