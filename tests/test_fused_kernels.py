"""The numba backend's fused paths (kernels/compiled.py: conv2d_forward/backward image by
image, batch norm in two passes) compute what the naive reference computes: to 1e-10
in float64 and to float32 rounding in float32, at any thread count."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minicnn as mc
import minicnn.functional as F
from minicnn import threads
from minicnn.kernels import compiled, naive
from minicnn.shapes import output_hw

pytestmark = pytest.mark.skipif(not compiled._HAVE_BLAS, reason="the fused paths need scipy")


def tolerance(dtype, scale=1.0):
    return (
        {"rtol": 1e-10, "atol": 1e-10}
        if dtype == np.float64
        else {"rtol": 1e-4, "atol": 1e-4 * scale}
    )


@st.composite
def conv_problems(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = draw(st.integers(max(1, kh - 2 * ph), 8))
    W = draw(st.integers(max(1, kw - 2 * pw), 8))
    N, C, K = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((K, C, kh, kw)).astype(dtype)
    b = rng.standard_normal(K).astype(dtype) if draw(st.booleans()) else None
    return x, w, b, (sh, sw), (ph, pw), draw(st.integers(1, 3)), rng


def reference_conv(x, w, b, stride, padding, dy):
    """y, dx, dw, db by the naive im2col/col2im and two matrix products."""
    N, K = x.shape[0], w.shape[0]
    kernel = w.shape[2:]
    OH, OW = output_hw(x.shape, kernel, stride, padding)
    cols = naive.im2col(x, kernel, stride, padding)
    y = (w.reshape(K, -1) @ cols).reshape(K, N, OH, OW).transpose(1, 0, 2, 3)
    if b is not None:
        y = y + b.reshape(1, K, 1, 1)
    dY = dy.transpose(1, 0, 2, 3).reshape(K, -1)
    dw = (dY @ cols.T).reshape(w.shape)
    dx = naive.col2im(w.reshape(K, -1).T @ dY, x.shape, kernel, stride, padding)
    db = dy.sum(axis=(0, 2, 3)) if b is not None else None
    return y, dx, dw, db


@given(problem=conv_problems())
def test_conv2d_agrees_with_naive(problem):
    x, w, b, stride, padding, n_threads, rng = problem
    saved = threads.get_num_threads()
    mc.set_num_threads(n_threads)
    try:
        y = compiled.conv2d_forward(x, w, b, stride, padding)
        dy = rng.standard_normal(y.shape).astype(x.dtype)
        dx, dw, db = compiled.conv2d_backward(dy, x, w, stride, padding)
    finally:
        mc.set_num_threads(saved)
    y_ref, dx_ref, dw_ref, db_ref = reference_conv(x, w, b, stride, padding, dy)
    for got, ref in ((y, y_ref), (dx, dx_ref), (dw, dw_ref)):
        assert got.dtype == x.dtype and got.shape == ref.shape
        np.testing.assert_allclose(got, ref, **tolerance(x.dtype, np.abs(ref).max(initial=1)))
    if b is not None:  # without a bias db is still Σ dY; the functional core drops it
        np.testing.assert_allclose(db, db_ref, **tolerance(x.dtype, np.abs(db_ref).max()))


def test_conv2d_stands_aside_where_it_does_not_apply():
    """Mixed or uncompiled dtypes: None, so the caller takes the general path."""
    x = np.ones((2, 1, 5, 5), np.float32)
    w = np.ones((3, 1, 3, 3), np.float64)
    assert compiled.conv2d_forward(x, w, None, (1, 1), (0, 0)) is None
    half = np.ones((2, 1, 5, 5), np.float16)
    assert compiled.conv2d_forward(half, half[:3, :, :3, :3], None, (1, 1), (0, 0)) is None
    assert compiled.conv2d_backward(np.ones((2, 3, 3, 3), np.float32), x, w, (1, 1), (0, 0)) is None
    # dilated or grouped convolutions take the general path
    w32, dy = np.ones((2, 1, 3, 3), np.float32), np.ones((2, 2, 1, 1), np.float32)
    x2 = np.ones((2, 2, 5, 5), np.float32)
    assert compiled.conv2d_forward(x, w32, None, (1, 1), (0, 0), (2, 2), 1) is None
    assert compiled.conv2d_forward(x2, w32, None, (1, 1), (0, 0), (1, 1), 2) is None
    assert compiled.conv2d_backward(dy, x, w32, (1, 1), (0, 0), (2, 2), 1) is None


def test_dilated_grouped_and_same_convolutions_agree_across_backends():
    """Through the functional core, where the fused path decides whether it applies."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 7, 6))
    for w, kwargs in [
        (rng.standard_normal((4, 4, 4, 3)), {"padding": "same"}),  # even kernel: cropped
        (rng.standard_normal((4, 4, 3, 3)), {"padding": 2, "dilation": 2}),
        (rng.standard_normal((6, 2, 3, 3)), {"padding": 1, "groups": 2}),
    ]:
        results = {}
        for name in ("numba", "naive"):
            with mc.backend(name):
                y, cache = F.conv2d_forward(x, w, None, **kwargs)
                results[name] = (y, *F.conv2d_backward(np.cos(y), cache)[:2])
        for got, ref in zip(results["numba"], results["naive"], strict=True):
            np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (6, 2), (3, 4, 7)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_agrees_with_the_equations(dtype, shape, training):
    rng = np.random.default_rng(0)
    x = (3 + 2 * rng.standard_normal(shape)).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    C = shape[1]
    gamma, beta = rng.standard_normal(C).astype(dtype), rng.standard_normal(C).astype(dtype)
    axes = (0, *range(2, len(shape)))
    bshape = (1, C) + (1,) * (len(shape) - 2)

    mean, var = compiled.batch_norm_statistics(x)
    tol = tolerance(dtype, 10.0)
    np.testing.assert_allclose(mean, x.mean(axis=axes), **tol)
    np.testing.assert_allclose(var, x.var(axis=axes), **tol)
    inv_std = (1 / np.sqrt(var + 1e-5)).astype(dtype)
    x_hat, y = compiled.batch_norm_normalize(x, mean, inv_std, gamma, beta)
    x_hat_ref = (x - mean.reshape(bshape)) * inv_std.reshape(bshape)
    np.testing.assert_allclose(x_hat, x_hat_ref, **tol)
    np.testing.assert_allclose(y, x_hat_ref * gamma.reshape(bshape) + beta.reshape(bshape), **tol)

    scale = gamma * inv_std
    dx, dgamma, dbeta = compiled.batch_norm_backward(dy, x_hat, scale, training)
    dbeta_ref, dgamma_ref = dy.sum(axis=axes), (dy * x_hat).sum(axis=axes)
    np.testing.assert_allclose(dbeta, dbeta_ref, **tol)
    np.testing.assert_allclose(dgamma, dgamma_ref, **tol)
    s = scale.reshape(bshape)
    if training:
        M = dy.size // C
        dx_ref = (s / M) * (M * dy - dbeta_ref.reshape(bshape) - x_hat * dgamma_ref.reshape(bshape))
    else:
        dx_ref = dy * s
    np.testing.assert_allclose(dx, dx_ref, **tol)
    assert {a.dtype for a in (mean, var, x_hat, y, dx, dgamma, dbeta)} == {np.dtype(dtype)}


def test_an_empty_batch_goes_through():
    x = np.zeros((0, 2, 5, 5), np.float32)
    w = np.ones((3, 2, 3, 3), np.float32)
    y = compiled.conv2d_forward(x, w, np.ones(3, np.float32), (1, 1), (1, 1))
    assert y.shape == (0, 3, 5, 5)
    dx, dw, db = compiled.conv2d_backward(y, x, w, (1, 1), (1, 1))
    assert dx.shape == x.shape and not dw.any() and not db.any()
    x_hat, out = compiled.batch_norm_normalize(x, *(np.ones(2, np.float32),) * 4)
    assert x_hat.shape == out.shape == x.shape


def test_benchmark_mode_times_each_geometry_once_and_agrees_to_rounding(monkeypatch):
    """mc.set_benchmark(True): the first call of a geometry tries every distinct group
    size, remembers the fastest, and later calls only compute; results agree with the
    default path to rounding (not bit for bit: the sums are grouped differently)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 4, 9, 9)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    y_ref = compiled.conv2d_forward(x, w, b, (1, 1), (1, 1))
    dy = rng.standard_normal(y_ref.shape).astype(np.float32)
    grads_ref = compiled.conv2d_backward(dy, x, w, (1, 1), (1, 1))

    groups_run = []
    forward_images = compiled._conv2d_forward_images

    def counting(x, weights, b, geometry, padding, group, y):
        groups_run.append(group)
        forward_images(x, weights, b, geometry, padding, group, y)

    monkeypatch.setattr(compiled, "_conv2d_forward_images", counting)
    monkeypatch.setattr(compiled, "tuner", compiled.Tuner())
    mc.set_benchmark(True)
    try:
        y = compiled.conv2d_forward(x, w, b, (1, 1), (1, 1))
        grads = compiled.conv2d_backward(dy, x, w, (1, 1), (1, 1))
        tried = len(groups_run)
        y_again = compiled.conv2d_forward(x, w, b, (1, 1), (1, 1))
    finally:
        mc.set_benchmark(False)
    per_image = 4 * 9 * 9 * 9 * 4  # C·kh·kw·OH·OW float32 bytes of one image's im2col
    candidates = {compiled._group(g, per_image, 24) for g in compiled.GROUP_BYTES_CANDIDATES}
    assert tried == len(candidates) >= 2  # every distinct candidate timed once
    assert len(groups_run) == tried + 1  # the second call only computes, with the winner
    assert groups_run[-1] in candidates
    assert {k[0] for k in compiled.tuner.chosen} == {"forward", "backward"}
    for got, ref in ((y, y_ref), (y_again, y_ref), *zip(grads, grads_ref, strict=True)):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)


def test_benchmark_mode_is_off_by_default_and_reproducible():
    """Off, the group size is fixed (GROUP_BYTES), so two runs are bit for bit equal."""
    assert not compiled.Tuner().enabled or os.environ.get("MINICNN_BENCHMARK") == "1"
    rng = np.random.default_rng(4)
    x = rng.standard_normal((16, 3, 12, 12)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 3)).astype(np.float32)
    first = compiled.conv2d_forward(x, w, None, (1, 1), (0, 0))
    np.testing.assert_array_equal(first, compiled.conv2d_forward(x, w, None, (1, 1), (0, 0)))
