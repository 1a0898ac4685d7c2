"""Where a minicnn training step spends its time: cProfile over a few steps.

    python benchmarks/profile_train.py --model lenet5 --batch 64
    python benchmarks/profile_train.py --model resnet20 --batch 128 --steps 3

Prints the functions with the most time of their own (``tottime``): numba kernels
show up as one call each, NumPy's matrix products as ``numpy.matmul`` (or the
``@`` inside the calling function: C code without a Python frame counts toward
its caller's own time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import common
import peers


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=("lenet5", "resnet20"), default="lenet5")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument(
        "--backend",
        default="numba",
        choices=("numba", "numba-tuned", "numba-unfused", "numpy", "naive"),
        help="numba-unfused: numba with its fused paths hidden (what minicnn did before them)",
    )
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--top", type=int, default=25)
    args = p.parse_args(argv)
    common.limit_threads(args.threads)

    import numpy as np

    rng = np.random.default_rng(0)
    shape = (1, 28, 28) if args.model == "lenet5" else (3, 32, 32)
    x = rng.standard_normal((args.batch * args.steps, *shape), dtype=np.float32)
    y = rng.integers(0, 10, len(x))
    runner = peers.Minicnn(args.backend, args.model)
    runner.train_epoch(x[: 2 * args.batch], y[: 2 * args.batch], args.batch, rng)  # compile
    # CPU time of the process, not wall time: on a shared machine the wait for a core
    # would otherwise be charged to whichever function was running.
    profile = cProfile.Profile(time.process_time)
    profile.enable()  # (train_epoch hides the fused paths itself for numba-unfused)
    runner.train_epoch(x, y, args.batch, rng)
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(
        f"{args.model} batch {args.batch}, {args.steps} steps on {args.backend}: "
        f"{total:.3f} s of CPU time"
    )
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
