"""How many CPU threads minicnn uses, and the pool that runs them.

minicnn parallelises over the images of a batch, never inside a matrix product: the
fast kernels (``kernels/compiled.py``) split a batch into one contiguous chunk per thread,
each chunk writes only its own slice of the output, and numba releases the GIL
while a chunk runs, so plain Python threads run them in parallel. The matrix
products inside a chunk are small (one image), so BLAS gets one thread: a
multi-threaded BLAS called from several threads at once only competes with itself.

How many threads, the first one that applies:

1. ``mc.set_num_threads(n)``;
2. the environment variable ``MINICNN_NUM_THREADS``, then the usual ones:
   ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``;
3. otherwise a default from the machine
   ([`default_num_threads`][minicnn.threads.default_num_threads]): the cores this process may use
   that are idle (load average) at start-up, at most 8, and a
   single thread on a machine with 2 cores or fewer.

Why so careful: on a machine whose cores are all busy, a thread that waits for a
slow partner at every layer makes a training step 5–20× slower (measured with
numba's parallel loops and with multi-threaded BLAS, see docs/architecture.md,
"Threads"), while one thread loses at most the speed-up it could have had.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

ENV_VARS = (
    "MINICNN_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)
MAX_DEFAULT = 8  # images per batch are few; more threads mostly wait on memory

_num_threads: int | None = None  # None: not decided yet (read on first use)
_pool: ThreadPoolExecutor | None = None
_blas_limited = False
_lock = threading.Lock()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else os.cpu_count()."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_num_threads(cores: int | None = None, load: float | None = None) -> int:
    """The default without a setting: 1 on a machine with 2 cores or fewer, else the
    cores not already busy (``cores`` − 1-minute load average, rounded), between 1 and
    ``MAX_DEFAULT``. ``cores`` and ``load`` default to this machine's."""
    cores = usable_cores() if cores is None else cores
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if cores <= 2:
        return 1
    return max(1, min(MAX_DEFAULT, cores, round(cores - load)))


def _from_environment() -> int | None:
    for var in ENV_VARS:
        text = os.environ.get(var, "").strip()
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            raise ValueError(
                f"minicnn: the environment variable {var}={text!r} must be a whole "
                f"number of threads (1 or more); unset it or set e.g. {var}=1"
            ) from None
        if value < 1:
            raise ValueError(
                f"minicnn: the environment variable {var}={text!r} must be 1 or more; "
                f"unset it or set e.g. {var}=1"
            )
        return value
    return None


def get_num_threads() -> int:
    """The number of threads minicnn's kernels use (see the module docstring)."""
    global _num_threads
    if _num_threads is None:
        from_env = _from_environment()
        _num_threads = default_num_threads() if from_env is None else from_env
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (1 or more) for minicnn's kernels from now on, as
    ``torch.set_num_threads``. Results agree to rounding whatever ``n``: each thread
    computes whole images; only the order in which the per-chunk sums of a weight
    gradient are added changes."""
    global _num_threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads needs a whole number >= 1, got {n!r}")
    with _lock:
        _num_threads = n
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def _one_blas_thread() -> None:
    """Ask every BLAS library (numpy's, and scipy's that numba calls) for one thread,
    once, via threadpoolctl when it is installed (otherwise the environment variables
    decide, read when each library loads). Without this, scipy's BLAS, loaded on the
    first fused kernel, took every core from inside each of minicnn's threads: measured
    ResNet-20 training at 2 threads on a busy 2-core machine fell from ~25 to 2 images/s."""
    global _blas_limited
    if _blas_limited:
        return
    _blas_limited = True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    try:  # numba's np.dot calls scipy's BLAS, another library than numpy's: load it first
        importlib.import_module("scipy.linalg.cython_blas")
    except ImportError:
        pass
    threadpool_limits(1, user_api="blas")


def chunks(n_items: int) -> list[tuple[int, int]]:
    """[(start, stop), ...]: ``n_items`` split into about equal contiguous chunks, one
    per thread (fewer when there are fewer items). Always at least one chunk."""
    parts = max(1, min(get_num_threads(), n_items))
    bounds = [i * n_items // parts for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def run(task: Callable[[int], None], n_tasks: int) -> None:
    """Call ``task(0)``, ..., ``task(n_tasks − 1)``, in parallel on the pool when there
    are several, and return when all are done (re-raising the first error)."""
    global _pool
    _one_blas_thread()
    if n_tasks <= 1:
        if n_tasks == 1:
            task(0)
        return
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(get_num_threads(), thread_name_prefix="minicnn")
        pool = _pool
    for future in [pool.submit(task, i) for i in range(n_tasks)]:
        future.result()


def run_chunks(n_items: int, task: Callable[[int, int], None]) -> None:
    """``task(start, stop)`` for every chunk of [`chunks`][minicnn.threads.chunks] (``n_items``), in
    parallel."""
    parts = chunks(n_items)
    run(lambda i: task(*parts[i]), len(parts))
