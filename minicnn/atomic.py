"""Atomic file writes: a reader sees the old file or the complete new one, never half.

The bytes go to a temporary file in the *same* directory (so the final rename
cannot cross file systems), are flushed and fsync'ed to disk, and only then is
the temporary file renamed over the target with ``os.replace`` (atomic on POSIX
and Windows). If anything fails on the way, the temporary file is removed and
the target is untouched.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path. The directory must exist."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        # BaseException so that even Ctrl-C mid-write leaves no stray temp file.
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(f)`` on an in-memory binary file, then put its bytes at ``path`` atomically.

    The bytes go through :func:`atomic_write_bytes`: a temporary
    file in the same folder, flush + fsync, then ``os.replace`` (atomic: readers see the
    old file or the complete new one). If ``write`` or the file system fails, ``path``
    is left as it was and no temporary file remains. Missing folders are created.
    """
    buffer = io.BytesIO()
    write(buffer)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, buffer.getvalue())
