"""LeNet-5 side by side: minicnn (numba and numpy backends) against PyTorch CPU.

Measures, in ONE process so the ratios share the machine's conditions:
- training throughput (images/s) over whole epochs, shuffling and batch slicing
  included, SGD with momentum, for each batch size;
- inference throughput (eval mode; torch.inference_mode);
- a per-layer forward/backward time breakdown of a minicnn training step.
Frameworks take turns inside every repetition (rep 1: numba, numpy, torch; rep 2:
...), so a burst of load from other processes hits them alike.

Peak memory is measured in a fresh subprocess per framework, so the peaks do not
mix: after one warm-up step the process resets its peak-RSS counter
(``echo 5 > /proc/self/clear_refs``), trains one epoch and reads the new peak
(VmHWM) minus the resident size just before the epoch. The warm-up step uses 2
images: it compiles or loads the kernels and initialises torch, while the
working set of a full batch still counts in the epoch's peak. For minicnn a second
epoch runs under tracemalloc, which sees NumPy's array allocations (PyTorch's
allocator is invisible to it, hence no number there).

    python benchmarks/bench_lenet.py                  # 10k synthetic images
    python benchmarks/bench_lenet.py --fashion        # the first 10k Fashion-MNIST images
    python benchmarks/bench_lenet.py --samples 2000 --repeats 2 --threads 1
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

import common

FRAMEWORKS = ("numba", "numpy", "torch")  # minicnn backends, and the reference


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=10_000, help="images per epoch")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256])
    p.add_argument("--repeats", type=int, default=3, help="epochs timed per configuration")
    p.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count(),
        help="threads for BLAS, numba and torch (default: all cores)",
    )
    p.add_argument(
        "--fashion",
        action="store_true",
        help="train on Fashion-MNIST (/usr/share/datasets/fashion-mnist) instead "
        "of synthetic images",
    )
    p.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    p.add_argument(
        "--layer-steps",
        type=int,
        default=20,
        help="training steps timed for the per-layer breakdown",
    )
    p.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    p.add_argument("--memory-child", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def load_data(samples: int, fashion: bool):
    """x (N, 1, 28, 28) float32 in [0, 1], y (N,) int64, and a description."""
    import numpy as np

    if fashion:
        import minicnn as mc

        x, y = mc.data.FashionMNIST(split="train", download=False).arrays()
        return x[:samples], y[:samples], "Fashion-MNIST train"
    rng = np.random.default_rng(0)
    x = rng.random((samples, 1, 28, 28), dtype=np.float32)
    return x, rng.integers(0, 10, samples), "synthetic 28×28 (uniform noise)"


# -- the two contestants, with the same interface ---------------------------------------


class Minicnn:
    """LeNet-5 from minicnn.zoo on one backend, SGD(lr 0.01, momentum 0.9)."""

    def __init__(self, backend: str):
        import minicnn as mc

        self.mc, self.backend = mc, backend
        mc.manual_seed(0)
        self.model = mc.zoo.lenet5()
        self.loss = mc.SoftmaxCrossEntropy()
        self.opt = mc.SGD(self.model.parameters(), lr=0.01, momentum=0.9)

    def step(self, xb, yb) -> None:
        self.opt.zero_grad()
        self.loss(self.model.forward(xb), yb)
        self.model.backward(self.loss.backward())
        self.opt.step()

    def train_epoch(self, x, y, batch: int, rng) -> None:
        order = rng.permutation(len(x))
        with self.mc.backend(self.backend):
            for start in range(0, len(x), batch):
                idx = order[start : start + batch]
                self.step(x[idx], y[idx])

    def infer(self, x, batch: int) -> None:
        self.model.eval()
        with self.mc.backend(self.backend):
            for start in range(0, len(x), batch):
                self.model.forward(x[start : start + batch])
        self.model.train()

    def layer_times(self, x, y, batch: int, steps: int) -> dict:
        """Median forward and backward ms of each layer (plus loss and optimizer)."""
        layers = [(f"{i} {type(layer).__name__}", layer) for i, layer in enumerate(self.model)]
        names = [name for name, _ in layers] + ["loss", "SGD step + zero_grad"]
        fwd = {n: [] for n in names}
        bwd = {n: [] for n in names}
        clock = time.perf_counter
        with self.mc.backend(self.backend):
            for step in range(steps + 1):  # the first step is a warm-up
                lo = (step * batch) % max(1, len(x) - batch)
                out, yb = x[lo : lo + batch], y[lo : lo + batch]
                times_f, times_b = {}, {}
                for name, layer in layers:
                    t = clock()
                    out = layer.forward(out)
                    times_f[name] = clock() - t
                t = clock()
                self.loss(out, yb)
                times_f["loss"] = clock() - t
                t = clock()
                grad = self.loss.backward()
                times_b["loss"] = clock() - t
                for name, layer in reversed(layers):
                    t = clock()
                    grad = layer.backward(grad)
                    times_b[name] = clock() - t
                t = clock()
                self.opt.step()
                self.opt.zero_grad()
                times_f["SGD step + zero_grad"], times_b["SGD step + zero_grad"] = 0.0, clock() - t
                if step:
                    for n in names:
                        fwd[n].append(times_f[n])
                        bwd[n].append(times_b[n])
        med = {n: (statistics.median(fwd[n]), statistics.median(bwd[n])) for n in names}
        total = sum(f + b for f, b in med.values())
        return {
            n: {"forward_ms": 1e3 * f, "backward_ms": 1e3 * b, "share": (f + b) / total}
            for n, (f, b) in med.items()
        }


class Torch:
    """The same LeNet-5 in PyTorch (ReLU, max pooling, padding 2 on conv1)."""

    def __init__(self, threads: int):
        import torch
        from torch import nn

        torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.torch = torch
        self.model = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(400, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        )
        self.loss = nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)

    def step(self, xb, yb) -> None:
        self.opt.zero_grad()
        self.loss(self.model(xb), yb).backward()
        self.opt.step()

    def train_epoch(self, x, y, batch: int, rng) -> None:
        order = self.torch.from_numpy(rng.permutation(len(x)))
        x, y = self.torch.from_numpy(x), self.torch.from_numpy(y)
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            self.step(x[idx], y[idx])

    def infer(self, x, batch: int) -> None:
        self.model.eval()
        x = self.torch.from_numpy(x)
        with self.torch.inference_mode():
            for start in range(0, len(x), batch):
                self.model(x[start : start + batch])
        self.model.train()


def make(framework: str, threads: int):
    return Torch(threads) if framework == "torch" else Minicnn(framework)


# -- memory: one fresh process per framework ------------------------------------------


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def memory_child(args) -> dict:
    """Run in a subprocess: peak RSS growth during one training epoch (and, for
    minicnn, the tracemalloc peak of a second epoch)."""
    import numpy as np

    x, y, _ = load_data(args.samples, args.fashion)
    runner = make(args.memory_child, args.threads)
    batch = args.batch_sizes[0]
    rng = np.random.default_rng(1)
    # Compile (or load) the kernels and let torch initialise on 2 images, so the
    # baseline holds the code but not yet a batch's working set.
    runner.train_epoch(x[:2], y[:2], 2, rng)
    gc.collect()
    baseline = _status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current RSS
    runner.train_epoch(x, y, batch, rng)
    result = {
        "baseline_rss_mib": baseline / 1024,
        "epoch_peak_rss_mib": (_status_kib("VmHWM") - baseline) / 1024,
        "tracemalloc_peak_mib": None,
    }
    if args.memory_child != "torch":
        tracemalloc.start()
        runner.train_epoch(x, y, batch, rng)
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def measure_memory(args) -> dict:
    results = {}
    for fw in args.frameworks:
        cmd = [
            sys.executable,
            __file__,
            "--memory-child",
            fw,
            "--samples",
            str(args.samples),
            "--threads",
            str(args.threads),
            "--batch-sizes",
            str(args.batch_sizes[0]),
        ]
        cmd += ["--fashion"] if args.fashion else []
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"memory measurement for {fw} failed:\n{done.stderr}", file=sys.stderr)
            continue
        results[fw] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  memory {fw:6s} epoch peak +{results[fw]['epoch_peak_rss_mib']:.1f} MiB RSS")
    return results


# -- the main run ------------------------------------------------------------------------


def throughput(runners, x, y, args, what: str) -> dict:
    """images/s for every framework and batch size, ``args.repeats`` times, in turns."""
    import numpy as np

    rng = np.random.default_rng(0)
    runs = {f"{fw}/{b}": [] for b in args.batch_sizes for fw in runners}
    for rep in range(args.repeats):
        for b in args.batch_sizes:
            for fw, runner in runners.items():
                start = time.perf_counter()
                if what == "train":
                    runner.train_epoch(x, y, b, rng)
                else:
                    runner.infer(x, b)
                rate = len(x) / (time.perf_counter() - start)
                runs[f"{fw}/{b}"].append(rate)
                print(f"  {what} rep {rep + 1} batch {b:4d} {fw:6s} {rate:8.0f} images/s")
    return {key: common.summarize(values) for key, values in runs.items()}


def main(argv=None) -> None:
    args = parse_args(argv)
    common.limit_threads(args.threads)  # before numpy and torch load their thread pools
    if args.memory_child:
        print(json.dumps(memory_child(args)))
        return

    import numpy as np

    x, y, data = load_data(args.samples, args.fashion)
    result = {
        "command": "python benchmarks/bench_lenet.py " + " ".join(argv or sys.argv[1:]),
        "machine": common.machine_info(args.threads),
        "data": data,
        "samples": len(x),
        "batch_sizes": args.batch_sizes,
        "repeats": args.repeats,
        "frameworks": args.frameworks,
    }
    runners = {fw: make(fw, args.threads) for fw in args.frameworks}
    for runner in runners.values():  # warm-up: numba compile (or cache load), torch init
        for b in args.batch_sizes:
            runner.train_epoch(x[: 2 * b], y[: 2 * b], b, np.random.default_rng(0))
            runner.infer(x[:b], b)
    print(f"LeNet-5, {len(x)} {data} images, threads={args.threads}")
    result["train"] = throughput(runners, x, y, args, "train")
    result["infer"] = throughput(runners, x, y, args, "infer")
    result["layers_batch"], result["layers_steps"] = args.batch_sizes[0], args.layer_steps
    result["layers"] = {
        fw: runner.layer_times(x, y, args.batch_sizes[0], args.layer_steps)
        for fw, runner in runners.items()
        if fw != "torch"
    }
    if not args.no_memory:
        result["memory_batch"] = args.batch_sizes[0]
        result["memory_method"] = (
            "peak resident set size (VmHWM, reset via /proc/self/clear_refs after a "
            "2-image warm-up step) minus the RSS just before the epoch; tracemalloc peak of a "
            "second epoch for minicnn (NumPy allocations only)"
        )
        result["memory"] = measure_memory(args)
    result["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    for b in args.batch_sizes:
        if "torch" in runners:
            for fw in runners:
                if fw != "torch":
                    ratio = (
                        result["train"][f"{fw}/{b}"]["median"]
                        / result["train"][f"torch/{b}"]["median"]
                    )
                    print(f"batch {b}: minicnn {fw} / PyTorch training throughput = {ratio:.2f}")
    print(f"wrote {common.save('lenet', result)}")


if __name__ == "__main__":
    main()
