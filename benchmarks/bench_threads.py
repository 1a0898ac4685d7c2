"""minicnn with 1, 2, ... threads (mc.set_num_threads), interleaved in one process.

What the default thread count (minicnn/threads.py) rests on: the training throughput
of LeNet-5 and ResNet-20 for each thread count, the thread counts taking turns in
every repetition, and the machine's load average before and after, since the answer
depends on whether other processes compete for the cores. BLAS gets one thread
throughout (minicnn parallelises over images, see minicnn/threads.py).

    python benchmarks/bench_threads.py
    python benchmarks/bench_threads.py --counts 1 2 4 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import time

import common
import peers


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--counts", type=int, nargs="+", default=[1, os.cpu_count()])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--lenet-images", type=int, default=2048)
    p.add_argument("--resnet-images", type=int, default=256)
    args = p.parse_args(argv)
    common.limit_threads(1)  # BLAS: one thread; minicnn's own count is set below

    import numpy as np

    import minicnn as mc

    rng = np.random.default_rng(0)
    work = {
        "LeNet-5 batch 64": ("lenet5", 64, (args.lenet_images, 1, 28, 28)),
        "LeNet-5 batch 256": ("lenet5", 256, (args.lenet_images, 1, 28, 28)),
        "ResNet-20 batch 128": ("resnet20", 128, (args.resnet_images, 3, 32, 32)),
    }
    load_start = os.getloadavg()
    result = {}
    for name, (model, batch, shape) in work.items():
        x = rng.standard_normal(shape, dtype=np.float32)
        y = rng.integers(0, 10, shape[0])
        runner = peers.Minicnn("numba", model)
        runner.train_epoch(x[: 2 * batch], y[: 2 * batch], batch, rng)  # compile / load
        rates = {n: [] for n in args.counts}
        for _ in range(args.repeats):
            for n in args.counts:
                mc.set_num_threads(n)
                start = time.perf_counter()
                runner.train_epoch(x, y, batch, rng)
                rates[n].append(len(x) / (time.perf_counter() - start))
        result[name] = {n: common.summarize(r) for n, r in rates.items()}
        cells = "  ".join(
            f"{n} thread(s): {s['median']:7.0f} images/s (±{s['spread_pct']:.0f}%)"
            for n, s in result[name].items()
        )
        print(f"{name:22s} {cells}", flush=True)
    print(
        f"load average (1, 5, 15 min) before {[round(v, 2) for v in load_start]}, after "
        f"{[round(v, 2) for v in os.getloadavg()]}; {common.machine_info(1)['usable_cores']} "
        f"usable cores"
    )
    print(json.dumps({k: {n: s["median"] for n, s in v.items()} for k, v in result.items()}))


if __name__ == "__main__":
    main()
