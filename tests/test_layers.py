"""Behaviour of each layer beyond its gradient: shapes, dtypes, the known traps,
and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn import gradcheck


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved_through_a_network(dtype):
    model = mc.zoo.lenet5()
    if dtype == np.float64:
        model.to(np.float64)
    x = np.random.default_rng(0).random((2, 1, 28, 28)).astype(dtype)
    y = model(x)
    assert y.dtype == dtype
    assert model.backward(np.ones_like(y)).dtype == dtype
    assert all(p.grad.dtype == dtype for p in model.parameters())


@pytest.mark.parametrize(
    "make, x, error, words",
    [
        (
            lambda: mc.Conv2D(3, 4, 3),
            np.zeros((2, 3, 8)),
            ValueError,
            ["Conv2D", "(N, C, H, W)", "(2, 3, 8)"],
        ),
        (
            lambda: mc.Conv2D(3, 4, 3),
            np.zeros((2, 1, 8, 8)),
            ValueError,
            ["3 input channels", "got 1"],
        ),
        (
            lambda: mc.Conv2D(1, 4, 3),
            np.zeros((2, 1, 8, 8), np.int64),
            TypeError,
            ["floating-point", "int64", "astype"],
        ),
        (lambda: mc.Conv2D(1, 4, 3), np.full((1, 1, 4, 4), np.nan), ValueError, ["NaN"]),
        (
            lambda: mc.Conv2D(1, 4, 5),
            np.zeros((1, 1, 3, 3)),
            ValueError,
            ["does not fit", "larger than"],
        ),
        (lambda: mc.MaxPool2D(2), np.zeros((4, 4)), ValueError, ["MaxPool2D", "(N, C, H, W)"]),
        (lambda: mc.MaxPool2D(3), np.zeros((1, 1, 2, 2)), ValueError, ["does not fit"]),
        (lambda: mc.Linear(400, 10), np.zeros((2, 16, 5, 5)), ValueError, ["(N, 400)", "Flatten"]),
        (lambda: mc.Linear(4, 10), np.zeros((2, 3)), ValueError, ["(N, 4)", "(2, 3)"]),
        (lambda: mc.Linear(4, 10), [[1.0, 2.0, 3.0, 4.0]], TypeError, ["NumPy array", "list"]),
        (lambda: mc.ReLU(), np.zeros(3, dtype=np.int32), TypeError, ["ReLU", "int32"]),
    ],
)
def test_bad_input_names_the_layer_and_the_problem(make, x, error, words):
    with pytest.raises(error) as info:
        make()(x)
    for word in words:
        assert word in as_printed(info.value)


def as_printed(err: BaseException) -> str:
    """The message and its notes (PEP 678), as a traceback prints them."""
    return "\n".join([str(err), *getattr(err, "__notes__", [])])


def test_an_error_names_its_layer_once():
    """Once, not "Linear(400, 120): Linear(400, 120): expected ...": the innermost layer
    names itself, the model around it does not, and a message that names it is kept."""
    lenet = mc.zoo.lenet5()
    with pytest.raises(ValueError) as info:
        lenet.summary((1, 32, 32))  # 32×32 leaves 16×6×6 = 576 features, not 400
    assert as_printed(info.value).count("Linear(400, 120)") == 1
    with pytest.raises(ValueError) as info:
        lenet(np.zeros((2, 1, 32, 32), np.float32))
    printed = as_printed(info.value)
    assert printed.count("Linear(400, 120)") == 1 and "(N, 400)" in printed
    with pytest.raises(TypeError) as info:
        mc.Sequential(mc.Sequential(mc.ReLU()))(np.arange(3))
    assert as_printed(info.value).count("ReLU()") == 1


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mc.Conv2D(3, 4, 3, stride=0), ["stride >= 1"]),
        (lambda: mc.Conv2D(3, 4, 3, padding=-1), ["padding >= 0"]),
        (lambda: mc.Conv2D(0, 4, 3), ["in_channels must be an integer >= 1"]),
        (lambda: mc.Conv2D(3, 4, 2.5), ["kernel_size", "int"]),
        (lambda: mc.MaxPool2D(2, padding=2), ["at most half"]),
        (lambda: mc.Linear(0, 3), ["in_features must be an integer >= 1"]),
    ],
)
def test_bad_constructor_arguments(make, words):
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    for word in words:
        assert word in str(info.value)


F = mc.functional
X4 = np.zeros((2, 2, 6, 6))
ONES2 = np.ones(2)


@pytest.mark.parametrize(
    "make_layer, call_pair, owner, op",
    [
        (
            lambda: mc.Conv2D(2, 2, 3, dilation=0),
            lambda: F.conv2d_forward(X4, np.zeros((2, 2, 3, 3)), dilation=0),
            "Conv2D",
            "conv2d_forward",
        ),
        (
            lambda: mc.Conv2D(2, 4, 3, padding=-1),
            lambda: F.conv2d_forward(X4, np.zeros((4, 2, 3, 3)), padding=-1),
            "Conv2D",
            "conv2d_forward",
        ),
        (
            lambda: mc.MaxPool2D(2, padding=2),
            lambda: F.max_pool2d_forward(X4, 2, padding=2),
            "MaxPool2D",
            "max_pool2d",
        ),
        (
            lambda: mc.ConvTranspose2D(2, 2, 3, stride=2, output_padding=2),
            lambda: F.conv_transpose2d_forward(X4, np.zeros((2, 2, 3, 3)), None, 2, 0, 2),
            "ConvTranspose2D",
            "conv_transpose2d_forward",
        ),
        (
            lambda: mc.LeakyReLU(2.0),
            lambda: F.leaky_relu_forward(X4, 2.0),
            "LeakyReLU",
            "leaky_relu",
        ),
        (
            lambda: mc.Dropout(1.5),
            lambda: F.dropout_forward(X4, 1.5, True, np.random.default_rng(0)),
            "Dropout",
            "dropout",
        ),
        (
            lambda: mc.BatchNorm2D(2, momentum=2.0),
            lambda: F.batch_norm_forward(X4, ONES2, ONES2, ONES2, ONES2, True, 2.0),
            "BatchNorm2D",
            "batch_norm",
        ),
        (
            lambda: mc.LocalResponseNorm(3, beta=-1.0),
            lambda: F.local_response_norm_forward(X4, 3, beta=-1.0),
            "LocalResponseNorm",
            "local_response_norm",
        ),
        (lambda: mc.Upsample(0), lambda: F.upsample_forward(X4, 0), "Upsample", "upsample"),
        (
            lambda: mc.Upsample(2, mode="cubic"),
            lambda: F.upsample_forward(X4, 2, mode="cubic"),
            "Upsample",
            "upsample",
        ),
        (
            lambda: mc.PadShortcut(2, 1),
            lambda: F.pad_shortcut_forward(X4, 1, 1),
            "PadShortcut",
            "pad_shortcut",
        ),
        (
            lambda: mc.MulticlassSVM(margin=-1.0),
            lambda: F.multiclass_svm(np.zeros((2, 3)), [0, 1], margin=-1.0),
            "MulticlassSVM",
            "multiclass_svm",
        ),
    ],
)
def test_a_layer_and_its_pair_refuse_an_argument_with_the_same_check(
    make_layer, call_pair, owner, op
):
    """One check each, in minicnn.validate: the layer's constructor and its functional
    pair say the same thing, each under its own name."""
    with pytest.raises((TypeError, ValueError)) as by_layer:
        make_layer()
    with pytest.raises((TypeError, ValueError)) as by_pair:
        call_pair()
    assert type(by_layer.value) is type(by_pair.value)
    assert str(by_layer.value).replace(owner, "<who>") == str(by_pair.value).replace(op, "<who>")


def test_non_finite_input_has_its_own_error_type():
    """The training loop tells exploding activations from other ValueErrors by type."""
    with pytest.raises(mc.NonFiniteInputError, match="NaN or infinity"):
        mc.Linear(2, 2)(np.array([[np.inf, 0.0]]))
    assert issubclass(mc.NonFiniteInputError, ValueError)


# -- the layer contract, over every registered gradient-check case ----------------------


def _grads(layer, x, dy, change_x_in_place: bool):
    """dL/dx and every parameter gradient after one forward and backward; optionally
    scribble over x between the two, as a careless caller might."""
    layer.zero_grad()
    x = x.copy()
    layer(x)
    if change_x_in_place:
        x *= 100.0
        x += 3.0
    dx = layer.backward(dy.copy())
    return [dx] + [p.grad.copy() for p in layer.parameters()]


@pytest.mark.parametrize("case", gradcheck.CASES, ids=[c.name for c in gradcheck.CASES])
def test_changing_x_in_place_before_backward_changes_nothing(case):
    """PyTorch raises when a saved input is modified; minicnn's pairs copy what they keep,
    so the gradients are those of the x that went through forward."""
    x = gradcheck.distinct_inputs(case.input_shape, np.random.default_rng(0))
    layer = case.make().to(np.float64)
    frozen = [(g, g.bit_generator.state) for _, g in layer.named_generators()]
    dy = np.random.default_rng(1).standard_normal(layer.output_shape(x.shape))
    before = _grads(layer, x, dy, change_x_in_place=False)
    for g, state in frozen:  # dropout draws the same mask again
        g.bit_generator.state = state
    after = _grads(layer, x, dy, change_x_in_place=True)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", gradcheck.CASES, ids=[c.name for c in gradcheck.CASES])
def test_backward_twice_without_forward_raises(case):
    layer = case.make().to(np.float64)
    x = gradcheck.distinct_inputs(case.input_shape, np.random.default_rng(0))
    y = layer(x)
    layer.backward(np.ones_like(y))
    with pytest.raises(RuntimeError, match="twice"):
        layer.backward(np.ones_like(y))
    layer(x)  # a new forward makes backward legal again
    layer.backward(np.ones_like(y))


def test_save_for_backward_keeps_the_output_shape_not_the_output():
    """A student's layer that passes y itself (the habit of PyTorch's name) is told what
    to pass; the kept shape is what backward checks dout against."""
    layer = mc.ReLU()
    with pytest.raises(TypeError, match=r"save_for_backward\(cache, y.shape\)"):
        layer.save_for_backward(None, np.zeros((2, 3)))
    layer.save_for_backward("cache", (2, 3))
    with pytest.raises(ValueError, match=r"dout of shape \(2, 3\)"):
        layer.saved_cache(np.zeros((3, 2)))
    layer.save_for_backward("cache", (2, 3))
    assert layer.saved_cache(np.zeros((2, 3))) == "cache"


def test_linear_backward_uses_the_x_of_forward_after_the_caller_changed_it():
    l = mc.Linear(4, 3)
    x = np.ones((2, 4), np.float32)
    y = l(x)
    x *= 100
    l.backward(np.ones_like(y))
    assert l.weight.grad[0, 0] == 2  # Σ_n dy[n, 0]·x[n, 0] with the x of forward


def test_dout_must_be_an_array():
    layer = mc.ReLU()
    layer(np.ones((2, 3)))
    with pytest.raises(TypeError, match="NumPy array of shape \\(2, 3\\)"):
        layer.backward([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])


def test_one_walk_names_everything_alike():
    """Sequential(Residual(Sequential(Linear, Dropout))): the weight, the generator and the
    module are all named through body."""
    model = mc.Sequential(mc.Residual(mc.Sequential(mc.Linear(3, 3), mc.Dropout(0.5))))
    assert [n for n, _ in model.named_modules()] == ["", "0", "0.body", "0.body.0", "0.body.1"]
    assert [n for n, _ in model.named_parameters()] == ["0.body.0.weight", "0.body.0.bias"]
    assert [n for n, _ in model.named_generators()] == ["0.body.1.rng"]
    model.eval()
    assert not any(m.training for m in model.modules())


def test_empty_batches_go_through_on_every_backend():
    model = mc.zoo.lenet5()
    for name in mc.available_backends():
        with mc.backend(name):
            y = model(np.zeros((0, 1, 28, 28), np.float32))
            assert y.shape == (0, 10)
            assert model.backward(np.zeros((0, 10), np.float32)).shape == (0, 1, 28, 28)
