"""Train a CIFAR-10 ResNet (He et al. 2016, sec. 4.2; ResNet-20 by default) with
BatchNorm, SGD + momentum, weight decay, random crops and flips, and the paper's
learning-rate steps (×0.1 at 50% and 75% of the epochs).

    python examples/train_cifar10_resnet.py --subset 2000 --epochs 2   # a quick look
    python examples/train_cifar10_resnet.py --epochs 160                # the paper's recipe
    minicnn train cifar10-resnet --subset 2000 --epochs 2               # installed minicnn

The data is CIFAR-10's *binary* version (cifar-10-binary.tar.gz, unpacked to
cifar-10-batches-bin/), looked for in --data-dir, $MINICNN_DATA, ~/.cache/minicnn
and /usr/share/datasets; --download fetches it. Without it the script says where
to put the files and exits with status 1.

Be patient: this is NumPy on a CPU. ResNet-20 needs 41 million multiply-adds per
image forward, about three times that with backward: on 2 busy cores it trains
about 50 images/s (numpy backend), so a full 50,000-image epoch takes some 17
minutes. --subset N trains (and tests) on the first N images.

Writes to --out: results.json (accuracy, seconds per epoch, the history, the
command), training_curves.png and checkpoint.npz (weights, BatchNorm running
statistics, optimizer and generator states; mc.load restores them). The recipe
itself is minicnn.recipes.run_cifar.
"""

from __future__ import annotations

import sys

from minicnn import recipes


def main(argv: list[str] | None = None) -> int:
    return recipes.run_cifar(recipes.recipe_parser("cifar10-resnet").parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
