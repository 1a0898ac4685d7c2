"""The training recipes that ship with minicnn: ``minicnn train RECIPE`` and examples/.

==================  =============================================================
recipe              what it trains
==================  =============================================================
``lenet5-mnist``    LeNet-5 on MNIST: the full 60,000/10,000 digits when their files
                    are found (12 epochs, target >= 99%), else the 5,000-digit sample
                    that ships with minicnn (4,000 train / 1,000 test, 30 epochs,
                    target >= 96%). No network needed.
``fashion-mnist``   LeNet-5 on Fashion-MNIST (15 epochs, lr 0.02, random flips,
                    target >= 90%).
``cifar10-resnet``  a CIFAR-10 ResNet (He et al. 2016, sec. 4.2; ResNet-20 by default)
                    with BatchNorm, weight decay, random crops and flips.
==================  =============================================================

The LeNet-5 recipes write to ``--out`` (default ``runs/mnist_lenet/``,
``runs/fashion_mnist/``)::

    checkpoint.npz        weights + optimizer + generator states, after every epoch
    training_curves.png   loss and accuracy per epoch, training and test
    filters.png           the 6 first-layer kernels
    feature_maps.png      one test image through each conv layer
    confusion_matrix.png  true class × predicted class on the test set
    misclassified.png     test images the model got wrong
    results.json          accuracy, epochs, timings, the command line

The CIFAR-10 recipe writes results.json, training_curves.png and checkpoint.npz.

``--distributed`` (every recipe) trains in data parallel over MPI, started as
``mpiexec -n 2 minicnn train lenet5-mnist --distributed``: ``--batch-size`` is per
process, every process takes its shard of each epoch (``mc.distributed``), and only
rank 0 prints and writes the outputs. Every rank reads the checkpoint to ``--resume``.
[`train_lenet5`][minicnn.recipes.train_lenet5] is the training step every lesson writes (model,
loss, optimizer, fit); ``examples/train_mnist_lenet.py`` shows the same steps in a script of
its own. The rest of this module is plumbing: flags, finding the data, resuming, pictures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import minicnn as mc
from minicnn.atomic import atomic_write_bytes
from minicnn.data.transforms import Transform

from .cli import HelpFormatter

CHECKPOINT = "checkpoint.npz"


@dataclass
class Data:
    """The images to train and test on, and the recipe that suits them."""

    description: str  # printed as the "Data:" line: what is used and why
    x_train: np.ndarray  # float32 (N, C, H, W) in [0, 1]
    y_train: np.ndarray  # int64 (N,)
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    epochs: int  # default number of epochs for this data
    lr: float  # default initial learning rate for this data
    augment: Transform  # training-batch augmentation


def make_data(
    description: str,
    train: mc.data.ImageDataset,
    test: mc.data.ImageDataset,
    epochs: int,
    lr: float,
    augment: Transform,
) -> Data:
    """A [`Data`][minicnn.recipes.Data] from two datasets, as arrays the network wants."""
    (x_train, y_train), (x_test, y_test) = train.arrays(), test.arrays()
    classes = list(train.classes)
    return Data(description, x_train, y_train, x_test, y_test, classes, epochs, lr, augment)


# -- the LeNet-5 recipes -------------------------------------------------------------------


def load_mnist(data_dir: str | None, download: bool) -> Data:
    """Full MNIST if it can be found (or downloaded), else the 5k sample."""
    shift = mc.data.RandomShift(2)  # digits may move, never flip
    try:
        train = mc.data.MNIST(data_dir, "train", download=download)
        test = mc.data.MNIST(data_dir, "test", download=download)
        return make_data(
            f"full MNIST from {train.source} ({len(train):,} training / {len(test):,} test images)",
            train,
            test,
            epochs=12,
            lr=0.05,
            augment=shift,
        )
    except mc.data.DatasetNotFoundError:
        pass
    how = "" if download else " (add --download to fetch it, or see --data-dir)"
    try:
        sample_train = mc.data.MNISTSample("train")
        sample_test = mc.data.MNISTSample("test")
    except mc.data.DatasetNotFoundError as err:
        raise mc.data.DatasetNotFoundError(
            f"Full MNIST is not available{how}, and neither is the 5,000-digit sample "
            f"used in its place: {err}"
        ) from None
    hint = "" if download else "; add --download to fetch it, or see --data-dir"
    return make_data(  # what is used first, then what is not (and how to get it)
        f"the 5,000-digit real MNIST sample shipped with minicnn: {len(sample_train):,} "
        f"training images and a held-out test split of {len(sample_test):,} (full MNIST "
        f"is not available{hint}).",
        sample_train,
        sample_test,
        epochs=30,
        lr=0.05,
        augment=shift,
    )


def load_fashion(data_dir: str | None, download: bool) -> Data:
    """Fashion-MNIST. Clothes, unlike digits, may be mirrored: random horizontal flips.
    lr 0.02, not 0.05: measured with seeds 0 and 1, 0.05 plateaus near 88% before the
    step-down and ends at 90.1-90.6%; 0.02 ends at 91.2% and 90.6%."""
    train = mc.data.FashionMNIST(data_dir, "train", download=download)
    test = mc.data.FashionMNIST(data_dir, "test", download=download)
    return make_data(
        f"Fashion-MNIST from {train.source} ({len(train):,} training / {len(test):,} test images)",
        train,
        test,
        epochs=15,
        lr=0.02,
        augment=mc.data.RandomHorizontalFlip(0.5),
    )


def add_lenet_arguments(p: argparse.ArgumentParser, default_out: str) -> None:
    """The flags of the LeNet-5 recipes."""
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs in total (default: depends on the data found, see the Data line)",
    )
    p.add_argument("--batch-size", type=int, default=64, help="images per training step")
    p.add_argument(
        "--lr",
        type=float,
        default=None,
        help="initial learning rate (default: depends on the data); ×0.1 after 2/3 "
        "and again after 9/10 of the epochs",
    )
    p.add_argument("--momentum", type=float, default=0.9, help="SGD momentum")
    p.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling, augmentation")
    add_data_arguments(p)
    p.add_argument("--out", default=default_out, help="output folder")
    add_backend_argument(p)
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
    add_distributed_argument(p)


def add_distributed_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel training over MPI: start with 'mpiexec -n 2 ...'; "
        "--batch-size is then per process (needs the 'distributed' extra)",
    )


def add_data_arguments(p: argparse.ArgumentParser) -> None:
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


def add_backend_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        default=None,
        choices=mc.available_backends(),
        help="kernel implementation (same results, different speed); default: "
        "minicnn's current default, mc.get_backend()",
    )


def milestones(epochs: int) -> list[int]:
    """Step the lr down after 2/3 and after 9/10 of the epochs (distinct, at least 1)."""
    return sorted({max(1, round(epochs * 2 / 3)), max(1, round(epochs * 0.9))})


def prepare(args: argparse.Namespace, data: Data) -> tuple[int, float]:
    """Apply --limit and --backend, print the run's settings; return (epochs, lr)."""
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
    print(
        f"Backend: {mc.get_backend()}   epochs: {epochs}   batch size: {batch_size(args)}   "
        f"lr: {lr} (momentum {args.momentum})   output: {args.out}/"
    )
    return epochs, lr


# -- data-parallel training (--distributed) ---------------------------------------------


def batch_size(args: argparse.Namespace) -> str:
    """'64', or '64 × 2 processes' with --distributed (--batch-size is per process)."""
    if not args.distributed:
        return str(args.batch_size)
    return f"{args.batch_size} × {mc.distributed.world_size()} processes"


def is_main(args: argparse.Namespace) -> bool:
    """True unless this is a rank other than 0 of a --distributed run."""
    return not args.distributed or mc.distributed.rank() == 0


@contextlib.contextmanager
def distributed_run(args: argparse.Namespace) -> Iterator[None]:
    """Around a whole run. With --distributed: join the MPI world (a clear exit naming
    the extra when mpi4py is missing), silence stdout on the ranks other than 0, and if
    any rank fails, print its error and abort all of them: the others would otherwise
    wait for it forever in their next Allreduce."""
    if not args.distributed:
        yield
        return
    try:
        comm = mc.distributed.world()
    except ImportError as err:
        sys.exit(f"--distributed: {err}")
    if comm.Get_rank() != 0:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the rest of the process)
    try:
        yield
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        comm.Abort(1)


def parallel(args: argparse.Namespace, model: mc.Layer) -> mc.train.Model:
    """The model to hand to fit: wrapped in DistributedDataParallel with --distributed
    (rank 0's weights copied to all, gradients averaged after every backward)."""
    if not args.distributed:
        return model
    return mc.distributed.DistributedDataParallel(model)


def loaders(args: argparse.Namespace, data: Data) -> tuple[mc.data.DataLoader, mc.data.DataLoader]:
    """(training loader: shuffled, seeded, augmented; test loader: in order, 500 a batch).

    With --distributed a DistributedSampler gives each rank its shard. The augmentation
    generator gets the same seed on every rank, so the ranks' generators stay in step
    (equal batch sizes draw equally) and rank 0's checkpoint restores every rank's
    exactly; the price is that rank r's i-th image of a batch gets the same random
    shift as rank 0's i-th, which are different images."""
    sampler = (
        mc.distributed.DistributedSampler(data.x_train, seed=args.seed)
        if args.distributed
        else None
    )
    train_loader = mc.data.DataLoader(
        data.x_train,
        data.y_train,
        args.batch_size,
        seed=args.seed,
        transform=data.augment,
        sampler=sampler,
    )
    return train_loader, mc.data.DataLoader(data.x_test, data.y_test, 500, shuffle=False)


def resume(
    args: argparse.Namespace, model, optimizer, scheduler, train_loader
) -> tuple[mc.History, mc.Checkpoint]:
    """The History to continue (restored from the checkpoint with --resume, else empty)
    and the callback that saves a checkpoint after every epoch."""
    out = Path(args.out)
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
    elif is_main(args):  # the report shows the first layer's filters before and after
        mc.viz.save_initial_filters(model, out)
    saver = mc.Checkpoint(
        out / CHECKPOINT, model, optimizer, loader=train_loader, scheduler=scheduler
    )
    return history, saver


def train_lenet5(args: argparse.Namespace, data: Data) -> dict:
    """Train LeNet-5 on ``data`` as the flags say; write the outputs; return the results."""
    epochs, lr = prepare(args, data)
    mc.manual_seed(args.seed)
    model = mc.zoo.lenet5(num_classes=len(data.classes), in_channels=data.x_train.shape[1])
    model.summary(data.x_train.shape[1:])
    loss = mc.SoftmaxCrossEntropy()
    optimizer = mc.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    scheduler = mc.MultiStepLR(optimizer, milestones(epochs))
    train_loader, test_loader = loaders(args, data)
    history, saver = resume(args, model, optimizer, scheduler, train_loader)
    start = time.perf_counter()
    mc.fit(
        parallel(args, model),  # the model itself, or wrapped with --distributed
        loss,
        optimizer,
        train_loader,
        val_loader=test_loader,
        epochs=max(0, epochs - len(history)),  # a resumed run trains only what is left
        callbacks=[saver],
        scheduler=scheduler,
        history=history,
    )
    return finish(args, data, model, history, time.perf_counter() - start)


def finish(
    args: argparse.Namespace, data: Data, model: mc.Sequential, history: mc.History, seconds: float
) -> dict:
    """Test the trained model, write the pictures and results.json; return the results
    (rank 0 only with --distributed: the other ranks hold the same model)."""
    if not is_main(args):
        return {}
    out = Path(args.out)
    predicted = np.asarray(mc.predict(model, data.x_test))
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
    write_results(out, results, model, data.x_train.shape[1:])
    print(
        f"Wrote {out}/: {CHECKPOINT}, training_curves.png, filters_before.png, filters.png, "
        f"feature_maps.png, confusion_matrix.png, misclassified.png, results.json, report.html"
    )
    return results


def write_results(out: Path, results: dict, model=None, input_shape=None) -> None:
    """results.json (atomically), then the run's report page (report.html: with the model's
    summary table when ``model`` and ``input_shape``, one input's shape, are given)."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "results.json", json.dumps(results, indent=1).encode())
    mc.viz.report(out, model=model, input_shape=input_shape)


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


def run_lenet(
    load: Callable[[str | None, bool], Data],
    args: argparse.Namespace,
    train: Callable[[argparse.Namespace, Data], dict] = train_lenet5,
) -> int:
    """``load(data_dir, download)``, then ``train(args, data)``. Returns the exit status:
    1, with the reader's explanation of which files to put where, when the data cannot
    be found."""
    with distributed_run(args):
        try:
            data = load(args.data_dir, args.download)
        except mc.data.DatasetNotFoundError as err:
            print(err, file=sys.stderr)
            return 1
        train(args, data)
    return 0


# -- the CIFAR-10 ResNet recipe -------------------------------------------------------------

# Per-channel mean and standard deviation of the CIFAR-10 training images (in [0, 1]).
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)
DEPTHS = (20, 32, 44, 56, 110)


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def add_cifar_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of the CIFAR-10 recipe. Be patient: ResNet-20 needs 41 million
    multiply-adds per image forward, about three times that with backward; on 2 busy
    cores it trains about 50 images/s (numpy backend), some 17 minutes an epoch."""
    p.add_argument("--depth", type=int, default=20, choices=DEPTHS, help="ResNet depth, 6n + 2")
    p.add_argument("--epochs", type=int, default=10, help="the paper's recipe: 160")
    p.add_argument("--batch-size", type=int, default=128, help="images per training step")
    p.add_argument("--lr", type=float, default=0.1, help="initial learning rate")
    p.add_argument("--momentum", type=float, default=0.9, help="SGD momentum")
    p.add_argument("--weight-decay", type=float, default=1e-4, help="L2 penalty on the weights")
    p.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling, augmentation")
    p.add_argument(
        "--subset",
        type=positive_int,
        default=None,
        metavar="N",
        help="train on the first N training images and test on the first N test "
        "images (quick runs)",
    )
    add_data_arguments(p)
    p.add_argument("--out", default="runs/cifar10_resnet", help="output folder")
    add_backend_argument(p)
    add_distributed_argument(p)


def load_cifar(args: argparse.Namespace):
    """Normalised float32 arrays (x_train, y_train, x_test, y_test) and a description."""
    train = mc.data.CIFAR10(args.data_dir, "train", download=args.download)
    test = mc.data.CIFAR10(args.data_dir, "test", download=args.download)
    normalize = mc.data.Normalize(CIFAR_MEAN, CIFAR_STD)
    (x_train, y_train), (x_test, y_test) = train.arrays(), test.arrays()
    if args.subset is not None:
        x_train, y_train = x_train[: args.subset], y_train[: args.subset]
        x_test, y_test = x_test[: args.subset], y_test[: args.subset]
    description = (
        f"CIFAR-10 from {train.source}: {len(x_train):,} training / "
        f"{len(x_test):,} test images" + (" (--subset)" if args.subset else "")
    )
    return normalize(x_train), y_train, normalize(x_test), y_test, description


def run_cifar(args: argparse.Namespace) -> int:
    """Train a CIFAR-10 ResNet with the paper's lr steps (×0.1 at 50% and 75%)."""
    with distributed_run(args):
        return train_cifar(args)


def train_cifar(args: argparse.Namespace) -> int:
    try:
        x_train, y_train, x_test, y_test, description = load_cifar(args)
    except mc.data.DatasetNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Data: {description}")
    if args.backend is not None:
        mc.set_backend(args.backend)
    mc.manual_seed(args.seed)
    model = mc.zoo.cifar_resnet(args.depth)
    summary = model.summary((3, 32, 32), print_table=False)
    print(
        f"ResNet-{args.depth} (option A shortcuts): {summary.total_params:,} parameters, "
        f"{summary.total_macs / 1e6:.1f} M multiply-adds per image"
    )
    print(
        f"Backend: {mc.get_backend()}   epochs: {args.epochs}   batch size: {batch_size(args)}   "
        f"lr: {args.lr} (momentum {args.momentum}, weight decay {args.weight_decay})"
    )
    loss = mc.SoftmaxCrossEntropy()
    optimizer = mc.SGD(
        model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay
    )
    augment = mc.data.Compose(
        [mc.data.RandomCrop(32, padding=4), mc.data.RandomHorizontalFlip(0.5)]
    )
    sampler = (
        mc.distributed.DistributedSampler(x_train, seed=args.seed) if args.distributed else None
    )
    train_loader = mc.data.DataLoader(
        x_train, y_train, args.batch_size, seed=args.seed, transform=augment, sampler=sampler
    )
    test_loader = mc.data.DataLoader(x_test, y_test, 500, shuffle=False)
    # The paper's schedule: lr ×0.1 after 50% and 75% of training (its 32k and 48k of 64k
    # iterations).
    steps = sorted({max(1, round(args.epochs * 0.5)), max(1, round(args.epochs * 0.75))})
    scheduler = mc.MultiStepLR(optimizer, steps, gamma=0.1)
    start = time.perf_counter()
    history = mc.fit(
        parallel(args, model),
        loss,
        optimizer,
        train_loader,
        val_loader=test_loader,
        epochs=args.epochs,
        scheduler=scheduler,
    )
    seconds = time.perf_counter() - start
    if not is_main(args):  # the other ranks hold the same model: rank 0 reports
        return 0
    _, accuracy = mc.evaluate(model, loss, test_loader)
    per_epoch = seconds / max(1, len(history))
    print(
        f"Test accuracy: {accuracy:.2%} on {len(y_test):,} test images after "
        f"{len(history)} epoch(s); {per_epoch:.1f} s per epoch"
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mc.viz.plot_history(history, out / "training_curves.png")
    mc.save(
        out / CHECKPOINT,
        model,
        optimizer,
        loader=train_loader,
        scheduler=scheduler,
        epoch=len(history),
    )
    results = {
        "test_accuracy": accuracy,
        "depth": args.depth,
        "epochs": len(history),
        "train_images": len(y_train),
        "test_images": len(y_test),
        "seconds_per_epoch": per_epoch,
        "backend": mc.get_backend(),
        "data": description,
        "command": " ".join(sys.argv),
        "history": history.to_dict(),
    }
    write_results(out, results)
    print(f"Wrote {out}/results.json, {out}/training_curves.png and {out}/{CHECKPOINT}")
    return 0


# -- the table of recipes -----------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


RECIPES: dict[str, Recipe] = {
    "lenet5-mnist": Recipe(
        "LeNet-5 on MNIST (full MNIST if found, else the 5,000-digit sample shipped with "
        "minicnn; no network needed)",
        lambda p: add_lenet_arguments(p, "runs/mnist_lenet"),
        lambda args: run_lenet(load_mnist, args),
    ),
    "fashion-mnist": Recipe(
        "LeNet-5 on Fashion-MNIST (needs its files: --data-dir or --download)",
        lambda p: add_lenet_arguments(p, "runs/fashion_mnist"),
        lambda args: run_lenet(load_fashion, args),
    ),
    "cifar10-resnet": Recipe(
        "a CIFAR-10 ResNet, ResNet-20 by default (needs the binary CIFAR-10: --data-dir "
        "or --download; minutes per epoch)",
        add_cifar_arguments,
        run_cifar,
    ),
}


def recipe_parser(name: str, prog: str | None = None) -> argparse.ArgumentParser:
    """A stand-alone parser for one recipe (what the example scripts use)."""
    recipe = RECIPES[name]
    p = argparse.ArgumentParser(
        prog=prog,
        description=f"Train {recipe.help}.",
        formatter_class=HelpFormatter,
    )
    recipe.add_arguments(p)
    return p
