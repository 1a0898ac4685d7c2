"""Residual blocks: y = F(x) + S(x), gradients summed over both paths, and the
containers' bookkeeping (parameters, train/eval, shapes, MACs, summary rows)."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn.gradcheck import check_layer

TOL = dict(rtol=1e-10, atol=1e-10)


def conv_body(cin: int, cout: int, stride: int = 1, seed: int = 0) -> mc.Sequential:
    """The basic block's body without normalisation: conv3x3(stride) - ReLU - conv3x3."""
    return mc.Sequential(
        mc.Conv2D(cin, cout, 3, stride, 1, dtype=np.float64, seed=seed),
        mc.ReLU(),
        mc.Conv2D(cout, cout, 3, 1, 1, dtype=np.float64, seed=seed + 1),
    )


def projection(cin: int, cout: int, stride: int, seed: int = 7) -> mc.Conv2D:
    return mc.Conv2D(cin, cout, 1, stride, bias=False, dtype=np.float64, seed=seed)


def test_identity_forward_adds_the_input():
    body = conv_body(3, 3)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
    np.testing.assert_allclose(mc.Residual(body)(x), body(x) + x, **TOL)


def test_backward_is_the_sum_of_both_paths_gradients():
    body, short = conv_body(2, 4, stride=2), projection(2, 4, 2)
    block = mc.Residual(body, short)
    x = np.random.default_rng(1).standard_normal((2, 2, 6, 6))
    dy = np.random.default_rng(2).standard_normal(block.output_shape(x.shape))
    block(x)
    dx = block.backward(dy)
    # each path alone, on fresh copies with the same weights
    alone = [conv_body(2, 4, stride=2), projection(2, 4, 2)]
    expected = 0
    for layer in alone:
        layer(x)
        expected = expected + layer.backward(dy)
    np.testing.assert_allclose(dx, expected, **TOL)
    np.testing.assert_allclose(short.weight.grad, alone[1].weight.grad, **TOL)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: mc.Residual(conv_body(2, 2)), (2, 2, 4, 5)),
        (lambda: mc.Residual(conv_body(2, 3, stride=2), projection(2, 3, 2)), (2, 2, 5, 6)),
        (
            lambda: mc.Sequential(
                mc.Residual(conv_body(2, 2)), mc.ReLU(), mc.Residual(conv_body(2, 2, seed=3))
            ),
            (1, 2, 4, 4),
        ),
        (lambda: mc.Residual(conv_body(2, 4, stride=2), mc.PadShortcut(2, 4, 2)), (2, 2, 5, 5)),
    ],
)
def test_gradients_match_central_differences(make, shape):
    report = check_layer(make(), shape)
    assert report.passed, "\n" + str(report)


def test_identity_gradient_reaches_the_input_even_through_a_dead_body():
    """With a body whose output is 0 (zero weights), dL/dx = dL/dy exactly."""
    body = conv_body(2, 2)
    for p in body.parameters():
        p.data[...] = 0
    block = mc.Residual(body)
    x = np.ones((1, 2, 3, 3))
    dy = np.random.default_rng(3).standard_normal(x.shape)
    block(x)
    np.testing.assert_array_equal(block.backward(dy), dy)


def test_named_parameters_have_body_and_shortcut_prefixes():
    block = mc.Residual(conv_body(2, 4, 2), mc.Sequential(projection(2, 4, 2)))
    names = [name for name, _ in block.named_parameters("layer1.0")]
    assert names == [
        "layer1.0.body.0.weight",
        "layer1.0.body.0.bias",
        "layer1.0.body.2.weight",
        "layer1.0.body.2.bias",
        "layer1.0.shortcut.0.weight",
    ]
    assert len(list(block.parameters())) == 5
    assert block.children()[0] is block.body and block.children()[1] is block.shortcut


def test_children_of_an_identity_block_is_only_the_body():
    block = mc.Residual(conv_body(2, 2))
    assert block.children() == [block.body]


def test_train_and_eval_reach_both_paths():
    body = mc.Sequential(mc.Dropout(0.5, seed=0))
    short = mc.Sequential(mc.Dropout(0.5, seed=1))
    block = mc.Sequential(mc.Residual(body, short))
    block.eval()
    assert not body.layers[0].training and not short.layers[0].training
    x = np.ones((2, 3))
    np.testing.assert_array_equal(block(x), 2 * x)  # both dropouts are the identity in eval
    block.train()
    assert body.layers[0].training and short.layers[0].training


def test_to_float64_casts_both_paths():
    block = mc.Residual(mc.Conv2D(2, 2, 3, padding=1), mc.Conv2D(2, 2, 1))
    block.to(np.float64)
    assert {p.dtype for p in block.parameters()} == {np.dtype(np.float64)}


def test_shape_mismatch_is_a_clear_error_before_any_data():
    block = mc.Residual(conv_body(2, 4, stride=2))  # identity shortcut cannot match
    with pytest.raises(
        ValueError,
        match=r"body gives \(1, 4, 3, 3\), shortcut gives "
        r"\(1, 2, 6, 6\).*projection shortcut",
    ):
        block.output_shape((1, 2, 6, 6))
    with pytest.raises(ValueError, match="Residual: body and shortcut disagree"):
        block(np.zeros((1, 2, 6, 6)))
    with pytest.raises(TypeError, match="body must be a mc.Layer"):
        mc.Residual(lambda x: x)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="backward called before forward"):
        mc.Residual(conv_body(2, 2)).backward(np.zeros((1, 2, 3, 3)))


def test_macs_are_body_plus_shortcut():
    body, short = conv_body(2, 4, 2), projection(2, 4, 2)
    shape = (1, 2, 8, 8)
    block = mc.Residual(body, short)
    assert block.macs(shape) == body.macs(shape) + short.macs(shape)
    # by hand: conv 2->4 3x3 on a 4x4 output, conv 4->4 3x3, 1x1 projection 2->4
    assert block.macs(shape) == 4 * 16 * 2 * 9 + 4 * 16 * 4 * 9 + 4 * 16 * 2
    same = conv_body(4, 4)
    assert mc.Residual(same).macs((1, 4, 4, 4)) == same.macs((1, 4, 4, 4))


def test_summary_rows_show_the_block():
    model = mc.Sequential(
        mc.Conv2D(1, 2, 3, padding=1),
        mc.Residual(conv_body(2, 2)),
        mc.Residual(conv_body(2, 4, 2), projection(2, 4, 2)),
    )
    summary = model.summary((1, 8, 8), print_table=False)
    names = [r.name for r in summary.rows]
    assert names == [
        "0 Conv2D",
        "1.body.0 Conv2D",
        "1.body.1 ReLU",
        "1.body.2 Conv2D",
        "1.shortcut identity",
        "1 add (Residual)",
        "2.body.0 Conv2D",
        "2.body.1 ReLU",
        "2.body.2 Conv2D",
        "2.shortcut Conv2D",
        "2 add (Residual)",
    ]
    assert summary.rows[-1].output_shape == (4, 4, 4)
    assert sum(r.params for r in summary.rows) == summary.total_params
    assert sum(r.macs for r in summary.rows) == summary.total_macs
    assert "1 add (Residual)" in str(summary)


def test_pad_shortcut_subsamples_and_pads_with_zeros():
    x = np.arange(2 * 2 * 5 * 5, dtype=np.float64).reshape(2, 2, 5, 5)
    layer = mc.PadShortcut(2, 5, stride=2)
    y = layer(x)
    assert y.shape == layer.output_shape(x.shape) == (2, 5, 3, 3)
    np.testing.assert_array_equal(y[:, :2], x[:, :, ::2, ::2])
    assert not y[:, 2:].any()
    dy = np.random.default_rng(4).standard_normal(y.shape)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(dx[:, :, ::2, ::2], dy[:, :2])
    assert dx[:, :, 1::2].sum() == 0 and dx[:, :, :, 1::2].sum() == 0
    assert layer.macs(x.shape) == 0 and not list(layer.parameters())
    with pytest.raises(ValueError, match="in_channels <= out_channels"):
        mc.PadShortcut(4, 2)


def test_matches_pytorch_projection_block(torch):
    """A ResNet basic block (without normalisation), built in torch from the same
    weights: relu(conv2(relu(conv1(x))) + proj(x)), float64."""
    F = torch.nn.functional
    body, short = conv_body(3, 4, stride=2, seed=10), projection(3, 4, 2, seed=12)
    block_params = list(body.parameters())
    for i, p in enumerate(block_params):
        if p.name == "bias":  # non-zero biases, so a dropped bias gradient shows
            p.data[...] = np.linspace(-0.2, 0.3, p.size) * (i + 1)
    model = mc.Sequential(mc.Residual(body, short), mc.ReLU())
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 6))
    y = model(x)
    dy = np.random.default_rng(6).standard_normal(y.shape)
    dx = model.backward(dy)

    w1, b1, w2, b2 = (torch.tensor(p.data, requires_grad=True) for p in block_params)
    wp = torch.tensor(short.weight.data, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    fx = F.conv2d(F.relu(F.conv2d(xt, w1, b1, stride=2, padding=1)), w2, b2, padding=1)
    yt = F.relu(fx + F.conv2d(xt, wp, stride=2))
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    for p, t in zip([*block_params, short.weight], [w1, b1, w2, b2, wp], strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), **TOL)


def test_pad_shortcut_matches_pytorch(torch):
    x = np.random.default_rng(7).standard_normal((2, 3, 7, 6))
    layer = mc.PadShortcut(3, 8, stride=2)
    y = layer(x)
    dy = np.random.default_rng(8).standard_normal(y.shape)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.pad(xt[:, :, ::2, ::2], (0, 0, 0, 0, 0, 5))
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


def test_named_buffers_follow_the_parameter_names():
    block = mc.Residual(
        mc.Sequential(mc.Conv2D(2, 2, 3, padding=1), mc.BatchNorm2D(2)),
        mc.Sequential(mc.Conv2D(2, 2, 1), mc.BatchNorm2D(2)),
    )
    names = [name for name, _ in mc.Sequential(block).named_buffers()]
    assert names == [
        "0.body.1.running_mean",
        "0.body.1.running_var",
        "0.body.1.num_batches_tracked",
        "0.shortcut.1.running_mean",
        "0.shortcut.1.running_var",
        "0.shortcut.1.num_batches_tracked",
    ]
    block.to(np.float64)
    floats = [b for name, b in block.named_buffers() if not name.endswith("num_batches_tracked")]
    assert all(buf.dtype == np.float64 for buf in floats)
