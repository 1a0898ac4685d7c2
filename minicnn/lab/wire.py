"""The grader's channel to the student's process: framed messages over a pipe it owns.

A frame is ``MAGIC, len(header), len(arrays)``, a JSON header and an ``.npz`` of
arrays (never pickled: ``allow_pickle=False``). Cases go from the grader to the
student's process this way and raw outputs come back; no verdict travels on it,
and nothing is ever written to a folder the student's code can reach.

A case (a dict of arrays, numbers, None, nested dicts) is split by ``encode``
into a JSON skeleton, where each array is ``{"@array": key}``, and the arrays.

This module imports only numpy: the student's process loads it.
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time
import zipfile

import numpy as np

MAGIC = b"MCNN"
_HEAD = struct.Struct(">4sIQ")
MAX_HEADER = 16 << 20  # a header holds cell code and messages; the arrays go in the npz
MAX_ARRAYS = 64 << 20  # outputs of a part (lab 5's: ~1 MB); more is not an honest answer


class ChannelClosed(Exception):
    """The other side closed the pipe, sent garbage, or missed its deadline."""


def encode(value, arrays: dict[str, np.ndarray], key: str = "a"):
    """``value`` as JSON, its arrays moved into ``arrays`` under fresh keys."""
    if isinstance(value, np.ndarray):
        name = f"{key}.{len(arrays)}"
        arrays[name] = value
        return {"@array": name}
    if isinstance(value, dict):
        return {"@dict": [[str(k), encode(v, arrays, key)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"@list": [encode(v, arrays, key) for v in value]}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the student's process")


def decode(value, arrays):
    """The inverse of ``encode``."""
    if isinstance(value, dict):
        if "@array" in value:
            return arrays[value["@array"]]
        if "@dict" in value:
            return {k: decode(v, arrays) for k, v in value["@dict"]}
        if "@list" in value:
            return [decode(v, arrays) for v in value["@list"]]
    return value


def pack(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    head = json.dumps(header).encode("utf-8")
    buf = io.BytesIO()
    np.savez(buf, **(arrays or {}))  # type: ignore[arg-type]  # numpy stubs: allow_pickle
    body = buf.getvalue()
    return _HEAD.pack(MAGIC, len(head), len(body)) + head + body


def send(fd: int, header: dict, arrays: dict[str, np.ndarray] | None = None, deadline=None) -> None:
    """Write one frame; with a deadline, ChannelClosed if the reader stops reading."""
    data = memoryview(pack(header, arrays))
    while data:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                raise ChannelClosed("deadline")
        try:
            data = data[os.write(fd, data[: 1 << 16]) :]
        except (BrokenPipeError, OSError):
            raise ChannelClosed("closed") from None


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise ChannelClosed("deadline")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ChannelClosed("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """(header, arrays) of the next frame; ChannelClosed if it cannot be read in time."""
    magic, n_head, n_body = _HEAD.unpack(_read_exact(fd, _HEAD.size, deadline))
    if magic != MAGIC or n_head > MAX_HEADER or n_body > MAX_ARRAYS:
        raise ChannelClosed("not a frame")
    try:
        header = json.loads(_read_exact(fd, n_head, deadline).decode("utf-8"))
        body = _read_exact(fd, n_body, deadline)
        # An .npz is a zip: its members may be compressed, so judge them by the sizes
        # they declare (zipfile never inflates a member past its declared size).
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_ARRAYS:
                raise ChannelClosed("bad frame: too large")
        with np.load(io.BytesIO(body), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except ChannelClosed:
        raise
    except Exception as err:  # noqa: BLE001 - whatever the other side sent, it is not a frame
        raise ChannelClosed(f"bad frame: {type(err).__name__}") from None
    if not isinstance(header, dict):
        raise ChannelClosed("bad frame: header")
    return header, arrays
