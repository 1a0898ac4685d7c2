"""Cross-checks of the U-Net and Inception blocks against PyTorch (the reference), float64, outputs
and gradients equal to 1e-10, on every kernel backend, shapes drawn by hypothesis:
Upsample, Concat (with an Identity branch), MSELoss, BCEWithLogitsLoss and
PixelCrossEntropy. (Conv2D's cross-checks are in test_conv.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import BACKENDS, TOL, compare_with_torch, upstream

import minicnn as mc


@pytest.mark.parametrize("name", BACKENDS)
@given(
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    mode=st.sampled_from(["nearest", "bilinear"]),
)
def test_upsample(torch, name, sh, sw, h, w, mode):
    x = np.random.default_rng(0).standard_normal((2, 3, h, w))
    layer = mc.Upsample((sh, sw), mode=mode)
    with mc.backend(name):
        y = layer(x)
        dy = upstream(y.shape)
        dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    yt = torch.nn.functional.interpolate(
        xt, scale_factor=(float(sh), float(sw)), mode=mode, **kwargs
    )
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("name", BACKENDS)
@given(c=st.integers(1, 3), k1=st.integers(1, 3), k2=st.integers(1, 3), h=st.integers(2, 6))
def test_concat_identity_and_convolutions(torch, name, c, k1, k2, h):
    """DenseNet/U-Net style: [x, conv1x1(x), conv3x3(x)] and its gradients."""
    conv1 = mc.Conv2D(c, k1, 1, dtype=np.float64, seed=1)
    conv3 = mc.Conv2D(c, k2, 3, padding=1, dtype=np.float64, seed=2)
    conv3.bias.data[...] = np.linspace(-0.5, 0.5, k2)
    block = mc.Concat(mc.Identity(), conv1, mc.Sequential(conv3, mc.ReLU()))
    x = np.random.default_rng(3).standard_normal((2, c, h, h + 1))
    F = torch.nn.functional

    def reference(xt, w1, b1, w3, b3):
        return torch.cat([xt, F.conv2d(xt, w1, b1), F.relu(F.conv2d(xt, w3, b3, padding=1))], 1)

    y = compare_with_torch(torch, name, block, x, reference)
    assert y.shape == (2, c + k1 + k2, h, h + 1)


REDUCTIONS = ["mean", "sum", "none"]


def check_loss(torch, criterion, torch_loss, scores, targets, torch_targets):
    loss = criterion(scores, targets)
    dloss = 1.7 if criterion.reduction != "none" else upstream(np.shape(loss))
    dscores = criterion.backward(dloss)
    st_ = torch.tensor(scores, requires_grad=True)
    lt = torch_loss(st_, torch_targets, reduction=criterion.reduction)
    lt.backward(torch.tensor(dloss, dtype=torch.float64))
    np.testing.assert_allclose(loss, lt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dscores, st_.grad.numpy(), **TOL)


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(shape=shapes)
def test_mse_loss(torch, reduction, shape):
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal(shape), rng.standard_normal(shape)
    crit = mc.MSELoss(reduction=reduction)
    check_loss(torch, crit, torch.nn.functional.mse_loss, x, t, torch.tensor(t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(shape=shapes, scale=st.sampled_from([1.0, 30.0]))
def test_bce_with_logits(torch, reduction, shape, scale):
    rng = np.random.default_rng(5)
    s, t = rng.standard_normal(shape) * scale, rng.uniform(0, 1, shape)
    t.flat[0] = 1.0  # hard labels too
    crit = mc.BCEWithLogitsLoss(reduction=reduction)
    fn = torch.nn.functional.binary_cross_entropy_with_logits
    check_loss(torch, crit, fn, s, t, torch.tensor(t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(n=st.integers(1, 3), c=st.integers(2, 4), h=st.integers(1, 4), w=st.integers(1, 4))
def test_pixel_cross_entropy(torch, reduction, n, c, h, w):
    rng = np.random.default_rng(6)
    s, y = rng.standard_normal((n, c, h, w)) * 3, rng.integers(0, c, (n, h, w))
    crit = mc.PixelCrossEntropy(reduction=reduction)
    check_loss(torch, crit, torch.nn.functional.cross_entropy, s, y, torch.tensor(y))


@pytest.mark.parametrize("name", BACKENDS)
@given(
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    oph=st.integers(0, 2),
    opw=st.integers(0, 2),
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    bias=st.booleans(),
)
@settings(max_examples=20)  # for each of 3 backends; the naive loops are slow
def test_conv_transpose2d(torch, name, cin, cout, kh, kw, sh, sw, ph, pw, oph, opw, h, w, bias):
    oph, opw = oph % sh, opw % sw  # output_padding < stride
    out_h, out_w = (h - 1) * sh - 2 * ph + kh + oph, (w - 1) * sw - 2 * pw + kw + opw
    if out_h < 1 or out_w < 1:
        return  # torch rejects an empty output too (minicnn's error is tested separately)
    layer = mc.ConvTranspose2D(
        cin, cout, (kh, kw), (sh, sw), (ph, pw), (oph, opw), bias=bias, dtype=np.float64, seed=0
    )
    if bias:
        layer.bias.data[...] = np.linspace(-0.3, 0.3, cout)
    x = np.random.default_rng(2).standard_normal((2, cin, h, w))
    y = compare_with_torch(
        torch,
        name,
        layer,
        x,
        lambda xt, *p: torch.nn.functional.conv_transpose2d(
            xt, *p, stride=(sh, sw), padding=(ph, pw), output_padding=(oph, opw)
        ),
    )
    assert y.shape == (2, cout, out_h, out_w)
