"""Memory safety below the layers: a wrong argument to a functional pair is an error.

Students call the functional pairs directly (lab 6, notebook 02), with nobody between
them and the kernels: a wrong-shaped ``dy`` once made the numba backend abort the
interpreter ("double free or corruption"), segfault, or return gradients around 1e282
read from past a buffer, and a batch-norm ``gamma`` of the wrong shape returned values
up to 1e276. Every case below must now end in a ``ValueError`` or ``TypeError`` with a
message, on every backend.

The cases run in a child process per backend, so that a crash fails the test (with the
name of the case that crashed) instead of taking pytest down with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

CLEAN = (ValueError, TypeError)


def _rng():
    return np.random.default_rng(0)


def _x(*shape):
    return _rng().standard_normal(shape).astype(np.float32)


def _wrong_dys(y):
    """dy's that are not the forward output's gradient: too large, too few images,
    another channel count, another rank, integers, a list, a scalar."""
    shape = y.shape
    bigger = (
        shape[:2] + tuple(2 * n for n in shape[2:]) if len(shape) > 2 else (shape[0], 2 * shape[1])
    )
    return {
        "bigger": np.ones(bigger, y.dtype),
        "fewer_images": np.ones((max(shape[0] - 1, 0), *shape[1:]), y.dtype),
        "more_images": np.ones((shape[0] + 3, *shape[1:]), y.dtype),
        "other_channels": np.ones((shape[0], shape[1] + 1, *shape[2:]), y.dtype),
        "other_rank": np.ones(shape[:-1], y.dtype),
        "broadcastable": np.ones((1,) * len(shape), y.dtype),
        "integers": np.ones(shape, np.int64),
        "list": np.ones(shape, y.dtype).tolist(),
        "scalar": 1.0,
    }


def functional_pairs():
    """(name, forward thunk returning (y, cache), backward(dy, cache)) for every pair."""
    import minicnn.functional as F

    x4 = _x(2, 4, 8, 8)
    w = _x(3, 4, 3, 3)
    return [
        ("conv2d", lambda: F.conv2d_forward(x4, w, np.zeros(3, np.float32), 1, 1), F.conv2d_backward),
        ("conv2d_grouped", lambda: F.conv2d_forward(x4, _x(4, 2, 3, 3), None, 2, 1, 2, 2),
         F.conv2d_backward),
        ("max_pool2d", lambda: F.max_pool2d_forward(x4, 2), F.max_pool2d_backward),
        ("max_pool2d_overlap", lambda: F.max_pool2d_forward(x4, 3, 2, 1), F.max_pool2d_backward),
        ("avg_pool2d", lambda: F.avg_pool2d_forward(x4, 2), F.avg_pool2d_backward),
        ("global_avg_pool2d", lambda: F.global_avg_pool2d_forward(x4), F.global_avg_pool2d_backward),
        ("relu", lambda: F.relu_forward(x4), F.relu_backward),
        ("leaky_relu", lambda: F.leaky_relu_forward(x4), F.leaky_relu_backward),
        ("sigmoid", lambda: F.sigmoid_forward(x4), F.sigmoid_backward),
        ("tanh", lambda: F.tanh_forward(x4), F.tanh_backward),
        ("linear", lambda: F.linear_forward(_x(2, 5), _x(3, 5), None), F.linear_backward),
        ("flatten", lambda: F.flatten_forward(x4), F.flatten_backward),
        ("dropout_train", lambda: F.dropout_forward(x4, 0.5, True, _rng()), F.dropout_backward),
        ("dropout_eval", lambda: F.dropout_forward(x4, 0.5, False, _rng()), F.dropout_backward),
        ("batch_norm_train", lambda: F.batch_norm_forward(x4, *_bn(4), True), F.batch_norm_backward),
        ("batch_norm_eval", lambda: F.batch_norm_forward(x4, *_bn(4), False), F.batch_norm_backward),
        ("local_response_norm", lambda: F.local_response_norm_forward(x4, 3),
         F.local_response_norm_backward),
        ("pad_shortcut", lambda: F.pad_shortcut_forward(x4, 6, 2),
         lambda dy, shape: F.pad_shortcut_backward(dy, shape, 2)),
        ("upsample", lambda: F.upsample_forward(x4, (2, 2), "bilinear"), F.upsample_backward),
        ("concat", lambda: F.concat_forward([x4, x4[:, :2]]), F.concat_backward),
        ("conv_transpose2d", lambda: F.conv_transpose2d_forward(x4, _x(4, 3, 3, 3), None, 2, 1, 1),
         F.conv_transpose2d_backward),
    ]  # fmt: skip


def _bn(C, dtype=np.float32):
    """gamma, beta, running_mean, running_var for C channels."""
    return np.ones(C, dtype), np.zeros(C, dtype), np.zeros(C, dtype), np.ones(C, dtype)


def _wrong_parameters():
    """(name, call) forwards with parameters of the wrong shape, dtype or range."""
    import minicnn.functional as F

    x4 = _x(2, 4, 8, 8)
    g, b, m, v = _bn(4)
    bn = F.batch_norm_forward
    lrn = F.local_response_norm_forward
    return [
        ("bn_gamma_shape", lambda: bn(x4, np.ones(400, np.float32), b, m, v, True)),
        ("bn_gamma_short", lambda: bn(x4, np.ones(1, np.float32), b, m, v, False)),
        ("bn_beta_2d", lambda: bn(x4, g, np.zeros((4, 1), np.float32), m, v, True)),
        ("bn_gamma_int", lambda: bn(x4, np.ones(4, np.int64), b, m, v, True)),
        ("bn_gamma_list", lambda: bn(x4, [1.0] * 4, b, m, v, True)),
        ("bn_running_mean_shape", lambda: bn(x4, g, b, np.zeros(3, np.float32), v, True)),
        ("bn_running_var_shape", lambda: bn(x4, g, b, m, np.ones(9, np.float32), False)),
        ("bn_eps_negative", lambda: bn(x4, g, b, m, v, True, eps=-1)),
        ("bn_eps_zero", lambda: bn(x4, g, b, m, v, True, eps=0)),
        ("bn_eps_nan", lambda: bn(x4, g, b, m, v, True, eps=float("nan"))),
        ("bn_momentum_5", lambda: bn(x4, g, b, m, v, True, momentum=5)),
        ("bn_eps_tiny", lambda: bn(x4, g, b, m, np.zeros(4, np.float32), False, eps=1e-320)),
        ("bn_running_var_negative", lambda: bn(x4, g, b, m, -v, False)),
        ("bn_momentum_negative", lambda: bn(x4, g, b, m, v, True, momentum=-0.1)),
        ("bn_momentum_huge_int", lambda: bn(x4, g, b, m, v, True, momentum=10**400)),
        ("lrn_size_0", lambda: lrn(x4, 0)),
        ("lrn_size_negative", lambda: lrn(x4, -3)),
        ("lrn_size_float", lambda: lrn(x4, 2.5)),
        ("lrn_alpha_negative", lambda: lrn(x4, 5, alpha=-1.0)),
        ("lrn_k_zero", lambda: lrn(x4, 5, k=0.0)),
        ("lrn_alpha_overflow", lambda: lrn(x4, 5, alpha=4.79e38)),
        ("conv_bias_shape", lambda: F.conv2d_forward(x4, _x(3, 4, 3, 3), np.zeros(7, np.float32))),
        ("conv_bias_int", lambda: F.conv2d_forward(x4, _x(3, 4, 3, 3), np.zeros(3, np.int64))),
        ("linear_bias_shape", lambda: F.linear_forward(_x(2, 5), _x(3, 5), np.zeros(2, np.float32))),
        ("leaky_relu_slope", lambda: F.leaky_relu_forward(x4, "0.1")),
        ("dropout_rng", lambda: F.dropout_forward(x4, 0.5, True, 0)),
        ("pad_shortcut_fewer_channels", lambda: F.pad_shortcut_forward(x4, 2, 2)),
        ("pad_shortcut_stride_0", lambda: F.pad_shortcut_forward(x4, 6, 0)),
        ("concat_empty", lambda: F.concat_forward([])),
        ("conv_padding_beyond_64_bits", lambda: F.conv2d_forward(x4, _x(3, 4, 3, 3), None, 10**400, 10**400)),
        ("pool_padding_beyond_64_bits", lambda: F.max_pool2d_forward(x4, 2 * 10**400 + 1, 1, 10**400)),
        ("svm_margin_overflow", lambda: F.multiclass_svm(_x(2, 3), np.array([0, 1]), 1e300)),
        ("concat_ints", lambda: F.concat_forward([x4, np.ones((2, 1, 8, 8), np.int64)])),
    ]  # fmt: skip


def _kernel_calls():
    """The numba kernels' own entry checks, the second line behind the functional ones:
    called directly with buffers that do not match."""
    from minicnn.kernels import compiled

    x4 = _x(2, 4, 8, 8)
    y, argmax = compiled.max_pool2d_forward(x4, (2, 2), (2, 2), (0, 0))
    wild = argmax.copy()
    wild[0, 0, 0, 0] = 10**6  # an index far outside its 2x2 window
    negative = argmax.copy()
    negative[1, 3, 3, 3] = -5
    return [
        ("k_col2im_cols", lambda: compiled.col2im(np.ones((36, 10), np.float32), x4.shape, (3, 3), (1, 1), (1, 1))),
        ("k_max_pool_dy", lambda: compiled.max_pool2d_backward(np.ones((2, 4, 8, 8), np.float32), argmax,
                                                         x4.shape, (2, 2), (2, 2), (0, 0))),
        ("k_max_pool_argmax_shape", lambda: compiled.max_pool2d_backward(y, argmax[:1], x4.shape, (2, 2),
                                                                   (2, 2), (0, 0))),
        ("k_max_pool_argmax_wild", lambda: compiled.max_pool2d_backward(y, wild, x4.shape, (2, 2), (2, 2), (0, 0))),
        ("k_max_pool_argmax_negative", lambda: compiled.max_pool2d_backward(y, negative, x4.shape, (2, 2),
                                                                      (2, 2), (0, 0))),
        ("k_avg_pool_dy", lambda: compiled.avg_pool2d_backward(np.ones((1, 4, 4, 4), np.float32), x4.shape,
                                                         (2, 2), (2, 2), (0, 0))),
        ("k_conv_forward_channels", lambda: compiled.conv2d_forward(x4, _x(3, 5, 3, 3), None, (1, 1), (1, 1))),
        ("k_conv_forward_bias", lambda: compiled.conv2d_forward(x4, _x(3, 4, 3, 3), np.zeros(9, np.float32),
                                                                (1, 1), (1, 1))),
        ("k_conv_backward_dy", lambda: compiled.conv2d_backward(np.ones((2, 3, 16, 16), np.float32), x4,
                                                                _x(3, 4, 3, 3), (1, 1), (1, 1))),
        ("k_conv_backward_fewer", lambda: compiled.conv2d_backward(np.ones((1, 3, 8, 8), np.float32), x4,
                                                                   _x(3, 4, 3, 3), (1, 1), (1, 1))),
        ("k_bn_normalize_gamma", lambda: compiled.batch_norm_normalize(x4, *(np.ones(2, np.float32),) * 4)),
        ("k_bn_backward_xhat", lambda: compiled.batch_norm_backward(x4, x4[:1], np.ones(4, np.float32), True)),
        ("k_bn_backward_scale", lambda: compiled.batch_norm_backward(x4, x4, np.ones(1, np.float32), True)),
    ]  # fmt: skip


def cases(backend: str):
    """Every (name, call) the child runs on ``backend``."""
    out = []
    for name, forward, backward in functional_pairs():
        for kind, dy in _wrong_dys(forward()[0]).items():
            if name == "pad_shortcut" and kind == "other_channels":
                continue  # the cache holds C_in only: any C_out >= C_in is some forward's output
            out.append((f"{name}/{kind}", lambda f=forward, b=backward, d=dy: b(d, f()[1])))
    out += _wrong_parameters()
    if backend == "numba":
        out += _kernel_calls()
    return out


def run_child(backend: str) -> None:
    """In the child: run every case, one JSON line each, flushed before the next one
    starts, so that the parent knows which case a crash interrupted."""
    import minicnn as mc

    mc.set_backend(backend)
    for name, call in cases(backend):
        print(json.dumps({"start": name}), flush=True)
        try:
            call()
            result = {"case": name, "outcome": "returned"}
        except CLEAN as err:
            result = {"case": name, "outcome": "clean", "message": str(err)}
        except Exception as err:  # noqa: BLE001 - reported to the parent, which fails
            result = {"case": name, "outcome": "raw", "message": f"{type(err).__name__}: {err}"}
        print(json.dumps(result), flush=True)


@pytest.mark.parametrize("backend", ["naive", "numpy", "numba"])
def test_wrong_gradients_and_parameters_give_a_clean_error_on_every_backend(backend):
    import minicnn

    # the child tests the minicnn this pytest imported (a checkout, not an installed copy)
    root = os.path.dirname(os.path.dirname(minicnn.__file__))
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": path}
    proc = subprocess.run(
        [sys.executable, __file__, backend], capture_output=True, text=True, env=env, timeout=600
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    started = [line["start"] for line in lines if "start" in line]
    assert proc.returncode == 0, (
        f"the child crashed (exit {proc.returncode}) in case {started[-1] if started else '?'}:"
        f"\n{proc.stderr[-2000:]}"
    )
    results = [line for line in lines if "case" in line]
    assert len(results) == len(started) > 100
    bad = [r for r in results if r["outcome"] != "clean" or not r["message"].strip()]
    assert not bad, "\n".join(f"{r['case']}: {r['outcome']} {r.get('message', '')}" for r in bad)


def test_a_right_gradient_still_works_after_the_checks():
    """The checks refuse only what is wrong: the right dy, in float32 or float64."""
    for _, forward, backward in functional_pairs():
        y, cache = forward()
        backward(np.ones_like(y), cache)
        backward(np.ones(y.shape, np.float64), forward()[1])


def test_lrn_with_a_huge_alpha_is_refused_or_its_gradient_finite():
    """LocalResponseNorm(size=5, alpha=4.79e+38) once gave a NaN gradient. Now an
    alpha whose s overflows float32 is refused in forward, and one that fits gives a
    finite gradient (the constant 2·alpha·beta/size, 2.4e38·x, no longer overflows)."""
    import minicnn as mc

    x4 = _rng().standard_normal((2, 2, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="overflows float32.*alpha ≈ 1e-4"):
        mc.LocalResponseNorm(size=5, alpha=4.79e38, beta=1.0)(x4)
    layer = mc.LocalResponseNorm(size=5, alpha=3e38, beta=2.0, k=2.0)
    y = layer(np.full((1, 1, 2, 2), 1.6, np.float32))
    dx = layer.backward(np.ones_like(y))
    assert np.isfinite(y).all() and np.isfinite(dx).all()


if __name__ == "__main__":
    run_child(sys.argv[1])
