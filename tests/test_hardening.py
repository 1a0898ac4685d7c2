"""Hardening: each test reproduces one failure an adversarial review found.

Every test here failed before its fix. docs/architecture.md ("Failure modes") says
which promise each test keeps.
"""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

import minicnn as mc
from minicnn import atomic


def tiny_model(seed: int = 0) -> mc.Sequential:
    return mc.Sequential(mc.Flatten(), mc.Linear(4, 3, seed=seed))


# -- file modes: as a plain open() would give ---------------------------------------------


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_new_files_get_the_mode_open_would_give(tmp_path, umask_022):
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"x")
    assert mode(plain) == 0o644
    assert mode(atomic.atomic_write_bytes(tmp_path / "a.bin", b"x")) == 0o644
    assert mode(mc.save(tmp_path / "c.npz", tiny_model())) == 0o644
    os.umask(0o077)  # a private umask is respected too
    assert mode(atomic.atomic_write_bytes(tmp_path / "b.bin", b"x")) == 0o600


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_mode(tmp_path, umask_022):
    path = tmp_path / "shared.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o664)  # group-writable, as in a shared class folder
    mc.save(path, tiny_model())
    assert mode(path) == 0o664
    os.chmod(path, 0o600)
    atomic.atomic_write_bytes(path, b"new")
    assert mode(path) == 0o600 and path.read_bytes() == b"new"


# -- stale temporary files of earlier saves are cleaned -----------------------------------


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.skipif(os.name == "nt", reason="process liveness is checked on POSIX only")
def test_the_next_save_removes_what_killed_saves_left(tmp_path):
    path = tmp_path / "ckpt.npz"
    dead = tmp_path / f".ckpt.npz.{dead_pid()}-0123abcd.tmp"  # its writer was killed
    alive = tmp_path / f".ckpt.npz.{os.getppid()}-4567cdef.tmp"  # a writer still running
    legacy_old = tmp_path / ".ckpt.npz.k3j_9xq2.tmp"  # mkstemp name of older versions
    legacy_new = tmp_path / ".ckpt.npz.a1b2c3d4.tmp"
    other = tmp_path / ".other.npz.0123abcd.tmp"  # another file's: not ours to delete
    for leftover in (dead, alive, legacy_old, legacy_new, other):
        leftover.write_bytes(b"half a checkpoint")
    os.utime(legacy_old, (0, 0))  # 1970: long stale
    mc.save(path, tiny_model())
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (path, alive, legacy_new, other))


# -- saving onto a symbolic link writes through it ----------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs symlinks")
def test_save_onto_a_symlink_writes_the_file_it_points_to(tmp_path):
    (tmp_path / "run3").mkdir()
    real = tmp_path / "run3" / "epoch7.npz"
    real.write_bytes(b"old")
    link = tmp_path / "latest.npz"
    link.symlink_to(os.path.join("run3", "epoch7.npz"))  # relative, as `ln -s` makes
    model = tiny_model(seed=4)
    mc.save(link, model)
    assert link.is_symlink() and os.readlink(link) == os.path.join("run3", "epoch7.npz")
    restored = tiny_model(seed=5)
    mc.load(real, restored)
    for (_, a), (_, b) in zip(model.named_parameters(), restored.named_parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert sorted(p.name for p in (tmp_path / "run3").iterdir()) == ["epoch7.npz"]


# -- numba's cache never sits where another user can write --------------------------------


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("planted", ["world-writable", "symlink"])
def test_a_cache_dir_planted_by_someone_else_is_not_used(tmp_path, monkeypatch, planted):
    """Numba's cache index files are pickles: a cache folder another user can write to
    (created first in a shared /tmp) would let them run code as whoever next runs a
    Conv2D. Such a folder is refused and a fresh private one is used instead."""
    import tempfile

    import numba

    from minicnn.kernels import compiled

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # numba's per-user cache read-only too (raising=False: older versions had no such hook)
    monkeypatch.setattr(compiled, "_numba_user_cache", lambda: "/proc/minicnn/numba", raising=False)
    predictable = tmp_path / f"minicnn-numba-cache-{os.getuid()}"
    if planted == "world-writable":
        predictable.mkdir()
        os.chmod(predictable, 0o777)
    else:
        (tmp_path / "attacker").mkdir()
        predictable.symlink_to(tmp_path / "attacker")

    chosen = compiled._use_writable_cache_dir("/proc/minicnn/__pycache__")  # read-only package

    assert numba.config.CACHE_DIR == chosen
    assert os.path.realpath(chosen) not in (str(predictable), str(tmp_path / "attacker"))
    info = os.lstat(chosen)
    assert info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700


# -- mc.load checks everything before it changes anything ---------------------------------


def stepped(seed: int = 0):
    """A model, an SGD with momentum buffers (one step taken) and a StepLR."""
    model = tiny_model(seed)
    opt = mc.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.parameters():
        p.grad[...] = 1.0
    opt.step()
    return model, opt, mc.StepLR(opt, 2)


def tamper(path, **changes) -> None:
    """Rewrite the checkpoint with some entries replaced (None: removed)."""
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = np.asarray(value)
    np.savez(path, **arrays)


def everything(model, opt, sched) -> dict:
    """All the state mc.load may change, copied."""
    return {
        "params": {n: p.data.copy() for n, p in model.named_parameters()},
        "lr": opt.lr,
        "steps": opt.steps,
        "opt_state": [{k: v.copy() for k, v in s.items()} for s in opt.state],
        "sched": dict(vars(sched)) if sched is not None else None,
        "rng": mc.get_rng_state(),
    }


def assert_same(before: dict, after: dict) -> None:
    for name, value in before["params"].items():
        np.testing.assert_array_equal(after["params"][name], value)
    assert (after["lr"], after["steps"]) == (before["lr"], before["steps"])
    for a, b in zip(before["opt_state"], after["opt_state"], strict=True):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert after["sched"] == before["sched"] and after["rng"] == before["rng"]


BOGUS_RNG = '{"global": {"bit_generator": "PCG64", "state": "no"}, "layers": {}}'


@pytest.mark.parametrize(
    "change, scheduler, words",
    [
        ({}, mc.ReduceLROnPlateau, ["state of a StepLR", "resume a ReduceLROnPlateau"]),
        ({"__meta__": "[1, 2]"}, mc.StepLR, ["__meta__ must be a JSON object"]),
        ({"__rng__": BOGUS_RNG}, mc.StepLR, ["random generator global", "malformed"]),
        ({"optim/lr": np.nan}, mc.StepLR, ["lr must be a single finite number >= 0"]),
        ({"optim/lr": -1.0}, mc.StepLR, ["lr must be a single finite number >= 0"]),
        ({"optim/steps": np.arange(3)}, mc.StepLR, ["'steps' has shape (3,)"]),
        ({"__format__": 999}, mc.StepLR, ["format version 999", "upgrade minicnn"]),
        ({"optim/0.momentum_buffer": np.zeros(12)}, mc.StepLR, ["momentum_buffer", "(3, 4)"]),
        ({"__scheduler__": None}, mc.StepLR, ["no scheduler state", "scheduler="]),
    ],
)
def test_a_bad_checkpoint_changes_nothing(tmp_path, change, scheduler, words):
    """Before: weights and learning rate were written, then a KeyError or a later
    step() failed; NaN/-1 learning rates and format 999 loaded; a missing scheduler
    state silently restarted the schedule."""
    saved, saved_opt, saved_sched = stepped(seed=1)
    path = mc.save(tmp_path / "c.npz", saved, saved_opt, scheduler=saved_sched)
    tamper(path, **change)
    model, opt, _ = stepped(seed=2)
    sched = scheduler(opt, 2) if scheduler is mc.StepLR else scheduler(opt)
    mc.manual_seed(123)
    before = everything(model, opt, sched)
    with pytest.raises(mc.CheckpointError) as err:
        mc.load(path, model, opt, scheduler=sched)
    assert all(w in str(err.value) for w in words), str(err.value)
    assert_same(before, everything(model, opt, sched))


def test_a_good_checkpoint_still_resumes_optimizer_and_scheduler(tmp_path):
    model, opt, sched = stepped(seed=1)
    sched.step()
    path = mc.save(tmp_path / "c.npz", model, opt, scheduler=sched)
    model2, opt2, _ = stepped(seed=2)
    sched2 = mc.StepLR(opt2, 2)
    mc.load(path, model2, opt2, scheduler=sched2)
    assert sched2.last_epoch == 1 and opt2.steps == 1
    np.testing.assert_array_equal(opt2.state[0]["momentum_buffer"], opt.state[0]["momentum_buffer"])


def test_loading_weights_leaves_the_global_generator_alone(tmp_path):
    """mc.load(path, model) is for evaluating or fine-tuning: the global generator
    continues as it was (before, it jumped back to the state saved in the file)."""
    model, opt, _ = stepped()
    mc.manual_seed(1)
    path = mc.save(tmp_path / "c.npz", model, opt)
    mc.manual_seed(2)
    state = mc.get_rng_state()
    mc.load(path, tiny_model())
    assert mc.get_rng_state() == state
    mc.load(path, tiny_model(), restore_rng=True)  # asked for: restored
    mc.manual_seed(1)
    assert mc.get_rng_state() != state
    restored = mc.get_rng_state()
    mc.manual_seed(2)
    mc.load(path, tiny_model(), opt)  # resuming training (optimizer given): restored
    assert mc.get_rng_state() == restored


# -- memory bombs: only expected members are read, sizes checked first --------------------


def add_member(path, name: str, data: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def test_an_unexpected_member_is_never_decompressed(tmp_path):
    import tracemalloc

    path = mc.save(tmp_path / "c.npz", tiny_model())
    add_member(path, "junk.npy", bytes(64 * 2**20))  # 64 MB of zeros, 64 kB deflated
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    mc.load(path, tiny_model())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 2**20, peak  # before: every member was read, 64 MB and more


def test_a_header_claiming_terabytes_is_refused_unread(tmp_path):
    import io

    path = mc.save(tmp_path / "c.npz", tiny_model())
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**20, 2**20, 8)}
    )
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "param/1.weight"}
    np.savez(path, **arrays)
    add_member(path, "param/1.weight.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:])
    with pytest.raises(mc.CheckpointError, match=r"1.weight: shape \(1048576, 1048576, 8\)"):
        mc.load(path, tiny_model())  # before: a raw MemoryError (8 TB)


def test_a_gzip_idx_file_is_decompressed_only_as_far_as_its_header_says(tmp_path):
    """A 64 kB .gz whose header announces 2 labels but which expands to 64 MB: before,
    all 64 MB were decompressed before the trailing bytes were noticed."""
    import gzip
    import tracemalloc

    from minicnn.data.idx import encode_idx

    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(encode_idx(np.array([1, 2], np.uint8)) + bytes(64 * 2**20)))
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    with pytest.raises(mc.data.DatasetError, match="trailing bytes"):
        mc.data.read_idx(path, ndim=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 2**20, peak


def test_a_header_announcing_too_much_is_refused_before_reading(tmp_path):
    import struct

    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 2**16, 2**16))
    with pytest.raises(mc.data.DatasetError, match="more than the 1000 bytes"):
        mc.data.read_idx(path, ndim=3, max_bytes=1000)


# -- Normalize on an integer batch --------------------------------------------------------


def test_normalize_refuses_an_integer_batch():
    """Before: mean and std were cast to uint8 (0 and 0) and the result was all inf."""
    with pytest.raises(TypeError, match=r"float batch.*astype\(np.float32\) / 255"):
        mc.data.Normalize(0.1307, 0.3081)(np.full((1, 1, 2, 2), 128, np.uint8))
    y = mc.data.Normalize(0.5, 0.25)(np.full((1, 1, 2, 2), 0.75, np.float32))
    assert y.dtype == np.float32 and np.all(y == 1.0)


# -- downloads: overall deadline, size cap, streamed, progress bar ------------------------


class Trickle:
    """A fake response that sends ``chunk`` per read, pausing ``pause`` s, forever."""

    def __init__(self, chunk: bytes, pause: float = 0.0, length: int | None = None):
        self.chunk, self.pause, self.length, self.reads = chunk, pause, length, 0

    def read(self, n):
        import time

        time.sleep(self.pause)
        self.reads += 1
        return self.chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fake_fetch(monkeypatch, response):
    from minicnn.data import download

    monkeypatch.setattr(download, "fetch", lambda url, timeout: response)


def test_a_mirror_that_trickles_is_dropped_at_the_deadline(tmp_path, monkeypatch):
    """Before: only each read had a timeout, so one byte every 2 s never ended."""
    from minicnn.data.download import download_file

    fake_fetch(monkeypatch, Trickle(b"x", pause=0.01))
    with pytest.raises(mc.data.DownloadError, match="too slow"):
        download_file("f.gz", ["https://slow.example/"], "0" * 64, tmp_path / "d", deadline=0.2)
    assert not (tmp_path / "d").exists()


def test_a_mirror_that_never_stops_is_cut_at_the_size_cap(tmp_path, monkeypatch):
    """Before: the whole response was read into memory, however long."""
    from minicnn.data.download import download_file

    endless = Trickle(bytes(2**16))
    fake_fetch(monkeypatch, endless)
    with pytest.raises(mc.data.DownloadError, match=f"more than the {2**20} bytes"):
        download_file("f.gz", ["https://big.example/"], "0" * 64, tmp_path, max_bytes=2**20)
    assert endless.reads == 17 and list(tmp_path.iterdir()) == []
    announced = Trickle(b"", length=2**30)  # Content-Length too big: refused unread
    fake_fetch(monkeypatch, announced)
    with pytest.raises(mc.data.DownloadError, match="announces 1073741824 bytes"):
        download_file("f.gz", ["https://big.example/"], "0" * 64, tmp_path, max_bytes=2**20)
    assert announced.reads == 0


def test_a_download_streams_to_disk_with_a_progress_bar(tmp_path, monkeypatch, capsys):
    import io

    from minicnn.data.download import download_file, sha256_hex

    data = bytes(range(256)) * 1000
    fake_fetch(monkeypatch, io.BytesIO(data))
    path = download_file("f.gz", ["https://a.example/"], sha256_hex(data), tmp_path, progress=True)
    assert path.read_bytes() == data
    assert "f.gz" in capsys.readouterr().err  # the bar, named after the file


# -- labels are integers ------------------------------------------------------------------


def test_float_idx_labels_are_refused_not_truncated(tmp_path):
    """Before: [1.5, 8.9] stored as float became the labels [1, 8]."""
    from minicnn.data.dataset import check_labels

    with pytest.raises(mc.data.DatasetError, match="labels must be integers.*float32"):
        check_labels(np.array([1.5, 8.9], np.float32), 10, "labels.idx")
    assert check_labels(np.array([1, 8], np.uint8), 10, "labels.idx").dtype == np.int64


@pytest.mark.parametrize(
    "y_true, y_pred, error, words",
    [
        ([-1, 0], [0, 0], ValueError, "negative label -1"),  # before: [[2]], -1 wrapped round
        ([0.0, 1.0], [0, 1], TypeError, "integer class indices"),  # before: IndexError
        ([0, 3], [0, 1], ValueError, "label 3 does not fit num_classes=2"),
    ],
)
def test_confusion_matrix_refuses_labels_that_are_not_class_indices(y_true, y_pred, error, words):
    num_classes = 2 if words.startswith("label 3") else None
    with pytest.raises(error, match=words):
        mc.confusion_matrix(y_true, y_pred, num_classes)
    np.testing.assert_array_equal(mc.confusion_matrix([0, 1, 1], [0, 1, 0]), [[1, 0], [1, 1]])
    assert mc.confusion_matrix([], [], 3).shape == (3, 3)  # found by the fuzz test


# -- hyperparameters: any real number, range in the message -------------------------------


def params():
    return tiny_model().parameters()


def test_numpy_scalars_are_accepted_as_hyperparameters():
    """Before: mc.SGD(params, lr=np.float32(0.1)) -> 'learning rate must be a positive number'."""
    sgd = mc.SGD(params(), lr=np.float32(0.1), momentum=np.float64(0.9))
    adam = mc.Adam(params(), lr=np.float64(1e-3), betas=(np.float32(0.9), np.float32(0.99)))
    assert type(sgd.lr) is float and sgd.lr == pytest.approx(0.1)
    assert adam.betas == pytest.approx((0.9, 0.99))
    mc.StepLR(sgd, np.int64(3), gamma=np.float32(0.5))
    mc.EarlyStopping(patience=np.int32(2))
    mc.data.RandomShift(np.int64(2))


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mc.SGD(params(), lr=0.1, momentum=1.5), "momentum must be a number in [0, 1)"),
        (
            lambda: mc.SGD(params(), lr=0.1, weight_decay=-1e-4),
            "weight_decay must be a number >= 0",
        ),
        (lambda: mc.Adam(params(), betas=(0.9, 1.0)), "beta2 must be a number in [0, 1)"),
        (lambda: mc.Adam(params(), eps=-1.0), "eps must be a number >= 0"),
        (lambda: mc.Adam(params(), lr=float("inf")), "lr must be a number > 0"),
        (lambda: mc.EarlyStopping(patience=-1), "patience must be an integer >= 0"),
        (lambda: mc.EarlyStopping(min_delta=-0.1), "min_delta must be a number >= 0"),
        (lambda: mc.StepLR(mc.SGD(params(), 0.1), 2, gamma=0), "gamma must be a number > 0"),
        (lambda: mc.ReduceLROnPlateau(mc.SGD(params(), 0.1), factor=2), "in (0, 1)"),
        (lambda: mc.data.RandomHorizontalFlip(1.5), "p must be a number in [0, 1]"),
    ],
)
def test_out_of_range_hyperparameters_name_the_range(make, words):
    with pytest.raises(ValueError) as err:
        make()
    assert words in str(err.value), str(err.value)


# -- raw errors become clear ones (the parts outside the layers) --------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mc.data.RandomShift(2.5), "max_shift must be an integer >= 0"),
        (lambda: mc.data.RandomCrop(2.5), "size must be an integer >= 1"),
        (lambda: mc.data.RandomCrop((28, "28")), "size must be an integer >= 1"),
        (lambda: mc.data.RandomCrop(28, padding=1.5), "padding must be an integer >= 0"),
        (lambda: mc.save("/tmp/never-written.npz", "not a model"), "model must be a minicnn"),
        (lambda: mc.load("/tmp/never-read.npz", "not a model"), "model must be a minicnn"),
        (lambda: mc.SGD(params(), lr="0.1"), "lr must be a number > 0"),
    ],
)
def test_wrong_kinds_of_argument_raise_type_errors(make, words):
    with pytest.raises(TypeError) as err:
        make()
    assert words in str(err.value), str(err.value)


def test_fit_refuses_a_fractional_number_of_epochs():
    """Before: fit(epochs=2.5) died in range() with 'float object cannot be interpreted'."""
    model = tiny_model()
    loader = [(np.zeros((2, 1, 2, 2), np.float32), np.array([0, 1]))]
    with pytest.raises(TypeError, match="fit: epochs must be an integer >= 0, got epochs=2.5"):
        mc.fit(model, mc.SoftmaxCrossEntropy(), mc.SGD(model.parameters(), 0.1), loader, epochs=2.5)


def test_an_unreadable_folder_on_the_search_path_is_skipped(tmp_path, monkeypatch):
    """Before: a PermissionError from one directory aborted the whole search."""
    import pathlib

    from minicnn.data import paths
    from minicnn.data.idx import write_idx

    locked, good = tmp_path / "locked", tmp_path / "good"
    for d in (locked, good):
        d.mkdir()
    write_idx(good / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    write_idx(good / "t10k-labels-idx1-ubyte.gz", np.array([1, 2, 3], np.uint8))
    real_stat = pathlib.Path.stat

    def stat_(self, *args, **kwargs):  # as `chmod 000 locked` does for a non-root user
        if self.parent == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "stat", stat_)
    monkeypatch.setenv("MINICNN_DATA", str(good))
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    data = mc.data.MNIST(root=locked, split="test", download=False)
    assert len(data) == 3 and data.source == str(good)


# -- the kill test: kill -9 at random moments while checkpoints are written ---------------


def save_forever(path, first_epoch: int) -> None:
    """Child process: save checkpoints of epochs first_epoch, first_epoch + 1, ... until
    killed. Every weight of epoch e equals e, so a torn file would show."""
    model = mc.Sequential(mc.Flatten(), mc.Linear(512, 512, seed=0))  # 1 MB of weights
    epoch = first_epoch
    while True:
        for p in model.parameters():
            p.data[...] = epoch
        mc.save(path, model, epoch=epoch)
        epoch += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks the saving process (POSIX)")
def test_kill_9_while_saving_never_costs_the_previous_checkpoint(tmp_path):
    """25 times: a child process saves checkpoints in a loop and is SIGKILLed at a random
    moment (often mid-write). After each kill the file on disk is a whole checkpoint of
    the last finished save, and temporary files do not pile up: the one a killed
    save leaves is removed by the next save."""
    import random
    import signal

    path = tmp_path / "ckpt.npz"
    model = mc.Sequential(mc.Flatten(), mc.Linear(512, 512, seed=1))
    rng, last_epoch, kills, torn = random.Random(0), -1, 25, 0
    for _ in range(kills):
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                save_forever(path, last_epoch + 1)
            finally:
                os._exit(1)
        import time

        time.sleep(rng.uniform(0.02, 0.12))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        temporaries = [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
        assert len(temporaries) <= 1, temporaries  # at most the killed save's own
        torn += len(temporaries)
        if not path.exists():
            continue  # killed before the first save finished
        meta = mc.load(path, model)
        assert meta["epoch"] >= last_epoch  # never an older file than before
        last_epoch = meta["epoch"]
        for p in model.parameters():
            assert np.all(p.data == last_epoch), "a checkpoint mixes two saves"
    print(f"kill test: {kills} kills, {torn} mid-write, last epoch {last_epoch}")
    assert last_epoch > 0, "no save ever finished: the kills came too early to test much"
    mc.save(path, model, epoch=last_epoch + 1)  # the next save cleans up
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


# -- empty batches (N = 0) work on every backend, as in PyTorch ---------------------------


@pytest.mark.parametrize("backend", mc.available_backends())
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: mc.Conv2D(3, 4, 3, seed=0), (0, 3, 8, 8)),
        (lambda: mc.MaxPool2D(2), (0, 3, 8, 8)),
        (lambda: mc.AvgPool2D(2), (0, 3, 8, 8)),
        (lambda: mc.zoo.lenet5(), (0, 1, 28, 28)),
    ],
    ids=["Conv2D", "MaxPool2D", "AvgPool2D", "LeNet-5"],
)
def test_an_empty_batch_goes_forward_and_backward(backend, make, shape):
    """Before: ZeroDivisionError in batch_slices (Conv2D, LeNet-5) and 'cannot reshape
    array of size 0' (MaxPool2D on the numpy backend)."""
    with mc.backend(backend):
        layer = make()
        y = layer(np.zeros(shape, np.float32))
        assert y.shape[0] == 0 and y.dtype == np.float32
        dx = layer.backward(np.zeros_like(y))
    assert dx.shape == shape
    for p in layer.parameters():
        assert not p.grad.any()  # no image, no gradient


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_loss_over_an_empty_batch_matches_pytorch(reduction, torch):
    """Before: SoftmaxCrossEntropy on (0, 10) scores, then backward() -> ZeroDivisionError."""
    loss = mc.SoftmaxCrossEntropy(reduction=reduction)
    value = loss(np.zeros((0, 10), np.float32), np.zeros(0, np.int64))
    dscores = loss.backward()
    expected = torch.nn.functional.cross_entropy(
        torch.zeros(0, 10), torch.zeros(0, dtype=torch.long), reduction=reduction
    )
    np.testing.assert_array_equal(np.asarray(value), expected.numpy())  # mean: nan, as torch
    assert dscores.shape == (0, 10)


# -- raw errors become clear ones (the layer parts) ---------------------------------------


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: mc.Conv2D(2.5, 4, 3), TypeError, "in_channels must be an integer >= 1"),
        (lambda: mc.Conv2D("3", 4, 3), TypeError, "got in_channels='3'"),
        (lambda: mc.Conv2D(3, 0, 3), ValueError, "out_channels must be an integer >= 1"),
        (lambda: mc.Linear(4.0, 3), TypeError, "in_features must be an integer >= 1"),
        (lambda: mc.Dropout(1.5), ValueError, "p must be a number in [0, 1]"),
        (lambda: mc.Dropout("0.5"), TypeError, "p must be a number in [0, 1]"),
        (
            lambda: mc.MulticlassSVM(margin=-1),
            ValueError,
            "margin must be a number in [0, 3.40282e+38]",
        ),
        (lambda: mc.MulticlassSVM(margin=float("nan")), ValueError, "got margin=nan"),
    ],
)
def test_layer_and_loss_arguments_are_checked(make, error, words):
    with pytest.raises(error) as err:
        make()
    assert words in str(err.value), str(err.value)


def test_numpy_integers_are_accepted_as_sizes():
    conv = mc.Conv2D(np.int64(1), np.int32(2), np.int64(3), stride=np.int64(1))
    assert conv.kernel_size == (3, 3) and type(conv.in_channels) is int
    assert mc.Dropout(np.float32(0.25)).p == 0.25


def test_a_list_as_dout_is_refused_clearly():
    layer = mc.Linear(2, 2, seed=0)
    y = layer(np.ones((1, 2), np.float32))
    with pytest.raises(TypeError, match=r"\.backward: expected dout as a NumPy array.*got list"):
        layer.backward(y.tolist())


@pytest.mark.parametrize("bad, name", [(np.nan, "NaN"), (np.inf, "infinity")])
@pytest.mark.parametrize("loss", [mc.SoftmaxCrossEntropy(), mc.MulticlassSVM()], ids=repr)
def test_a_loss_names_nan_or_infinity_in_the_scores(loss, bad, name):
    scores = np.array([[bad, 1.0], [0.0, 1.0]], np.float32)
    with pytest.raises(ValueError, match=f"scores contain {name}"):
        loss(scores, np.array([0, 1]))


@pytest.mark.parametrize("backend", mc.available_backends())
@pytest.mark.parametrize(
    "make",
    [lambda: mc.Conv2D(1, 1, 1, stride=2**64, seed=0), lambda: mc.MaxPool2D(1, stride=2**64)],
    ids=["Conv2D", "MaxPool2D"],
)
def test_a_stride_beyond_64_bits_gives_one_output_on_every_backend(backend, make):
    """Before: the numba backend raised OverflowError while the others returned an output."""
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    with mc.backend(backend):
        layer = make()
        y = layer(x)
        dx = layer.backward(np.ones_like(y))
    assert y.shape == (1, 1, 1, 1)
    with mc.backend("naive"):
        np.testing.assert_array_equal(y, make()(x))  # the same single window everywhere
    assert dx[0, 0, 0, 0] != 0 and np.count_nonzero(dx) == 1  # only the one pixel it saw


# -- what the fuzz test found (kept as plain regression tests) -----------------------------


def test_layers_that_could_overflow_silently_refuse_instead():
    x = np.ones((1, 3, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"negative_slope must be a number in \[-1, 1\]"):
        mc.LeakyReLU(1.4e38)  # before: -x * 1.4e38 became -inf without a word
    with pytest.raises(ValueError, match="output overflows float32"):
        mc.LocalResponseNorm(alpha=0, k=3e-237)(x)  # k**-beta is inf in float32


def test_a_huge_lrn_window_costs_no_more_than_the_channels():
    """Before: size=10**9 padded a billion zero channels (minutes, gigabytes)."""
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    wide, exact = mc.LocalResponseNorm(size=10**9), mc.LocalResponseNorm(size=10**9)
    y = wide(x)
    # every window covers all 3 channels, so this is LRN with the channel sum over all
    s = 2.0 + (1e-4 / 10**9) * (x * x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(y, x * s**-0.75, rtol=1e-6)
    dx = exact.backward(np.ones_like(exact(x)))
    assert dx.shape == x.shape and np.isfinite(dx).all()
