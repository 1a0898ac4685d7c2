from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn.functional import conv_output_size


@pytest.mark.parametrize(
    "n, f, s, p, out",
    [
        (32, 5, 1, 0, 28),
        (32, 5, 1, 2, 32),
        (7, 3, 2, 0, 3),
        (227, 11, 4, 0, 55),
        (28, 2, 2, 0, 14),
    ],
)
def test_conv_output_size(n, f, s, p, out):
    assert conv_output_size(n, f, s, p) == out


def test_strides_that_do_not_fit_are_refused_with_the_formula():
    with pytest.raises(ValueError, match=r"\(n - f \+ 2p\)/s \+ 1 = \(7 - 3 \+ 2\*0\)/3 \+ 1"):
        conv_output_size(7, 3, 3)
    with pytest.raises(ValueError, match="larger than"):
        conv_output_size(3, 5)
    assert conv_output_size(7, 3, 3, allow_remainder=True) == 2


def test_functional_ops_match_layers(rng):
    x = rng.standard_normal((2, 3, 8, 8))
    conv = mc.Conv2D(3, 4, 3, stride=2, padding=1, dtype=np.float64, seed=0)
    np.testing.assert_allclose(
        mc.functional.conv2d(x, conv.weight.data, conv.bias.data, 2, 1), conv(x)
    )
    np.testing.assert_allclose(mc.functional.max_pool2d(x, 3, 2, 1), mc.MaxPool2D(3, 2, 1)(x))
    np.testing.assert_allclose(mc.functional.avg_pool2d(x, 2), mc.AvgPool2D(2)(x))
    np.testing.assert_allclose(mc.functional.relu(x), mc.ReLU()(x))


def test_conv2d_is_cross_correlation_not_convolution():
    x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])  # picks the top-left of each window
    np.testing.assert_array_equal(mc.functional.conv2d(x, w)[0, 0], [[0, 1], [3, 4]])


def test_log_softmax_and_softmax_agree(rng):
    s = rng.standard_normal((3, 5)) * 100
    np.testing.assert_allclose(
        np.exp(mc.functional.log_softmax(s)), mc.functional.softmax(s), atol=1e-12
    )
