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


def _conv2d(layer, x):
    return F.conv2d_forward(
        x, layer.weight.data, layer.bias.data, layer.stride, layer.padding, layer.dilation,
        layer.groups,
    )  # fmt: skip


def _conv_transpose2d(layer, x):
    w, b = layer.weight.data, layer.bias.data
    return F.conv_transpose2d_forward(x, w, b, layer.stride, layer.padding, layer.output_padding)


def _batch_norm(layer, x):
    return F.batch_norm_forward(
        x, layer.weight.data, layer.bias.data, layer.running_mean, layer.running_var, True
    )


def _pool(pair):
    return lambda layer, x: pair(x, layer.kernel_size, layer.stride, layer.padding)


# Each layer whose output_shape has rules of its own, a bad input shape, its functional
# forward called with the layer's own settings, and the name that forward gives itself.
SHAPE_CASES = [
    (lambda: mc.Conv2D(3, 4, 3), (2, 3, 8), _conv2d, "conv2d_forward"),
    (lambda: mc.Conv2D(3, 4, 3), (2, 1, 8, 8), _conv2d, "conv2d_forward"),
    (lambda: mc.Conv2D(4, 4, 3, groups=2), (2, 2, 8, 8), _conv2d, "conv2d_forward"),
    (lambda: mc.Conv2D(3, 4, 5, dilation=2), (1, 3, 8, 8), _conv2d, "conv2d_forward"),
    (lambda: mc.Conv2D(3, 4, 4, padding="same"), (1, 3, 2), _conv2d, "conv2d_forward"),
    (lambda: mc.ConvTranspose2D(3, 2, 3), (2, 3, 4), _conv_transpose2d, "conv_transpose2d_forward"),
    (lambda: mc.ConvTranspose2D(3, 2, 3), (2, 2, 4, 4), _conv_transpose2d, "conv_transpose2d_forward"),
    (
        lambda: mc.ConvTranspose2D(1, 1, 1, padding=1),
        (1, 1, 1, 1),
        _conv_transpose2d,
        "conv_transpose2d_forward",
    ),
    (lambda: mc.Linear(4, 3), (2, 5), lambda m, x: F.linear_forward(x, m.weight.data, m.bias.data), "linear_forward"),
    (lambda: mc.Linear(4, 3), (2, 1, 2, 2), lambda m, x: F.linear_forward(x, m.weight.data, m.bias.data), "linear_forward"),
    (lambda: mc.Flatten(), (3,), lambda m, x: F.flatten_forward(x), "flatten"),
    (lambda: mc.BatchNorm2D(3), (2, 2, 4, 4), _batch_norm, "batch_norm"),
    (lambda: mc.BatchNorm1D(3), (2, 4), _batch_norm, "batch_norm"),
    (
        lambda: mc.LocalResponseNorm(),
        (2, 3),
        lambda m, x: F.local_response_norm_forward(x, m.size, m.alpha, m.beta, m.k),
        "local_response_norm",
    ),
    (lambda: mc.MaxPool2D(2), (4, 4), _pool(F.max_pool2d_forward), "max_pool2d"),
    (lambda: mc.MaxPool2D(3), (1, 1, 2, 2), _pool(F.max_pool2d_forward), "max_pool2d"),
    (lambda: mc.AvgPool2D(2, padding=1), (1, 1, 5), _pool(F.avg_pool2d_forward), "avg_pool2d"),
    (lambda: mc.AvgPool2D(3), (1, 1, 2, 9), _pool(F.avg_pool2d_forward), "avg_pool2d"),
    (
        lambda: mc.GlobalAvgPool2D(),
        (2, 3),
        lambda m, x: F.global_avg_pool2d_forward(x),
        "global_avg_pool2d",
    ),
    (
        lambda: mc.Upsample(2),
        (2, 3, 4),
        lambda m, x: F.upsample_forward(x, m.scale_factor, m.mode),
        "upsample",
    ),
    (
        lambda: mc.PadShortcut(2, 4),
        (2, 2, 4),
        lambda m, x: F.pad_shortcut_forward(x, m.out_channels, m.stride),
        "pad_shortcut",
    ),
]  # fmt: skip


@pytest.mark.parametrize("make, bad_shape, call_pair, op", SHAPE_CASES)
def test_output_shape_and_the_functional_forward_refuse_a_shape_alike(
    make, bad_shape, call_pair, op
):
    """One shape rule each, in the functional core's ``*_output_shape``: a layer's
    output_shape (a shape alone, before any data flows), the layer's forward and its
    functional pair (on an array) refuse the same input with the same words, each
    under its own name."""
    layer = make()
    with pytest.raises(ValueError) as by_shape:
        layer.output_shape(bad_shape)
    with pytest.raises(ValueError) as by_pair:
        call_pair(layer, np.zeros(bad_shape))
    with pytest.raises(ValueError) as by_layer:
        layer(np.zeros(bad_shape))
    words = str(by_shape.value).replace(repr(layer), "<who>")
    assert words == str(by_pair.value).replace(op, "<who>")
    assert repr(layer) in as_printed(by_layer.value)


def test_concat_joins_branches_by_the_functional_rule():
    """Concat's output_shape and concat_forward refuse branches of different sizes
    with the same words (the layer calls each input a branch)."""
    layer = mc.Concat(mc.Identity(), mc.MaxPool2D(2))
    with pytest.raises(ValueError) as by_shape:
        layer.output_shape((1, 2, 4, 4))
    with pytest.raises(ValueError) as by_pair:
        F.concat_forward([np.zeros((1, 2, 4, 4)), np.zeros((1, 2, 2, 2))])
    words = str(by_shape.value).replace("Concat on input (1, 2, 4, 4)", "<who>")
    pair_words = str(by_pair.value).replace("concat", "<who>")
    assert words.replace("branch", "input") == pair_words.replace("branch", "input")
    same_size = mc.Concat(mc.Identity(), mc.Conv2D(2, 3, 3, padding=1))
    assert same_size.output_shape((1, 2, 4, 4)) == (1, 5, 4, 4)


def test_every_layer_with_a_shape_rule_has_a_case():
    """Each layer class that overrides output_shape is in SHAPE_CASES (or Concat's
    test above), so none keeps a shape rule of its own; the containers only chain
    their children's output_shape."""
    import minicnn.layers

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    with_rules = {
        cls.__name__
        for cls in subclasses(mc.Layer)
        if cls.__module__.startswith("minicnn.layers.")
        and any("output_shape" in vars(c) for c in cls.__mro__[: cls.__mro__.index(mc.Layer)])
        and not cls.__name__.startswith("_")
    }
    covered = {type(make()).__name__ for make, *_ in SHAPE_CASES} | {"Concat"}
    containers = {"Residual"}
    assert minicnn.layers  # imported for its subclasses
    assert with_rules - containers == covered


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
