"""Train LeNet-5 on Fashion-MNIST (10 kinds of clothing, 28×28 grey): target >= 90%.

    python examples/train_fashion_mnist.py               # 15 epochs, lr 0.02 by default
    python examples/train_fashion_mnist.py --resume      # continue an interrupted run
    minicnn train fashion-mnist                          # the same, from an installed minicnn

The files are looked for in --data-dir, $MINICNN_DATA, ~/.cache/minicnn and
/usr/share/datasets/fashion-mnist (Debian/Ubuntu: apt install dataset-fashion-mnist);
--download fetches them. Same model, optimizer, outputs and flags as
train_mnist_lenet.py, whose train() shows the steps; clothes, unlike digits, may be
mirrored, so the augmentation is a random horizontal flip, and the initial lr is
lower (see minicnn.recipes.load_fashion for the measurements).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: see train_mnist_lenet.py

from minicnn import recipes  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = recipes.recipe_parser("fashion-mnist").parse_args(argv)
    return recipes.run_lenet(recipes.load_fashion, args)


if __name__ == "__main__":
    sys.exit(main())
