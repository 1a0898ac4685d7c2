"""Three backends, one answer: naive loops, NumPy im2col and the Numba kernels agree
on every kernel function, every layer passes its gradient check on each, and the
backend switch (set_backend, the context manager, $MINICNN_BACKEND) behaves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import OWN_FILES, assert_gradients_pass, window_problems, without_own_file

import minicnn as mc
from minicnn.backend import kernels
from minicnn.kernels import compiled, naive, vectorised

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = {"numpy": vectorised, "numba": compiled}  # each is compared with naive


@st.composite
def problems(draw):
    """(x, kernel, stride, padding) with non-square kernels, strides and paddings;
    small, because the naive reference is Python loops. ``ties`` draws the input
    from {0, 1, 2} so that max-pool windows often hold several maxima."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = draw(st.integers(max(1, kh - 2 * ph), 8))
    W = draw(st.integers(max(1, kw - 2 * pw), 8))
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if draw(st.booleans()):  # ties
        x = rng.integers(0, 3, size=(N, C, H, W)).astype(dtype)
    else:
        x = rng.standard_normal((N, C, H, W)).astype(dtype)
    return x, (kh, kw), (sh, sw), (ph, pw), rng


def assert_same(result, reference, dtype):
    """Equal to 1e-10 in float64; in float32 the dtype is kept and the values agree
    to float32 rounding."""
    assert result.dtype == dtype, f"got {result.dtype}, expected {dtype}"
    assert result.shape == reference.shape
    atol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(result, reference, rtol=0, atol=atol)


@pytest.mark.parametrize("name", FAST)
@given(problem=problems())
def test_im2col_col2im_agree_with_naive(name, problem):
    x, kernel, stride, padding, rng = problem
    fast = FAST[name]
    cols = naive.im2col(x, kernel, stride, padding)
    assert_same(fast.im2col(x, kernel, stride, padding), cols, x.dtype)
    c = rng.standard_normal(cols.shape).astype(x.dtype)
    assert_same(
        fast.col2im(c, x.shape, kernel, stride, padding),
        naive.col2im(c, x.shape, kernel, stride, padding),
        x.dtype,
    )


@pytest.mark.parametrize("name", FAST)
@given(problem=problems())
def test_max_pool_agrees_with_naive_including_ties(name, problem):
    x, kernel, stride, padding, rng = problem
    fast = FAST[name]
    y, argmax = fast.max_pool2d_forward(x, kernel, stride, padding)
    y_ref, argmax_ref = naive.max_pool2d_forward(x, kernel, stride, padding)
    assert_same(y, y_ref, x.dtype)
    np.testing.assert_array_equal(argmax, argmax_ref)  # the first maximum on ties
    dy = rng.standard_normal(y.shape).astype(x.dtype)
    assert_same(
        fast.max_pool2d_backward(dy, argmax, x.shape, kernel, stride, padding),
        naive.max_pool2d_backward(dy, argmax_ref, x.shape, kernel, stride, padding),
        x.dtype,
    )


@pytest.mark.parametrize("name", FAST)
@given(problem=problems())
def test_avg_pool_agrees_with_naive(name, problem):
    x, kernel, stride, padding, rng = problem
    fast = FAST[name]
    y = fast.avg_pool2d_forward(x, kernel, stride, padding)
    assert_same(y, naive.avg_pool2d_forward(x, kernel, stride, padding), x.dtype)
    dy = rng.standard_normal(y.shape).astype(x.dtype)
    assert_same(
        fast.avg_pool2d_backward(dy, x.shape, kernel, stride, padding),
        naive.avg_pool2d_backward(dy, x.shape, kernel, stride, padding),
        x.dtype,
    )


def test_overlapping_max_pool_windows_add_their_gradients():
    """3x3 stride 1 on a single peak: the peak wins all 9 windows and gets the sum."""
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0
    dy = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    for k in FAST.values():
        _, argmax = k.max_pool2d_forward(x, (3, 3), (1, 1), (0, 0))
        dx = k.max_pool2d_backward(dy, argmax, x.shape, (3, 3), (1, 1), (0, 0))
        assert dx[0, 0, 2, 2] == dy.sum() and dx.sum() == dy.sum()


@pytest.mark.parametrize("name", mc.available_backends())
@pytest.mark.parametrize("case", without_own_file(), ids=lambda c: c.name)
def test_gradient_checks_pass_on_every_backend(name, case):
    """The layers with a test file of their own (layer_checks.OWN_FILES) check there."""
    assert_gradients_pass(case, name)


def test_the_layers_left_out_above_are_checked_in_their_own_file():
    """A class in OWN_FILES is skipped above, so its file must run its registry cases."""
    for layer_class, file_name in OWN_FILES.items():
        text = (Path(__file__).parent / file_name).read_text(encoding="utf-8")
        assert "assert_gradients_pass(case, name)" in text, file_name
        claimed = " ".join(re.findall(r"registered\(([^)]*)\)", text))
        assert f"mc.{layer_class.__name__}" in claimed, (
            f"{file_name} runs no registered(...) cases of {layer_class.__name__}"
        )


# -- the switch ----------------------------------------------------------------------


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that imports this checkout's minicnn."""
    environ = {k: v for k, v in os.environ.items() if k != "MINICNN_BACKEND"}
    environ.update(PYTHONPATH=ROOT, **env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_numba_is_the_default():
    """numba is a runtime dependency, so without $MINICNN_BACKEND it is the backend."""
    result = run_python("import minicnn; print(minicnn.get_backend())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "numba"
    assert mc.available_backends() == ("numba", "numpy", "naive")


def test_set_backend_selects_the_kernels():
    from minicnn.backend import kernels

    previous = mc.get_backend()
    try:
        for name, module in [("naive", naive), ("numpy", vectorised), ("numba", compiled)]:
            mc.set_backend(name)
            assert mc.get_backend() == name and kernels() is module.KERNELS
    finally:
        mc.set_backend(previous)


def test_unknown_backend_lists_the_valid_ones():
    previous = mc.get_backend()
    with pytest.raises(ValueError, match="'numba', 'numpy', 'naive'"):
        mc.set_backend("cuda")
    with pytest.raises(ValueError, match="unknown backend 'fast'"):
        with mc.backend("fast"):
            pass
    assert mc.get_backend() == previous


def test_context_manager_restores_the_backend_even_on_errors():
    previous = mc.get_backend()
    mc.set_backend("numpy")
    try:
        with mc.backend("naive"):
            assert mc.get_backend() == "naive"
            with mc.backend("numba"):
                assert mc.get_backend() == "numba"
            assert mc.get_backend() == "naive"
        assert mc.get_backend() == "numpy"
        with pytest.raises(KeyError):
            with mc.backend("naive"):
                raise KeyError("inside the block")
        assert mc.get_backend() == "numpy"
    finally:
        mc.set_backend(previous)


@pytest.mark.parametrize("name", ["naive", "numpy", "numba"])
def test_environment_variable_picks_the_backend_at_import(name):
    result = run_python("import minicnn; print(minicnn.get_backend())", MINICNN_BACKEND=name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == name


def test_bad_environment_variable_names_the_variable():
    result = run_python("import minicnn", MINICNN_BACKEND="gpu")
    assert result.returncode != 0
    assert "ValueError" in result.stderr
    assert "'gpu'" in result.stderr and "MINICNN_BACKEND" in result.stderr
    assert "'numba', 'numpy', 'naive'" in result.stderr


def test_without_numba_falls_back_to_numpy_with_one_warning():
    code = """
        import sys, warnings
        sys.modules["numba"] = None          # makes `import numba` raise ImportError
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            import minicnn
            import minicnn.layers, minicnn.model   # importing more must not warn again
            y = minicnn.Conv2D(1, 2, 3)(__import__("numpy").ones((1, 1, 5, 5), "float32"))
        print(minicnn.get_backend(), len(caught), y.shape)
        print(caught[0].message)
        try:
            minicnn.set_backend("numba")
        except ImportError:
            print("ImportError")
    """
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    first, message, last = result.stdout.strip().splitlines()
    assert first == "numpy 1 (1, 2, 3, 3)"
    assert "numba" in message and "numpy" in message
    assert last == "ImportError"


# -- compilation: lazy, cached, and somewhere writable -----------------------------------


def test_import_compiles_nothing():
    """Importing minicnn must not compile: only a kernel's first call does."""
    code = """
        import minicnn
        from minicnn.kernels import compiled
        kernels = [compiled._im2col, compiled._col2im, compiled._max_pool2d_forward,
                   compiled._max_pool2d_backward, compiled._avg_pool2d_forward, compiled._avg_pool2d_backward]
        print(sum(len(k.signatures) for k in kernels))
    """
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_second_process_loads_the_kernels_from_the_cache(tmp_path):
    code = """
        import numpy as np
        from minicnn.kernels import compiled
        compiled.im2col(np.ones((1, 1, 4, 4), np.float32), (2, 2), (1, 1), (0, 0))
        stats = compiled._im2col.stats
        print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
    """
    first = run_python(code, NUMBA_CACHE_DIR=str(tmp_path))
    second = run_python(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.split() == ["0", "1"]  # compiled (and written to the cache)
    assert second.stdout.split() == ["1", "0"]  # loaded, not compiled
    assert any(p.suffix == ".nbi" for p in tmp_path.rglob("*"))


def test_read_only_package_and_home_send_the_cache_to_a_private_dir(tmp_path, monkeypatch):
    import tempfile

    import numba

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    # Read-only package, writable home: numba's own per-user cache takes it.
    assert compiled._use_writable_cache_dir("/proc/minicnn/__pycache__") is None
    assert numba.config.CACHE_DIR == ""
    # Both read-only (/proc accepts no new files): a 0700 folder of this user.
    monkeypatch.setattr(compiled, "_numba_user_cache", lambda: "/proc/minicnn/numba")
    chosen = compiled._use_writable_cache_dir("/proc/minicnn/__pycache__")
    assert numba.config.CACHE_DIR == chosen and chosen.startswith(str(tmp_path))
    assert os.path.isdir(chosen)
    if hasattr(os, "getuid"):
        assert os.stat(chosen).st_mode & 0o777 == 0o700

    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    compiled._use_writable_cache_dir(str(tmp_path / "__pycache__"))  # writable: left alone
    assert numba.config.CACHE_DIR == ""


def test_max_pool_propagates_nan_like_numpy():
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    x[0, 0, 1, 1] = x[0, 0, 2, 3] = x[0, 1, 0, 0] = np.nan
    y_ref, argmax_ref = naive.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    for k in FAST.values():
        y, argmax = k.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
        np.testing.assert_array_equal(y, y_ref)  # NaN where a window holds one
        np.testing.assert_array_equal(argmax, argmax_ref)


def test_numba_backend_handles_dtypes_it_cannot_compile():
    """float16 goes to the NumPy kernels instead of failing inside numba."""
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 6)).astype(np.float16)
    y, argmax = compiled.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    y_ref, argmax_ref = vectorised.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(argmax, argmax_ref)
    cols = compiled.im2col(x, (3, 3), (1, 1), (1, 1))
    assert cols.dtype == np.float16
    np.testing.assert_array_equal(cols, vectorised.im2col(x, (3, 3), (1, 1), (1, 1)))


def test_batch_slices_cover_the_batch_in_about_equal_parts():
    from minicnn.functional.conv import COLS_BYTES, batch_slices

    assert batch_slices(64, 1000) == [slice(0, 64)]  # 64 kB of columns: one slice
    parts = batch_slices(10, COLS_BYTES // 3)  # 3 images per budget: 4 slices
    assert sorted(p.stop - p.start for p in parts) == [2, 2, 3, 3]
    assert parts[0].start == 0 and parts[-1].stop == 10
    assert all(a.stop == b.start for a, b in zip(parts[:-1], parts[1:], strict=True))
    assert batch_slices(3, 10 * COLS_BYTES) == [slice(0, 1), slice(1, 2), slice(2, 3)]


# ---- Three implementations, one answer: the naive loops (from the equations) and the

BACKENDS = mc.available_backends()


@given(window_problems())
def test_im2col_and_col2im_agree(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    cols = vectorised.im2col(x, kernel, stride, padding)
    np.testing.assert_allclose(cols, naive.im2col(x, kernel, stride, padding), rtol=0, atol=1e-10)
    c = rng.standard_normal(cols.shape)
    dx = vectorised.col2im(c, x_shape, kernel, stride, padding)
    np.testing.assert_allclose(
        dx, naive.col2im(c, x_shape, kernel, stride, padding), rtol=0, atol=1e-10
    )
    # col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
    assert np.isclose(np.sum(cols * c), np.sum(x * dx), rtol=1e-10)


@given(window_problems())
def test_max_pool_agrees(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    y, arg = vectorised.max_pool2d_forward(x, kernel, stride, padding)
    y_ref, arg_ref = naive.max_pool2d_forward(x, kernel, stride, padding)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(arg, arg_ref)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(
        vectorised.max_pool2d_backward(dy, arg, x_shape, kernel, stride, padding),
        naive.max_pool2d_backward(dy, arg, x_shape, kernel, stride, padding),
        rtol=0,
        atol=1e-10,
    )


@given(window_problems())
def test_avg_pool_agrees(problem):
    x_shape, kernel, stride, padding, rng = problem
    x = rng.standard_normal(x_shape)
    y = vectorised.avg_pool2d_forward(x, kernel, stride, padding)
    np.testing.assert_allclose(
        y, naive.avg_pool2d_forward(x, kernel, stride, padding), rtol=0, atol=1e-10
    )
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(
        vectorised.avg_pool2d_backward(dy, x_shape, kernel, stride, padding),
        naive.avg_pool2d_backward(dy, x_shape, kernel, stride, padding),
        rtol=0,
        atol=1e-10,
    )


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_keep_the_dtype(name, dtype):
    with mc.backend(name):
        k = kernels()
    x = np.ones((2, 3, 6, 6), dtype=dtype)
    assert k.im2col(x, (3, 3), (1, 1), (1, 1)).dtype == dtype
    assert k.col2im(np.ones((27, 72), dtype), x.shape, (3, 3), (1, 1), (1, 1)).dtype == dtype
    y, arg = k.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert y.dtype == dtype
    assert k.max_pool2d_backward(y, arg, x.shape, (2, 2), (2, 2), (0, 0)).dtype == dtype
    assert k.avg_pool2d_forward(x, (2, 2), (2, 2), (0, 0)).dtype == dtype
    assert k.avg_pool2d_backward(y, x.shape, (2, 2), (2, 2), (0, 0)).dtype == dtype
