"""Start-up cost: ``import minicnn`` and the first forward+backward, in fresh processes.

Numba compiles a kernel the first time it runs for a dtype and caches the machine
code on disk. Each scenario below is a new Python process; NUMBA_CACHE_DIR points
at an empty temporary directory for a cold start (everything compiles) and at
the same directory again for a warm one (everything loads from the cache).

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import common

# The child: time the import, then either one LeNet-5 training step (what a user
# does first) or every kernel in float32 and float64 (the whole compile bill).
CHILD = textwrap.dedent("""
    import json, sys, time
    start = time.perf_counter()
    import numpy as np
    import minicnn as mc
    imported = time.perf_counter()
    if sys.argv[1] == "lenet":
        model, loss = mc.zoo.lenet5(), mc.SoftmaxCrossEntropy()
        x = np.random.default_rng(0).random((64, 1, 28, 28), dtype=np.float32)
        loss(model.forward(x), np.arange(64) % 10)
        model.backward(loss.backward())
    else:
        from minicnn.backend import kernels
        k = kernels()
        for dtype in (np.float32, np.float64):
            x = np.ones((2, 3, 8, 8), dtype)
            cols = k.im2col(x, (3, 3), (1, 1), (1, 1))
            k.col2im(cols, x.shape, (3, 3), (1, 1), (1, 1))
            y, arg = k.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
            k.max_pool2d_backward(y, arg, x.shape, (2, 2), (2, 2), (0, 0))
            k.avg_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
            k.avg_pool2d_backward(y, x.shape, (2, 2), (2, 2), (0, 0))
            if k.conv2d_forward is not None and k.batch_norm_statistics is not None:  # numba
                w = np.ones((4, 3, 3, 3), dtype)
                y = k.conv2d_forward(x, w, np.ones(4, dtype), (1, 1), (1, 1))
                k.conv2d_backward(y, x, w, (1, 1), (1, 1))
                mean, var = k.batch_norm_statistics(x)
                x_hat, y = k.batch_norm_normalize(x, mean, var, mean, var)
                k.batch_norm_backward(y, x_hat, var, True)
    done = time.perf_counter()
    print(json.dumps({"import_s": imported - start, "first_step_s": done - imported,
                      "backend": mc.get_backend()}))
""")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="processes per scenario")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    return p.parse_args(argv)


def run_child(work: str, backend: str, cache_dir: str) -> dict:
    env = {
        **os.environ,
        "MINICNN_BACKEND": backend,
        "NUMBA_CACHE_DIR": cache_dir,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(common.ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, work], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["total_s"] = time.perf_counter() - start
    return result


def main(argv=None) -> None:
    args = parse_args(argv)
    common.limit_threads(args.threads)
    # scenario -> (work, backend, fresh cache directory each time?)
    scenarios = {
        "numba, cold cache: LeNet-5 step": ("lenet", "numba", True),
        "numba, warm cache: LeNet-5 step": ("lenet", "numba", False),
        "numba, cold cache: all kernels, float32 + float64": ("all", "numba", True),
        "numba, warm cache: all kernels, float32 + float64": ("all", "numba", False),
        "numpy backend: LeNet-5 step": ("lenet", "numpy", False),
    }
    runs = {name: [] for name in scenarios}
    with tempfile.TemporaryDirectory(prefix="minicnn-startup-") as tmp:
        shared = {work: os.path.join(tmp, f"warm-{work}") for work in ("lenet", "all")}
        for work, path in shared.items():  # fill the warm caches
            run_child(work, "numba", path)
        for rep in range(args.repeats):
            for name, (work, backend, cold) in scenarios.items():
                cache = os.path.join(tmp, f"cold-{rep}-{work}") if cold else shared[work]
                runs[name].append(run_child(work, backend, cache))
                r = runs[name][-1]
                print(
                    f"  {name:52s} import {r['import_s']:6.3f} s  first step "
                    f"{r['first_step_s']:6.3f} s  process {r['total_s']:6.3f} s"
                )
    result = {
        "command": "python benchmarks/bench_startup.py " + " ".join(argv or sys.argv[1:]),
        "machine": common.machine_info(args.threads),
        "repeats": args.repeats,
        "scenarios": {
            name: {
                key: common.summarize([r[key] for r in rs])
                for key in ("import_s", "first_step_s", "total_s")
            }
            for name, rs in runs.items()
        },
    }
    result["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    print(f"wrote {common.save('startup', result)}")


if __name__ == "__main__":
    main()
