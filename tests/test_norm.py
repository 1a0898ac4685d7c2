"""Normalisation, all in one place: BatchNorm1D/2D and LocalResponseNorm: behaviour,
buffers, errors, gradient checks (the registry's cases on every backend, and random ones)
and agreement with PyTorch, BatchNorm's running statistics over several steps included.
The equations are in minicnn/functional/norm.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import BACKENDS, TOL, assert_gradients_pass, registered

import minicnn as mc
from minicnn import gradcheck


def random_bn(cls, C, seed=0, dtype=np.float64):
    """A BatchNorm with random γ, β and running statistics (γ = 1, β = 0 hide bugs)."""
    return gradcheck.random_batchnorm(cls(C, dtype=dtype), seed)


# -- BatchNorm: the forward pass -------------------------------------------------------


def test_training_normalises_each_channel_with_batch_statistics(rng):
    bn = mc.BatchNorm2D(3, dtype=np.float64)
    x = rng.standard_normal((8, 3, 4, 5)) * np.array([1, 3, 10]).reshape(1, 3, 1, 1) + 5
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    # biased variance: var(y) = σ²/(σ² + ε), just under 1
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), var / (var + bn.eps), rtol=1e-12)


def test_running_statistics_use_the_unbiased_variance(rng):
    bn = mc.BatchNorm1D(4, momentum=0.3, dtype=np.float64)
    mean, var = np.zeros(4), np.ones(4)
    for _ in range(3):
        x = rng.standard_normal((6, 4)) * 2 + 1
        bn(x)
        mean = 0.7 * mean + 0.3 * x.mean(axis=0)
        var = 0.7 * var + 0.3 * x.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)


def test_eval_uses_the_running_statistics_and_leaves_them_alone(rng):
    bn = random_bn(mc.BatchNorm2D, 3).eval()
    saved = bn.running_mean.copy(), bn.running_var.copy()
    x = rng.standard_normal((2, 3, 2, 2))
    shape = (1, 3, 1, 1)
    expected = (x - bn.running_mean.reshape(shape)) / np.sqrt(
        bn.running_var.reshape(shape) + bn.eps
    ) * bn.weight.data.reshape(shape) + bn.bias.data.reshape(shape)
    np.testing.assert_allclose(bn(x), expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean, saved[0])
    np.testing.assert_array_equal(bn.running_var, saved[1])
    # a single sample is fine in eval mode: nothing is estimated from the batch
    assert bn(x[:1, :, :1, :1]).shape == (1, 3, 1, 1)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm2d_is_batchnorm1d_over_the_channel_axis(rng, training):
    """2D normalises per channel over N·H·W values: the 1D layer on (N·H·W, C) rows."""
    bn2, bn1 = random_bn(mc.BatchNorm2D, 3, seed=1), random_bn(mc.BatchNorm1D, 3, seed=1)
    bn2.train(training), bn1.train(training)
    x = rng.standard_normal((2, 3, 4, 5))
    rows = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    dy = rng.standard_normal(x.shape)
    y2, y1 = bn2(x), bn1(rows)
    np.testing.assert_allclose(y2.transpose(0, 2, 3, 1).reshape(-1, 3), y1, rtol=1e-12)
    dx2 = bn2.backward(dy)
    dx1 = bn1.backward(dy.transpose(0, 2, 3, 1).reshape(-1, 3))
    np.testing.assert_allclose(
        dx2.transpose(0, 2, 3, 1).reshape(-1, 3), dx1, rtol=1e-10, atol=1e-12
    )
    for p2, p1 in zip(bn2.parameters(), bn1.parameters(), strict=True):
        np.testing.assert_allclose(p2.grad, p1.grad, rtol=1e-12)
    np.testing.assert_allclose(bn2.running_var, bn1.running_var, rtol=1e-12)


def test_float32_stays_float32(rng):
    bn = mc.BatchNorm2D(2)
    x = rng.standard_normal((3, 2, 4, 4)).astype(np.float32)
    y = bn(x)
    assert y.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert bn.backward(np.ones_like(y)).dtype == np.float32
    assert bn.weight.grad.dtype == np.float32
    assert bn.eval()(x).dtype == np.float32


# -- BatchNorm: parameters and buffers ------------------------------------------------


def test_parameters_are_weight_then_bias():
    bn = mc.BatchNorm2D(5)
    assert [p.name for p in bn.parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(bn.weight.data, np.ones(5))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(5))
    np.testing.assert_array_equal(bn.running_var, np.ones(5))
    assert [name for name, _ in mc.LeakyReLU().named_buffers()] == []


def test_named_buffers_follow_the_sequential_names():
    model = mc.Sequential(
        mc.Conv2D(1, 2, 3),
        mc.BatchNorm2D(2),
        mc.ReLU(),
        mc.Sequential(mc.Flatten(), mc.BatchNorm1D(8)),
    )
    names = [name for name, _ in model.named_buffers()]
    assert names == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
        "3.1.running_mean",
        "3.1.running_var",
        "3.1.num_batches_tracked",
    ]
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "3.1.weight",
        "3.1.bias",
    ]
    # the arrays are the live ones: restoring a checkpoint writes into them
    dict(model.named_buffers())["3.1.running_mean"][...] = 7.0
    np.testing.assert_array_equal(model[3][1].running_mean, np.full(8, 7.0))
    assert len(list(model.buffers())) == 6


def test_to_casts_the_buffers_too():
    model = mc.Sequential(mc.BatchNorm1D(3)).to(np.float64)
    buffers = dict(model.named_buffers())
    assert buffers.pop("0.num_batches_tracked").dtype == np.int64  # a counter stays an integer
    assert all(buf.dtype == np.float64 for buf in buffers.values())
    assert all(p.dtype == np.float64 for p in model.parameters())


# -- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, shape, words",
    [
        (
            lambda: mc.BatchNorm2D(3),
            (2, 4, 5, 5),
            ["BatchNorm2D", "expected 3 input channels", "(2, 4, 5, 5)"],
        ),
        (lambda: mc.BatchNorm2D(3), (2, 3), ["(N, C, H, W)"]),
        (lambda: mc.BatchNorm1D(3), (2, 3, 4, 4), ["(N, F)", "(2, 3, 4, 4)"]),
        (lambda: mc.BatchNorm1D(3), (1, 3), ["more than one value", "batch of 2"]),
        (lambda: mc.BatchNorm2D(3), (1, 3, 1, 1), ["more than one value", "eval()"]),
    ],
)
def test_bad_input(make, shape, words):
    with pytest.raises(ValueError) as info:
        make()(np.ones(shape, np.float32))
    assert all(word in str(info.value) for word in words), str(info.value)


def test_nan_input_is_refused_before_it_reaches_the_running_statistics():
    bn = mc.BatchNorm1D(2)
    with pytest.raises(ValueError, match="NaN"):
        bn(np.array([[1.0, np.nan], [2.0, 3.0]]))
    np.testing.assert_array_equal(bn.running_mean, [0, 0])


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mc.BatchNorm2D(0), ["num_features >= 1"]),
        (lambda: mc.BatchNorm1D(2.5), ["num_features >= 1", "2.5"]),
        (lambda: mc.BatchNorm2D(3, eps=0), ["eps > 0"]),
        (lambda: mc.BatchNorm2D(3, momentum=1.5), ["momentum must be a number in [0, 1]"]),
        (lambda: mc.LocalResponseNorm(0), ["size must be an integer >= 1"]),
        (lambda: mc.LocalResponseNorm(k=0), ["k must be a number > 0"]),
        (lambda: mc.LocalResponseNorm(alpha=-1), ["alpha must be a number >= 0"]),
    ],
)
def test_bad_constructor_arguments(make, words):
    with pytest.raises(ValueError) as info:
        make()
    assert all(word in str(info.value) for word in words), str(info.value)


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        mc.BatchNorm1D(2).backward(np.ones((2, 2)))


# -- BatchNorm: gradient checks -------------------------------------------------------


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(
    "case", registered(mc.BatchNorm1D, mc.BatchNorm2D, mc.LocalResponseNorm), ids=lambda c: c.name
)
def test_registry_gradient_check(name, case):
    """The registry's cases in minicnn.gradcheck.CASES (BatchNorm in training and eval, LRN)."""
    assert_gradients_pass(case, name)


@settings(max_examples=12)
@given(
    cls=st.sampled_from([mc.BatchNorm1D, mc.BatchNorm2D]),
    n=st.integers(3, 5),
    c=st.integers(1, 3),
    spatial=st.integers(1, 3),
    training=st.booleans(),
    seed=st.integers(0, 100),
)
def test_gradient_check(cls, n, c, spatial, training, seed):
    """n >= 3: with two values per channel x̂ = ±1 whatever x is, so in training mode
    dL/dx is ~0 (only ε keeps it from vanishing) and a relative error means nothing."""
    if cls is mc.BatchNorm1D:  # (N, F), or (N, C, L) when spatial > 1
        shape = (n, c) if spatial == 1 else (n, c, spatial)
    else:
        shape = (n, c, spatial, spatial + 1)
    layer = random_bn(cls, c, seed).train(training)
    report = gradcheck.check_layer(layer, shape, seed=seed)
    assert report.passed, "\n" + str(report)
    assert [r.tensor for r in report.results] == ["input", "weight", "bias"]


def test_the_gradient_check_catches_the_eval_formula_used_in_training():
    """Training-mode backward must include the paths through μ and σ; the eval
    formula dx = dy·γ/σ alone is wrong there, and the check must say so."""

    class ForgetsTheBatchStatistics(mc.BatchNorm2D):
        def backward(self, dout):
            cache, shape = self._saved
            self._saved = (cache._replace(training=False), shape)
            return super().backward(dout)

    layer = random_bn(ForgetsTheBatchStatistics, 2, seed=3)
    report = gradcheck.check_layer(layer, (3, 2, 2, 2))
    assert [r.tensor for r in report.failures()] == ["input"]
    assert report.failures()[0].max_rel_error > 1e-2


# -- LocalResponseNorm ----------------------------------------------------------------


def lrn_by_loops(x, size, alpha, beta, k):
    """Straight from the definition, one channel at a time."""
    y = np.empty_like(x)
    C = x.shape[1]
    for c in range(C):
        lo, hi = max(0, c - size // 2), min(C - 1, c + (size - 1) // 2)
        s = k + alpha / size * (x[:, lo : hi + 1] ** 2).sum(axis=1)
        y[:, c] = x[:, c] / s**beta
    return y


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 8])
def test_lrn_matches_its_definition(rng, size):
    x = rng.standard_normal((2, 6, 3, 2)) * 3
    layer = mc.LocalResponseNorm(size, alpha=0.3, beta=0.75, k=1.0)
    np.testing.assert_allclose(layer(x), lrn_by_loops(x, size, 0.3, 0.75, 1.0), rtol=1e-12)


def test_lrn_alexnet_defaults_and_dtype(rng):
    layer = mc.LocalResponseNorm()
    assert (layer.size, layer.alpha, layer.beta, layer.k) == (5, 1e-4, 0.75, 2.0)
    x = rng.standard_normal((1, 7, 4, 4)).astype(np.float32) * 10
    y = layer(x)
    assert y.dtype == np.float32 and layer.backward(y).dtype == np.float32
    np.testing.assert_allclose(y, lrn_by_loops(x.astype(np.float64), 5, 1e-4, 0.75, 2.0), rtol=1e-5)
    assert layer(x[:, :, 0]).shape == (1, 7, 4)  # (N, C, L) works too


@settings(max_examples=12)
@given(
    size=st.integers(1, 6),
    c=st.integers(1, 6),
    alpha=st.floats(0.05, 2.0),
    beta=st.floats(0.1, 1.5),
    k=st.floats(0.5, 3.0),
    seed=st.integers(0, 100),
)
def test_lrn_gradient_check(size, c, alpha, beta, k, seed):
    layer = mc.LocalResponseNorm(size, alpha=alpha, beta=beta, k=k)
    report = gradcheck.check_layer(layer, (2, c, 2, 2), seed=seed)
    assert report.passed, "\n" + str(report)


def test_lrn_bad_input():
    # the message says what was wrong; the note (PEP 678) names the layer, once
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(4, 5\)") as err:
        mc.LocalResponseNorm()(np.ones((4, 5)))
    assert err.value.__notes__ == [f"(raised in the layer {mc.LocalResponseNorm()!r})"]


# -- PyTorch parity ---------------------------------------------------------------------


def compare_with_module(torch, layer, module, x, seed=1):
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
    ours = gradcheck.random_batchnorm(cls(C, eps=1e-3, momentum=0.2, dtype=np.float64), seed=5)
    theirs = getattr(torch.nn, torch_name)(C, eps=1e-3, momentum=0.2, dtype=torch.float64)
    theirs.running_mean.copy_(torch.tensor(ours.running_mean))
    theirs.running_var.copy_(torch.tensor(ours.running_var))
    for step in range(4):  # parameters change between steps as training would change them
        x = rng.standard_normal(shape) * (1 + step) + step
        ours.weight.data += 0.1 * rng.standard_normal(C)
        compare_with_module(torch, ours, theirs, x, seed=step)
        theirs.zero_grad()
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), **TOL)
    ours.eval(), theirs.eval()
    compare_with_module(torch, ours, theirs, rng.standard_normal(shape) * 2 + 1, seed=9)


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
    compare_with_module(
        torch,
        mc.LocalResponseNorm(size, alpha, beta, k),
        torch.nn.LocalResponseNorm(size, alpha, beta, k),
        x,
        seed=seed,
    )


def test_local_response_norm_alexnet_defaults(torch, rng):
    x = rng.standard_normal((2, 16, 5, 5)) * 20  # large enough for the α term to matter
    # torch's default k is 1.0; minicnn's is AlexNet's 2.0, so torch gets it explicitly
    compare_with_module(
        torch,
        mc.LocalResponseNorm(),
        torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
        x,
    )
