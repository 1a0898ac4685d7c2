"""What the example training scripts share: flags, one training run, its pictures.

Each script only says which data to use (and the epochs and lr that suit it); everything
else — the model, the optimizer, the learning-rate step-down, checkpoints, resuming,
the plots, the summary — is here, so the scripts stay a screen long and cannot drift
apart.

Output folder (``--out``)::

    checkpoint.npz        weights + optimizer + generator states, after every epoch
    training_curves.png   loss and accuracy per epoch, training and test
    filters.png           the 6 first-layer kernels
    feature_maps.png      one test image through each conv layer
    confusion_matrix.png  true class × predicted class on the test set
    misclassified.png     test images the model got wrong
    results.json          accuracy, epochs, timings, the command line
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread unless the user chose otherwise. OpenBLAS's worker threads spin while
# they wait; LeNet's matrix products are too small to gain from them, and on a small or
# busy machine they cost a lot (measured on 2 shared cores: 25 images/s with 2 threads,
# 400 with 1). This must run before NumPy is first imported, which is why the scripts
# import this module before minicnn.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minicnn as mc  # noqa: E402
from minicnn.atomic import atomic_write  # noqa: E402
from minicnn.data.transforms import Transform  # noqa: E402

CHECKPOINT = "checkpoint.npz"


@dataclass
class Data:
    """The images to train and test on, and the recipe that suits them."""

    description: str  # printed as the "Data:" line: what is used and why
    x_train: np.ndarray  # float32 (N, 1, 28, 28) in [0, 1]
    y_train: np.ndarray  # int64 (N,)
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    epochs: int  # default number of epochs for this data
    lr: float  # default initial learning rate for this data
    augment: Transform  # training-batch augmentation


def split_arrays(train: mc.data.ImageDataset, test: mc.data.ImageDataset):
    """(x_train, y_train, x_test, y_test) from two datasets, as the network wants them."""
    return (*train.arrays(), *test.arrays())


def parse_args(
    description: str, default_out: str, argv: list[str] | None = None
) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs in total (default: depends on the data found, see the Data line)",
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument(
        "--lr",
        type=float,
        default=None,
        help="initial learning rate (default: depends on the data); ×0.1 after 2/3 "
        "and again after 9/10 of the epochs",
    )
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling, augmentation")
    p.add_argument(
        "--data-dir",
        default=None,
        help="folder holding the dataset files (also searched: $MINICNN_DATA, "
        "~/.cache/minicnn, /usr/share/datasets)",
    )
    p.add_argument(
        "--download",
        action="store_true",
        help="download the dataset if it is not on disk (needs the network)",
    )
    p.add_argument("--out", default=default_out, help="output folder")
    p.add_argument(
        "--backend",
        default=None,
        choices=mc.available_backends(),
        help="kernel implementation (same results, different speed); default: "
        "minicnn's current default, mc.get_backend()",
    )
    p.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="CHECKPOINT",
        help=f"continue from CHECKPOINT (default: OUT/{CHECKPOINT}) up to --epochs",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="use only the first N training and N test images (quick runs, tests)",
    )
    return p.parse_args(argv)


def _milestones(epochs: int) -> list[int]:
    """Step the lr down after 2/3 and after 9/10 of the epochs (distinct, at least 1)."""
    return sorted({max(1, round(epochs * 2 / 3)), max(1, round(epochs * 0.9))})


def main(
    load: Callable[[str | None, bool], Data],
    description: str,
    default_out: str,
    argv: list[str] | None = None,
) -> int:
    """A script's whole life: flags, ``load(data_dir, download)``, train. Returns the exit
    status: 1, with the reader's explanation of which files to put where, when the data
    cannot be found."""
    args = parse_args(description, default_out, argv=argv)
    try:
        data = load(args.data_dir, args.download)
    except mc.data.DatasetNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    run(args, data)
    return 0


def run(args: argparse.Namespace, data: Data) -> dict:
    """Train LeNet-5 on ``data`` as the flags say; write the outputs; return the results."""
    print(f"Data: {data.description}")
    if args.limit is not None:
        data.x_train, data.y_train = data.x_train[: args.limit], data.y_train[: args.limit]
        data.x_test, data.y_test = data.x_test[: args.limit], data.y_test[: args.limit]
        print(
            f"--limit {args.limit}: using the first {len(data.x_train):,} training and "
            f"{len(data.x_test):,} test images"
        )
    epochs = args.epochs if args.epochs is not None else data.epochs
    lr = args.lr if args.lr is not None else data.lr
    if args.backend is not None:
        mc.set_backend(args.backend)
    out = Path(args.out)
    print(
        f"Backend: {mc.get_backend()}   epochs: {epochs}   batch size: {args.batch_size}   "
        f"lr: {lr} (momentum {args.momentum})   output: {out}/"
    )

    mc.manual_seed(args.seed)
    model = mc.zoo.lenet5(num_classes=len(data.classes))
    model.summary(data.x_train.shape[1:])
    loss = mc.SoftmaxCrossEntropy()
    optimizer = mc.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    scheduler = mc.MultiStepLR(optimizer, _milestones(epochs))
    train_loader = mc.data.DataLoader(
        data.x_train, data.y_train, args.batch_size, seed=args.seed, transform=data.augment
    )
    test_loader = mc.data.DataLoader(data.x_test, data.y_test, 500, shuffle=False)

    history = mc.History()
    if args.resume:
        path = out / CHECKPOINT if args.resume is True else Path(args.resume)
        if not path.is_file():
            sys.exit(
                f"--resume: there is no checkpoint at {path}; run without --resume "
                f"first (it saves one after every epoch), or give its path"
            )
        meta = mc.load(path, model, optimizer, loader=train_loader, scheduler=scheduler)
        history = mc.History.from_dict(meta["history"])
        print(f"Resumed from {path} after epoch {meta['epoch']}")
    saver = mc.Checkpoint(
        out / CHECKPOINT, model, optimizer, loader=train_loader, scheduler=scheduler
    )
    start = time.perf_counter()
    mc.fit(
        model,
        loss,
        optimizer,
        train_loader,
        val_loader=test_loader,
        epochs=max(0, epochs - len(history)),
        callbacks=[saver],
        scheduler=scheduler,
        history=history,
    )
    seconds = time.perf_counter() - start

    predicted = mc.predict(model, data.x_test)
    accuracy = float(np.mean(predicted == data.y_test))
    print(
        f"Test accuracy: {accuracy:.2%} on {len(data.y_test):,} test images "
        f"({int(np.sum(predicted != data.y_test))} wrong) after {len(history)} epoch(s); "
        f"training took {seconds:.0f} s"
    )
    results = {
        "test_accuracy": accuracy,
        "test_images": len(data.y_test),
        "train_images": len(data.y_train),
        "epochs": len(history),
        "seconds": seconds,
        "data": data.description,
        "backend": mc.get_backend(),
        "command": " ".join(sys.argv),
        "history": history.to_dict(),
    }
    save_pictures(out, model, history, data, predicted)
    atomic_write(out / "results.json", lambda f: f.write(json.dumps(results, indent=1).encode()))
    print(
        f"Wrote {out}/: {CHECKPOINT}, training_curves.png, filters.png, feature_maps.png, "
        f"confusion_matrix.png, misclassified.png, results.json"
    )
    return results


def save_pictures(
    out: Path, model: mc.Sequential, history: mc.History, data: Data, predicted: np.ndarray
) -> None:
    viz = mc.viz
    viz.plot_history(history, out / "training_curves.png", val_label="test")
    viz.plot_filters(model, out / "filters.png")
    viz.plot_feature_maps(model, data.x_test[0], out / "feature_maps.png")
    viz.plot_confusion_matrix(data.y_test, predicted, data.classes, out / "confusion_matrix.png")
    viz.plot_misclassified(
        data.x_test, data.y_test, predicted, data.classes, out / "misclassified.png"
    )
