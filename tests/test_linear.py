"""Linear and Flatten, all in one place: shapes, the gradient checks and agreement with
PyTorch. The equations are in minicnn/functional/linear.py."""

from __future__ import annotations

import numpy as np
import pytest
from layer_checks import BACKENDS, assert_gradients_pass, compare_with_torch, registered

import minicnn as mc


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    "case",
    registered(mc.Linear, mc.Flatten),
    ids=lambda c: c.name,
)
def test_registry_gradient_check(name, case):
    """The registry's cases (Linear, Flatten) in minicnn.gradcheck.CASES."""
    assert_gradients_pass(case, name)


def test_flatten_and_linear():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 2, 2)
    flat = mc.Flatten()
    assert flat(x).shape == (2, 12)
    assert flat.backward(np.ones((2, 12))).shape == x.shape
    lin = mc.Linear(12, 5, seed=0)
    assert lin.weight.shape == (5, 12)
    assert lin(flat(x).astype(np.float32)).shape == (2, 5)


def test_flatten_linear_match_torch(torch, rng):
    x = rng.standard_normal((3, 2, 2, 2))
    compare_with_torch(torch, None, mc.Flatten(), x, lambda t: t.flatten(1))
    lin = mc.Linear(8, 5, dtype=np.float64, seed=0)
    lin.bias.data[...] = rng.standard_normal(5)
    # output, dL/dx, dL/dW and dL/db equal PyTorch's to 1e-10
    compare_with_torch(torch, None, lin, x.reshape(3, 8), torch.nn.functional.linear)
