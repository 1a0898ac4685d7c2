"""Data-parallel scaling: 1 process against 2 (or more) under mpiexec, minicnn's
DistributedDataParallel (one Allreduce of the flat gradient per step).

For each workload and each process count R this script starts
``mpiexec -n R python bench_distributed.py --worker ...``; every rank trains its shard
(DistributedSampler) and rank 0 reports:

- images/s over the timed steps (all ranks' images: the global batch per step);
- the communication share of a step: seconds inside the Allreduce ÷ seconds per step,
  for the slowest and the fastest rank. On one machine the Allreduce itself takes
  microseconds; what it mostly measures is *waiting* for the other rank;
- with ``--time-to-99``: wall time until LeNet-5 reaches 99% on 10,000 held-out MNIST
  images (the last 10,000 of the training file; the first 50,000 train), evaluated
  after every epoch, the global batch fixed and the learning rate scaled with R.

The global batch is fixed (strong scaling): R processes take ``--batch / R`` images
each, so the numbers compare the same training run done by 1 and by R processes.

Workloads: ``lenet5`` on full MNIST (``--mnist-dir``, default /work/shared/data/mnist,
else $MINICNN_DATA; synthetic digits-shaped noise with ``--synthetic``) and
``resnet20`` on synthetic CIFAR-shaped images (3×32×32). Run it on an otherwise idle
machine, one BLAS thread per process, e.g.

    python benchmarks/bench_distributed.py --threads 1
    python benchmarks/bench_distributed.py --threads 1 --time-to-99
    python benchmarks/bench_distributed.py --steps 3 --warmup 1 --out /tmp/d.json  # a smoke run

Results: benchmarks/results/distributed-<threads>threads.json (``--out`` elsewhere).
Benchmarks measure, they do not assert; nothing in the test suite runs this.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import common

DEFAULT_MNIST = "/work/shared/data/mnist"
WORKLOADS = ("lenet5", "resnet20")


# -- one rank's work ---------------------------------------------------------------------------


def load_workload(name: str, args):
    """(x, y, model factory, lr) for a workload; every rank loads the same arrays."""
    import numpy as np

    import minicnn as mc

    if name == "resnet20":
        rng = np.random.default_rng(0)
        x = rng.standard_normal((args.samples, 3, 32, 32), dtype=np.float32)
        return x, rng.integers(0, 10, args.samples), lambda: mc.zoo.cifar_resnet(20), 0.1
    if args.synthetic:
        rng = np.random.default_rng(0)
        x = rng.random((args.samples, 1, 28, 28), dtype=np.float32)
        y = rng.integers(0, 10, args.samples)
    else:
        x, y = mc.data.MNIST(args.mnist_dir, "train").arrays()
    return x, y, lambda: mc.zoo.lenet5(), 0.05


def worker(args) -> None:
    """Under mpiexec: time ``args.steps`` training steps after ``args.warmup``."""
    import minicnn as mc
    from minicnn.distributed import DistributedDataParallel, DistributedSampler, world

    comm = world()
    ranks, me = comm.Get_size(), comm.Get_rank()
    if args.backend:
        mc.set_backend(args.backend)
    x, y, make, lr = load_workload(args.worker, args)
    if args.time_to_99:
        return time_to_99(args, comm, x, y, make, lr)
    mc.manual_seed(0)
    model = make()
    net = DistributedDataParallel(model, comm)
    per_rank = args.batch // ranks
    loader = mc.data.DataLoader(
        x, y, per_rank, sampler=DistributedSampler(x, seed=0), drop_last=True
    )
    optimizer = mc.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss = mc.SoftmaxCrossEntropy()
    batches = endless(loader)
    for _ in range(args.warmup):  # compiles the numba kernels, fills the caches
        xb, yb = next(batches)
        mc.train.train_step(net, loss, optimizer, xb, yb)
    comm.Barrier()
    net.allreduce_seconds = 0.0
    start = time.perf_counter()
    for _ in range(args.steps):
        xb, yb = next(batches)
        mc.train.train_step(net, loss, optimizer, xb, yb)
    seconds = time.perf_counter() - start
    shares = comm.gather(net.allreduce_seconds / seconds, root=0)
    if me == 0:
        report = {
            "workload": args.worker,
            "processes": ranks,
            "batch_per_process": per_rank,
            "global_batch": per_rank * ranks,
            "steps": args.steps,
            "seconds": seconds,
            "images_per_sec": args.steps * per_rank * ranks / seconds,
            "step_ms": 1e3 * seconds / args.steps,
            "allreduce_share_max": max(shares),
            "allreduce_share_min": min(shares),
            "gradient_bytes": int(sum(p.data.nbytes for p in model.parameters())),
            "backend": mc.get_backend(),
        }
        print("RESULT " + json.dumps(report), flush=True)


def endless(loader):
    """Batches of epoch after epoch (a small --samples must not run out of steps)."""
    while True:
        yield from loader


def time_to_99(args, comm, x, y, make, lr) -> None:
    """Train LeNet-5 until 99% on the held-out last 10,000 images (or --max-epochs; a
    fifth of the images when there are fewer than 50,000, as in a smoke run)."""
    import minicnn as mc
    from minicnn.distributed import DistributedDataParallel, DistributedSampler
    from minicnn.recipes_pretrained import milestones

    ranks = comm.Get_size()
    held = min(10_000, len(x) // 5)
    x_train, y_train, x_val, y_val = x[:-held], y[:-held], x[-held:], y[-held:]
    mc.manual_seed(0)
    model = make()
    net = DistributedDataParallel(model, comm)
    # The global batch stays --batch; its learning rate is the recipe's for batch 64
    # scaled by the linear rule, the same for every R, and divided by 10 after 2/3 and
    # 9/10 of --max-epochs as in the pretrained recipe (without the step down, LeNet-5
    # levels off near 98.2% here).
    optimizer = mc.SGD(model.parameters(), lr=lr * args.batch / 64, momentum=0.9)
    scheduler = mc.MultiStepLR(optimizer, milestones(args.max_epochs))
    loader = mc.data.DataLoader(
        x_train,
        y_train,
        args.batch // ranks,
        sampler=DistributedSampler(x_train, seed=0),
        transform=mc.data.RandomShift(2),
        seed=0,
    )
    val = mc.data.DataLoader(x_val, y_val, 1000, shuffle=False)

    class StopAt99(mc.Callback):
        def on_epoch_end(self, epoch, history):
            return history.val_acc[-1] >= 0.99

    start = time.perf_counter()
    history = mc.fit(
        net,
        mc.SoftmaxCrossEntropy(),
        optimizer,
        loader,
        val_loader=val,
        epochs=args.max_epochs,
        scheduler=scheduler,
        callbacks=[StopAt99()],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    if comm.Get_rank() == 0:
        report = {
            "workload": "lenet5-time-to-99",
            "processes": ranks,
            "global_batch": args.batch // ranks * ranks,
            "epochs": len(history),
            "reached": history.val_acc[-1] >= 0.99,
            "val_acc": history.val_acc,
            "seconds": seconds,
            "allreduce_seconds": net.allreduce_seconds,
        }
        print("RESULT " + json.dumps(report), flush=True)


# -- the driver ----------------------------------------------------------------------------------


def mpiexec() -> str:
    launcher = Path(sys.executable).parent / "mpiexec"
    if launcher.exists():
        return str(launcher)
    from shutil import which

    found = which("mpiexec")
    if not found:
        sys.exit("mpiexec not found: pip install 'minicnn-course[distributed]' (the mpich wheel)")
    return found


def run(processes: int, worker_args: list[str]) -> dict:
    """Start the ranks, return rank 0's RESULT line."""
    command = [mpiexec(), "-n", str(processes), sys.executable, __file__, *worker_args]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    p.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    p.add_argument("--batch", type=int, default=128, help="global batch (all processes)")
    p.add_argument("--steps", type=int, default=50, help="timed steps per run")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps before them")
    p.add_argument("--samples", type=int, default=10_000, help="synthetic images")
    p.add_argument("--threads", type=int, default=1, help="BLAS and numba threads per process")
    p.add_argument("--backend", default=None, help="minicnn backend (default: minicnn's)")
    p.add_argument("--mnist-dir", default=None, help=f"MNIST files (default {DEFAULT_MNIST})")
    p.add_argument("--synthetic", action="store_true", help="LeNet-5 on noise, not MNIST")
    p.add_argument("--time-to-99", action="store_true", help="also time LeNet-5 to 99%%")
    p.add_argument("--max-epochs", type=int, default=12, help="epochs of the --time-to-99 schedule")
    p.add_argument("--out", default=None, help="results file (default: benchmarks/results/)")
    p.add_argument("--worker", choices=WORKLOADS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.mnist_dir is None and Path(DEFAULT_MNIST).is_dir():
        args.mnist_dir = DEFAULT_MNIST
    if args.worker:
        worker(args)
        return

    common.limit_threads(args.threads)  # inherited by the mpiexec children
    shared = ["--batch", str(args.batch), "--steps", str(args.steps)]
    shared += ["--warmup", str(args.warmup), "--samples", str(args.samples)]
    shared += ["--max-epochs", str(args.max_epochs)]
    shared += ["--backend", args.backend] if args.backend else []
    shared += ["--mnist-dir", args.mnist_dir] if args.mnist_dir else []
    shared += ["--synthetic"] if args.synthetic else []
    results = []
    jobs = [(w, []) for w in args.workloads]
    if args.time_to_99:
        jobs.append(("lenet5", ["--time-to-99"]))
    for workload, extra in jobs:
        for n in args.processes:
            r = run(n, ["--worker", workload, *shared, *extra])
            results.append(r)
            print(summary_line(r), flush=True)
    payload = {"machine": common.machine_info(args.threads), "results": results}
    payload["command"] = " ".join(
        ["python", "benchmarks/bench_distributed.py", *(argv or sys.argv[1:])]
    )
    out = Path(args.out) if args.out else common.RESULTS / f"distributed-{args.threads}threads.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"Wrote {out}")


def summary_line(r: dict) -> str:
    if r["workload"] == "lenet5-time-to-99":
        verdict = "reached 99%" if r["reached"] else f"stopped at {r['val_acc'][-1]:.2%}"
        return (
            f"LeNet-5 to 99%, {r['processes']} process(es), batch {r['global_batch']}: "
            f"{verdict} after {r['epochs']} epoch(s), {r['seconds']:.0f} s"
        )
    return (
        f"{r['workload']}, {r['processes']} process(es) × {r['batch_per_process']} images: "
        f"{r['images_per_sec']:,.0f} images/s, {r['step_ms']:.0f} ms a step, Allreduce "
        f"{100 * r['allreduce_share_min']:.0f}-{100 * r['allreduce_share_max']:.0f}% of it"
    )


if __name__ == "__main__":
    main()
