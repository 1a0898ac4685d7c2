"""Three implementations, one answer: the naive loops (from the equations) and the
vectorised im2col kernels agree on every shape, stride and padding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minicnn as mc
from minicnn.backend import kernels
from minicnn.kernels import im2col as vec
from minicnn.kernels import naive

BACKENDS = mc.available_backends()


@st.composite
def window_problems(draw, max_kernel=4):
    """A random (x_shape, kernel, stride, padding) for which at least one window fits."""
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = draw(st.integers(max(1, kh - 2 * ph), 9))
    W = draw(st.integers(max(1, kw - 2 * pw), 9))
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    return (N, C, H, W), (kh, kw), (sh, sw), (ph, pw), np.random.default_rng(seed)


@given(window_problems())
def test_im2col_and_col2im_agree(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    cols = vec.im2col(x, kernel, stride, padding)
    np.testing.assert_allclose(cols, naive.im2col(x, kernel, stride, padding), rtol=0, atol=1e-10)
    c = rng.standard_normal(cols.shape)
    dx = vec.col2im(c, x_shape, kernel, stride, padding)
    np.testing.assert_allclose(dx, naive.col2im(c, x_shape, kernel, stride, padding),
                               rtol=0, atol=1e-10)
    # col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
    assert np.isclose(np.sum(cols * c), np.sum(x * dx), rtol=1e-10)


@given(window_problems())
def test_max_pool_agrees(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    y, arg = vec.max_pool2d_forward(x, kernel, stride, padding)
    y_ref, arg_ref = naive.max_pool2d_forward(x, kernel, stride, padding)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(arg, arg_ref)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(vec.max_pool2d_backward(dy, arg, x_shape, kernel, stride, padding),
                               naive.max_pool2d_backward(dy, arg, x_shape, kernel, stride, padding),
                               rtol=0, atol=1e-10)


@given(window_problems())
def test_avg_pool_agrees(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    y = vec.avg_pool2d_forward(x, kernel, stride, padding)
    np.testing.assert_allclose(y, naive.avg_pool2d_forward(x, kernel, stride, padding),
                               rtol=0, atol=1e-10)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(vec.avg_pool2d_backward(dy, x_shape, kernel, stride, padding),
                               naive.avg_pool2d_backward(dy, x_shape, kernel, stride, padding),
                               rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", BACKENDS)
@given(problem=window_problems(max_kernel=3), out_channels=st.integers(1, 3),
       bias=st.booleans())
def test_conv_layer_matches_the_equations(name, problem, out_channels, bias):
    """Conv2D (im2col + GEMM on every backend) equals the loops written from the
    forward equation and the three backward equations."""
    x_shape, kernel, stride, padding, rng = problem
    layer = mc.Conv2D(x_shape[1], out_channels, kernel, stride, padding, bias=bias,
                      dtype=np.float64, rng=rng)
    if bias:  # a non-zero bias, so a wrong dL/dB cannot hide behind zeros
        layer.bias.data[...] = rng.standard_normal(out_channels)
    x = rng.standard_normal(x_shape)
    b = layer.bias.data if bias else None
    with mc.backend(name):
        y = layer(x)
        dy = rng.standard_normal(y.shape)
        dx = layer.backward(dy)
    np.testing.assert_allclose(y, naive.conv2d_forward(x, layer.weight.data, b, stride, padding),
                               rtol=0, atol=1e-10)
    dx_ref, dw_ref, db_ref = naive.conv2d_backward(dy, x, layer.weight.data, stride, padding)
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, dw_ref, rtol=0, atol=1e-10)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, db_ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_keep_the_dtype(name, dtype):
    with mc.backend(name):
        k = kernels()
    x = np.ones((2, 3, 6, 6), dtype=dtype)
    assert k.im2col(x, (3, 3), (1, 1), (1, 1)).dtype == dtype
    assert k.col2im(np.ones((27, 72), dtype), x.shape, (3, 3), (1, 1), (1, 1)).dtype == dtype
    y, arg = k.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert y.dtype == dtype
    assert k.max_pool2d_backward(y, arg, x.shape, (2, 2), (2, 2), (0, 0)).dtype == dtype
    assert k.avg_pool2d_forward(x, (2, 2), (2, 2), (0, 0)).dtype == dtype
    assert k.avg_pool2d_backward(y, x.shape, (2, 2), (2, 2), (0, 0)).dtype == dtype
