"""Train a CIFAR-10 ResNet (He et al. 2016, sec. 4.2; ResNet-20 by default) with
BatchNorm, SGD + momentum, weight decay, random crops and flips, and the paper's
learning-rate steps (×0.1 at 50% and 75% of the epochs).

    python examples/train_cifar10_resnet.py --subset 2000 --epochs 2   # a quick look
    python examples/train_cifar10_resnet.py --epochs 160                # the paper's recipe

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
statistics, optimizer and generator states; mc.load restores them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import minicnn as mc
from minicnn.atomic import atomic_write

# Per-channel mean and standard deviation of the CIFAR-10 training images (in [0, 1]).
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)
DEPTHS = (20, 32, 44, 56, 110)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--depth", type=int, default=20, choices=DEPTHS, help="ResNet depth, 6n + 2")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1, help="initial learning rate")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0, help="seeds weights, shuffling, augmentation")
    p.add_argument(
        "--subset",
        type=int,
        default=None,
        metavar="N",
        help="train on the first N training images and test on the first N test "
        "images (quick runs)",
    )
    p.add_argument("--data-dir", default=None, help="folder holding cifar-10-batches-bin/")
    p.add_argument(
        "--download",
        action="store_true",
        help="download CIFAR-10 (163 MB) if it is not on disk (needs the network)",
    )
    p.add_argument("--out", default="runs/cifar10_resnet", help="output folder")
    p.add_argument(
        "--backend",
        default=mc.get_backend(),
        choices=mc.available_backends(),
        help="kernel implementation (same results, different speed)",
    )
    args = p.parse_args(argv)
    if args.subset is not None and args.subset < 1:
        p.error(f"--subset must be >= 1, got {args.subset}")
    return args


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        x_train, y_train, x_test, y_test, description = load_cifar(args)
    except mc.data.DatasetNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Data: {description}")
    mc.set_backend(args.backend)
    mc.manual_seed(args.seed)
    model = mc.zoo.cifar_resnet(args.depth)
    summary = model.summary((3, 32, 32), print_table=False)
    print(
        f"ResNet-{args.depth} (option A shortcuts): {summary.total_params:,} parameters, "
        f"{summary.total_macs / 1e6:.1f} M multiply-adds per image"
    )
    print(
        f"Backend: {args.backend}   epochs: {args.epochs}   batch size: {args.batch_size}   "
        f"lr: {args.lr} (momentum {args.momentum}, weight decay {args.weight_decay})"
    )

    loss = mc.SoftmaxCrossEntropy()
    optimizer = mc.SGD(
        model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay
    )
    augment = mc.data.Compose(
        [mc.data.RandomCrop(32, padding=4), mc.data.RandomHorizontalFlip(0.5)]
    )
    train_loader = mc.data.DataLoader(
        x_train, y_train, args.batch_size, seed=args.seed, transform=augment
    )
    test_loader = mc.data.DataLoader(x_test, y_test, 500, shuffle=False)
    start = time.perf_counter()
    # The paper's schedule: lr ×0.1 after 50% and 75% of training (its 32k and 48k of 64k
    # iterations).
    milestones = sorted({max(1, round(args.epochs * 0.5)), max(1, round(args.epochs * 0.75))})
    scheduler = mc.MultiStepLR(optimizer, milestones, gamma=0.1)
    history = mc.fit(
        model,
        loss,
        optimizer,
        train_loader,
        val_loader=test_loader,
        epochs=args.epochs,
        scheduler=scheduler,
    )
    seconds = time.perf_counter() - start

    _, accuracy = mc.evaluate(model, loss, test_loader)
    per_epoch = seconds / max(1, len(history))
    print(
        f"Test accuracy: {accuracy:.2%} on {len(y_test):,} test images after "
        f"{len(history)} epoch(s); {per_epoch:.1f} s per epoch"
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        "test_accuracy": accuracy,
        "depth": args.depth,
        "epochs": len(history),
        "train_images": len(y_train),
        "test_images": len(y_test),
        "seconds_per_epoch": per_epoch,
        "backend": args.backend,
        "data": description,
        "command": " ".join(sys.argv),
        "history": history.to_dict(),
    }
    atomic_write(out / "results.json", lambda f: f.write(json.dumps(results, indent=1).encode()))
    mc.viz.plot_history(history, out / "training_curves.png")
    mc.save(
        out / "checkpoint.npz",
        model,
        optimizer,
        loader=train_loader,
        scheduler=scheduler,
        epoch=len(history),
    )
    print(f"Wrote {out}/results.json, {out}/training_curves.png and {out}/checkpoint.npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
