"""Numba-compiled kernels: the loops of ``naive``, compiled to machine code.

Same signatures and results as ``naive`` and ``im2col`` (see ``common``). Each
public function prepares its arguments in Python (padding, output buffers) and
hands the loop nest to an ``@njit`` function. Padding is materialised with
``common.pad`` exactly as in the naive loops (a no-op when it is zero), and the
scatter-adds accumulate into a padded buffer that is cropped at the end.

Two details make the loops fast, neither changes what they compute:

- Every index is an unsigned integer (the loop bounds come in as ``np.uint64``,
  see :func:`_geometry`). With signed indices numba must check each one for a
  negative value (Python's ``x[-1]``), and that check stops LLVM from
  vectorising the inner loops: measured 3–5× slower for im2col and col2im.
- The outer loop is a ``prange`` over slices that no two iterations share (the
  rows of ``cols`` for im2col, the (image, channel) planes elsewhere), so
  overlapping windows add up correctly even when it runs in parallel. It runs
  serially (``PARALLEL = False``): on the 2-core machine these kernels were
  written on, threads gained little once im2col/col2im were vectorised, doubled
  the compile time, and collapsed (5-10x slower) whenever other processes
  competed for the cores. Set it to True to measure again on a bigger machine.

Compilation is lazy (on the first call for a dtype, never at import) and cached
on disk (``cache=True``), so only the first run after an install pays for it.
Numba writes its cache next to this file; when that directory is read-only (a
system-wide install) numba's own per-user cache (``~/.cache/numba``) takes it.
The cache holds pickles that numba loads, so it must never sit where another user
can write: only if the home folder is read-only too does minicnn pick a directory
itself (:func:`_use_writable_cache_dir`), one it created with mode 0700 and
checked to be its own. ``NUMBA_CACHE_DIR``, when set, always wins.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile

import numba
import numpy as np
from numba import njit, prange

from ..shapes import output_hw
from . import numpy as vectorised
from .common import pad, padded_zeros, unpad


def _writable(directory: str) -> bool:
    """Whether new files can be created in ``directory``, creating it (and its
    parents) if needed. Tries for real: os.access ignores read-only mounts."""
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


PACKAGE_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")


def _numba_user_cache() -> str:
    """Numba's own per-user cache folder, where it goes when the package's is read-only."""
    from numba.misc.appdirs import AppDirs

    return AppDirs(appname="numba", appauthor=False).user_cache_dir


def _private_dir(path: str) -> bool:
    """Create ``path`` with mode 0700 if missing; True only if it is then a real
    directory (not a symlink) owned by this user that nobody else may write to.
    A directory someone else made first (in a shared /tmp) is refused, not used."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        return False
    return _writable(path)


def _use_writable_cache_dir(package_cache: str = PACKAGE_CACHE) -> str | None:
    """Make sure numba has a safe place for its cache; return the folder chosen here
    (None when numba's own choice stands).

    In order: ``NUMBA_CACHE_DIR`` if set; the package's ``__pycache__`` if writable;
    numba's per-user cache if writable (numba moves there by itself); else
    ``<tempdir>/minicnn-numba-cache-<uid>`` if :func:`_private_dir` accepts it; else a
    fresh ``tempfile.mkdtemp()`` (0700, unguessable name) removed at exit, so the
    kernels still compile, just once per process.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or _writable(package_cache):
        return None
    if _writable(_numba_user_cache()):
        return None
    uid = getattr(os, "getuid", lambda: "user")()  # Windows: the temp folder is per-user
    fallback = os.path.join(tempfile.gettempdir(), f"minicnn-numba-cache-{uid}")
    if not _private_dir(fallback):
        fallback = tempfile.mkdtemp(prefix="minicnn-numba-")
        atexit.register(shutil.rmtree, fallback, ignore_errors=True)
    numba.config.CACHE_DIR = fallback  # type: ignore[attr-defined]
    return fallback


_use_writable_cache_dir()

PARALLEL = False  # see the module docstring


def _compiled(dtype) -> bool:
    """The loops are compiled for float32 and float64; other dtypes (float16,
    longdouble, which numba cannot compile) take the vectorised NumPy kernels."""
    return dtype in (np.float32, np.float64)


def _geometry(N, C, kernel, stride, out_hw) -> tuple[np.uint64, ...]:
    """(N, C, kh, kw, sh, sw, OH, OW) as unsigned integers, the loop bounds of
    every kernel below (unsigned: see the module docstring).

    A stride only multiplies output indices, so along an axis with one output it is
    never used: it becomes 1 there, so that a stride too large for 64 bits (which the
    other backends accept) gives the same single output here too."""
    stride = [s if o > 1 else 1 for s, o in zip(stride, out_hw, strict=True)]
    return tuple(np.uint64(v) for v in (N, C, *kernel, *stride, *out_hw))


def _unsigned(pair) -> tuple[np.uint64, np.uint64]:
    """An (h, w) pair (the dilation) as unsigned loop values, like ``_geometry``."""
    return np.uint64(pair[0]), np.uint64(pair[1])


# -- convolution as a matrix product ---------------------------------------------------


@njit(cache=True, parallel=PARALLEL)
def _im2col(xp, geometry, dh, dw, cols):
    """cols[(c, p, q), n*OH*OW + i*OW + j] = x_pad[n, c, i*sh + p*dh, j*sw + q*dw]."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for r in prange(C * kh * kw):  # one row of cols per thread: no shared writes
        c, p, q = r // (kh * kw), r // kw % kh, r % kw
        for n in range(N):
            for i in range(OH):
                for j in range(OW):
                    cols[r, (n * OH + i) * OW + j] = xp[n, c, i * sh + p * dh, j * sw + q * dw]


def im2col(x, kernel, stride, padding, dilation=(1, 1)):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW)."""
    if not _compiled(x.dtype):
        return vectorised.im2col(x, kernel, stride, padding, dilation)
    N, C, _, _ = x.shape
    out_hw = output_hw(x.shape, kernel, stride, padding, dilation)
    cols = np.empty((C * kernel[0] * kernel[1], N * out_hw[0] * out_hw[1]), dtype=x.dtype)
    xp = np.ascontiguousarray(pad(x, padding))
    _im2col(xp, _geometry(N, C, kernel, stride, out_hw), *_unsigned(dilation), cols)
    return cols


@njit(cache=True, parallel=PARALLEL)
def _col2im(cols, geometry, dh, dw, dxp):
    """dx_pad[n, c, i*sh + p*dh, j*sw + q*dw] += cols[(c, p, q), n*OH*OW + i*OW + j]."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for nc in prange(N * C):  # one (image, channel) plane per thread
        n, c = nc // C, nc % C
        for p in range(kh):
            for q in range(kw):
                r = (c * kh + p) * kw + q
                for i in range(OH):
                    for j in range(OW):
                        dxp[n, c, i * sh + p * dh, j * sw + q * dw] += cols[
                            r, (n * OH + i) * OW + j
                        ]


def col2im(cols, x_shape, kernel, stride, padding, dilation=(1, 1)):
    """cols (C*kh*kw, N*OH*OW) -> (N, C, H, W), summing overlapping windows."""
    if not _compiled(cols.dtype):
        return vectorised.col2im(cols, x_shape, kernel, stride, padding, dilation)
    N, C, _, _ = x_shape
    out_hw = output_hw(x_shape, kernel, stride, padding, dilation)
    dxp = padded_zeros(x_shape, padding, cols.dtype)
    _col2im(
        np.ascontiguousarray(cols),
        _geometry(N, C, kernel, stride, out_hw),
        *_unsigned(dilation),
        dxp,
    )
    return unpad(dxp, padding)


# -- pooling ---------------------------------------------------------------------------


@njit(cache=True, parallel=PARALLEL)
def _max_pool2d_forward(xp, geometry, y, argmax, has_nan):
    """y = max of each window, argmax = p*kw + q of its first maximum (a strict
    ``>`` keeps the first on ties). Padding is −∞, so it never wins over a real
    value. With ``has_nan`` the first NaN of a window wins, as in ``np.argmax``;
    that test is a flag because it makes the loop 5× slower (it cannot be
    vectorised), and numba compiles the loop once with and once without it."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for nc in prange(N * C):
        n, c = nc // C, nc % C
        for i in range(OH):
            for j in range(OW):
                best = xp[n, c, i * sh, j * sw]
                where = np.uint64(0)  # (a signed 0 would make numba type it float)
                for p in range(kh):
                    for q in range(kw):
                        v = xp[n, c, i * sh + p, j * sw + q]
                        if v > best or (has_nan and v != v and best == best):
                            best = v
                            where = p * kw + q
                y[n, c, i, j] = best
                argmax[n, c, i, j] = where


def max_pool2d_forward(x, kernel, stride, padding):
    """Max over each window: (y, argmax), both (N, C, OH, OW)."""
    if not _compiled(x.dtype):
        return vectorised.max_pool2d_forward(x, kernel, stride, padding)
    N, C, _, _ = x.shape
    out_hw = output_hw(x.shape, kernel, stride, padding)
    y = np.empty((N, C, *out_hw), dtype=x.dtype)
    argmax = np.empty((N, C, *out_hw), dtype=np.int64)
    xp = np.ascontiguousarray(pad(x, padding, value=-np.inf))
    _max_pool2d_forward(
        xp, _geometry(N, C, kernel, stride, out_hw), y, argmax, bool(np.isnan(xp).any())
    )
    return y, argmax


@njit(cache=True, parallel=PARALLEL)
def _max_pool2d_backward(dy, argmax, geometry, dxp):
    """dx_pad[winner of window (i, j)] += dy[n, c, i, j]; overlaps add up in turn."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for nc in prange(N * C):
        n, c = nc // C, nc % C
        for i in range(OH):
            for j in range(OW):
                tap = np.uint64(argmax[n, c, i, j])
                dxp[n, c, i * sh + tap // kw, j * sw + tap % kw] += dy[n, c, i, j]


def max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding):
    """Route each dy to its window's winner: (N, C, OH, OW) -> (N, C, H, W)."""
    if not _compiled(dy.dtype):
        return vectorised.max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding)
    N, C, _, _ = x_shape
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    _max_pool2d_backward(
        np.ascontiguousarray(dy),
        np.ascontiguousarray(argmax),
        _geometry(N, C, kernel, stride, dy.shape[2:]),
        dxp,
    )
    return unpad(dxp, padding)


@njit(cache=True, parallel=PARALLEL)
def _avg_pool2d_forward(xp, geometry, y):
    """y[n,c,i,j] = Σ_window x_pad[n,c,h,w] / (kh*kw) (padded zeros count)."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for nc in prange(N * C):
        n, c = nc // C, nc % C
        for i in range(OH):
            for j in range(OW):
                total = 0.0
                for p in range(kh):
                    for q in range(kw):
                        total += xp[n, c, i * sh + p, j * sw + q]
                y[n, c, i, j] = total / (kh * kw)


def avg_pool2d_forward(x, kernel, stride, padding):
    """Mean over each window: (N, C, H, W) -> (N, C, OH, OW)."""
    if not _compiled(x.dtype):
        return vectorised.avg_pool2d_forward(x, kernel, stride, padding)
    N, C, _, _ = x.shape
    out_hw = output_hw(x.shape, kernel, stride, padding)
    y = np.empty((N, C, *out_hw), dtype=x.dtype)
    xp = np.ascontiguousarray(pad(x, padding))
    _avg_pool2d_forward(xp, _geometry(N, C, kernel, stride, out_hw), y)
    return y


@njit(cache=True, parallel=PARALLEL)
def _avg_pool2d_backward(share, geometry, dxp):
    """dx_pad[n,c,h,w] += share[n,c,i,j] for every window (i, j) holding (h, w)."""
    N, C, kh, kw, sh, sw, OH, OW = geometry
    for nc in prange(N * C):
        n, c = nc // C, nc % C
        for p in range(kh):  # tap by tap, like col2im: the inner loop runs along a row
            for q in range(kw):
                for i in range(OH):
                    for j in range(OW):
                        dxp[n, c, i * sh + p, j * sw + q] += share[n, c, i, j]


def avg_pool2d_backward(dy, x_shape, kernel, stride, padding):
    """Spread each dy evenly over its window: (N, C, OH, OW) -> (N, C, H, W)."""
    if not _compiled(dy.dtype):
        return vectorised.avg_pool2d_backward(dy, x_shape, kernel, stride, padding)
    N, C, _, _ = x_shape
    share = np.ascontiguousarray(dy / (kernel[0] * kernel[1]))  # each input's part, in dy's dtype
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    _avg_pool2d_backward(share, _geometry(N, C, kernel, stride, dy.shape[2:]), dxp)
    return unpad(dxp, padding)
