"""Pooling, all in one place: MaxPool2D, AvgPool2D and GlobalAvgPool2D: their gradient
checks (the registry's cases, on every backend), agreement with PyTorch, the traps
(ties, overlapping windows, padding counted in the average) and the errors.

The equations are in minicnn/functional/pool.py; test_backends.py checks that the
kernels under them agree on every backend."""

from __future__ import annotations

import numpy as np
import pytest
from layer_checks import (
    BACKENDS,
    assert_gradients_pass,
    compare_with_torch,
    registered,
)

import minicnn as mc


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    "case", registered(mc.MaxPool2D, mc.AvgPool2D, mc.GlobalAvgPool2D), ids=lambda c: c.name
)
def test_gradient_check(name, case):
    assert_gradients_pass(case, name)


# -- MaxPool2D and AvgPool2D ----------------------------------------------------------------


def test_maxpool_tie_sends_gradient_to_exactly_one_position():
    pool = mc.MaxPool2D(2)
    x = np.ones((1, 1, 2, 2))
    assert pool(x).item() == 1.0
    dx = pool.backward(np.array([[[[3.0]]]]))
    assert np.count_nonzero(dx) == 1 and dx.sum() == 3.0


def test_maxpool_overlapping_windows_accumulate():
    # 3x3 windows with stride 2 on a 5x5 input share the centre row/column: the
    # global maximum in the centre wins all four windows and collects all four.
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 9.0
    pool = mc.MaxPool2D(3, stride=2)
    np.testing.assert_array_equal(pool(x), np.full((1, 1, 2, 2), 9.0))
    dy = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    dx = pool.backward(dy)
    assert dx[0, 0, 2, 2] == 10.0 and np.count_nonzero(dx) == 1


def test_avgpool_counts_padding_like_pytorch():
    y = mc.AvgPool2D(2, padding=1)(np.ones((1, 1, 2, 2)))
    np.testing.assert_allclose(y, np.full((1, 1, 2, 2), 0.25))


@pytest.mark.parametrize(
    "k, s, p, shape",
    [
        (2, None, 0, (2, 3, 6, 6)),
        (3, 2, 0, (2, 2, 7, 7)),
        (3, 2, 1, (1, 2, 8, 7)),
        ((2, 3), (1, 2), (1, 1), (2, 1, 5, 6)),
    ],
)
@pytest.mark.parametrize("which", ["max", "avg"])
def test_pooling(torch, k, s, p, shape, which):
    x = np.random.default_rng(3).permutation(np.arange(np.prod(shape), dtype=np.float64))
    x = x.reshape(shape) / x.size  # distinct values: no ties, so the winner is unique
    layer = (mc.MaxPool2D if which == "max" else mc.AvgPool2D)(k, s, p)
    fn = torch.nn.functional.max_pool2d if which == "max" else torch.nn.functional.avg_pool2d
    compare_with_torch(torch, None, layer, x, lambda t: fn(t, k, s, p))


# -- GlobalAvgPool2D ------------------------------------------------------------------


def test_global_avg_pool_is_the_mean_of_each_map_and_flat(rng):
    pool = mc.GlobalAvgPool2D()
    x = rng.standard_normal((2, 3, 4, 5))
    y = pool(x)
    assert y.shape == (2, 3) == pool.output_shape(x.shape)
    np.testing.assert_allclose(y, x.mean(axis=(2, 3)), rtol=1e-12)
    dy = rng.standard_normal((2, 3))
    dx = pool.backward(dy)
    np.testing.assert_allclose(dx, np.broadcast_to(dy[:, :, None, None] / 20, x.shape))
    dx[...] = 0  # the gradient is an array of its own, not a read-only broadcast view
    assert pool(x.astype(np.float32)).dtype == np.float32


def test_global_avg_pool_feeds_a_linear_layer_directly():
    model = mc.Sequential(mc.Conv2D(1, 4, 3, padding=1), mc.GlobalAvgPool2D(), mc.Linear(4, 2))
    for hw in (6, 11):  # any input size: the pooled vector has C entries
        assert model(np.zeros((1, 1, hw, hw), np.float32)).shape == (1, 2)
    rows = model.summary((1, 8, 8), print_table=False).rows
    assert rows[1].output_shape == (4,)


def test_global_avg_pool_bad_input():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)") as err:
        mc.GlobalAvgPool2D()(np.ones((2, 3, 4)))
    assert err.value.__notes__ == ["(raised in the layer GlobalAvgPool2D())"]
    with pytest.raises(ValueError, match=r"\.backward: expected dout of shape \(2, 3\)"):
        pool = mc.GlobalAvgPool2D()
        pool(np.ones((2, 3, 4, 4)))
        pool.backward(np.ones((2, 3, 4, 4)))


def test_global_avg_pool(torch, rng):
    pool = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    compare_with_torch(torch, None, mc.GlobalAvgPool2D(), rng.standard_normal((3, 4, 5, 7)), pool)
