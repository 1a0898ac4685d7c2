"""Recreate the pretrained LeNet-5s shipped in ``minicnn/weights``.

    OPENBLAS_NUM_THREADS=1 python -m minicnn.recipes_pretrained --data-dir /path/to/mnist
    OPENBLAS_NUM_THREADS=1 python -m minicnn.recipes_pretrained --data-dir /path/to/mnist \
        --classes 5 --epochs 3

The first writes ``lenet5_mnist.npz`` (all ten digits); the second
``lenet5_digits04.npz``, the same recipe on the digits 0-4 only (their images among the
first 50,000, 3 epochs), the source network of lab 8: it has never seen a 5, 6, 7, 8
or 9, so the lab can transfer its features to those digits honestly.

The recipe: the official MNIST *training* file (60,000 digits; the test files are not
used). The first 50,000 images train, the last 10,000 are held out for validation and
never trained on. LeNet-5 ([`minicnn.zoo.lenet5`][]), SGD with momentum 0.9, batch
64, lr 0.05, ×0.1 after 2/3 and after 9/10 of the epochs, random shifts of up to 2 pixels,
seed 0, the numba backend, one thread. Everything random is seeded and the kernels run
in one thread, so the same command on the same software gives the same bytes (the
SHA-256 printed at the end equals ``minicnn.weights.LENET5_MNIST_SHA256``; a change to
the kernels' order of additions changes it). It writes the weights
(``--out``), their SHA-256 (``<out>.sha256``) and a JSON record of the run
(``<out stem>.json``: validation accuracy, epochs, seconds, command).

The shipped weights' accuracy on data they never saw (the held-out last 10,000 images of
the training file), measured again from the shipped file:

    python -m minicnn.recipes_pretrained --evaluate --data-dir /path/to/mnist
    # Held-out accuracy of minicnn/weights/lenet5_mnist.npz: 99.20% (9,920 of the
    # 10,000 images 50,000-59,999 of the MNIST training file, never trained on)

``mc.data.MNISTSample``'s 5,000 digits are NOT held out: they are among the first 5,848
images of the training file (all 5,000 found byte for byte), so the weights were trained
on them; an accuracy on the sample only shows that the weights load and work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see recipes.py: before NumPy loads

import numpy as np  # noqa: E402

import minicnn as mc  # noqa: E402
from minicnn.atomic import atomic_write_bytes  # noqa: E402
from minicnn.weights import LENET5_DIGITS04, LENET5_MNIST, write_npz  # noqa: E402

TRAIN_IMAGES = 50_000  # the first 50,000 train; the last 10,000 validate
EPOCHS = 12
BATCH_SIZE = 64
LR = 0.05
SEED = 0


def milestones(epochs: int) -> list[int]:
    """Step the lr down after 2/3 and after 9/10 of the epochs (distinct, at least 1)."""
    return sorted({max(1, round(epochs * 2 / 3)), max(1, round(epochs * 0.9))})


def train(
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = EPOCHS,
    train_images: int = TRAIN_IMAGES,
    verbose: int = 1,
    classes: int = 10,
) -> tuple[mc.Sequential, float]:
    """Train LeNet-5 on the digits below ``classes`` of ``x[:train_images]``; return the
    model and its accuracy on those digits of the rest."""
    x_train, y_train = _digits(x[:train_images], y[:train_images], classes)
    x_val, y_val = _digits(x[train_images:], y[train_images:], classes)
    mc.manual_seed(SEED)
    model = mc.zoo.lenet5(num_classes=classes)
    optimizer = mc.SGD(model.parameters(), lr=LR, momentum=0.9)
    scheduler = mc.MultiStepLR(optimizer, milestones(epochs))
    loader = mc.data.DataLoader(
        x_train, y_train, BATCH_SIZE, seed=SEED, transform=mc.data.RandomShift(2)
    )
    val_loader = mc.data.DataLoader(x_val, y_val, 500, shuffle=False)
    mc.fit(
        model,
        mc.SoftmaxCrossEntropy(),
        optimizer,
        loader,
        val_loader=val_loader,
        epochs=epochs,
        scheduler=scheduler,
        verbose=verbose,
    )
    accuracy = float(np.mean(mc.predict(model, x_val) == y_val))
    return model, accuracy


def _digits(x: np.ndarray, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The images whose label is below ``classes`` (all of them for 10), in order."""
    keep = y < classes
    return x[keep], y[keep]


HELD_OUT = "images 50,000-59,999 of the official MNIST training file, never trained on"
SAMPLE_OVERLAP = (
    "mc.data.MNISTSample's 5,000 digits are among the first 5,848 images of the training "
    "file, so the weights were trained on them: not a held-out set"
)
SAMPLE_OVERLAP_04 = (
    "mc.data.MNISTSample's 5,000 digits are among the first 5,848 images of the training "
    "file: its digits 0-4 were trained on, its digits 5-9 never seen (lab 8's new task)"
)


def evaluate(
    x: np.ndarray, y: np.ndarray, path: Path = LENET5_MNIST, classes: int = 10
) -> tuple[float, int, int]:
    """Accuracy of the weights in ``path`` on the held-out images (of the digits below
    ``classes``) of the training file ``x``, ``y`` (60,000): (accuracy, right, images)."""
    x_val, y_val = _digits(x[TRAIN_IMAGES:], y[TRAIN_IMAGES:], classes)
    model = mc.zoo.lenet5(num_classes=classes)
    model.load_state_dict(dict(np.load(path, allow_pickle=False)))
    right = int(np.sum(mc.predict(model, x_val) == y_val))
    return right / len(y_val), right, len(y_val)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m minicnn.recipes_pretrained",
        description="Train the pretrained LeNet-5 that minicnn ships (MNIST training "
        "file: first 50,000 train, last 10,000 validate).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--data-dir",
        default=None,
        help="folder holding train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz) "
        "(also searched: $MINICNN_DATA, ~/.cache/minicnn)",
    )
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument(
        "--classes",
        type=int,
        default=10,
        choices=(10, 5),
        help="10: every digit (lenet5_mnist.npz); 5: the digits 0-4 only "
        "(lenet5_digits04.npz, lab 8's source network)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="where the .npz goes (default: the shipped file for --classes)",
    )
    p.add_argument("--backend", default="numba", choices=mc.available_backends())
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="do not train: print the accuracy of the weights in --out on the 10,000 "
        "held-out images (the last of the training file)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        train_set = mc.data.MNIST(args.data_dir, "train", download=False)
    except mc.data.DatasetNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    mc.set_backend(args.backend)
    # One thread: the kernels split a batch into one chunk per thread and sum the chunks'
    # weight gradients, so another thread count adds in another order and the bytes differ.
    mc.set_num_threads(1)
    x, y = train_set.arrays()
    print(f"MNIST training file from {train_set.source}: {len(x):,} images")
    out = Path(args.out or (LENET5_MNIST if args.classes == 10 else LENET5_DIGITS04))
    if args.evaluate:
        accuracy, right, images = evaluate(x, y, out, args.classes)
        print(
            f"Held-out accuracy of {out}: {accuracy:.2%} ({right:,} of the {images:,} "
            f"{'' if args.classes == 10 else 'digits 0-4 among the '}{HELD_OUT})"
        )
        return 0
    start = time.perf_counter()
    model, accuracy = train(x, y, epochs=args.epochs, classes=args.classes)
    seconds = time.perf_counter() - start
    digest = write_npz(out, model.state_dict())  # PyTorch's keys: 0.weight, 0.bias, ...
    atomic_write_bytes(out.with_name(out.name + ".sha256"), f"{digest}  {out.name}\n".encode())
    record = {
        "classes": f"the digits 0-{args.classes - 1}",
        "validation_accuracy": accuracy,
        "validation_images": len(_digits(x[TRAIN_IMAGES:], y[TRAIN_IMAGES:], args.classes)[1]),
        "validation": HELD_OUT,
        "sample_overlap": SAMPLE_OVERLAP if args.classes == 10 else SAMPLE_OVERLAP_04,
        "train_images": len(_digits(x[:TRAIN_IMAGES], y[:TRAIN_IMAGES], args.classes)[1]),
        "epochs": args.epochs,
        "backend": args.backend,
        "seconds": round(seconds, 1),
        "sha256": digest,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "command": "python -m minicnn.recipes_pretrained " + " ".join(argv or sys.argv[1:]),
    }
    atomic_write_bytes(out.with_suffix(".json"), (json.dumps(record, indent=1) + "\n").encode())
    print(
        f"Validation accuracy: {accuracy:.2%} on the held-out {HELD_OUT}; {seconds:.0f} s."
        f"\nWrote {out} (SHA-256 {digest})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
