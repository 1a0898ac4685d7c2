"""Data-parallel training (minicnn.distributed): the sampler's shards, the gradient
averaging, rank 0's privileges, and two real MPI processes under ``mpiexec -n 2``.

The MPI tests start ``mpiexec`` (installed with the ``distributed`` extra, which the
``test`` extra pulls in); they are skipped only when mpi4py is not installed at all, and
with MINICNN_REQUIRE_MPI=1 that is an error instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn.distributed import DistributedDataParallel, DistributedSampler

ROOT = Path(__file__).resolve().parents[1]
HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None
if not HAVE_MPI4PY and os.environ.get("MINICNN_REQUIRE_MPI") == "1":
    raise RuntimeError(
        "MINICNN_REQUIRE_MPI=1 but mpi4py is not importable; install the test extra: "
        "pip install -e '.[test]' (it pulls in mpi4py and the mpich wheel)"
    )
needs_mpi = pytest.mark.skipif(
    not HAVE_MPI4PY,
    reason="mpi4py is not installed: pip install -e '.[distributed]' (the test extra has it)",
)


# -- the sampler (no MPI needed: rank and num_replicas given) ---------------------------------


def shards(n, replicas, **kwargs):
    return [
        DistributedSampler(range(n), num_replicas=replicas, rank=r, **kwargs).indices()
        for r in range(replicas)
    ]


@pytest.mark.parametrize("n", [1, 7, 10, 64, 101])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
def test_shards_are_equal_sized_and_cover_the_epoch(n, replicas):
    parts = shards(n, replicas, seed=3)
    size = -(-n // replicas)
    assert all(len(p) == size for p in parts)
    together = np.concatenate(parts)
    assert set(together.tolist()) == set(range(n)), "every sample in some shard"
    # padding repeats only as many samples as needed to even out the shards
    assert len(together) - n == size * replicas - n
    if n % replicas == 0:  # no padding: the shards are disjoint
        assert len(np.unique(together)) == n


@pytest.mark.parametrize("n,replicas", [(10, 3), (101, 4), (8, 2)])
def test_drop_last_gives_disjoint_shards_of_floor_size(n, replicas):
    parts = shards(n, replicas, drop_last=True)
    assert all(len(p) == n // replicas for p in parts)
    together = np.concatenate(parts)
    assert len(np.unique(together)) == len(together) == n // replicas * replicas


def test_every_rank_draws_the_same_permutation_and_set_epoch_changes_it():
    a = DistributedSampler(range(50), num_replicas=2, rank=0, seed=1)
    b = DistributedSampler(range(50), num_replicas=2, rank=1, seed=1)
    first = np.empty(50, dtype=int)
    first[0::2], first[1::2] = a.indices(), b.indices()
    np.testing.assert_array_equal(first, np.random.default_rng(1).permutation(50))
    a.set_epoch(1)
    assert not np.array_equal(a.indices(), first[0::2])
    np.testing.assert_array_equal(a.indices(), np.random.default_rng(2).permutation(50)[0::2])


def test_the_ranks_batches_together_are_the_one_process_batch():
    """Batch k of R ranks with b each = batch k of one process with R·b (the identity the
    equivalence of data-parallel and big-batch training rests on)."""
    x, y = np.arange(96, dtype=float)[:, None], np.arange(96)
    one = mc.data.DataLoader(x, y, 32, sampler=DistributedSampler(x, 1, 0, seed=5))
    ranks = [
        mc.data.DataLoader(x, y, 16, sampler=DistributedSampler(x, 2, r, seed=5)) for r in (0, 1)
    ]
    for (_, big), (_, y0), (_, y1) in zip(one, *ranks, strict=True):
        assert sorted(big.tolist()) == sorted(y0.tolist() + y1.tolist())


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (7, 4, False)])
def test_same_split_as_pytorch_without_shuffle(torch, n, replicas, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler

    for r in range(replicas):
        ours = DistributedSampler(range(n), replicas, r, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(n), replicas, r, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"num_replicas": 2, "rank": 2}, "rank must lie in 0..1"),
        ({"num_replicas": 0, "rank": 0}, "num_replicas must be >= 1"),
        ({"num_replicas": 4, "rank": 0, "drop_last": True}, "drop_last=False"),
    ],
)
def test_sampler_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DistributedSampler(range(3), **kwargs)


def test_fit_sets_the_epoch_so_every_epoch_has_a_new_order():
    x, y = np.zeros((20, 3)), np.arange(20)
    sampler = DistributedSampler(x, num_replicas=1, rank=0, seed=0)
    loader = mc.data.DataLoader(x, y, 20, sampler=sampler)
    seen = []
    model = mc.Sequential(mc.Linear(3, 20))
    mc.fit(
        model,
        mc.SoftmaxCrossEntropy(),
        mc.SGD(model.parameters(), lr=0.1),
        loader,
        epochs=3,
        verbose=0,
    )
    assert sampler.epoch == 2  # set to 0, 1, 2 (0-based) before each epoch
    for epoch in range(3):
        sampler.set_epoch(epoch)
        seen.append(tuple(sampler))
    assert len(set(seen)) == 3


# -- the wrapper, with a stand-in communicator -----------------------------------------------


class FakeComm:
    """A communicator for rank ``rank`` of 2 whose partner holds ``partner_grad_scale``
    times this rank's gradients (no MPI: Allreduce adds them, Bcast keeps ours)."""

    def __init__(self, rank: int, partner_grad_scale: float = 1.0):
        self.rank, self.scale, self.allreduces = rank, partner_grad_scale, 0

    def Get_rank(self):
        return self.rank

    def Get_size(self):
        return 2

    def Bcast(self, buf, root=0):
        pass

    def Allreduce(self, send, recv):
        self.allreduces += 1
        recv[...] = send * (1 + self.scale)


def tiny_model():
    mc.manual_seed(0)
    return mc.Sequential(
        mc.Conv2D(1, 2, 3), mc.BatchNorm2D(2), mc.ReLU(), mc.Flatten(), mc.Linear(8, 3)
    ).to(np.float64)


def test_gradients_are_averaged_with_one_allreduce_per_step():
    model = tiny_model()
    comm = FakeComm(0, partner_grad_scale=3.0)  # the partner's gradient is 3 times ours
    net = DistributedDataParallel(model, comm)
    x = np.random.default_rng(0).normal(size=(4, 1, 4, 4))
    net.forward(x)
    model_copy = tiny_model()
    model_copy.forward(x)
    comm.allreduces = 0
    net.backward(np.ones((4, 3)))
    model_copy.backward(np.ones((4, 3)))
    assert comm.allreduces == 1, "all gradients travel in one flat buffer"
    for p, q in zip(model.parameters(), model_copy.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad * (1 + 3.0) / 2)  # (g + 3g) / 2


def test_buckets_split_the_parameters_in_order():
    model = tiny_model()
    net = DistributedDataParallel(model, FakeComm(0), bucket_cap_mb=100 / 2**20)  # 100 bytes
    flat = [p for bucket in net.buckets for p in bucket]
    assert flat == list(model.parameters())
    assert len(net.buckets) > 1
    assert all(sum(p.data.nbytes for p in b) <= 100 or len(b) == 1 for b in net.buckets)


def test_only_rank_0_prints_and_writes(tmp_path, capsys):
    x = np.random.default_rng(0).normal(size=(8, 1, 4, 4))
    y = np.arange(8) % 3
    for rank in (1, 0):
        model = tiny_model()
        net = DistributedDataParallel(model, FakeComm(rank))
        csv = tmp_path / f"rank{rank}.csv"
        checkpoint = tmp_path / f"rank{rank}.npz"
        history = mc.fit(
            net,
            mc.SoftmaxCrossEntropy(),
            mc.SGD(model.parameters(), lr=0.1),
            mc.data.DataLoader(x, y, 4, seed=0),
            epochs=1,
            callbacks=[mc.CSVLogger(csv), mc.Checkpoint(checkpoint, model)],
        )
        printed = capsys.readouterr().out
        assert len(history) == 1
        assert csv.exists() == checkpoint.exists() == (rank == 0)
        assert ("epoch 1/1" in printed) == (rank == 0)
    mc.load(tmp_path / "rank0.npz", tiny_model())  # the plain names, not module.0.weight


def test_without_mpi4py_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now fails
    with pytest.raises(ImportError, match=r"minicnn-course\[distributed\]"):
        mc.distributed.world()


def test_dataloader_keeps_shuffle_and_sampler_apart():
    x = np.zeros((4, 1))
    with pytest.raises(ValueError, match="exclude each other"):
        mc.data.DataLoader(x, np.arange(4), 2, shuffle=True, sampler=range(4))


# -- two real processes ------------------------------------------------------------------------


def mpiexec(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``mpiexec -n 2 python ARGS`` from the repository root with this minicnn."""
    launcher = Path(sys.executable).parent / "mpiexec"
    command = str(launcher) if launcher.exists() else shutil.which("mpiexec")
    assert command, "mpi4py is installed but mpiexec is not: pip install mpich"
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    env["OPENBLAS_NUM_THREADS"] = "1"
    result = subprocess.run(
        [command, "-n", "2", sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def lesson():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import distributed_lesson
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return distributed_lesson


@needs_mpi
def test_two_processes_of_32_end_with_the_weights_of_one_process_of_64(tmp_path, lesson):
    """300 SGD steps with momentum, float64: mpiexec -n 2 with 32 images each against
    one process with 64, computed here in the test process. Also the lesson's script
    and its printout (docs/distributed.md)."""
    result = mpiexec("examples/distributed_lesson.py", "--distributed", "--out", str(tmp_path))
    assert "2 process(es), 32 images each per step" in result.stdout
    assert "largest difference to one process with batch 64" in result.stdout
    rank0, rank1 = (dict(np.load(tmp_path / f"rank{r}.npz")) for r in (0, 1))
    one, _ = lesson.train(None, batch=64)
    mc.manual_seed(0)
    start = lesson.make_model().state_dict()  # rank 0's initial weights
    for key, value in one.state_dict().items():
        np.testing.assert_array_equal(rank0[key], rank1[key])  # the ranks never drift apart
        np.testing.assert_allclose(rank0[key], value, rtol=0, atol=1e-11)
        assert np.abs(value - start[key]).max() > 1e-3, f"{key} hardly trained"
    # The comparison can fail: one process with batch 32 ends elsewhere.
    other, _ = lesson.train(None, batch=32)
    assert lesson.largest_difference(one, other) > 1e-3


@needs_mpi
@pytest.mark.slow
def test_the_mnist_example_trains_and_resumes_on_two_processes(tmp_path):
    """mpiexec -n 2 examples/train_mnist_lenet.py --distributed: rank 0 alone prints and
    writes; a run resumed from its checkpoint ends where the uninterrupted one does."""
    common = ["--distributed", "--limit", "128", "--backend", "numpy", "--batch-size", "16"]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    script = "examples/train_mnist_lenet.py"
    result = mpiexec(script, *common, "--epochs", "2", "--out", str(whole))
    assert result.stdout.count("Test accuracy") == 1, "only rank 0 prints"
    assert "batch size: 16 × 2 processes" in result.stdout
    assert json.loads((whole / "results.json").read_text())["epochs"] == 2
    mpiexec(script, *common, "--epochs", "1", "--out", str(cut))
    resumed = mpiexec(script, *common, "--epochs", "2", "--out", str(cut), "--resume")
    assert "Resumed from" in resumed.stdout
    a, b = mc.zoo.lenet5(), mc.zoo.lenet5()
    mc.load(whole / "checkpoint.npz", a)
    mc.load(cut / "checkpoint.npz", b)
    for (key, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data, err_msg=key)


def test_train_distributed_without_mpi4py_names_the_extra(monkeypatch):
    from minicnn import cli

    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(SystemExit, match=r"--distributed: .*minicnn-course\[distributed\]"):
        cli.main(["train", "lenet5-mnist", "--distributed", "--limit", "8"])


@needs_mpi
@pytest.mark.slow
def test_minicnn_train_cifar_resnet_distributed(tmp_path):
    """``mpiexec -n 2 minicnn train cifar10-resnet --distributed`` on a tiny fake CIFAR-10:
    one report, from rank 0, and a checkpoint a plain ResNet-20 loads."""
    from test_cifar_example import write_fake_cifar

    write_fake_cifar(tmp_path / "data")
    out = tmp_path / "out"
    args = ["-m", "minicnn", "train", "cifar10-resnet", "--distributed", "--epochs", "1"]
    args += ["--batch-size", "8", "--data-dir", str(tmp_path / "data"), "--out", str(out)]
    result = mpiexec(*args, "--backend", "numpy")
    assert result.stdout.count("Test accuracy") == 1, "only rank 0 prints"
    assert "batch size: 8 × 2 processes" in result.stdout
    results = json.loads((out / "results.json").read_text())
    assert results["epochs"] == 1 and results["train_images"] == 40
    mc.load(out / "checkpoint.npz", mc.zoo.resnet20())
