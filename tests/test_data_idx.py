"""IDX reader/writer: round trips, and every way a file can be broken gives a clear error."""

import gzip
import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minicnn as mc
from minicnn.data.idx import IDX_DTYPES


def header(code: int, shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


DTYPES = [dt.newbyteorder("=") for dt in IDX_DTYPES.values()]


@settings(max_examples=40, deadline=None)
@given(
    dtype=st.sampled_from(DTYPES),
    shape=st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple),
    compressed=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip(tmp_path_factory, dtype, shape, compressed, seed):
    rng = np.random.default_rng(seed)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if compressed else "a.idx")
    mc.data.write_idx(path, array)
    back = mc.data.read_idx(path)
    assert back.dtype == dtype and back.shape == shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable
    assert path.read_bytes().startswith(b"\x1f\x8b") == compressed


def test_header_layout_is_big_endian(tmp_path):
    """The bytes on disk follow the spec, not just our own reader."""
    path = tmp_path / "x"
    mc.data.write_idx(path, np.array([[1, 2, 3]], dtype=np.int16))
    assert path.read_bytes() == header(0x0B, (1, 3)) + b"\x00\x01\x00\x02\x00\x03"


def test_read_ignores_file_name_uses_gzip_magic(tmp_path):
    # A gzip file without .gz (renamed by a browser) and a raw file with .gz both read.
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    raw = header(0x08, (2, 3)) + a.tobytes()
    (tmp_path / "zipped").write_bytes(gzip.compress(raw))
    (tmp_path / "plain.gz").write_bytes(raw)
    np.testing.assert_array_equal(mc.data.read_idx(tmp_path / "zipped"), a)
    np.testing.assert_array_equal(mc.data.read_idx(tmp_path / "plain.gz"), a)


def test_write_idx_rejects_unsupported_dtype_and_scalar(tmp_path):
    with pytest.raises(TypeError, match="cannot store dtype int64"):
        mc.data.write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="1 to 255 dimensions"):
        mc.data.write_idx(tmp_path / "x", np.array(3, dtype=np.uint8))
    assert not os.listdir(tmp_path), "a rejected write must leave no file behind"


def test_write_idx_is_atomic_on_failure(tmp_path, monkeypatch):
    """If the write fails midway the old file survives and no temp file is left."""
    path = tmp_path / "labels.idx"
    mc.data.write_idx(path, np.array([1, 2], dtype=np.uint8))
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        mc.data.write_idx(path, np.array([7, 8, 9], dtype=np.uint8))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["labels.idx"]


GOOD = header(0x08, (2, 2, 2)) + bytes(range(8))
HUGE = 2**32 - 1  # the largest dimension a header can announce


@pytest.mark.parametrize(
    "content, ndim, problem",
    [
        (b"\x00\x00", None, "truncated: 2 bytes"),
        (b"\x12\x34" + GOOD[2:], None, "bad magic number 0x1234"),
        (bytes([0, 0, 0x0A, 3]) + GOOD[4:], None, "unknown IDX dtype code 0x0A"),
        (bytes([0, 0, 0x08, 0]), None, "0 dimensions"),
        (GOOD[:10], None, "too short for the 3 dimensions"),
        (GOOD[:-1], None, "truncated: 23 bytes"),
        (GOOD + b"\x00\x00", None, "trailing bytes after the array"),
        (GOOD, 1, "expected a 1-dimensional IDX file but this one has 3 dimensions"),
        (header(0x08, (3,)) + b"abc", 3, "expected a 3-dimensional IDX file"),
        (gzip.compress(GOOD)[:-6], None, "corrupt or truncated gzip"),
        # refused from the header alone: beyond read_idx's default bound (max_bytes=)
        (header(0x0E, (HUGE,) * 3) + bytes(8), None, f"({16 + HUGE**3 * 8} bytes), more than"),
    ],
    ids=[
        "short",
        "magic",
        "dtype",
        "ndim0",
        "short-dims",
        "truncated",
        "trailing",
        "images-as-labels",
        "labels-as-images",
        "gzip-cut",
        "huge-dims",
    ],
)
def test_corrupt_files_name_file_and_problem(tmp_path, content, ndim, problem):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(mc.data.DatasetError) as info:
        mc.data.read_idx(path, ndim=ndim)
    assert str(path) in str(info.value)
    assert problem in str(info.value)
    assert isinstance(info.value, ValueError)
