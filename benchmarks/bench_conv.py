"""One Conv2D layer, forward + backward, on each minicnn backend against PyTorch.

For every shape the work is the same on both sides: y = conv(x), then given a
random dL/dy the three gradients dL/dx, dL/dW and dL/db (PyTorch: x, weight and
bias require grad, ``y.backward(dy)``). Achieved GFLOP/s counts the three
matrix-product-sized terms, forward, dL/dW and dL/dx: 3 × 2 × multiply-adds.

    python benchmarks/bench_conv.py
    python benchmarks/bench_conv.py --threads 1 --repeats 7
"""

from __future__ import annotations

import argparse
import os
import sys

import common

# name, (N, C_in, H, W), C_out, kernel, stride, padding
SHAPES = [
    ("LeNet conv1 1→6 5×5 pad 2, 28×28, N=64", (64, 1, 28, 28), 6, 5, 1, 2),
    ("LeNet conv2 6→16 5×5, 14×14, N=64", (64, 6, 14, 14), 16, 5, 1, 0),
    ("3×3 64→64 pad 1, 32×32, N=16", (16, 64, 32, 32), 64, 3, 1, 1),
    ("3×3 stride 2 64→128 pad 1, 32×32, N=16", (16, 64, 32, 32), 128, 3, 2, 1),
]
FRAMEWORKS = ("numba", "numpy", "torch")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count(),
        help="threads for BLAS, numba and torch (default: all cores)",
    )
    p.add_argument("--repeats", type=int, default=5, help="timing samples per measurement")
    p.add_argument("--seconds", type=float, default=0.3, help="length of one sample")
    p.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    return p.parse_args(argv)


def minicnn_step(backend, x_shape, c_out, k, s, p, rng):
    """A closure running one forward + backward of mc.Conv2D on ``backend``."""
    import numpy as np

    import minicnn as mc

    layer = mc.Conv2D(x_shape[1], c_out, k, stride=s, padding=p, rng=rng)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    dy = rng.standard_normal(layer.output_shape(x_shape), dtype=np.float32)

    def step():
        with mc.backend(backend):
            layer.forward(x)
            layer.zero_grad()
            layer.backward(dy)

    return step


def torch_step(x_shape, c_out, k, s, p, rng):
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(rng.standard_normal(x_shape, dtype="float32")).requires_grad_()
    w = (torch.randn(c_out, x_shape[1], k, k) * 0.1).requires_grad_()
    b = torch.zeros(c_out, requires_grad=True)
    dy = torch.randn(F.conv2d(x.detach(), w.detach(), b.detach(), s, p).shape)

    def step():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, stride=s, padding=p).backward(dy)

    return step


def main(argv=None) -> None:
    args = parse_args(argv)
    common.limit_threads(args.threads)
    import numpy as np

    if "torch" in args.frameworks:
        import torch

        torch.set_num_threads(args.threads)
    result = {
        "command": "python benchmarks/bench_conv.py " + " ".join(argv or sys.argv[1:]),
        "machine": common.machine_info(args.threads),
        "repeats": args.repeats,
        "frameworks": args.frameworks,
        "shapes": [],
    }
    for name, x_shape, c_out, k, s, p in SHAPES:
        N, C, H, W = x_shape
        OH, OW = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
        macs = N * c_out * OH * OW * C * k * k
        rng = np.random.default_rng(0)
        steps = {
            fw: (
                torch_step(x_shape, c_out, k, s, p, rng)
                if fw == "torch"
                else minicnn_step(fw, x_shape, c_out, k, s, p, rng)
            )
            for fw in args.frameworks
        }
        samples = {fw: [] for fw in steps}
        for _ in range(args.repeats):  # frameworks take turns, sample by sample
            for fw, step in steps.items():
                samples[fw] += common.best_of(step, args.seconds, repeats=1)
        entry = {
            "name": name,
            "x_shape": x_shape,
            "out_channels": c_out,
            "kernel": k,
            "stride": s,
            "padding": p,
            "macs": macs,
            "results": {},
        }
        for fw, times in samples.items():
            stats = common.summarize(times)
            entry["results"][fw] = {
                "median_ms": 1e3 * stats["median"],
                "spread_pct": stats["spread_pct"],
                "gflops": 3 * 2 * macs / stats["median"] / 1e9,
            }
        if "torch" in samples:
            base = entry["results"]["torch"]["median_ms"]
            for fw, r in entry["results"].items():
                r["ratio_to_torch"] = None if fw == "torch" else r["median_ms"] / base
        print(name)
        for fw, r in entry["results"].items():
            ratio = r.get("ratio_to_torch")
            print(
                f"  {fw:6s} {r['median_ms']:8.3f} ms  {r['gflops']:6.1f} GFLOP/s"
                + ("" if ratio is None else f"  {ratio:.2f}× PyTorch's time")
            )
        result["shapes"].append(entry)
    result["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    print(f"wrote {common.save('conv', result)}")


if __name__ == "__main__":
    main()
