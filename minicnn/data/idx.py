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
# The most bytes read_idx expands a file to unless told otherwise: 5x MNIST's 60,000
# training images (47 MB). A 522 KB .gz can announce (and hold) 1.1 GB of zeros.
DEFAULT_MAX_BYTES = 256 * 2**20


def _corrupt_gzip(path, e: Exception) -> DatasetError:
    # A download cut short gives EOFError; flipped bits give BadGzipFile/zlib.error.
    return DatasetError(
        f"{path}: corrupt or truncated gzip data ({e}); delete the file and fetch it again"
    )


def _open(path: Path):
    """``path`` opened for reading bytes, through gzip if it starts with gzip's magic."""
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _read_upto(f, n: int) -> bytes:
    """Up to ``n`` bytes of ``f``, in 1 MiB pieces: ``f.read(n)`` would allocate ``n``
    bytes up front, whatever the file holds (a header may announce terabytes)."""
    pieces = []
    while n > 0:
        piece = f.read(min(n, 2**20))
        if not piece:
            break
        pieces.append(piece)
        n -= len(piece)
    return b"".join(pieces)


def read_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The content of ``path``, gunzipped if it starts with the gzip magic bytes.

    ``limit``: the most bytes the (uncompressed) content may have; decompression
    stops just past it and a DatasetError says so, so a small compressed file that
    would expand to gigabytes (a "gzip bomb") never fills the memory.
    """
    path = Path(path)
    try:
        with _open(path) as f:
            data = f.read() if limit is None else _read_upto(f, limit + 1)
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError | PermissionError):
            raise
        raise _corrupt_gzip(path, e) from e
    if limit is not None and len(data) > limit:
        raise DatasetError(f"{path}: more than {limit} bytes (uncompressed), too big for this file")
    return data


def _read_as_announced(path: Path, max_bytes: int | None) -> bytes:
    """The IDX bytes of ``path``, read (and gunzipped) no further than its header says
    the array takes, plus one byte that reveals trailing data."""
    try:
        with _open(path) as f:
            data = f.read(4)
            if len(data) < 4 or data[2] not in IDX_DTYPES:
                return data  # parse_idx names the problem
            data += f.read(4 * data[3])
            if len(data) < 4 + 4 * data[3]:
                return data
            shape = struct.unpack(f">{data[3]}I", data[4:])
            size = len(data) + math.prod(shape) * IDX_DTYPES[data[2]].itemsize
            if max_bytes is not None and size > max_bytes:
                raise DatasetError(
                    f"{path}: the header announces an array of shape {shape} ({size} bytes), "
                    f"more than the {max_bytes} bytes allowed (read_idx's max_bytes=); a wrong "
                    f"or damaged file, or pass a larger max_bytes if it really is that big"
                )
            data += _read_upto(f, size - len(data) + 1)
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError | PermissionError):
            raise
        raise _corrupt_gzip(path, e) from e
    if len(data) > size:
        raise DatasetError(
            f"{path}: trailing bytes after the array of shape {shape} the header announces "
            f"({size} bytes): the header and the data disagree"
        )
    return data


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


def read_idx(
    path: str | os.PathLike, ndim: int | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a numpy array.

    Only as many bytes as the header announces are read (and decompressed), plus
    one to notice trailing data: a small ``.gz`` that would expand far beyond what
    its header says is rejected without being expanded.

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``.
        ndim: if given, the number of dimensions expected (3 for images, 1 for labels).
        max_bytes: the most bytes the file may expand to (header and array; default
            256 MiB); a header announcing more is refused before any data is read.
            None: no bound.

    Returns:
        The array in native byte order, e.g. (60000, 28, 28) uint8.

    Raises:
        DatasetError: truncated file, bad magic number, unknown dtype code,
            trailing bytes, too big, or ``ndim`` mismatch; the message names the file.
    """
    path = Path(path)
    return parse_idx(_read_as_announced(path, max_bytes), source=str(path), ndim=ndim)


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
