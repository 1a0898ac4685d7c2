"""LeNet-5 side by side: minicnn (numba and numpy backends) against PyTorch CPU and,
when it is installed, JAX.

Measures, in ONE process so the ratios share the machine's conditions:
- training throughput (images/s) over whole epochs, shuffling and batch slicing
  included, SGD with momentum, for each batch size;
- inference throughput (eval mode; torch.inference_mode; a jitted JAX predict);
- a per-layer forward/backward time breakdown of a minicnn training step.
Frameworks take turns inside every repetition (rep 1: numba, numpy, torch, jax;
rep 2: ...), so a burst of load from other processes hits them alike. The models
and the shared driver are in peers.py.

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

import peers


def load_data(args):
    """x (N, 1, 28, 28) float32 in [0, 1], y (N,) int64, and a description."""
    import numpy as np

    if args.fashion:
        import minicnn as mc

        x, y = mc.data.FashionMNIST(split="train", download=False).arrays()
        return x[: args.samples], y[: args.samples], "Fashion-MNIST train"
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 1, 28, 28), dtype=np.float32)
    return x, rng.integers(0, 10, args.samples), "synthetic 28×28 (uniform noise)"


def main(argv=None) -> None:
    p = peers.parser(__doc__, 10_000, (64, 256), ("numba", "numpy", "torch", "jax"))
    p.add_argument(
        "--fashion",
        action="store_true",
        help="train on Fashion-MNIST (/usr/share/datasets/fashion-mnist) instead "
        "of synthetic images",
    )
    args = p.parse_args(argv)
    peers.main("lenet5", args, argv, __file__, load_data)


if __name__ == "__main__":
    main()
