"""The IDX file format (MNIST, Fashion-MNIST): reader and writer.

An IDX file is a tiny header followed by a raw, big-endian, C-ordered array::

    bytes 0-1   0x00 0x00                 (always zero)
    byte  2     dtype code                (table below)
    byte  3     ndim                      (number of dimensions, >= 1)
    4 * ndim    the dimensions, each a big-endian unsigned 32-bit int
    the rest    prod(dims) items of the dtype, big-endian

    code  dtype          code  dtype
    0x08  uint8          0x0C  int32
    0x09  int8           0x0D  float32
    0x0B  int16          0x0E  float64

MNIST's ``train-images-idx3-ubyte`` is (60000, 28, 28) uint8 ("idx3": 3 dims);
``train-labels-idx1-ubyte`` is (60000,) uint8. Files are often gzip-compressed;
``read_idx`` recognises gzip by its magic bytes, whatever the file is named.

Every way a file can be wrong (truncated, bad header, unknown dtype, extra bytes,
the labels file where the images were expected) raises ``DatasetError`` naming
the file and the problem, instead of returning a silently garbled array.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_bytes
from .errors import DatasetError

# dtype code -> big-endian numpy dtype, as in the table above.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of ``path``, gunzipped if it starts with the gzip magic bytes."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        # A download cut short gives EOFError; flipped bits give BadGzipFile/zlib.error.
        raise DatasetError(
            f"{path}: corrupt or truncated gzip data ({e}); delete the file and fetch it again"
        ) from e


def parse_idx(data: bytes, source: str = "<bytes>", ndim: int | None = None) -> np.ndarray:
    """Decode IDX bytes into a native-endian array; ``source`` names the file in errors.

    ``ndim``, when given, is the number of dimensions the caller expects (3 for
    MNIST images, 1 for labels): a mismatch means the wrong file was passed.
    """

    def fail(problem: str) -> DatasetError:
        return DatasetError(f"{source}: {problem}")

    if len(data) < 4:
        raise fail(f"truncated: {len(data)} bytes, too short for the 4-byte IDX magic number")
    zero0, zero1, code, file_ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0:
        raise fail(
            f"bad magic number 0x{data[:4].hex()}: an IDX file starts with two zero bytes "
            "(is this an IDX file, or still compressed in another format?)"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise fail(f"unknown IDX dtype code 0x{code:02X} in the magic number (known: {known})")
    if file_ndim == 0:
        raise fail("the magic number says 0 dimensions; IDX arrays have at least one")
    if ndim is not None and file_ndim != ndim:
        raise fail(
            f"expected a {ndim}-dimensional IDX file but this one has {file_ndim} dimensions "
            "(images are 3-D and labels 1-D: is it the wrong file of the pair?)"
        )
    header_size = 4 + 4 * file_ndim
    if len(data) < header_size:
        raise fail(
            f"truncated: {len(data)} bytes, too short for the {file_ndim} dimensions "
            f"the header announces ({header_size} header bytes)"
        )
    shape = struct.unpack(f">{file_ndim}I", data[4:header_size])
    dtype = IDX_DTYPES[code]
    expected = header_size + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if len(data) < expected:
        raise fail(
            f"truncated: {len(data)} bytes, but a {dtype.name} array of shape {shape} "
            f"needs {expected} bytes; the file is incomplete, fetch it again"
        )
    if len(data) > expected:
        raise fail(
            f"{len(data) - expected} trailing bytes after the {dtype.name} array of shape "
            f"{shape} ({expected} bytes expected): the header and the data disagree"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    # astype to the native byte order also copies, so the result is writable.
    return array.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a numpy array.

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``.
        ndim: if given, the number of dimensions expected (3 for images, 1 for labels).

    Returns:
        The array in native byte order, e.g. (60000, 28, 28) uint8.

    Raises:
        DatasetError: truncated file, bad magic number, unknown dtype code,
            trailing bytes, or ``ndim`` mismatch; the message names the file.
    """
    return parse_idx(read_bytes(path), source=str(path), ndim=ndim)


def encode_idx(array: np.ndarray) -> bytes:
    """The IDX bytes of ``array`` (header + big-endian data)."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        supported = ", ".join(dt.name for dt in codes)
        raise TypeError(f"write_idx: IDX cannot store dtype {array.dtype}; use one of {supported}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: IDX stores arrays of 1 to 255 dimensions, got {array.ndim}")
    if any(n >= 2**32 for n in array.shape):
        raise ValueError(f"write_idx: each dimension must be < 2**32, got shape {array.shape}")
    header = bytes([0, 0, codes[native], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[codes[native]]).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends in ``.gz``.

    The write is atomic (temporary file + rename): an interrupted write never
    leaves a half-written file behind. Returns the path written.
    """
    path = Path(path)
    data = encode_idx(array)
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)  # mtime=0: same array, same bytes
    return atomic_write_bytes(path, data)
