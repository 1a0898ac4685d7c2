"""Hardening (issue 12): each test reproduces one failure an adversarial review found.

Every test here failed before its fix. The numbers in the section titles are the
items of the issue; docs/architecture.md ("Failure modes") says which promise each
test keeps.
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


# -- 3. file modes: as a plain open() would give ------------------------------------------


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


# -- 8. stale temporary files of earlier saves are cleaned ---------------------------------


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


# -- 12. saving onto a symbolic link writes through it -------------------------------------


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


# -- 1. numba's cache never sits where another user can write ----------------------------


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("planted", ["world-writable", "symlink"])
def test_a_cache_dir_planted_by_someone_else_is_not_used(tmp_path, monkeypatch, planted):
    """Numba's cache index files are pickles: a cache folder another user can write to
    (created first in a shared /tmp) would let them run code as whoever next runs a
    Conv2D. Such a folder is refused and a fresh private one is used instead."""
    import tempfile

    import numba

    from minicnn.kernels import jit

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # numba's per-user cache read-only too (raising=False: older versions had no such hook)
    monkeypatch.setattr(jit, "_numba_user_cache", lambda: "/proc/minicnn/numba", raising=False)
    predictable = tmp_path / f"minicnn-numba-cache-{os.getuid()}"
    if planted == "world-writable":
        predictable.mkdir()
        os.chmod(predictable, 0o777)
    else:
        (tmp_path / "attacker").mkdir()
        predictable.symlink_to(tmp_path / "attacker")

    chosen = jit._use_writable_cache_dir("/proc/minicnn/__pycache__")  # read-only package

    assert numba.config.CACHE_DIR == chosen
    assert os.path.realpath(chosen) not in (str(predictable), str(tmp_path / "attacker"))
    info = os.lstat(chosen)
    assert info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700
