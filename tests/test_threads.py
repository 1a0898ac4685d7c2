"""mc.set_num_threads and the default thread count: what they decide, not how fast
(unit tests never time anything)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minicnn as mc
from minicnn import threads


@pytest.fixture
def fresh_threads(monkeypatch):
    """Forget any decision, clear the environment variables, restore afterwards."""
    for var in threads.ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    saved = threads._num_threads
    threads._num_threads = None
    yield monkeypatch
    threads.set_num_threads(saved or 1)
    threads._num_threads = saved


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [
        (1, 0.0, 1),  # nothing to share
        (2, 0.0, 1),  # a small machine: one thread even when idle
        (4, 0.0, 4),  # an idle laptop: every core
        (4, 0.9, 3),  # one core busy elsewhere
        (8, 7.6, 1),  # busy: one thread, never zero
        (8, 30.0, 1),  # oversubscribed
        (64, 0.0, threads.MAX_DEFAULT),  # a big server: capped
    ],
)
def test_default_leaves_busy_cores_alone(cores, load, expected):
    assert threads.default_num_threads(cores, load) == expected


def test_set_num_threads_is_what_get_returns(fresh_threads):
    mc.set_num_threads(3)
    assert mc.get_num_threads() == 3
    assert threads.chunks(10) == [(0, 3), (3, 6), (6, 10)]
    assert threads.chunks(2) == [(0, 1), (1, 2)]  # never an empty chunk
    assert threads.chunks(0) == [(0, 0)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, None])
def test_set_num_threads_rejects_what_is_not_a_count(bad):
    with pytest.raises(ValueError, match="set_num_threads needs a whole number >= 1"):
        mc.set_num_threads(bad)


def test_environment_variables_in_order(fresh_threads):
    fresh_threads.setenv("OMP_NUM_THREADS", "3")
    fresh_threads.setenv("MINICNN_NUM_THREADS", "2")
    assert threads.get_num_threads() == 2  # minicnn's own variable wins
    threads._num_threads = None
    fresh_threads.delenv("MINICNN_NUM_THREADS")
    assert threads.get_num_threads() == 3
    mc.set_num_threads(5)  # an explicit call beats the environment
    assert threads.get_num_threads() == 5


@pytest.mark.parametrize("value", ["0", "two", "-3"])
def test_a_bad_environment_variable_says_which_and_how_to_fix_it(fresh_threads, value):
    fresh_threads.setenv("NUMBA_NUM_THREADS", value)
    with pytest.raises(ValueError, match=f"NUMBA_NUM_THREADS={value!r}.*NUMBA_NUM_THREADS=1"):
        threads.get_num_threads()


def test_without_settings_the_default_decides(fresh_threads):
    assert threads.get_num_threads() == threads.default_num_threads()


def test_run_uses_the_pool_and_reraises(fresh_threads):
    mc.set_num_threads(3)
    seen = {}

    def task(i):
        seen[i] = threading.current_thread().name

    threads.run(task, 3)
    assert sorted(seen) == [0, 1, 2]
    assert all(name.startswith("minicnn") for name in seen.values())

    def fails(i):
        if i == 1:
            raise RuntimeError("chunk 1 failed")

    with pytest.raises(RuntimeError, match="chunk 1 failed"):
        threads.run(fails, 3)


def test_one_thread_runs_in_the_callers_thread(fresh_threads):
    mc.set_num_threads(1)
    seen = []
    threads.run_chunks(5, lambda a, z: seen.append((a, z, threading.current_thread())))
    assert seen == [(0, 5, threading.current_thread())]


def test_training_agrees_whatever_the_thread_count(fresh_threads):
    """The same LeNet-5 step with 1 and with 3 threads: the same loss and gradients
    (to float32 rounding: only the order of the per-chunk weight-gradient sums moves)."""
    x = np.random.default_rng(0).random((7, 1, 28, 28), dtype=np.float32)
    y = np.arange(7) % 10
    grads = []
    for n in (1, 3):
        mc.set_num_threads(n)
        mc.manual_seed(0)
        model, loss = mc.zoo.lenet5(), mc.SoftmaxCrossEntropy()
        loss(model.forward(x), y)
        model.backward(loss.backward())
        grads.append([p.grad.copy() for p in model.parameters()])
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_blas_gets_one_thread_once_a_kernel_runs(monkeypatch):
    """minicnn's threads each call BLAS: a multi-threaded BLAS inside them would
    oversubscribe the cores. Every BLAS library, scipy's (which numba's np.dot calls)
    included, is asked for one thread when the first fused kernel runs."""
    threadpoolctl = pytest.importorskip(
        "threadpoolctl", reason="threadpoolctl is how minicnn sets BLAS's thread count"
    )
    threadpoolctl.threadpool_limits(2, user_api="blas")  # as if a user had asked for 2
    monkeypatch.setattr(threads, "_blas_limited", False)
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    with mc.backend("numba"):
        mc.zoo.lenet5().forward(x)
    pools = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    assert pools and all(p["num_threads"] == 1 for p in pools), pools
