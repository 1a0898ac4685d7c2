"""Atomic file writes: a reader sees the old file or the complete new one, never half.

The bytes go to a temporary file in the *same* directory (so the final rename
cannot cross file systems), are flushed and fsync'ed to disk, and only then is
the temporary file renamed over the target with ``os.replace`` (atomic on POSIX
and Windows). If anything fails on the way, the temporary file is removed and
the target is untouched.

Three more promises, each one a bug that was found and fixed:

* **Permissions as with a plain ``open()``.** A new file gets ``0o666 & ~umask``
  (0644 under the usual umask 022), so a dataset an instructor downloads into a
  shared folder is readable by the students; replacing an existing file keeps
  that file's mode. (``tempfile.mkstemp`` would create every file 0600.)
* **Symbolic links are followed.** Saving onto ``latest.npz -> run3/epoch7.npz``
  writes ``run3/epoch7.npz`` and leaves the link in place, as ``open(path, "w")``
  and ``torch.save`` do.
* **No leftovers pile up.** A process killed mid-write (``kill -9``, a preempted
  job) cannot remove its temporary file. Each temporary file is named
  ``.<name>.<pid>-<random>.tmp``; the next save of the same file deletes those
  whose process no longer runs, so repeated interruptions leave at most one.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

# Temporary files of the older naming scheme (tempfile.mkstemp, no pid) are removed
# once they are this old: no save takes an hour between creating and renaming.
LEGACY_STALE_SECONDS = 3600.0


def _target(path: str | os.PathLike) -> Path:
    """The file actually written: ``path`` with symbolic links followed (a dangling
    link gives the file it points to, which is then created)."""
    return Path(os.path.realpath(path))


def _temp_pattern(target: Path) -> re.Pattern:
    # new names: .<name>.<pid>-<8 hex>.tmp; older ones (mkstemp): .<name>.<8 chars>.tmp
    return re.compile(re.escape(f".{target.name}.") + r"(?:(\d+)-[0-9a-f]{8}|[a-z0-9_]{8})\.tmp")


def _process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (POSIX; on Windows, where
    ``os.kill`` would terminate the process, never claimed)."""
    if os.name == "nt":
        return False
    if pid == os.getpid():
        return False  # another thread of this process may be writing
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, run by another user
        return False
    return False


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that interrupted saves of ``path`` left behind.

    A temporary file ``.<name>.<pid>-<random>.tmp`` is stale when process ``pid``
    no longer runs (it cannot be writing it any more); one without a pid (the
    naming of older versions) when it is over an hour old. Returns what was deleted.
    """
    target = _target(path)
    pattern, removed = _temp_pattern(target), list[Path]()
    try:
        candidates = list(target.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.fullmatch(candidate.name)
        if match is None:
            continue
        try:
            if match.group(1) is not None:
                stale = _process_gone(int(match.group(1)))
            else:
                stale = time.time() - candidate.lstat().st_mtime > LEGACY_STALE_SECONDS
            if stale:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue  # gone already (another process cleaned it) or not ours to delete
    return removed


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Open a new temporary file next to ``target``; its mode is what ``open()``
    would give a new file (0o666 minus the umask, applied by the OS), or
    ``target``'s mode when it exists."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:  # 2**-32 chance: draw another name
            continue
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return fd, tmp
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:
            os.chmod(tmp, mode)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    return fd, tmp


def _sync_directory(directory: Path) -> None:
    """fsync the directory so the rename itself survives a power cut (POSIX only)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the data is synced already
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """``with atomic_open(path) as f: f.write(...)``: a binary file that becomes
    ``path`` only when the block ends without an exception.

    For data written piece by piece (a download streamed to disk); the directory
    must exist. An exception (or Ctrl-C) inside the block leaves ``path`` as it
    was and removes the temporary file. Symbolic links are followed.
    """
    target = _target(path)
    remove_stale_temporaries(target)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        # BaseException so that even Ctrl-C mid-write leaves no stray temp file.
        tmp.unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path. The directory must exist."""
    with atomic_open(path) as f:
        f.write(data)
    return Path(path)


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(f)`` on an in-memory binary file, then put its bytes at ``path`` atomically.

    The bytes go through [`atomic_write_bytes`][minicnn.atomic.atomic_write_bytes]: a temporary
    file in the same folder, flush + fsync, then ``os.replace`` (atomic: readers see the
    old file or the complete new one). If ``write`` or the file system fails, ``path``
    is left as it was and no temporary file remains. Missing folders are created.
    """
    buffer = io.BytesIO()
    write(buffer)
    path = Path(path)
    _target(path).parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, buffer.getvalue())
