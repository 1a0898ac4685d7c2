"""The activations, all in one place: ReLU, LeakyReLU, Sigmoid and Tanh: values,
stability, the in-place trap, dtypes, errors, gradient checks and agreement with PyTorch.
The equations are in minicnn/functional/activations.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import BACKENDS, assert_gradients_pass, compare_with_torch, registered

import minicnn as mc
from minicnn import gradcheck

ACTIVATIONS = {
    "LeakyReLU": (lambda: mc.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "Sigmoid": (mc.Sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "Tanh": (mc.Tanh, np.tanh),
}


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    "case",
    registered(mc.ReLU, mc.LeakyReLU, mc.Sigmoid, mc.Tanh),
    ids=lambda c: c.name,
)
def test_registry_gradient_check(name, case):
    """The registry's cases (ReLU, LeakyReLU 0.1, Sigmoid, Tanh) in minicnn.gradcheck.CASES."""
    assert_gradients_pass(case, name)


def test_relu_backward_uses_its_own_mask_not_the_input():
    relu = mc.ReLU()
    x = np.array([[-1.0, 2.0, -3.0, 4.0]])
    y = relu(x)
    x[...] = 5.0  # a later in-place operation on the input must not change the gradient
    y[...] = 0.0
    np.testing.assert_array_equal(
        relu.backward(np.array([[1.0, 2.0, 3.0, 4.0]])), [[0.0, 2.0, 0.0, 4.0]]
    )
    x = np.array([-1.0, 1.0])
    relu(x)
    np.testing.assert_array_equal(x, [-1.0, 1.0])  # forward leaves the input alone


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_values_and_local_derivative(name, rng):
    make, f = ACTIVATIONS[name]
    x = rng.standard_normal((3, 4)) * 3
    layer = make()
    np.testing.assert_allclose(layer(x), f(x), rtol=1e-12)
    # the backward is dy·f'(x); compare with a central difference of f itself
    dy = rng.standard_normal(x.shape)
    h = 1e-6
    np.testing.assert_allclose(
        layer.backward(dy), dy * (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6, atol=1e-9
    )


def test_leaky_relu_slope_and_default():
    assert mc.LeakyReLU().negative_slope == 0.01
    layer = mc.LeakyReLU(0.1)
    np.testing.assert_allclose(layer(np.array([-2.0, 0.0, 3.0])), [-0.2, 0.0, 3.0])
    # at x = 0 the slope is the negative one, as in PyTorch
    np.testing.assert_allclose(layer.backward(np.array([1.0, 1.0, 1.0])), [0.1, 0.1, 1.0])
    assert repr(layer) == "LeakyReLU(negative_slope=0.1)"


@pytest.mark.parametrize("bad", [float("nan"), "0.1", None, True])
def test_leaky_relu_bad_slope(bad):
    with pytest.raises(
        (TypeError, ValueError), match=r"LeakyReLU: negative_slope must be a number in \[-1, 1\]"
    ):
        mc.LeakyReLU(bad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_for_large_inputs(dtype):
    x = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would warn
        sig = mc.Sigmoid()
        y = sig(x)
        dx = sig.backward(np.ones_like(x))
    assert y.dtype == dtype and dx.dtype == dtype
    assert y[0] == 0 and y[-1] == 1 and y[3] == 0.5
    assert np.all(np.isfinite(dx)) and dx[3] == 0.25 and dx[0] == 0 and dx[-1] == 0
    # symmetric: σ(−x) = 1 − σ(x), exactly where both are representable
    np.testing.assert_allclose(y[::-1], 1 - y, atol=np.finfo(dtype).eps)


def test_tanh_saturates_without_nan():
    tanh = mc.Tanh()
    np.testing.assert_array_equal(tanh(np.array([-1e4, 0.0, 1e4])), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tanh.backward(np.array([2.0, 2.0, 2.0])), [0.0, 2.0, 0.0])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_ignores_in_place_changes_to_input_and_output(name, rng):
    make, _ = ACTIVATIONS[name]
    x = rng.standard_normal((2, 5))
    dy = rng.standard_normal((2, 5))
    clean = make()
    clean(x.copy())
    expected = clean.backward(dy)
    layer = make()
    y = layer(x)
    x[...] = 7.0  # the caller reuses its buffer
    y[...] = -3.0  # a later layer works in place on the output
    np.testing.assert_array_equal(layer.backward(dy), expected)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_leaves_the_input_alone_and_keeps_float32(name, rng):
    make, _ = ACTIVATIONS[name]
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    before = x.copy()
    layer = make()
    y = layer(x)
    np.testing.assert_array_equal(x, before)
    assert y.dtype == np.float32 and layer.backward(np.ones_like(y)).dtype == np.float32


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_errors_name_the_layer(name):
    make, _ = ACTIVATIONS[name]
    layer = make()
    with pytest.raises(TypeError, match="int64.*astype") as info:
        layer(np.arange(3))
    # the layer is named in the message or in a note (PEP 678) under it
    assert f"{name}(" in "\n".join([str(info.value), *getattr(info.value, "__notes__", [])])
    with pytest.raises(RuntimeError, match="before forward"):
        make().backward(np.ones(3))
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dout of shape \(2, 3\).*got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


@settings(max_examples=15)
@given(
    name=st.sampled_from(sorted(ACTIVATIONS)),
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    scale=st.floats(0.5, 4.0),
    seed=st.integers(0, 1000),
)
def test_gradient_check(name, shape, scale, seed):
    """Central differences in float64 via minicnn.gradcheck, on inputs scaled out to
    the saturating parts of Sigmoid and Tanh."""
    make, _ = ACTIVATIONS[name]
    report = gradcheck.check_layer(ScaleThen(make(), scale), tuple(shape), seed=seed)
    assert report.passed, "\n" + str(report)


class ScaleThen(mc.Layer):
    """y = f(scale·x): lets a gradient check reach inputs outside (−1, 1)."""

    def __init__(self, inner, scale):
        self.inner, self.scale = inner, scale

    def children(self):
        return [self.inner]

    def forward(self, x):
        return self.inner.forward(self.scale * x)

    def backward(self, dout):
        return self.scale * self.inner.backward(dout)


# -- PyTorch parity ---------------------------------------------------------------------


def test_relu_matches_torch(torch, rng):
    x = rng.standard_normal((3, 2, 2, 2))
    compare_with_torch(torch, None, mc.ReLU(), x, torch.relu)


@pytest.mark.parametrize(
    "ours, theirs_name, kwargs",
    [
        (lambda: mc.LeakyReLU(), "LeakyReLU", {}),
        (lambda: mc.LeakyReLU(0.3), "LeakyReLU", {"negative_slope": 0.3}),
        (lambda: mc.Sigmoid(), "Sigmoid", {}),
        (lambda: mc.Tanh(), "Tanh", {}),
    ],
)
def test_activations(torch, rng, ours, theirs_name, kwargs):
    x = rng.standard_normal((3, 4, 5)) * 4
    x[0, 0, :3] = [-800.0, 0.0, 800.0]  # saturation and the kink at 0
    compare_with_torch(torch, None, ours(), x, getattr(torch.nn, theirs_name)(**kwargs))
