"""Dropout, all in one place: inverted dropout (scaled at training time, the identity in
eval), its gradient check and agreement with PyTorch's scaling. The equations are in
minicnn/functional/dropout.py."""

from __future__ import annotations

import numpy as np
import pytest
from layer_checks import BACKENDS, TOL, assert_gradients_pass, registered

import minicnn as mc


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("case", registered(mc.Dropout), ids=lambda c: c.name)
def test_registry_gradient_check(name, case):
    """The registry's cases (Dropout in training) in minicnn.gradcheck.CASES."""
    assert_gradients_pass(case, name)


def test_dropout_is_inverted():
    drop = mc.Dropout(0.4, seed=0)
    x = np.ones((1000, 100), np.float32)
    y = drop(x)
    assert y.dtype == np.float32
    kept = y != 0
    assert abs(kept.mean() - 0.6) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)  # scaled at train time
    assert abs(y.mean() - 1.0) < 0.02  # so the expectation is unchanged
    np.testing.assert_array_equal(drop.backward(np.full_like(x, 2.0)), 2.0 * y)
    drop.eval()
    assert drop(x) is x  # identity at test time, no rescaling
    assert np.all(mc.Dropout(1.0).forward(x) == 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mc.Dropout(1.5)


def test_dropout_scaling_matches_torch(torch, rng):
    """Random masks differ between libraries, so compare what each kept unit
    becomes: both scale kept units by 1/(1-p) in training and are the identity in eval."""
    x = rng.standard_normal((50, 40)) + 5.0
    drop = mc.Dropout(0.3, seed=0)
    y = drop(x)
    yt = torch.nn.functional.dropout(torch.tensor(x), 0.3, training=True).numpy()
    np.testing.assert_allclose(y[y != 0], x[y != 0] / 0.7, **TOL)
    np.testing.assert_allclose(yt[yt != 0], x[yt != 0] / 0.7, **TOL)
    drop.eval()
    np.testing.assert_array_equal(
        drop(x), torch.nn.functional.dropout(torch.tensor(x), 0.3, training=False).numpy()
    )
