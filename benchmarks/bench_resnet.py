"""CIFAR ResNet-20 (option A shortcuts, BatchNorm) side by side: minicnn's numba
backend against PyTorch CPU and, when it is installed, JAX.

The same measurements as bench_lenet.py (training and inference throughput with
the frameworks in turns, a per-layer breakdown of a minicnn step, peak memory in
fresh processes) on synthetic 3×32×32 images. ResNet-20 costs about 120 times
LeNet-5's arithmetic per image, so the default epoch is short (512 images, 4 steps).

    python benchmarks/bench_resnet.py
    python benchmarks/bench_resnet.py --threads 1 --samples 512 --repeats 2
"""

from __future__ import annotations

import peers


def load_data(args):
    """x (N, 3, 32, 32) float32 standard normal, y (N,) int64, and a description."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.samples, 3, 32, 32), dtype=np.float32)
    return x, rng.integers(0, 10, args.samples), "synthetic 3×32×32 (standard normal)"


def main(argv=None) -> None:
    args = peers.parser(__doc__, 512, (128,), ("numba", "torch", "jax")).parse_args(argv)
    peers.main("resnet20", args, argv, __file__, load_data)


if __name__ == "__main__":
    main()
