"""Downloading a dataset file: mirrors in turn, streamed to disk, SHA-256 checked, atomic.

The network goes through one module-level function, [`fetch`][minicnn.data.download.fetch], so tests (and
users behind a proxy) can replace it: ``monkeypatch.setattr(mc.data.download,
"fetch", fake)``. ``fetch`` returns the response as a binary file object (what
``urllib.request.urlopen`` returns); a replacement may also return plain ``bytes``.

A download is bounded three ways, so a broken or hostile mirror cannot hang the
program or fill the memory or the disk:

* ``timeout``: seconds a single connection attempt or read may wait (a silent server);
* ``deadline``: seconds the whole file may take from one mirror, headers included (a
  server that sends one byte every few seconds never trips the per-read timeout). A
  timer shuts the connection's socket down when the time is up, whatever the server
  does; only the name lookup (DNS) before connecting is outside its reach;
* ``max_bytes``: the most the file can be, from its known size (a server that
  never stops sending).

The bytes are streamed into a temporary file next to the destination (never held
in memory) and hashed on the way. The file appears under its name only once the
SHA-256 matches, atomically (``minicnn.atomic.atomic_open``); otherwise nothing is
left behind. A progress bar (tqdm) shows on a terminal.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import socket
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from ..atomic import atomic_open
from .errors import DownloadError

# Seconds to wait for the server to answer (per connection attempt and per read),
# short so that a machine without network fails fast instead of hanging.
DEFAULT_TIMEOUT = 5.0
# Seconds one file may take in all (CIFAR-10's 163 MB at 1 MB/s fits).
DEFAULT_DEADLINE = 600.0
# Bytes a file may have when the caller gives no bound of its own.
DEFAULT_MAX_BYTES = 256 * 2**20
CHUNK_BYTES = 2**16


def fetch(url: str, timeout: float):
    """The response for ``url``: a binary file object to ``read(n)`` from and close
    (the only function here that touches the network). Its sockets are handed to the
    deadline of the download in progress, if any (see ``Deadline``)."""
    return _OPENER.open(url, timeout=timeout)


class Deadline:
    """Shut down every socket handed to ``watch`` once ``seconds`` have passed.

    A per-read timeout cannot stop a server that sends one byte just before each
    timeout, in the headers or in the body; shutting the socket down from a timer
    thread can: the blocked read returns at once and the download fails. Used as
    ``with Deadline(3) as d: ...``; ``expired`` says whether it struck.
    """

    _current = threading.local()  # the deadline of the download running in this thread

    def __init__(self, seconds: float):
        self.seconds, self.expired = seconds, False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        Deadline._current.value = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        Deadline._current.value = None

    @classmethod
    def watch_current(cls, sock: socket.socket) -> None:
        """Hand ``sock`` to this thread's deadline (nothing happens outside one)."""
        deadline = getattr(cls._current, "value", None)
        if deadline is not None:
            deadline.watch(sock)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:  # connected after the deadline: no time left at all
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in another thread
    except OSError:  # already closed
        pass


class _WatchedHTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        Deadline.watch_current(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        Deadline.watch_current(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_WatchedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_WatchedHTTPS, req)


# urlopen's opener, with connections that hand their socket to the deadline
_OPENER = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


class _Rejected(Exception):
    """A mirror's answer was refused (too big, too slow, wrong checksum)."""


def _declared_length(response) -> int | None:
    """The Content-Length the server announced, if any."""
    length = getattr(response, "length", None)
    if isinstance(length, int):
        return length
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    return int(value) if value is not None and str(value).isdigit() else None


def _stream(response, out, url: str, sha256: str, max_bytes: int, deadline: float, bar) -> None:
    """Copy ``response`` into ``out`` chunk by chunk; raise _Rejected on any bound."""
    started = time.monotonic()
    declared = _declared_length(response)
    if declared is not None and declared > max_bytes:
        raise _Rejected(
            f"the server announces {declared} bytes, more than the {max_bytes} expected"
        )
    bar.reset(total=declared)
    digest, received = hashlib.sha256(), 0
    while True:
        chunk = response.read(CHUNK_BYTES)
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise _Rejected(f"sent more than the {max_bytes} bytes this file can have")
        if time.monotonic() - started > deadline:
            raise _Rejected(f"{_too_slow(deadline)} ({received} bytes received)")
        digest.update(chunk)
        out.write(chunk)
        bar.update(len(chunk))
    if digest.hexdigest() != sha256:
        raise _Rejected(f"SHA-256 mismatch (got {digest.hexdigest()}, expected {sha256})")


def _too_slow(deadline: float) -> str:
    return f"took more than the deadline of {deadline:g} s in all: the mirror is too slow"


def _make_dirs(directory: Path) -> list[Path]:
    """Create ``directory`` and missing parents; return the ones created (innermost last)."""
    missing = []
    for d in [directory, *directory.parents]:
        if d.exists():
            break
        missing.append(d)
    directory.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def download_file(
    filename: str,
    mirrors: Sequence[str],
    sha256: str,
    dest_dir: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float = DEFAULT_DEADLINE,
    progress: bool | None = None,
) -> Path:
    """Fetch ``filename`` from the first mirror that serves it with the right checksum.

    Args:
        filename: the file's name, appended to each mirror's base URL.
        mirrors: base URLs ending in ``/``, tried in order.
        sha256: the expected SHA-256 digest (hex) of the file's bytes.
        dest_dir: where to write it (created if missing; removed again if the
            download fails and it was created for it).
        timeout: seconds before a silent server counts as failed.
        max_bytes: the file's largest possible size; a mirror sending more is dropped.
        deadline: seconds the whole file may take from one mirror.
        progress: show a progress bar: None (default) on a terminal only.

    Returns:
        The path written, ``dest_dir / filename``.

    Raises:
        DownloadError: every mirror failed; the message lists each URL and why.
    """
    dest_dir = Path(dest_dir)
    try:
        created = _make_dirs(dest_dir)
    except OSError as e:  # read-only, or a file where the folder should be
        raise DownloadError(
            f"could not download {filename}: it could not be written to {dest_dir}: {e}"
        ) from e
    failures = []
    with tqdm(
        desc=filename,
        unit="B",
        unit_scale=True,
        leave=False,
        disable=None if progress is None else not progress,
    ) as bar:
        for base in mirrors:
            url = base + filename
            with Deadline(deadline) as clock:
                try:
                    response = fetch(url, min(timeout, deadline))
                    if isinstance(response, (bytes, bytearray)):
                        response = io.BytesIO(response)
                    with response, atomic_open(dest_dir / filename) as out:
                        _stream(response, out, url, sha256, max_bytes, deadline, bar)
                    return dest_dir / filename
                # URLError, timeouts, refused, bad URL, disk, a connection cut short
                except (_Rejected, OSError, ValueError, http.client.HTTPException) as e:
                    failures.append(f"{url}: {_too_slow(deadline) if clock.expired else e}")
    for d in reversed(created):  # leave no empty folders behind
        try:
            d.rmdir()
        except OSError:
            break
    raise DownloadError(f"could not download {filename}:\n  " + "\n  ".join(failures))
