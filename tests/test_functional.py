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


# -- im2col and zero_pad: the convolution's building blocks, public for pages and labs ---


@pytest.mark.parametrize("backend", mc.available_backends())
@pytest.mark.parametrize(
    "kernel, stride, padding, dilation",
    [(3, 1, 0, 1), ((2, 3), 2, 1, 1), (3, 1, "same", 2), (2, 1, "same", 1), (3, (2, 1), 2, 3)],
)
def test_im2col_is_the_matrix_conv2d_multiplies(rng, backend, kernel, stride, padding, dilation):
    """W.reshape(K, -1) @ im2col(x) is conv2d_forward's output, 'same' and dilation included."""
    x = rng.standard_normal((2, 3, 9, 8))
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    w = rng.standard_normal((4, 3, kh, kw))
    with mc.backend(backend):
        cols = mc.functional.im2col(x, kernel, stride, padding, dilation)
        y = mc.functional.conv2d(x, w, None, stride, padding, dilation)
    N, K, OH, OW = y.shape
    assert cols.shape == (3 * kh * kw, N * OH * OW)
    np.testing.assert_allclose(
        (w.reshape(K, -1) @ cols).reshape(K, N, OH, OW).transpose(1, 0, 2, 3), y, atol=1e-12
    )


def test_im2col_columns_are_the_windows_and_zero_pad_adds_zeros(rng):
    x = rng.standard_normal((1, 2, 4, 5))
    padded = mc.functional.zero_pad(x, (1, 2))
    assert padded.shape == (1, 2, 6, 9)
    np.testing.assert_array_equal(padded[:, :, 1:-1, 2:-2], x)
    assert not padded[:, :, 0].any() and not padded[:, :, :, :2].any()
    cols = mc.functional.im2col(x, 3, stride=2, padding=(1, 2))
    OW = (5 + 4 - 3) // 2 + 1
    t = 1 * OW + 2  # output pixel (1, 2): rows 2..4, columns 4..6 of the padded input
    np.testing.assert_array_equal(cols[:, t], padded[0, :, 2:5, 4:7].reshape(-1))


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda x: mc.functional.im2col(x, 3, dilation=0),
            ValueError,
            "im2col needs dilation >= 1",
        ),
        (lambda x: mc.functional.im2col(x, 3, stride=0), ValueError, "im2col needs stride >= 1"),
        (lambda x: mc.functional.im2col(x, 9), ValueError, "window does not fit"),
        (lambda x: mc.functional.im2col(x[0], 3), ValueError, "(N, C, H, W)"),
        (lambda x: mc.functional.zero_pad(x, -1), ValueError, "zero_pad needs padding >= 0"),
        (lambda x: mc.functional.zero_pad(x, 1.5), TypeError, "zero_pad: padding must be an int"),
    ],
)
def test_im2col_and_zero_pad_refuse_bad_arguments_clearly(call, error, words):
    with pytest.raises(error) as info:
        call(np.zeros((1, 2, 4, 5)))
    assert words in str(info.value)
