"""The checks every per-layer test file shares (test_conv.py, test_pool.py, ...), written
once here so a layer's file reads as a list of what is checked, not how:

- the gradient check of a layer's cases in ``minicnn.gradcheck.CASES`` on one backend;
- the comparison with PyTorch (output, dL/dx and every parameter's gradient);
- the random window geometries (kernel, stride, padding) the backend tests draw.

A layer class listed in ``OWN_FILES`` has its gradient checks in its own file;
test_backends.py runs the registry's other cases on every backend."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minicnn as mc
from minicnn import gradcheck

TOL = dict(rtol=1e-10, atol=1e-10)  # float64 against PyTorch's float64
BACKENDS = mc.available_backends()

# The layer classes whose gradient checks live in their own test file.
OWN_FILES: dict[type, str] = {
    mc.Conv2D: "test_conv.py",
    mc.MaxPool2D: "test_pool.py",
    mc.AvgPool2D: "test_pool.py",
    mc.GlobalAvgPool2D: "test_pool.py",
    mc.ReLU: "test_activations.py",
    mc.LeakyReLU: "test_activations.py",
    mc.Sigmoid: "test_activations.py",
    mc.Tanh: "test_activations.py",
    mc.Dropout: "test_dropout.py",
    mc.Linear: "test_linear.py",
    mc.Flatten: "test_linear.py",
    mc.BatchNorm1D: "test_norm.py",
    mc.BatchNorm2D: "test_norm.py",
    mc.LocalResponseNorm: "test_norm.py",
}


def registered(*layer_classes: type) -> list[gradcheck.Case]:
    """The registry's cases for exactly these classes (not the containers holding one)."""
    cases = []
    for layer_class in layer_classes:
        found = [case for case in gradcheck.CASES if type(case.make()) is layer_class]
        assert found, f"gradcheck.CASES has no case for {layer_class.__name__}"
        cases += found
    return cases


def without_own_file() -> list[gradcheck.Case]:
    """The registry's cases whose layer has no test file of its own."""
    return [case for case in gradcheck.CASES if type(case.make()) not in OWN_FILES]


def assert_gradients_pass(case: gradcheck.Case, backend: str) -> None:
    """The analytic gradients of ``case`` equal the central differences on ``backend``."""
    with mc.backend(backend):
        report = case.run()
    assert report.passed, f"on the {backend!r} backend:\n{report}"


def upstream(shape) -> np.ndarray:
    """A fixed random upstream gradient dL/dy: ones would hide a transposed index."""
    return np.random.default_rng(1).standard_normal(shape)


def compare_with_torch(torch, backend_name, layer, x, torch_forward):
    """Forward and backward through ``layer`` on ``backend_name`` (None: the one in
    use) and through
    ``torch_forward(x, *parameters)`` with the layer's parameter values, a shared random
    upstream gradient; output, dL/dx and every parameter's gradient must agree."""
    with mc.backend(backend_name or mc.get_backend()):
        y = layer(x)
        dy = upstream(y.shape)
        dx = layer.backward(dy)
    params = [torch.tensor(p.data, requires_grad=True) for p in layer.parameters()]
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_forward(xt, *params)
    yt.backward(torch.tensor(dy))
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    for p, pt in zip(layer.parameters(), params, strict=True):
        np.testing.assert_allclose(p.grad, pt.grad.numpy(), **TOL)
    return y


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
