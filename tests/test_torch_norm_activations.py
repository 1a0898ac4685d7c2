"""Cross-checks of normalisation and activation layers against PyTorch (the reference):
float64, the same weights and inputs, a random upstream gradient; outputs, dL/dx and every
parameter gradient equal to 1e-10, and BatchNorm's running statistics after several steps.
(The optimizers and schedules are checked against torch in their own test files.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minicnn as mc
from minicnn import gradcheck

TOL = dict(rtol=1e-10, atol=1e-10)


def compare_with_torch(torch, layer, module, x, seed=1):
    """Forward and backward through our layer and a torch module holding the same
    parameters (copied by name); asserts y, dL/dx and each parameter's gradient agree."""
    for name, p in layer.named_parameters():
        getattr(module, name).data = torch.tensor(p.data)
    layer.zero_grad()
    y = layer(x)
    dy = np.random.default_rng(seed).standard_normal(y.shape)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = module(xt)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(
            p.grad, getattr(module, name).grad.numpy(), **TOL, err_msg=f"gradient of {name}"
        )


@pytest.mark.parametrize(
    "cls, torch_name, shape",
    [
        (mc.BatchNorm2D, "BatchNorm2d", (4, 3, 5, 6)),
        (mc.BatchNorm1D, "BatchNorm1d", (7, 5)),
        (mc.BatchNorm1D, "BatchNorm1d", (3, 4, 6)),
    ],
)
def test_batchnorm_training_steps_and_eval(torch, rng, cls, torch_name, shape):
    C = shape[1]
    ours = gradcheck._batchnorm(cls(C, eps=1e-3, momentum=0.2, dtype=np.float64), seed=5)
    theirs = getattr(torch.nn, torch_name)(C, eps=1e-3, momentum=0.2, dtype=torch.float64)
    theirs.running_mean.copy_(torch.tensor(ours.running_mean))
    theirs.running_var.copy_(torch.tensor(ours.running_var))
    for step in range(4):  # parameters change between steps as training would change them
        x = rng.standard_normal(shape) * (1 + step) + step
        ours.weight.data += 0.1 * rng.standard_normal(C)
        compare_with_torch(torch, ours, theirs, x, seed=step)
        theirs.zero_grad()
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), **TOL)
    ours.eval(), theirs.eval()
    compare_with_torch(torch, ours, theirs, rng.standard_normal(shape) * 2 + 1, seed=9)


@settings(max_examples=15)
@given(
    size=st.integers(1, 7),
    c=st.integers(1, 8),
    ndim=st.sampled_from([3, 4]),
    alpha=st.floats(1e-4, 2.0),
    beta=st.floats(0.1, 1.5),
    k=st.floats(0.5, 3.0),
    seed=st.integers(0, 1000),
)
def test_local_response_norm(torch, size, c, ndim, alpha, beta, k, seed):
    x = np.random.default_rng(seed).standard_normal((2, c, 3, 4)[:ndim]) * 2
    compare_with_torch(
        torch,
        mc.LocalResponseNorm(size, alpha, beta, k),
        torch.nn.LocalResponseNorm(size, alpha, beta, k),
        x,
        seed=seed,
    )


def test_local_response_norm_alexnet_defaults(torch, rng):
    x = rng.standard_normal((2, 16, 5, 5)) * 20  # large enough for the α term to matter
    # torch's default k is 1.0; minicnn's is AlexNet's 2.0, so torch gets it explicitly
    compare_with_torch(
        torch,
        mc.LocalResponseNorm(),
        torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
        x,
    )
