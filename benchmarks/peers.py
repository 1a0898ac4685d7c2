"""The contestants of the model benchmarks, all with one interface::

    runner = make("numba", "resnet20", threads)     # or "numpy", "naive", "torch", "jax"
    runner.train_epoch(x, y, batch, rng)             # SGD lr 0.01, momentum 0.9
    runner.infer(x, batch)                           # eval mode, no gradients

Two models, the same architecture in every framework:

- ``lenet5``: minicnn.zoo.lenet5() (ReLU, max pooling, padding 2 on conv1), 1×28×28;
- ``resnet20``: minicnn.zoo.resnet20() — CIFAR ResNet-20 of He et al. (2016),
  option A shortcuts (subsample + zero channels), BatchNorm, 3×32×32.

JAX (XLA on the CPU) is an optional peer: ``make('jax', ...)`` raises ImportError
when it is not installed, and the benchmarks then skip it with a message. Its
training step is one ``jax.jit``-compiled function (forward, gradient, momentum
update), which is how JAX is meant to be used.
"""

from __future__ import annotations

import contextlib
import statistics
import time

import common

MODELS = ("lenet5", "resnet20")
LR, MOMENTUM = 0.01, 0.9


@contextlib.contextmanager
def without_fused_paths(active: bool):
    """Empty the numba backend's optional whole operations (kernels/contract.py) for a
    block, so the functional core takes its general path (im2col per batch slice, NumPy
    batch norm) on the compiled window kernels: what the whole-operation kernels buy,
    measured in the same process as everything else."""
    import dataclasses

    from minicnn.kernels import compiled

    full = compiled.KERNELS
    if active:
        compiled.KERNELS = dataclasses.replace(
            full,
            conv2d_forward=None,
            conv2d_backward=None,
            batch_norm_statistics=None,
            batch_norm_normalize=None,
            batch_norm_backward=None,
        )
    try:
        yield
    finally:
        compiled.KERNELS = full


class Minicnn:
    """A minicnn.zoo model on one backend, SGD(lr 0.01, momentum 0.9). The backend
    ``numba-unfused`` is numba without its fused paths (see without_fused_paths),
    ``numba-tuned`` numba in benchmark mode (mc.set_benchmark: group sizes timed per
    geometry)."""

    def __init__(self, backend: str, model: str):
        import minicnn as mc

        self.unfused = backend == "numba-unfused"
        self.tuned = backend == "numba-tuned"
        self.mc, self.backend = mc, backend.split("-")[0]
        mc.manual_seed(0)
        self.model = getattr(mc.zoo, model)()
        self.loss = mc.SoftmaxCrossEntropy()
        self.opt = mc.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    @contextlib.contextmanager
    def mode(self):
        """This runner's backend, with or without the fused paths and benchmark mode."""
        self.mc.set_benchmark(self.tuned)
        try:
            with self.mc.backend(self.backend), without_fused_paths(self.unfused):
                yield
        finally:
            self.mc.set_benchmark(False)

    def step(self, xb, yb) -> None:
        self.opt.zero_grad()
        self.loss(self.model.forward(xb), yb)
        self.model.backward(self.loss.backward())
        self.opt.step()

    def train_epoch(self, x, y, batch: int, rng) -> None:
        order = rng.permutation(len(x))
        self.model.train()
        with self.mode():
            for start in range(0, len(x), batch):
                idx = order[start : start + batch]
                self.step(x[idx], y[idx])

    def infer(self, x, batch: int) -> None:
        self.model.eval()
        with self.mode():
            for start in range(0, len(x), batch):
                self.model.forward(x[start : start + batch])
        self.model.train()

    def layer_times(self, x, y, batch: int, steps: int) -> dict:
        """Median forward and backward ms of each top-level layer (plus loss and optimizer)."""
        layers = [(f"{i} {type(layer).__name__}", layer) for i, layer in enumerate(self.model)]
        names = [name for name, _ in layers] + ["loss", "SGD step + zero_grad"]
        fwd = {n: [] for n in names}
        bwd = {n: [] for n in names}
        clock = time.process_time  # CPU time: steadier than wall time on a shared machine
        with self.mode():
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


# -- PyTorch -----------------------------------------------------------------------------


def torch_model(name: str):
    """The same architecture as minicnn.zoo.<name>, in torch.nn."""
    from torch import nn

    if name == "lenet5":
        return nn.Sequential(
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

    class PadShortcut(nn.Module):  # option A: subsample, then zero channels on top
        def __init__(self, extra: int, stride: int):
            super().__init__()
            self.extra, self.stride = extra, stride

        def forward(self, x):
            sub = x[:, :, :: self.stride, :: self.stride]
            return nn.functional.pad(sub, (0, 0, 0, 0, 0, self.extra))

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                nn.BatchNorm2d(cout),
            )
            same = stride == 1 and cin == cout
            self.shortcut = nn.Identity() if same else PadShortcut(cout - cin, stride)

        def forward(self, x):
            return nn.functional.relu(self.body(x) + self.shortcut(x))

    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for i, width in enumerate((16, 32, 64)):
        for j in range(3):
            layers.append(Block(cin, width, 2 if i > 0 and j == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


class Torch:
    """PyTorch CPU, eager mode, float32."""

    def __init__(self, threads: int, model: str):
        import torch
        from torch import nn

        torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.torch = torch
        self.model = torch_model(model)
        self.loss = nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def step(self, xb, yb) -> None:
        self.opt.zero_grad()
        self.loss(self.model(xb), yb).backward()
        self.opt.step()

    def train_epoch(self, x, y, batch: int, rng) -> None:
        order = self.torch.from_numpy(rng.permutation(len(x)))
        x, y = self.torch.from_numpy(x), self.torch.from_numpy(y)
        self.model.train()
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


# -- JAX (optional) ----------------------------------------------------------------------


def jax_model(name: str):
    """(params, state, apply) with apply(params, state, x, train) -> (scores, new state);
    state holds BatchNorm's running statistics (empty for LeNet-5)."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    keys = iter(jax.random.split(jax.random.PRNGKey(0), 64))

    def conv_param(cin, cout, k, bias=True):
        w = jax.random.normal(next(keys), (cout, cin, k, k)) * jnp.sqrt(2.0 / (cin * k * k))
        return {"w": w, "b": jnp.zeros(cout)} if bias else {"w": w}

    def linear_param(fin, fout):
        w = jax.random.normal(next(keys), (fin, fout)) * jnp.sqrt(2.0 / fin)
        return {"w": w, "b": jnp.zeros(fout)}

    def conv(p, x, stride=1, padding=0):
        y = lax.conv_general_dilated(
            x,
            p["w"],
            (stride, stride),
            [(padding, padding)] * 2,
            None,
            None,
            ("NCHW", "OIHW", "NCHW"),
        )
        return y + p["b"].reshape(1, -1, 1, 1) if "b" in p else y

    def max_pool(x):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    relu = jax.nn.relu

    if name == "lenet5":
        params = {
            "c1": conv_param(1, 6, 5),
            "c2": conv_param(6, 16, 5),
            "f1": linear_param(400, 120),
            "f2": linear_param(120, 84),
            "f3": linear_param(84, 10),
        }

        def apply(p, state, x, train):
            x = max_pool(relu(conv(p["c1"], x, padding=2)))
            x = max_pool(relu(conv(p["c2"], x))).reshape(x.shape[0], -1)
            x = relu(x @ p["f1"]["w"] + p["f1"]["b"])
            x = relu(x @ p["f2"]["w"] + p["f2"]["b"])
            return x @ p["f3"]["w"] + p["f3"]["b"], state

        return params, {}, apply

    def bn_param(c):
        return {"g": jnp.ones(c), "b": jnp.zeros(c)}

    def batch_norm(p, s, x, train):
        if train:
            mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
            m = x.size // x.shape[1]
            s = {
                "mean": 0.9 * s["mean"] + 0.1 * mean,
                "var": 0.9 * s["var"] + 0.1 * var * m / (m - 1),
            }
        else:
            mean, var = s["mean"], s["var"]
        shape = (1, -1, 1, 1)
        y = (x - mean.reshape(shape)) * lax.rsqrt(var.reshape(shape) + 1e-5)
        return y * p["g"].reshape(shape) + p["b"].reshape(shape), s

    def bn_state(c):
        return {"mean": jnp.zeros(c), "var": jnp.ones(c)}

    plan = [(16, 16, 1)] * 3 + [(16, 32, 2)] + [(32, 32, 1)] * 2 + [(32, 64, 2)] + [(64, 64, 1)] * 2
    params = {
        "stem": conv_param(3, 16, 3, bias=False),
        "stem_bn": bn_param(16),
        "blocks": [
            {
                "c1": conv_param(cin, cout, 3, bias=False),
                "bn1": bn_param(cout),
                "c2": conv_param(cout, cout, 3, bias=False),
                "bn2": bn_param(cout),
            }
            for cin, cout, _ in plan
        ],
        "fc": linear_param(64, 10),
    }
    state = {
        "stem_bn": bn_state(16),
        "blocks": [{"bn1": bn_state(cout), "bn2": bn_state(cout)} for _, cout, _ in plan],
    }

    def apply(p, s, x, train):
        new = {"blocks": []}
        x, new["stem_bn"] = batch_norm(p["stem_bn"], s["stem_bn"], conv(p["stem"], x, 1, 1), train)
        x = relu(x)
        for (cin, cout, stride), bp, bs in zip(plan, p["blocks"], s["blocks"], strict=True):
            h, s1 = batch_norm(bp["bn1"], bs["bn1"], conv(bp["c1"], x, stride, 1), train)
            h, s2 = batch_norm(bp["bn2"], bs["bn2"], conv(bp["c2"], relu(h), 1, 1), train)
            short = x
            if stride != 1 or cin != cout:
                short = jnp.pad(
                    x[:, :, ::stride, ::stride], ((0, 0), (0, cout - cin), (0, 0), (0, 0))
                )
            x = relu(h + short)
            new["blocks"].append({"bn1": s1, "bn2": s2})
        x = x.mean(axis=(2, 3))
        return x @ p["fc"]["w"] + p["fc"]["b"], new

    return params, state, apply


class Jax:
    """JAX on the CPU: the whole training step (forward, grad, SGD momentum) jitted."""

    def __init__(self, threads: int, model: str):
        import jax
        import jax.numpy as jnp

        del threads  # set through XLA_FLAGS by common.limit_threads before jax loads
        self.jax, self.jnp = jax, jnp
        self.params, self.state, apply = jax_model(model)
        self.velocity = jax.tree_util.tree_map(jnp.zeros_like, self.params)

        def loss_fn(params, state, x, y):
            scores, new_state = apply(params, state, x, True)
            logp = jax.nn.log_softmax(scores)
            return -jnp.take_along_axis(logp, y[:, None], axis=1).mean(), new_state

        def step(params, velocity, state, x, y):
            grads, new_state = jax.grad(loss_fn, has_aux=True)(params, state, x, y)
            velocity = jax.tree_util.tree_map(lambda v, g: MOMENTUM * v + g, velocity, grads)
            params = jax.tree_util.tree_map(lambda p, v: p - LR * v, params, velocity)
            return params, velocity, new_state

        self._step = jax.jit(step)
        self._predict = jax.jit(lambda p, s, x: apply(p, s, x, False)[0])

    def train_epoch(self, x, y, batch: int, rng) -> None:
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            self.params, self.velocity, self.state = self._step(
                self.params, self.velocity, self.state, x[idx], y[idx].astype("int32")
            )
        self.jax.block_until_ready(self.params)

    def infer(self, x, batch: int) -> None:
        out = None
        for start in range(0, len(x), batch):
            out = self._predict(self.params, self.state, x[start : start + batch])
        self.jax.block_until_ready(out)


def make(framework: str, model: str, threads: int):
    """A runner; ImportError for 'jax' (or 'torch') when that framework is missing."""
    if framework == "torch":
        return Torch(threads, model)
    if framework == "jax":
        return Jax(threads, model)
    return Minicnn(framework, model)


def warm_up(runners: dict, x, y, batch_sizes) -> None:
    """Compile (numba, XLA) or initialise (torch) everything a timed run will use,
    for every batch size (XLA compiles once per shape, including the last short batch)."""
    import numpy as np

    for runner in runners.values():
        for b in batch_sizes:
            runner.train_epoch(x[: 2 * b], y[: 2 * b], b, np.random.default_rng(0))
            runner.infer(x[:b], b)
            tail = len(x) % b  # the epoch's last, shorter batch
            if tail:
                runner.train_epoch(x[:tail], y[:tail], b, np.random.default_rng(0))
                runner.infer(x[:tail], b)


def throughput(runners: dict, x, y, batch_sizes, repeats: int, what: str) -> tuple[dict, dict]:
    """images/s for every framework and batch size, ``repeats`` times, frameworks taking
    turns inside every repetition so a burst of load from elsewhere hits them alike.

    Returns two summaries: images per second of wall-clock time (the claim), and images
    per second of CPU time of this process (all its threads). On a machine shared with
    other jobs the second is far steadier: time spent waiting for a core is not
    counted. With one thread it is the cost of the work itself; with several it adds
    up every thread's time, including time spent spinning or waiting."""
    import numpy as np

    rng = np.random.default_rng(0)
    runs = {f"{fw}/{b}": [] for b in batch_sizes for fw in runners}
    cpu_runs = {key: [] for key in runs}
    for rep in range(repeats):
        for b in batch_sizes:
            for fw, runner in runners.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                if what == "train":
                    runner.train_epoch(x, y, b, rng)
                else:
                    runner.infer(x, b)
                rate = len(x) / (time.perf_counter() - start)
                cpu_rate = len(x) / max(time.process_time() - start_cpu, 1e-9)
                runs[f"{fw}/{b}"].append(rate)
                cpu_runs[f"{fw}/{b}"].append(cpu_rate)
                print(
                    f"  {what} rep {rep + 1} batch {b:4d} {fw:6s} {rate:8.0f} images/s "
                    f"({cpu_rate:8.0f} per CPU-second)"
                )
    return (
        {key: common.summarize(values) for key, values in runs.items()},
        {key: common.summarize(values) for key, values in cpu_runs.items()},
    )


def make_all(frameworks, model: str, threads: int) -> dict:
    """Runners for the frameworks that import; a message for each that does not."""
    runners = {}
    for fw in frameworks:
        try:
            runners[fw] = make(fw, model, threads)
        except ImportError as err:
            if fw not in ("torch", "jax"):
                raise
            print(f"skipping {fw}: not installed ({err}); pip install {fw} to compare with it")
    return runners


# -- memory: one fresh process per framework ------------------------------------------


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def memory_child(args, x, y) -> dict:
    """Run in a subprocess: peak RSS growth during one training epoch (and, for
    minicnn, the tracemalloc peak of a second epoch)."""
    import gc
    import tracemalloc

    import numpy as np

    runner = make(args.memory_child, args.model, args.threads)
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
    if args.memory_child not in ("torch", "jax"):
        tracemalloc.start()
        runner.train_epoch(x, y, batch, rng)
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def measure_memory(args, script: str, frameworks) -> dict:
    import json
    import subprocess
    import sys

    results = {}
    for fw in frameworks:
        cmd = [sys.executable, script, "--memory-child", fw, "--samples", str(args.samples)]
        cmd += ["--threads", str(args.threads), "--batch-sizes", str(args.batch_sizes[0])]
        cmd += ["--fashion"] if getattr(args, "fashion", False) else []
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"memory measurement for {fw} failed:\n{done.stderr}", file=sys.stderr)
            continue
        results[fw] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  memory {fw:6s} epoch peak +{results[fw]['epoch_peak_rss_mib']:.1f} MiB RSS")
    return results


# -- the main run ------------------------------------------------------------------------


def parser(doc: str, samples: int, batch_sizes, frameworks, repeats: int = 3):
    """The command line shared by bench_lenet.py and bench_resnet.py."""
    import argparse
    import os

    choices = ("numba", "numba-tuned", "numba-unfused", "numpy", "naive", "torch", "jax")
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=samples, help="images per epoch")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=list(batch_sizes))
    p.add_argument("--repeats", type=int, default=repeats, help="epochs timed per configuration")
    p.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count(),
        help="threads for BLAS, numba, torch and XLA (default: all cores)",
    )
    p.add_argument("--frameworks", nargs="+", default=list(frameworks), choices=choices)
    p.add_argument(
        "--layer-steps", type=int, default=10, help="training steps timed per layer (0: skip)"
    )
    p.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    p.add_argument(
        "--setting",
        choices=tuple(common.SETTINGS),
        default="as-is",
        help="SIMD kernels: 'best' lifts this machine's OpenBLAS pin (each library on its "
        "own best kernels), 'avx2' holds both to AVX2, 'as-is' keeps the environment",
    )
    p.add_argument("--memory-child", choices=choices, help=argparse.SUPPRESS)
    return p


def main(model: str, args, argv, script: str, load_data) -> None:
    """Warm up, time training then inference with the frameworks in turns, time the
    layers of a minicnn step, measure memory, and save results/<model>-<n>threads.json."""
    import os
    import sys

    common.apply_setting(args.setting)  # re-runs the script under the setting's environment
    common.limit_threads(args.threads)  # before numpy, torch and jax load their pools
    args.model = model
    x, y, data = load_data(args)
    if args.memory_child:
        import json

        print(json.dumps(memory_child(args, x, y)))
        return
    result = {
        "command": f"python benchmarks/{os.path.basename(script)} "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": common.machine_info(args.threads),
        "model": model,
        "data": data,
        "samples": len(x),
        "batch_sizes": args.batch_sizes,
        "repeats": args.repeats,
    }
    runners = make_all(args.frameworks, model, args.threads)
    result["frameworks"] = list(runners)
    warm_up(runners, x, y, args.batch_sizes)
    print(f"{model}, {len(x)} {data} images, threads={args.threads}")
    for what in ("train", "infer"):
        result[what], result[what + "_cpu"] = throughput(
            runners, x, y, args.batch_sizes, args.repeats, what
        )
    if args.layer_steps:
        result["layers_batch"], result["layers_steps"] = args.batch_sizes[0], args.layer_steps
        result["layers"] = {
            fw: runner.layer_times(x, y, args.batch_sizes[0], args.layer_steps)
            for fw, runner in runners.items()
            if isinstance(runner, Minicnn)
        }
    if not args.no_memory:
        result["memory_batch"] = args.batch_sizes[0]
        result["memory_method"] = (
            "peak resident set size (VmHWM, reset via /proc/self/clear_refs after a "
            "2-image warm-up step) minus the RSS just before the epoch; tracemalloc peak of a "
            "second epoch for minicnn (NumPy allocations only)"
        )
        result["memory"] = measure_memory(args, script, runners)
    result["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    if "torch" in runners:
        for b in args.batch_sizes:
            for fw in runners:
                if fw != "torch":
                    ratio = (
                        result["train"][f"{fw}/{b}"]["median"]
                        / result["train"][f"torch/{b}"]["median"]
                    )
                    print(f"batch {b}: {fw} / PyTorch training throughput = {ratio:.2f}")
    print(f"wrote {common.save(model, result)}")
