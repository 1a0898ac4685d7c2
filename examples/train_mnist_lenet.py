"""Train LeNet-5 on MNIST with SGD + momentum: the main job of minicnn.

    python examples/train_mnist_lenet.py                 # defaults reach the targets
    python examples/train_mnist_lenet.py --download      # fetch full MNIST first
    python examples/train_mnist_lenet.py --resume        # continue an interrupted run
    mpiexec -n 2 python examples/train_mnist_lenet.py --distributed   # two processes
    minicnn train lenet5-mnist                           # the same, from an installed minicnn

Which data:
* full MNIST (60,000 training / 10,000 test digits) when its files are on disk (see
  --data-dir; --download fetches them): 12 epochs by default, target >= 99.0%;
* otherwise the 5,000 real MNIST digits that ship with minicnn, split into 4,000 for
  training and 1,000 held out for testing (mc.data.MNISTSample): 30 epochs by default
  (about 35 s with the numba backend, about 1 minute with numpy on 2 cores), target
  >= 96%: measured 97.5% with seed 0 (numba and numpy), 98.4% with seed 1 (numba).
  No network needed.

The script says which one it uses on its "Data:" line. Outputs go to --out
(default runs/mnist_lenet/): see minicnn/recipes.py. The training itself is below, in
train(); finding the data, the flags, resuming and the pictures are minicnn.recipes's.
"""

from __future__ import annotations

import os
import sys
import time

# One BLAS thread unless you chose otherwise. OpenBLAS's worker threads spin while they
# wait; LeNet's matrix products are too small to gain from them, and on a small or busy
# machine they cost a lot (measured on 2 shared cores: 25 images/s with 2 threads, 400
# with 1). This must happen before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minicnn as mc  # noqa: E402
from minicnn import recipes  # noqa: E402


def train(args, data: recipes.Data) -> dict:
    """The training step of every lesson: a model, a loss, an optimizer, and fit."""
    epochs, lr = recipes.prepare(args, data)  # --limit, --backend; the Data line
    mc.manual_seed(args.seed)
    model = mc.zoo.lenet5(num_classes=len(data.classes))
    model.summary(data.x_train.shape[1:])
    loss = mc.SoftmaxCrossEntropy()
    optimizer = mc.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    scheduler = mc.MultiStepLR(optimizer, recipes.milestones(epochs))  # lr ×0.1, twice
    train_loader, test_loader = recipes.loaders(args, data)
    # history: empty, or the one saved in the checkpoint with --resume; saver writes
    # OUT/checkpoint.npz after every epoch.
    history, saver = recipes.resume(args, model, optimizer, scheduler, train_loader)
    # With --distributed: DistributedDataParallel(model), which averages the gradients of
    # the processes after every backward (docs/distributed.md); else the model itself.
    net = recipes.parallel(args, model)

    start = time.perf_counter()
    # fit repeats, for every batch: optimizer.zero_grad(); scores = model.forward(xb);
    # loss(scores, yb); model.backward(loss.backward()); optimizer.step()
    mc.fit(
        net,
        loss,
        optimizer,
        train_loader,
        val_loader=test_loader,
        epochs=max(0, epochs - len(history)),
        callbacks=[saver],
        scheduler=scheduler,
        history=history,
    )
    # Test accuracy, the pictures and results.json in OUT/.
    return recipes.finish(args, data, model, history, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    args = recipes.recipe_parser("lenet5-mnist").parse_args(argv)
    return recipes.run_lenet(recipes.load_mnist, args, train)


if __name__ == "__main__":
    sys.exit(main())
