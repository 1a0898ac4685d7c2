"""Data parallelism, shown: two processes with 32 images each take the steps of one
process with 64. The lesson is docs/distributed.md (Korean: docs/distributed.ko.md).

    python examples/distributed_lesson.py                              # step 1: one process
    mpiexec -n 2 python examples/distributed_lesson.py --distributed   # step 2: two

Step 1 trains a small CNN with batches of 64 for 300 steps. Step 2 starts the same
script twice; each copy (a *rank*) takes its half of every batch (DistributedSampler),
and after each backward the two average their gradients (DistributedDataParallel: one
Allreduce). Rank 0 then trains the one-process model of step 1 as well and prints how
far apart the two results are: about 1e-15 in float64, i.e. floating-point rounding.

``--out DIR`` saves each rank's final weights as DIR/rank<r>.npz (tests/test_distributed.py
compares them with the one-process run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # two processes on two cores: one each

import numpy as np  # noqa: E402

import minicnn as mc  # noqa: E402
from minicnn.distributed import DistributedDataParallel, DistributedSampler  # noqa: E402

BATCH = 64  # the whole batch: per process it is BATCH / number of processes
EPOCHS = 30  # 640 images / 64 = 10 steps an epoch: 300 steps


def make_data(n: int = 640, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n noisy 8×8 images of 4 classes (a bright bar in one of 4 places), float64."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    x = rng.normal(0.0, 0.5, (n, 1, 8, 8))
    for c in range(4):
        x[y == c, 0, 2 * c : 2 * c + 2, :] += 1.0
    return x, y


def make_model() -> mc.Sequential:
    return mc.Sequential(
        mc.Conv2D(1, 4, 3, padding=1),
        mc.ReLU(),
        mc.MaxPool2D(2),
        mc.Flatten(),
        mc.Linear(4 * 4 * 4, 4),
    ).to(np.float64)  # float64: the two runs then agree to ~1e-15, not ~1e-6


def train(comm=None, batch: int = BATCH, epochs: int = EPOCHS) -> tuple[mc.Sequential, float]:
    """Train on make_data() with a whole batch of ``batch``; with an MPI ``comm`` of R
    processes each takes batch / R of it. Returns (model, seconds spent in Allreduce)."""
    ranks, me = (1, 0) if comm is None else (comm.Get_size(), comm.Get_rank())
    x, y = make_data()
    # Every rank draws different initial weights on purpose: DistributedDataParallel
    # copies rank 0's to all, so the result must not depend on them.
    mc.manual_seed(me)
    model = make_model()
    net = model if comm is None else DistributedDataParallel(model, comm)
    # The same permutation on every rank (seed + epoch); rank r takes every R-th index.
    sampler = DistributedSampler(x, num_replicas=ranks, rank=me, seed=0)
    loader = mc.data.DataLoader(x, y, batch_size=batch // ranks, sampler=sampler)
    optimizer = mc.SGD(model.parameters(), lr=0.1, momentum=0.9)
    mc.fit(net, mc.SoftmaxCrossEntropy(), optimizer, loader, epochs=epochs, verbose=0)
    return model, getattr(net, "allreduce_seconds", 0.0)


def largest_difference(a: mc.Layer, b: mc.Layer) -> float:
    """max |a - b| over every weight of two models of the same architecture."""
    sa, sb = a.state_dict(), b.state_dict()
    return max(float(np.max(np.abs(sa[k] - sb[k]))) for k in sa)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--distributed", action="store_true", help="run under mpiexec -n R")
    p.add_argument("--out", default=None, help="save each rank's weights as OUT/rank<r>.npz")
    args = p.parse_args(argv)
    comm = mc.distributed.world() if args.distributed else None
    me = 0 if comm is None else comm.Get_rank()
    start = time.perf_counter()
    model, allreduce_seconds = train(comm)
    seconds = time.perf_counter() - start
    if args.out is not None:
        os.makedirs(args.out, exist_ok=True)
        np.savez(os.path.join(args.out, f"rank{me}.npz"), **model.state_dict())
    if me != 0:
        return 0
    ranks = 1 if comm is None else comm.Get_size()
    x, y = make_data()
    accuracy = float(np.mean(mc.predict(model, x) == y))
    print(
        f"{ranks} process(es), {BATCH // ranks} images each per step: "
        f"training accuracy {accuracy:.1%} after {EPOCHS * len(x) // BATCH} steps, "
        f"{seconds:.2f} s ({allreduce_seconds:.2f} s in Allreduce)"
    )
    if comm is not None:
        one, _ = train(None)  # the one-process run, batch 64, here on rank 0
        print(
            f"largest difference to one process with batch {BATCH}: "
            f"{largest_difference(model, one):.1e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
