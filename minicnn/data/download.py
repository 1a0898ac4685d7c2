"""Downloading a dataset file: mirrors in turn, SHA-256 checked, written atomically.

The network goes through one module-level function, :func:`fetch`, so tests (and
users behind a proxy) can replace it: ``monkeypatch.setattr(mc.data.download,
"fetch", fake)``. A file is written only once its checksum matches, and then
atomically, so a failed or tampered download leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ..atomic import atomic_write_bytes
from .errors import DownloadError

# Seconds to wait for the server to answer (per connection attempt and per read),
# short so that a machine without network fails fast instead of hanging.
DEFAULT_TIMEOUT = 5.0


def fetch(url: str, timeout: float) -> bytes:
    """The bytes at ``url`` (the only function here that touches the network)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def download_file(
    filename: str,
    mirrors: Sequence[str],
    sha256: str,
    dest_dir: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Fetch ``filename`` from the first mirror that serves it with the right checksum.

    Args:
        filename: the file's name, appended to each mirror's base URL.
        mirrors: base URLs ending in ``/``, tried in order.
        sha256: the expected SHA-256 digest (hex) of the file's bytes.
        dest_dir: where to write it (created if missing).
        timeout: seconds before a silent server counts as failed.

    Returns:
        The path written, ``dest_dir / filename``.

    Raises:
        DownloadError: every mirror failed; the message lists each URL and why.
    """
    failures = []
    for base in mirrors:
        url = base + filename
        try:
            data = fetch(url, timeout)
        except (OSError, ValueError) as e:  # URLError, timeouts, refused, bad URL
            failures.append(f"{url}: {e}")
            continue
        digest = sha256_hex(data)
        if digest != sha256:
            failures.append(f"{url}: SHA-256 mismatch (got {digest}, expected {sha256})")
            continue
        try:
            Path(dest_dir).mkdir(parents=True, exist_ok=True)
            return atomic_write_bytes(Path(dest_dir) / filename, data)
        except OSError as e:  # read-only or full disk: say so rather than crash
            failures.append(f"{url}: downloaded but could not be written to {dest_dir}: {e}")
    raise DownloadError(f"could not download {filename}:\n  " + "\n  ".join(failures))
