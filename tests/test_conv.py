"""Conv2D, all in one place: its gradient check (the registry's cases), agreement with
PyTorch, the loops written from the equations on every backend, shapes, padding
'same'/'valid', dilation, groups, and the errors for bad arguments.

The equations themselves are in minicnn/functional/conv.py (conv2d_forward/backward)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import (
    BACKENDS,
    assert_gradients_pass,
    compare_with_torch,
    registered,
    upstream,
    window_problems,
)

import minicnn as mc
from minicnn.kernels import naive

TOL = dict(rtol=1e-10, atol=1e-10)
FAST = [name for name in BACKENDS if name != "naive"]  # each compared with the naive loops


# -- the gradient check: every Conv2D case of minicnn.gradcheck.CASES, on every backend --


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("case", registered(mc.Conv2D), ids=lambda c: c.name)
def test_gradient_check(name, case):
    assert_gradients_pass(case, name)


# -- shapes, parameters, initialisation ---------------------------------------------------


def test_conv_shapes_and_parameters():
    conv = mc.Conv2D(3, 8, (3, 5), stride=(2, 1), padding=(1, 2), seed=0)
    assert conv.weight.shape == (8, 3, 3, 5) and conv.bias.shape == (8,)
    y = conv(np.zeros((2, 3, 9, 7), np.float32))
    assert y.shape == (2, 8, 5, 7) == conv.output_shape((2, 3, 9, 7))
    assert [p.name for p in conv.parameters()] == ["weight", "bias"]
    assert [p.name for p in mc.Conv2D(1, 1, 1, bias=False).parameters()] == ["weight"]


def test_he_initialisation_and_seeding():
    conv = mc.Conv2D(16, 32, 3, seed=0)
    assert conv.weight.dtype == np.float32
    assert abs(conv.weight.data.std() - np.sqrt(2 / (16 * 9))) < 0.01
    assert np.array_equal(conv.weight.data, mc.Conv2D(16, 32, 3, seed=0).weight.data)
    mc.manual_seed(7)
    a = mc.Linear(10, 10).weight.data
    mc.manual_seed(7)
    assert np.array_equal(a, mc.Linear(10, 10).weight.data)


# -- padding 'same'/'valid', dilation, groups; errors for bad arguments and calls ------


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(padding="same", stride=2), ValueError, ["stride 1", "padding=k // 2"]),
        (dict(padding="full"), ValueError, ["'same', 'valid'"]),
        (dict(groups=4), ValueError, ["divides both", "in_channels=6", "out_channels=6"]),
        (dict(groups=0), ValueError, ["positive integer"]),
        (dict(dilation=0), ValueError, ["dilation >= 1"]),
    ],
)
def test_conv_new_argument_errors(kwargs, error, words):
    with pytest.raises(error) as info:
        mc.Conv2D(6, 6, 3, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_conv_same_valid_dilation_groups_shapes_and_summary():
    same = mc.Conv2D(4, 8, 5, padding="same", dilation=3, groups=4)
    assert same.output_shape((2, 4, 11, 9)) == (2, 8, 11, 9)
    assert mc.Conv2D(4, 8, 4, padding="same").output_shape((2, 4, 7, 6)) == (2, 8, 7, 6)
    assert mc.Conv2D(4, 8, 3, padding="valid").output_shape((2, 4, 7, 6)) == (2, 8, 5, 4)
    assert "padding='same', dilation=(3, 3), groups=4" in repr(same)
    row = mc.Sequential(same).summary((4, 11, 9), print_table=False).rows[0]
    assert row.params == 8 * 1 * 25 + 8  # each filter reads 4/4 = 1 channel
    assert row.macs == 8 * 11 * 9 * 1 * 25
    assert row.receptive_field == (13, 13)  # span 3·(5 − 1) + 1


def test_conv_same_with_even_kernel_pads_bottom_right_like_pytorch():
    conv = mc.Conv2D(1, 1, (1, 2), padding="same", bias=False, dtype=np.float64)
    conv.weight.data[...] = [[[[1.0, 10.0]]]]
    y = conv(np.array([[[[1.0, 2.0, 3.0]]]]))
    assert y.ravel().tolist() == [21.0, 32.0, 3.0]  # the zero is padded on the right
    assert conv.backward(np.ones_like(y)).ravel().tolist() == [1.0, 11.0, 11.0]


def test_backward_checks_its_input():
    conv = mc.Conv2D(1, 2, 3)
    with pytest.raises(RuntimeError, match="before forward"):
        conv.backward(np.zeros((1, 2, 2, 2)))
    conv(np.zeros((1, 1, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"expected dout of shape \(1, 2, 2, 2\)"):
        conv.backward(np.zeros((1, 2, 3, 3)))


# -- PyTorch parity ------------------------------------------------------------------


@given(
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    h=st.integers(4, 9),
    w=st.integers(4, 9),
    bias=st.booleans(),
)
def test_conv2d(torch, cin, cout, kh, kw, sh, sw, ph, pw, h, w, bias):
    layer = mc.Conv2D(cin, cout, (kh, kw), (sh, sw), (ph, pw), bias=bias, dtype=np.float64, seed=0)
    if bias:
        layer.bias.data[...] = np.arange(cout) * 0.1 - 0.05
    x = np.random.default_rng(2).standard_normal((2, cin, h, w))
    # output, dL/dx, dL/dK and (with a bias) dL/dB equal PyTorch's to 1e-10
    compare_with_torch(
        torch,
        None,
        layer,
        x,
        lambda xt, *p: torch.nn.functional.conv2d(xt, *p, stride=(sh, sw), padding=(ph, pw)),
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("name", BACKENDS)
@given(
    g=st.integers(1, 3),
    cin_g=st.integers(1, 2),
    cout_g=st.integers(1, 2),
    kh=st.integers(1, 3),
    kw=st.integers(1, 4),
    sh=st.integers(1, 2),
    sw=st.integers(1, 2),
    dh=st.integers(1, 3),
    dw=st.integers(1, 2),
    padding=st.sampled_from([0, 1, (2, 1), "valid", "same"]),
    h=st.integers(7, 10),
    w=st.integers(7, 10),
    bias=st.booleans(),
)
@settings(max_examples=20)  # for each of 3 backends; the naive loops are slow
def test_conv2d_dilation_groups_padding(
    torch, name, g, cin_g, cout_g, kh, kw, sh, sw, dh, dw, padding, h, w, bias
):
    if padding == "same":
        sh = sw = 1  # PyTorch allows 'same' only with stride 1, as minicnn
    cin, cout = g * cin_g, g * cout_g
    layer = mc.Conv2D(
        cin, cout, (kh, kw), (sh, sw), padding, bias=bias,
        dilation=(dh, dw), groups=g, dtype=np.float64, seed=0,
    )  # fmt: skip
    assert layer.weight.shape == (cout, cin_g, kh, kw)
    if bias:
        layer.bias.data[...] = np.linspace(-0.5, 0.5, cout)
    x = np.random.default_rng(2).standard_normal((2, cin, h, w))
    y = compare_with_torch(
        torch,
        name,
        layer,
        x,
        lambda xt, *p: torch.nn.functional.conv2d(
            xt, *p, stride=(sh, sw), padding=padding, dilation=(dh, dw), groups=g
        ),
    )
    assert y.shape == layer.output_shape(x.shape)


@given(
    g=st.integers(1, 3),
    kh=st.integers(1, 3),
    dh=st.integers(1, 3),
    sh=st.integers(1, 2),
    ph=st.integers(0, 2),
)
def test_naive_equation_loops_with_dilation_and_groups(torch, g, kh, dh, sh, ph):
    """kernels/naive.py's conv2d_forward/backward, loops written from the equation."""
    from minicnn.kernels import naive

    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2 * g, 8, 7))
    w = rng.standard_normal((3 * g, 2, kh, 2))
    b = rng.standard_normal(3 * g)
    geometry = dict(stride=(sh, 1), padding=(ph, 1), dilation=(dh, 2))
    y = naive.conv2d_forward(x, w, b, groups=g, **geometry)
    dy = upstream(y.shape)
    dx, dw, db = naive.conv2d_backward(dy, x, w, groups=g, **geometry)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = torch.nn.functional.conv2d(xt, wt, bt, groups=g, **geometry)
    yt.backward(torch.tensor(dy))
    for ours, theirs in [(y, yt.detach()), (dx, xt.grad), (dw, wt.grad), (db, bt.grad)]:
        np.testing.assert_allclose(ours, theirs.numpy(), **TOL)


# -- every backend equals the loops written from the equations ------------------------


@pytest.mark.parametrize("name", FAST)
def test_conv_in_batch_slices_matches_the_equations(name, monkeypatch):
    """With a tiny budget every image is its own slice; the sums over the batch
    (dL/dK, dL/dB) must still cover all of it."""
    import minicnn.functional.conv as conv

    monkeypatch.setattr(conv, "COLS_BYTES", 1)
    rng = np.random.default_rng(5)
    layer = mc.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 1), dtype=np.float64, rng=rng)
    layer.bias.data[...] = rng.standard_normal(3)
    x = rng.standard_normal((4, 2, 7, 6))
    reused = x.copy()
    with mc.backend(name):
        y = layer(reused)
        reused[...] = 0  # backward must not read the caller's array after forward
        dy = rng.standard_normal(y.shape)
        dx = layer.backward(dy)
    np.testing.assert_allclose(
        y,
        naive.conv2d_forward(x, layer.weight.data, layer.bias.data, (2, 1), (1, 1)),
        rtol=0,
        atol=1e-10,
    )
    dx_ref, dw_ref, db_ref = naive.conv2d_backward(dy, x, layer.weight.data, (2, 1), (1, 1))
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, dw_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, db_ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", BACKENDS)
@given(problem=window_problems(max_kernel=3), out_channels=st.integers(1, 3), bias=st.booleans())
def test_conv_layer_matches_the_equations(name, problem, out_channels, bias):
    """Conv2D (im2col + GEMM on every backend) equals the loops written from the
    forward equation and the three backward equations."""
    x_shape, kernel, stride, padding, rng = problem
    layer = mc.Conv2D(
        x_shape[1], out_channels, kernel, stride, padding, bias=bias, dtype=np.float64, rng=rng
    )
    if bias:  # a non-zero bias, so a wrong dL/dB cannot hide behind zeros
        layer.bias.data[...] = rng.standard_normal(out_channels)
    x = rng.standard_normal(x_shape)
    b = layer.bias.data if bias else None
    with mc.backend(name):
        y = layer(x)
        dy = rng.standard_normal(y.shape)
        dx = layer.backward(dy)
    np.testing.assert_allclose(
        y, naive.conv2d_forward(x, layer.weight.data, b, stride, padding), rtol=0, atol=1e-10
    )
    dx_ref, dw_ref, db_ref = naive.conv2d_backward(dy, x, layer.weight.data, stride, padding)
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, dw_ref, rtol=0, atol=1e-10)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, db_ref, rtol=0, atol=1e-10)


# -- which lines run: each backend is a reading of the same math -------------------------


PACKAGE = Path(mc.__file__).parent


def lines_run(function, *args) -> set[tuple[str, int]]:
    """(path inside minicnn/, line number) of every line executed in functional/conv.py
    and kernels/*.py while ``function(*args)`` runs (sys.settrace, as coverage does)."""
    seen: set[tuple[str, int]] = set()
    watched = {str(PACKAGE / "functional" / "conv.py")} | {
        str(p) for p in (PACKAGE / "kernels").glob("*.py")
    }

    def tracer(frame, event, arg):
        path = frame.f_code.co_filename
        if path not in watched:
            return None  # do not trace into NumPy and the rest
        if event == "line":
            seen.add((Path(path).relative_to(PACKAGE).as_posix(), frame.f_lineno))
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return seen


def line_of(module, text: str) -> tuple[str, int]:
    """(path inside minicnn/, line number) of the one line of ``module`` holding ``text``."""
    path = Path(inspect.getfile(module))
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, f"{text!r} is on lines {found} of {module.__name__}"
    return path.relative_to(PACKAGE).as_posix(), found[0]


def one_training_step(name):
    rng = np.random.default_rng(0)
    layer = mc.Conv2D(2, 3, 3, padding=1, rng=rng).to(np.float64)
    with mc.backend(name):
        y = layer(rng.standard_normal((2, 2, 5, 5)))
        layer.backward(rng.standard_normal(y.shape))


def test_each_backend_runs_its_own_reading_of_the_convolution():
    """'naive' runs the textbook loops of kernels/naive.py, 'numpy' the functional core's
    im2col lines (functional/conv.py), 'numba' the compiled kernels: the code a student
    reads for a backend is the code that runs on it."""
    from minicnn.functional import conv as core
    from minicnn.kernels import compiled

    im2col_forward = line_of(core, "out = grouped_matmul(weights, cols, groups)")
    im2col_backward = line_of(core, "dw += grouped_weight_grad(dY, cols, groups)")
    loops_forward = line_of(naive, "y[n, k, i, j] = np.sum(window * w[k])")
    loops_backward = line_of(naive, "dw[k, c, p, q] = np.sum(touched * dy[:, k])")
    compiled_forward = line_of(
        compiled, "threads.run_chunks(N, lambda a, z: _conv2d_forward_images"
    )

    ran = lines_run(one_training_step, "numpy")
    assert {im2col_forward, im2col_backward} <= ran
    assert not {loops_forward, loops_backward, compiled_forward} & ran

    ran = lines_run(one_training_step, "naive")
    assert {loops_forward, loops_backward} <= ran
    assert not {im2col_forward, im2col_backward, compiled_forward} & ran

    ran = lines_run(one_training_step, "numba")
    assert compiled_forward in ran
    assert not {im2col_forward, im2col_backward, loops_forward, loops_backward} & ran
