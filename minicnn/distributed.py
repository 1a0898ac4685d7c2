"""Data-parallel training over MPI: every process trains a copy of the model on its own
shard of each batch, and they average their gradients so that every copy takes the same
step.

Run a script under ``mpiexec``; each copy of it is one *rank* (0, 1, ...) of a *world*
of ``world_size`` processes::

    mpiexec -n 2 python examples/train_mnist_lenet.py --distributed

Three pieces, each the PyTorch one of the same name, cut down to what a lesson needs:

``DistributedSampler``
    every rank draws the same permutation of the N samples (from ``seed + epoch``) and
    keeps every ``world_size``-th index starting at its rank, so the shards are disjoint
    and together cover the epoch. ``DataLoader(x, y, batch_size, sampler=...)`` uses it.
``DistributedDataParallel``
    wraps the model. It copies rank 0's parameters and buffers to every rank when it is
    built, and after every ``backward`` it averages the gradients over the ranks with one
    ``Allreduce`` of one flat buffer, so every rank's optimizer sees the same gradient
    and takes the same step: the copies never drift apart.
``rank`` / ``world_size`` / ``is_main_process``
    who am I; only rank 0 (the *main process*) prints, and writes checkpoints and reports.

Why averaging is right. With the mean loss over a batch of B = R·b images split into R
shards of b, the big batch's gradient is the mean of the shards' gradients::

    ∇L_B = (1/B) Σ_{i in B} ∇ℓ_i = (1/R) Σ_r (1/b) Σ_{i in shard r} ∇ℓ_i = (1/R) Σ_r ∇L_r

so R processes with b images each take exactly the step of one process with R·b images
(to floating-point rounding). ``tests/test_distributed.py`` checks it.

BatchNorm. Each rank normalises its batch with the statistics of *its own* b images
(PyTorch's default; PyTorch's ``SyncBatchNorm`` would allreduce them inside every BN
layer's forward and backward, 2 more latency-bound messages per BN layer per step, 38
for ResNet-20, worth it only when b is tiny, below about 16). So with BatchNorm, R·b
split over R ranks is *not* bit-for-bit one batch of R·b: each BN sees b images.
The running mean and variance (buffers, used in eval mode) are then copied from rank 0
to every rank after each step (as PyTorch's ``broadcast_buffers=True`` does before each
forward), so the copies stay identical and rank 0's checkpoint is every rank's model.

mpi4py is imported only when a communicator is needed: ``import minicnn`` works without
it, and asking for distributed training without it names the extra to install
(``pip install 'minicnn-course[distributed]'``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .layers.base import Layer
from .parameter import Parameter

INSTALL_HINT = (
    "distributed training needs mpi4py and an MPI library: "
    "pip install 'minicnn-course[distributed]' (mpi4py and the mpich wheel), "
    "then start the script with: mpiexec -n 2 python SCRIPT ..."
)


def world():
    """MPI's world communicator (every process ``mpiexec`` started), mpi4py's
    ``MPI.COMM_WORLD``. Imports mpi4py, which starts MPI; a script run without
    ``mpiexec`` is a world of one."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err
    return MPI.COMM_WORLD


def rank(comm=None) -> int:
    """This process's number in the world, 0 .. world_size - 1."""
    return int((comm or world()).Get_rank())


def world_size(comm=None) -> int:
    """How many processes train together."""
    return int((comm or world()).Get_size())


def is_main_process(comm=None) -> bool:
    """True on rank 0: the one process that prints and writes files."""
    return rank(comm) == 0


# -- the sampler ----------------------------------------------------------------------------


class DistributedSampler:
    """The indices of this rank's shard of a dataset, a new shard every epoch.

    Args:
        dataset: anything with ``len()`` (a Dataset, or the array x).
        num_replicas: how many ranks share the data (default: the world's size).
        rank: which shard this is, 0 .. num_replicas - 1 (default: this process's rank).
        shuffle: permute the N indices each epoch; every rank draws the *same*
            permutation, from ``np.random.default_rng(seed + epoch)``, so no rank
            needs to tell another which samples it took.
        seed: the same on every rank.
        drop_last: drop the tail that does not divide evenly instead of padding.

    The split is PyTorch's: with N samples and R ranks every rank gets
    ``num_samples = ceil(N / R)`` indices; the permutation is padded to R·num_samples
    by repeating its first indices (so a few samples are seen twice in an epoch), and
    rank r takes positions r, r + R, r + 2R, ... With ``drop_last=True`` it gets
    ``floor(N / R)`` and the last N mod R samples of the permutation are not used this
    epoch. Equal shard sizes matter: every rank runs the same number of steps, so no
    rank waits forever in an Allreduce that the others never join.

    Because rank r takes every R-th index, batch k of the R ranks together is exactly
    ``permutation[k·R·b : (k+1)·R·b]`` (b the batch size per rank): the batch one
    process would take with batch size R·b.

    Call ``set_epoch(epoch)`` before each epoch (``mc.fit`` does it for you) or every
    epoch repeats the first one's order.
    """

    def __init__(
        self,
        dataset,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ):
        self.num_replicas = world_size() if num_replicas is None else int(num_replicas)
        # `rank` the argument hides rank() the function here: ask the communicator.
        self.rank = int(world().Get_rank()) if rank is None else int(rank)
        if self.num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be >= 1, got {num_replicas}")
        if not 0 <= self.rank < self.num_replicas:
            raise ValueError(
                f"DistributedSampler: rank must lie in 0..{self.num_replicas - 1} "
                f"(num_replicas={self.num_replicas}), got {rank}"
            )
        self.n = len(dataset)
        if drop_last and self.n < self.num_replicas:
            raise ValueError(
                f"DistributedSampler: {self.n} samples cannot give each of "
                f"{self.num_replicas} ranks one with drop_last=True; use drop_last=False"
            )
        self.shuffle, self.seed, self.drop_last = shuffle, int(seed), drop_last
        self.epoch = 0
        if drop_last:
            self.num_samples = self.n // self.num_replicas
        else:
            self.num_samples = math.ceil(self.n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of ``epoch`` (0-based) from now on."""
        self.epoch = int(epoch)

    def indices(self) -> np.ndarray:
        """This rank's shard of the current epoch, (num_samples,) int64."""
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(self.n)
        else:
            order = np.arange(self.n)
        if self.total_size > self.n:  # pad: repeat the start (np.resize cycles through it)
            order = np.resize(order, self.total_size)
        order = order[: self.total_size]
        return order[self.rank : self.total_size : self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (
            f"DistributedSampler({self.n} samples, num_replicas={self.num_replicas}, "
            f"rank={self.rank}, shuffle={self.shuffle}, seed={self.seed}, "
            f"drop_last={self.drop_last}, epoch={self.epoch})"
        )


# -- moving many arrays as one --------------------------------------------------------------


def _flat_buffer(arrays: Sequence[np.ndarray], what: str) -> np.ndarray:
    """One contiguous vector big enough for all ``arrays`` (one message instead of many:
    each MPI message costs a fixed latency, however small it is)."""
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) > 1:
        raise TypeError(
            f"DistributedDataParallel: the {what} have mixed dtypes {sorted(map(str, dtypes))}; "
            f"cast the model to one, e.g. model.to(np.float32)"
        )
    return np.empty(sum(a.size for a in arrays), dtype=dtypes.pop())


def _pack(arrays: Sequence[np.ndarray], flat: np.ndarray) -> None:
    start = 0
    for a in arrays:
        flat[start : start + a.size] = a.ravel()
        start += a.size


def _unpack(flat: np.ndarray, arrays: Sequence[np.ndarray]) -> None:
    start = 0
    for a in arrays:
        a[...] = flat[start : start + a.size].reshape(a.shape)
        start += a.size


def broadcast_arrays(arrays: Sequence[np.ndarray], comm, root: int = 0) -> None:
    """Overwrite ``arrays`` (in place) on every rank with rank ``root``'s values: pack
    into one buffer, one ``Bcast``, unpack."""
    arrays = [a for a in arrays if a.size]
    if not arrays:
        return
    flat = _flat_buffer(arrays, "arrays")
    _pack(arrays, flat)
    comm.Bcast(flat, root=root)
    _unpack(flat, arrays)


# -- the wrapper ----------------------------------------------------------------------------


class DistributedDataParallel:
    """``module`` trained in data parallel: the gradients are averaged over the ranks
    after every ``backward``.

    Args:
        module: the model (a Layer), built the same way on every rank.
        comm: an mpi4py communicator (default: the world).
        bucket_cap_mb: ``None`` (default) sends all gradients in one Allreduce; a
            number splits them into buckets of about that many megabytes, one
            Allreduce each, in the parameters' order (PyTorch's default is 25 MB; it
            starts a bucket's Allreduce while backward is still running, which a
            NumPy backward here cannot do, so one bucket is fastest).

    What it does:

    * on construction, ``Bcast`` rank 0's parameters and buffers to every rank, so the
      copies start identical even if each rank drew its own initial weights;
    * ``forward(x)`` is ``module.forward(x)`` (x is this rank's shard of the batch);
    * ``backward(dout)`` runs ``module.backward`` (filling every ``p.grad`` with this
      rank's gradient), then packs the gradients of the trainable parameters into one
      flat vector g_r, ``Allreduce`` sums it over the ranks, and divides by R:
      every rank now holds (1/R) Σ_r g_r, the big batch's gradient; then the buffers
      (BatchNorm's running statistics) are copied from rank 0 (see the module doc).

    It is not a layer itself but a wrapper around one: ``fit`` and ``evaluate`` take it
    in place of the model, and everything else it is asked (``parameters()``,
    ``train()``, ``state_dict()``, ...) it hands to ``module``. Build the optimizer from
    ``model.parameters()`` and save ``model`` (the wrapped one), so checkpoints keep the
    plain names (``0.weight``) and load into a model that was never distributed.
    """

    def __init__(self, module: Layer, comm=None, bucket_cap_mb: float | None = None):
        if not isinstance(module, Layer):
            raise TypeError(
                f"DistributedDataParallel: module must be a mc.Layer (e.g. a Sequential), "
                f"got {type(module).__name__}"
            )
        self.module = module
        self.comm = world() if comm is None else comm
        self.rank, self.world_size = rank(self.comm), world_size(self.comm)
        self.buckets = self._buckets(bucket_cap_mb)
        self.allreduce_seconds = 0.0  # time spent communicating, for the benchmark
        broadcast_arrays([p.data for p in module.parameters()], self.comm)
        self.broadcast_buffers()

    def _buckets(self, bucket_cap_mb: float | None) -> list[list[Parameter]]:
        """The trainable parameters in their order, cut into buckets of at most
        ``bucket_cap_mb`` megabytes (a parameter larger than that is a bucket alone)."""
        params = [p for p in self.module.parameters() if p.requires_grad]
        if bucket_cap_mb is None:
            return [params] if params else []
        cap = bucket_cap_mb * 2**20
        buckets: list[list[Parameter]] = [[]]
        size = 0
        for p in params:
            if buckets[-1] and size + p.data.nbytes > cap:
                buckets.append([])
                size = 0
            buckets[-1].append(p)
            size += p.data.nbytes
        return [b for b in buckets if b]

    def __getattr__(self, name: str) -> Any:
        # Only called for what the wrapper lacks: parameters(), train(), training, ...
        if name == "module":  # not set yet (during __init__): no endless recursion
            raise AttributeError(name)
        return getattr(self.module, name)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.module.forward(x)

    __call__ = forward

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = self.module.backward(dout)
        self.average_gradients()
        self.broadcast_buffers()
        return dx

    def average_gradients(self) -> None:
        """p.grad ← (1/R) Σ_ranks p.grad for every trainable parameter: one Allreduce
        per bucket over a flat buffer."""
        start = time.perf_counter()
        for bucket in self.buckets:
            grads = [p.grad for p in bucket]
            flat = _flat_buffer(grads, "gradients")
            _pack(grads, flat)
            total = np.empty_like(flat)
            self.comm.Allreduce(flat, total)  # total = Σ over ranks (mpi4py's default op: SUM)
            total /= self.world_size
            _unpack(total, grads)
        self.allreduce_seconds += time.perf_counter() - start

    def broadcast_buffers(self) -> None:
        """Copy rank 0's floating-point buffers (running statistics) to every rank."""
        buffers = [b for b in self.module.buffers() if np.issubdtype(b.dtype, np.floating)]
        broadcast_arrays(buffers, self.comm)

    def all_sum(self, values: Sequence[float]) -> list[float]:
        """Sum numbers over the ranks (fit adds up each rank's loss, hits and images)."""
        mine = np.asarray(values, dtype=np.float64)
        total = np.empty_like(mine)
        self.comm.Allreduce(mine, total)
        return total.tolist()

    def __repr__(self) -> str:
        inner = repr(self.module).replace("\n", "\n  ")
        return (
            f"DistributedDataParallel(rank {self.rank} of {self.world_size}, "
            f"{len(self.buckets)} bucket(s),\n  {inner}\n)"
        )


def main_process(model: Any) -> bool:
    """False only for a ``DistributedDataParallel`` model on a rank other than 0:
    what ``fit`` asks before it prints or runs a callback that writes files."""
    return not isinstance(model, DistributedDataParallel) or model.rank == 0
