"""Every functional pair against PyTorch in float64: the forward value and every gradient
agree to a relative error below 1e-10, on all three kernel backends, with hypothesis over
shapes, strides and paddings. A random upstream gradient throughout (never all ones)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minicnn as mc
import minicnn.functional as F

TOL = dict(rtol=1e-10, atol=1e-12)
BACKENDS = mc.available_backends()


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **TOL)


def leaf(torch, a):
    return torch.tensor(a, requires_grad=True)


def upstream(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


window = dict(
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    hw=st.tuples(st.integers(5, 9), st.integers(5, 9)),
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15)  # x 3 backends; the naive loops are slow on purpose
@given(c=st.integers(1, 3), kout=st.integers(1, 3), bias=st.booleans(), **window)
def test_conv2d_pair(torch, backend, c, kout, bias, k, s, p, hw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, c, *hw))
    w = rng.standard_normal((kout, c, *k))
    b = rng.standard_normal(kout) if bias else None
    with mc.backend(backend):
        y, cache = F.conv2d_forward(x, w, b, s, p)
        dy = upstream(y.shape)
        dx, dw, db = F.conv2d_backward(dy, cache)
    xt, wt = leaf(torch, x), leaf(torch, w)
    bt = leaf(torch, b) if bias else None
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=p)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(dx, xt.grad), close(dw, wt.grad)
    assert (db is None) == (not bias)
    if bias:
        close(db, bt.grad)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["max", "avg"])
@settings(max_examples=15)
@given(c=st.integers(1, 3), **window)
def test_pool_pairs(torch, backend, kind, c, k, s, p, hw):
    p = (min(p[0], k[0] // 2), min(p[1], k[1] // 2))  # PyTorch's rule, ours too
    x = np.random.default_rng(0).permutation(2 * c * hw[0] * hw[1]).reshape(2, c, *hw) / 7.0
    forward, backward = {
        "max": (F.max_pool2d_forward, F.max_pool2d_backward),
        "avg": (F.avg_pool2d_forward, F.avg_pool2d_backward),
    }[kind]
    with mc.backend(backend):
        y, cache = forward(x, k, s, p)
        dy = upstream(y.shape)
        dx = backward(dy, cache)
    xt = leaf(torch, x)
    yt = getattr(torch.nn.functional, f"{kind}_pool2d")(xt, k, s, p)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(dx, xt.grad)


def test_global_avg_pool_pair(torch, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    y, cache = F.global_avg_pool2d_forward(x)
    dy = upstream(y.shape)
    xt = leaf(torch, x)
    yt = xt.mean(dim=(2, 3))
    yt.backward(torch.tensor(dy))
    close(y, yt), close(F.global_avg_pool2d_backward(dy, cache), xt.grad)


@pytest.mark.parametrize(
    "name, torch_name, args",
    [
        ("relu", "relu", ()),
        ("leaky_relu", "leaky_relu", (0.2,)),
        ("sigmoid", "sigmoid", ()),
        ("tanh", "tanh", ()),
    ],
)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_activation_pairs(torch, name, torch_name, args, shape):
    x = np.random.default_rng(0).standard_normal(shape) * 3
    y, cache = getattr(F, f"{name}_forward")(x, *args)
    dy = upstream(y.shape)
    dx = getattr(F, f"{name}_backward")(dy, cache)
    xt = leaf(torch, x)
    yt = getattr(torch.nn.functional, torch_name, None) or getattr(torch, torch_name)
    yt = yt(xt, *args)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(dx, xt.grad)


@given(n=st.integers(1, 5), fin=st.integers(1, 6), fout=st.integers(1, 6), bias=st.booleans())
def test_linear_pair(torch, n, fin, fout, bias):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((n, fin)), rng.standard_normal((fout, fin))
    b = rng.standard_normal(fout) if bias else None
    y, cache = F.linear_forward(x, w, b)
    dy = upstream(y.shape)
    dx, dw, db = F.linear_backward(dy, cache)
    xt, wt = leaf(torch, x), leaf(torch, w)
    bt = leaf(torch, b) if bias else None
    yt = torch.nn.functional.linear(xt, wt, bt)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(dx, xt.grad), close(dw, wt.grad)
    if bias:
        close(db, bt.grad)


def test_dropout_pair_is_torchs_inverted_dropout(torch, rng):
    """Same mask, same result: y = x·m/(1 − p) in training, x in evaluation."""
    x, p = rng.standard_normal((4, 50)), 0.3
    y, mask = F.dropout_forward(x, p, True, np.random.default_rng(0))
    kept = mask != 0
    assert 0.5 < kept.mean() < 0.9
    dy = upstream(y.shape)
    xt = leaf(torch, x)
    yt = xt * torch.tensor(kept) / (1 - p)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(F.dropout_backward(dy, mask), xt.grad)
    y_eval, _ = F.dropout_forward(x, p, False, np.random.default_rng(0))
    assert y_eval is x


@pytest.mark.parametrize("training", [True, False])
@given(shape=st.sampled_from([(4, 3), (3, 2, 5), (2, 3, 4, 5)]))
def test_batch_norm_pair(torch, training, shape):
    rng = np.random.default_rng(0)
    C = shape[1]
    x = rng.standard_normal(shape) * 2 + 1
    gamma, beta = rng.uniform(0.5, 2, C), rng.standard_normal(C)
    mean, var = rng.standard_normal(C), rng.uniform(0.5, 2, C)
    mean_t, var_t = torch.tensor(mean), torch.tensor(var)
    y, cache = F.batch_norm_forward(x, gamma, beta, mean, var, training, 0.2, 1e-5)
    dy = upstream(y.shape)
    dx, dgamma, dbeta = F.batch_norm_backward(dy, cache)
    xt, gt, bt = leaf(torch, x), leaf(torch, gamma), leaf(torch, beta)
    yt = torch.nn.functional.batch_norm(xt, mean_t, var_t, gt, bt, training, 0.2, 1e-5)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(dx, xt.grad), close(dgamma, gt.grad), close(dbeta, bt.grad)
    close(mean, mean_t), close(var, var_t)  # running statistics updated in place alike


def test_local_response_norm_pair(torch, rng):
    x = rng.standard_normal((2, 6, 3, 3))
    y, cache = F.local_response_norm_forward(x, 3, alpha=0.5, beta=0.75, k=1.5)
    dy = upstream(y.shape)
    xt = leaf(torch, x)
    yt = torch.nn.functional.local_response_norm(xt, 3, alpha=0.5, beta=0.75, k=1.5)
    yt.backward(torch.tensor(dy))
    close(y, yt), close(F.local_response_norm_backward(dy, cache), xt.grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(n=st.integers(1, 6), classes=st.integers(2, 6))
def test_loss_pairs(torch, reduction, n, classes):
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((n, classes)) * 3
    labels = rng.integers(0, classes, n)
    for ours, theirs, scale in [
        (F.softmax_cross_entropy, torch.nn.functional.cross_entropy, 1),
        # MultiMarginLoss divides the hinge sum by the number of classes
        (F.multiclass_svm, torch.nn.functional.multi_margin_loss, classes),
    ]:
        loss, dscores = ours(scores, labels, reduction=reduction)
        st_ = leaf(torch, scores)
        lt = theirs(st_, torch.tensor(labels), reduction=reduction) * scale
        up = upstream(lt.shape)
        lt.backward(torch.tensor(up))
        close(np.asarray(loss), lt)
        grad = dscores * (up[:, None] if reduction == "none" else up)
        close(grad, st_.grad)


def test_pad_shortcut_pair(rng):
    x = rng.standard_normal((2, 2, 5, 4))
    y, cache = F.pad_shortcut_forward(x, 4, 2)
    np.testing.assert_array_equal(y[:, :2], x[:, :, ::2, ::2])
    assert not y[:, 2:].any()
    dy = upstream(y.shape)
    dx = F.pad_shortcut_backward(dy, cache, 2)
    np.testing.assert_array_equal(dx[:, :, ::2, ::2], dy[:, :2])
    assert dx.sum() == pytest.approx(dy[:, :2].sum())
