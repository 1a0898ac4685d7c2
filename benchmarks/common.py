"""Shared pieces of the benchmarks: thread limits, the machine description, summary
statistics, and the results files (benchmarks/results/*.json and latest.md).

Benchmarks are never part of the test suite: they measure, they do not assert.
Every script writes its JSON (one file per benchmark and thread count) and then
regenerates latest.md from all JSON files present, so the Markdown shows the
newest run of each.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
# This checkout's minicnn, not whichever one the environment has installed.
sys.path.insert(0, str(ROOT))
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Cap BLAS, OpenMP and numba threads. Must run before numpy or torch is
    imported: the BLAS libraries read these variables once, when they load."""
    if "numpy" in sys.modules:
        raise RuntimeError("limit_threads() must run before numpy is imported")
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    # XLA (JAX on the CPU) reads its pool size from XLA_FLAGS when jax loads.
    eigen = "true" if threads > 1 else "false"
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + f" --xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={threads}"
    ).strip()


# Which SIMD kernels each library may use. These machines pin OpenBLAS to its Haswell
# (AVX2) kernels through the environment while PyTorch's oneDNN picks AVX-512 on the same
# CPU, so "as-is" compares unlike with unlike; a user's machine has no such pin.
SETTINGS = {
    "as-is": ({}, ()),  # the environment as it is
    "best": ({}, ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")),  # each library's own choice
    "avx2": (  # both held to AVX2, as on many laptops
        {
            "OPENBLAS_CORETYPE": "Haswell",
            "ATEN_CPU_CAPABILITY": "avx2",
            "ONEDNN_MAX_CPU_ISA": "AVX2",
        },
        (),
    ),
}
SETTING_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "ATEN_CPU_CAPABILITY",
    "ONEDNN_MAX_CPU_ISA",
)


def apply_setting(name: str) -> None:
    """Run this script again under the setting's environment (the libraries read it once,
    when they load), unless it already runs under it. Must run before numpy is imported."""
    if name == "as-is" or os.environ.get("MINICNN_BENCH_SETTING") == name:
        return
    if "numpy" in sys.modules:
        raise RuntimeError("apply_setting() must run before numpy is imported")
    assign, remove = SETTINGS[name]
    env = {k: v for k, v in os.environ.items() if k not in remove}
    env.update(assign, MINICNN_BENCH_SETTING=name)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def simd_description() -> dict:
    """What was compared: the setting, its variables, OpenBLAS's core type per loaded
    copy (numpy's, and scipy's that numba's np.dot calls) and PyTorch's CPU capability."""
    info = {
        "setting": os.environ.get("MINICNN_BENCH_SETTING", "as-is"),
        "environment": {v: os.environ.get(v) for v in SETTING_VARS},
    }
    try:
        import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS, the one numba calls)
        from threadpoolctl import threadpool_info

        info["openblas_core"] = {
            p.get("filepath", "?").rsplit("/", 1)[-1]: p.get("architecture")
            for p in threadpool_info()
            if p.get("internal_api") == "openblas"
        }
    except ImportError:
        info["openblas_core"] = None
    try:
        import torch

        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except (ImportError, AttributeError):
        info["torch_cpu_capability"] = None
    return info


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(threads: int) -> dict:
    """What the numbers were measured on: CPU, cores, library versions, threads, load."""
    import numpy as np

    info = {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads": threads,
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    for name in ("numba", "torch", "jax"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            info[name] = None
    info["blas"] = blas_description()
    info.update(simd_description())
    print(
        f"setting {info['setting']}: OpenBLAS core {info['openblas_core']}, "
        f"PyTorch CPU capability {info['torch_cpu_capability']}"
    )
    return info


def blas_description() -> str:
    """numpy's BLAS and its thread count (via threadpoolctl when installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"threads from OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return (
        "; ".join(
            f"{p['internal_api']} {p.get('version')} ({p['num_threads']} threads)" for p in pools
        )
        or "unknown"
    )


def summarize(values: list[float]) -> dict:
    """Median and spread of repeated measurements."""
    med = statistics.median(values)
    return {
        "median": med,
        "min": min(values),
        "max": max(values),
        "spread_pct": 100 * (max(values) - min(values)) / med if med else 0.0,
        "runs": values,
    }


def best_of(fn, seconds: float = 0.3, repeats: int = 5) -> list[float]:
    """Seconds per call of ``fn``: ``repeats`` samples, each the mean over enough
    calls to fill ``seconds`` (calibrated on a first call, which also warms up)."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    number = max(1, int(seconds / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return samples


def save(benchmark: str, payload: dict) -> Path:
    """Write results/<benchmark>-[<setting>-]<threads>threads.json atomically and regenerate
    results/latest.md (runs with different thread counts are kept side by side)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload["benchmark"] = benchmark
    setting = payload["machine"].get("setting", "as-is")
    tag = "" if setting == "as-is" else f"{setting}-"
    path = RESULTS / f"{benchmark}-{tag}{payload['machine']['threads']}threads.json"
    from minicnn.atomic import atomic_write_bytes  # here: minicnn loads numpy (see above)

    atomic_write_bytes(path, (json.dumps(payload, indent=2) + "\n").encode())
    write_markdown()
    return path


# -- latest.md ---------------------------------------------------------------------------


def write_markdown() -> Path:
    parts = [
        "# minicnn benchmarks\n",
        "Generated by `make bench` (benchmarks/*.py); each section is the newest run "
        "of that benchmark at that thread count. Ratios compare runs made in the same "
        "process, one after the other, so they are more trustworthy than the absolute "
        "numbers on a shared machine.\n",
    ]
    parts.append(render_summary())
    renderers = {
        "lenet5": render_model,
        "resnet20": render_model,
        "conv": render_conv,
        "startup": render_startup,
    }
    for benchmark, render in renderers.items():
        for path in sorted(RESULTS.glob(f"{benchmark}-*threads.json")):
            parts.append(render(json.loads(path.read_text())))
    from minicnn.atomic import atomic_write_bytes  # here: minicnn loads numpy

    return atomic_write_bytes(RESULTS / "latest.md", "\n".join(parts).encode())


def render_machine(m: dict) -> str:
    return (
        f"Machine: {m['cpu']}, {m['usable_cores']} usable of {m['logical_cores']} cores; "
        f"Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}, "
        f"torch {m['torch']}, jax {m.get('jax')}; {m['threads']} thread(s) for BLAS, "
        "numba, torch and XLA "
        f"({m['blas']}); setting {m.get('setting', 'as-is')}: OpenBLAS core "
        f"{m.get('openblas_core')}, PyTorch CPU capability {m.get('torch_cpu_capability')}; "
        f"load average at start {m['load_average_at_start']}; "
        f"{m['date_utc']} UTC.\n"
    )


def threads_label(r: dict) -> str:
    n = r["machine"]["threads"]
    return f"{n} thread" + ("s" if n != 1 else "")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fmt(stats: dict, digits: int = 0) -> str:
    return f"{stats['median']:,.{digits}f} (±{stats['spread_pct']:.0f}%)"


MODEL_NAMES = {"lenet5": "LeNet-5", "resnet20": "CIFAR ResNet-20 (option A, BatchNorm)"}


def render_summary() -> str:
    """The headline: minicnn numba ÷ PyTorch throughput, workload × thread count."""
    found = {}
    for model in MODEL_NAMES:
        for path in RESULTS.glob(f"{model}-*threads.json"):
            r = json.loads(path.read_text())
            found[model, r["machine"]["threads"]] = r
    threads = sorted({n for _, n in found})

    def ratio(r, key, b, fw="numba"):
        mine, ref = (r.get(key, {}).get(f"{name}/{b}") for name in (fw, "torch"))
        return f"{mine['median'] / ref['median']:.2f}" if mine and ref else "–"

    rows = []
    for model, name in MODEL_NAMES.items():
        batches = sorted({b for (m, _), r in found.items() if m == model for b in r["batch_sizes"]})
        for b in batches:
            for what in ("train", "infer"):
                cells = []
                for n in threads:
                    r = found.get((model, n), {})
                    for fw in ("numba", "numba-unfused"):
                        cells.append(f"{ratio(r, what, b, fw)} ({ratio(r, what + '_cpu', b, fw)})")
                label = "training" if what == "train" else "inference"
                rows.append([f"{name}, batch {b}, {label}", *cells])
    if not rows:
        return ""
    loads = ", ".join(
        f"{MODEL_NAMES[m]} {n} thread(s): {r['machine']['load_average_at_start'][0]}"
        for (m, n), r in sorted(found.items())
    )
    return (
        "## Summary: minicnn (numba) images/s ÷ PyTorch images/s\n\n"
        "Each cell: the wall-clock ratio, then in parentheses the ratio of images per "
        "CPU-second of the process (time spent waiting for a core on a shared machine "
        "is not counted; with one thread this is the cost of the work itself). "
        "'Without the fused paths' is the numba backend with its optional whole operations "
        "hidden (benchmarks/peers.py, `numba-unfused`), timed in the same run: what "
        "minicnn did before them.\n\n"
        + table(
            [
                "workload",
                *(
                    f"{n} thread{'s' if n > 1 else ''}{suffix}"
                    for n in threads
                    for suffix in ("", ", without the fused paths")
                ),
            ],
            rows,
        )
        + f"\nLoad average (1 min) when each run started: {loads}. A load above "
        "the number of cores means other processes competed for them: the ratios of "
        "such a run are noisy and the multi-thread ones in particular mean little.\n"
    )


def render_model(r: dict) -> str:
    out = [
        f"## {MODEL_NAMES[r['model']]} training and inference, {threads_label(r)}\n",
        f"`{r['command']}`\n",
        render_machine(r["machine"]),
        f"Data: {r['data']}, {r['samples']} images per epoch, shuffled every epoch; "
        f"SGD lr 0.01 momentum 0.9; {r['repeats']} repetitions, median (± spread "
        f"= (max − min)/median). Ratio = minicnn images/s ÷ PyTorch images/s.\n",
    ]
    rows = []
    for b in r["batch_sizes"]:
        torch_train = r["train"].get(f"torch/{b}")
        torch_infer = r["infer"].get(f"torch/{b}")
        for fw in r["frameworks"]:
            train, infer = r["train"][f"{fw}/{b}"], r["infer"][f"{fw}/{b}"]
            ratio = (
                f"{train['median'] / torch_train['median']:.2f}"
                if torch_train and fw != "torch"
                else ""
            )
            iratio = (
                f"{infer['median'] / torch_infer['median']:.2f}"
                if torch_infer and fw != "torch"
                else ""
            )
            cpu = r.get("train_cpu", {}).get(f"{fw}/{b}")
            cpu_ref = r.get("train_cpu", {}).get(f"torch/{b}")
            cpu_ratio = (
                f"{cpu['median'] / cpu_ref['median']:.2f}"
                if cpu and cpu_ref and fw != "torch"
                else ""
            )
            rows.append([fw, str(b), fmt(train), ratio, cpu_ratio, fmt(infer), iratio])
    out.append(
        table(
            [
                "framework",
                "batch",
                "train images/s",
                "train ratio",
                "train ratio, CPU time",
                "inference images/s",
                "inference ratio",
            ],
            rows,
        )
    )
    if r.get("memory"):
        out.append(
            f"\nPeak memory of one training epoch (batch {r['memory_batch']}), each "
            f"framework in its own fresh process: {r['memory_method']}\n"
        )
        rows = [
            [
                fw,
                f"{m['epoch_peak_rss_mib']:.1f}",
                f"{m['baseline_rss_mib']:.1f}",
                "" if m.get("tracemalloc_peak_mib") is None else f"{m['tracemalloc_peak_mib']:.1f}",
            ]
            for fw, m in r["memory"].items()
        ]
        out.append(
            table(
                [
                    "framework",
                    "epoch peak RSS above baseline (MiB)",
                    "baseline RSS (MiB)",
                    "tracemalloc peak (MiB)",
                ],
                rows,
            )
        )
    for fw, layers in r.get("layers", {}).items():
        out.append(
            f"\nPer-layer CPU time of one training step, minicnn {fw}, batch "
            f"{r['layers_batch']} (ms, median of {r['layers_steps']} steps):\n"
        )
        rows = [
            [name, f"{t['forward_ms']:.3f}", f"{t['backward_ms']:.3f}", f"{100 * t['share']:.0f}%"]
            for name, t in layers.items()
        ]
        out.append(table(["layer", "forward ms", "backward ms", "share of step"], rows))
    return "\n".join(out)


def render_conv(r: dict) -> str:
    out = [
        f"## One Conv2D layer, forward + backward, {threads_label(r)}\n",
        f"`{r['command']}`\n",
        render_machine(r["machine"]),
        "Time per forward+backward (dL/dx, dL/dW, dL/db), median of "
        f"{r['repeats']} samples; GFLOP/s counts 3 × 2 × multiply-adds. "
        "Ratio = minicnn time ÷ PyTorch time (torch.nn.functional.conv2d + autograd).\n",
    ]
    rows = []
    for shape in r["shapes"]:
        for fw in r["frameworks"]:
            t = shape["results"][fw]
            ratio = t.get("ratio_to_torch")
            rows.append(
                [
                    shape["name"],
                    fw,
                    f"{t['median_ms']:.3f}",
                    f"{t['gflops']:.1f}",
                    "" if ratio is None else f"{ratio:.2f}",
                ]
            )
    out.append(table(["shape", "framework", "ms", "GFLOP/s", "time ratio"], rows))
    return "\n".join(out)


def render_startup(r: dict) -> str:
    out = [
        f"## Start-up, {threads_label(r)}\n",
        f"`{r['command']}`\n",
        render_machine(r["machine"]),
        "Each row is a fresh Python process: `import minicnn`, then the first LeNet-5 "
        "forward+backward (batch 64, float32). Cold: NUMBA_CACHE_DIR points at an empty "
        "directory, so every kernel compiles; warm: the same directory again. "
        f"Median of {r['repeats']} processes (cold: each with its own empty directory).\n",
    ]
    rows = [
        [name, fmt(v["import_s"], 3), fmt(v["first_step_s"], 3), fmt(v["total_s"], 3)]
        for name, v in r["scenarios"].items()
    ]
    out.append(table(["scenario", "import s", "first step s", "process total s"], rows))
    return "\n".join(out)
