"""Numba-compiled kernels: the 'numba' backend, the loops of ``naive`` compiled to
machine code.

Same signatures and results as ``naive.py`` and ``vectorised.py`` (see ``contract.py``). Each
public function prepares its arguments in Python (padding, output buffers) and
hands the loop nest to an ``@njit`` function. Padding is materialised with
``common.pad`` exactly as in the naive loops (a no-op when it is zero), and the
scatter-adds accumulate into a padded buffer that is cropped at the end.

Two details make the loops fast, neither changes what they compute:

- Every index is an unsigned integer (the loop bounds come in as ``np.uint64``,
  see ``_geometry()``). With signed indices numba must check each one for a
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
itself (``_use_writable_cache_dir()``), one it created with mode 0700 and
checked to be its own. ``NUMBA_CACHE_DIR``, when set, always wins.
"""

from __future__ import annotations

import atexit
import importlib.util
import math
import os
import shutil
import stat
import tempfile
import time

import numba
import numpy as np
from numba import njit, prange

from .. import threads
from ..shapes import output_hw
from . import vectorised
from .common import check_shape, pad, padded_zeros, unpad
from .contract import Kernels


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
    ``<tempdir>/minicnn-numba-cache-<uid>`` if ``_private_dir()`` accepts it; else a
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
    check_shape(cols, (C * kernel[0] * kernel[1], N * out_hw[0] * out_hw[1]), "cols", "col2im")
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
    # A sum is NaN when any element is: one pass, no mask array. (An overflow to
    # inf − inf also gives NaN: a NaN-free input then takes the slower, correct loop.)
    _max_pool2d_forward(
        xp, _geometry(N, C, kernel, stride, out_hw), y, argmax, bool(np.isnan(xp.sum()))
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
                tap = np.uint64(argmax[n, c, i, j])  # a negative index wraps to a huge one
                if tap >= kh * kw:  # the one index from outside: never write past the window
                    raise ValueError(
                        "max_pool2d_backward: argmax holds an index outside its window"
                    )
                dxp[n, c, i * sh + tap // kw, j * sw + tap % kw] += dy[n, c, i, j]


def max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding):
    """Route each dy to its window's winner: (N, C, OH, OW) -> (N, C, H, W)."""
    if not _compiled(dy.dtype):
        return vectorised.max_pool2d_backward(dy, argmax, x_shape, kernel, stride, padding)
    N, C, _, _ = x_shape
    out_shape = (N, C, *output_hw(x_shape, kernel, stride, padding))
    check_shape(dy, out_shape, "dy", "max_pool2d_backward")
    check_shape(argmax, out_shape, "argmax", "max_pool2d_backward")
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
    check_shape(
        dy, (N, C, *output_hw(x_shape, kernel, stride, padding)), "dy", "avg_pool2d_backward"
    )
    share = np.ascontiguousarray(dy / (kernel[0] * kernel[1]))  # each input's part, in dy's dtype
    dxp = padded_zeros(x_shape, padding, dy.dtype)
    _avg_pool2d_backward(share, _geometry(N, C, kernel, stride, dy.shape[2:]), dxp)
    return unpad(dxp, padding)


# -- whole operations: the contract's optional fields, which the other backends leave ----
# -- to the functional core's NumPy code ---------------------------------------------
#
# The kernels above mirror the naive ones function by function; the functions below go
# further and each do a whole operation of the functional core in one compiled pass per
# image, which the other backends leave to NumPy. They compute the same equations (the
# tests compare them with the naive backend) and differ only in how the memory is
# walked:
#
# - conv2d_forward / conv2d_backward work image by image: the padded image and its
#   im2col matrix (C·kh·kw, OH·OW) are small enough to stay in the cache, the matrix
#   products write straight into the NCHW output (no transpose copy, no np.pad, no
#   batch-wide matrix), and the bias is added while the output is still in the cache.
#   Backward rebuilds each image's matrix instead of keeping the batch's.
# - batch_norm_forward / batch_norm_backward compute the statistics, x̂ and y (and in
#   backward the two sums and dx) in two passes over the data instead of NumPy's ~8.
#
# The batch is split into contiguous chunks that run on minicnn's thread pool (see
# minicnn.threads); numba releases the GIL inside these functions (nogil=True) and
# each chunk owns its slice of the output, so no two threads write the same memory.


@njit(cache=True, nogil=True)
def _fill_padded(x, n, xp, ph, pw):
    """xp[c, ph + h, pw + w] = x[n, c, h, w]; the border of xp stays as it was (zero)."""
    _, C, H, W = x.shape
    for c in range(C):
        for h in range(H):
            for w in range(W):
                xp[c, h + ph, w + pw] = x[n, c, h, w]


@njit(cache=True, nogil=True)
def _image_im2col(xp, geometry, cols, offset):
    """cols[(c, p, q), offset + i*OW + j] = xp[c, i*sh + p, j*sw + q] for one padded image."""
    C, kh, kw, sh, sw, OH, OW = geometry
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                r = (c * kh + p) * kw + q
                for i in range(OH):
                    for j in range(OW):
                        cols[r, offset + i * OW + j] = xp[c, i * sh + p, j * sw + q]


@njit(cache=True, nogil=True)
def _image_col2im(cols, geometry, offset, dxp):
    """dxp[c, i*sh + p, j*sw + q] += cols[(c, p, q), offset + i*OW + j] for one padded image."""
    C, kh, kw, sh, sw, OH, OW = geometry
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                r = (c * kh + p) * kw + q
                for i in range(OH):
                    for j in range(OW):
                        dxp[c, i * sh + p, j * sw + q] += cols[r, offset + i * OW + j]


@njit(cache=True, nogil=True)
def _conv2d_forward_images(x, weights, b, geometry, padding, group, y):
    """y[n] = weights @ im2col(x[n]) + b for every image n, ``group`` images per matrix
    product (their im2col matrices side by side); y is (N, K, OH*OW), b is (K,)."""
    N, C, H, W = x.shape
    K, R = weights.shape
    P = y.shape[2]
    ph, pw = padding
    xp = np.zeros((C, H + 2 * ph, W + 2 * pw), x.dtype)
    for n0 in range(0, N, group):
        g = min(group, N - n0)
        cols = np.empty((R, g * P), x.dtype)
        out = np.empty((K, g * P), x.dtype)
        for t in range(g):
            _fill_padded(x, n0 + t, xp, ph, pw)
            _image_im2col(xp, geometry, cols, np.uint64(t * P))
        np.dot(weights, cols, out)
        for t in range(g):
            for k in range(K):
                for u in range(P):
                    y[n0 + t, k, u] = out[k, t * P + u] + b[k]


@njit(cache=True, nogil=True)
def _conv2d_backward_images(dy, x, weights_t, geometry, padding, group, dx, dw, db):
    """For every group of images: dw += dY @ colsᵀ, dcols = weightsᵀ @ dY and
    dx[n] = col2im(dcols) per image, db += Σ dY; dY and cols hold the group's images
    side by side. dy is (N, K, OH*OW), weights_t (C*kh*kw, K)."""
    N, C, H, W = x.shape
    _, K, P = dy.shape
    R = weights_t.shape[0]
    ph, pw = padding
    xp = np.zeros((C, H + 2 * ph, W + 2 * pw), x.dtype)
    dxp = np.empty((C, H + 2 * ph, W + 2 * pw), dx.dtype)
    for n0 in range(0, N, group):
        g = min(group, N - n0)
        cols = np.empty((R, g * P), x.dtype)
        dY = np.empty((K, g * P), dy.dtype)
        dcols = np.empty((R, g * P), dx.dtype)
        for t in range(g):
            _fill_padded(x, n0 + t, xp, ph, pw)
            _image_im2col(xp, geometry, cols, np.uint64(t * P))
            for k in range(K):
                for u in range(P):
                    dY[k, t * P + u] = dy[n0 + t, k, u]
        dw += np.dot(dY, cols.T)
        np.dot(weights_t, dY, dcols)
        for t in range(g):
            dxp[:] = 0
            _image_col2im(dcols, geometry, np.uint64(t * P), dxp)
            for c in range(C):
                for h in range(H):
                    for w in range(W):
                        dx[n0 + t, c, h, w] = dxp[c, h + ph, w + pw]
        for k in range(db.size):
            total = 0.0
            for u in range(g * P):
                total += dY[k, u]
            db[k] += total


# Images per matrix product: as many as fit their im2col matrices in GROUP_BYTES, so
# the matrix stays in the L2 cache between being built and being multiplied, while
# the product is wide enough for BLAS to run at speed (one 10×10 LeNet-5 conv2 image
# gives a 150×100 matrix: too narrow alone).
GROUP_BYTES = 2**17
# The budgets benchmark mode tries (see Tuner): which is fastest depends on the layer's
# shape, the batch and the CPU's BLAS (measured: 2 MiB is 1.4× faster than 128 KiB for
# ResNet-20's 32-channel 16×16 layers and 1.2× slower for its 16-channel 32×32 ones).
GROUP_BYTES_CANDIDATES = (2**17, 2**19, 2**21, 2**23)


def _group(budget: int, cols_bytes_per_image: int, n_images: int) -> int:
    return max(1, min(n_images, budget // max(1, cols_bytes_per_image)))


class Tuner:
    """Benchmark mode, as cuDNN's (``torch.backends.cudnn.benchmark``): with it on
    ([`set_benchmark`][minicnn.backend.set_benchmark] or ``MINICNN_BENCHMARK=1``), the
    first call of a convolution geometry runs once per candidate group size, timing
    each, and later calls of that geometry use the fastest. Off (the default), every
    geometry uses GROUP_BYTES. The candidates compute the same sums grouped differently,
    so results agree to rounding, not bit for bit: a run with benchmark mode is not a
    bit-exact replay of one without it (nor of another run, if timing picks otherwise)."""

    def __init__(self) -> None:
        self.enabled = os.environ.get("MINICNN_BENCHMARK", "") == "1"
        self.chosen: dict[tuple, int] = {}

    def run(self, key: tuple, cols_bytes_per_image: int, n_images: int, compute):
        """``compute(group)``: the operation with ``group`` images per matrix product."""
        if not self.enabled:
            return compute(_group(GROUP_BYTES, cols_bytes_per_image, n_images))
        if key in self.chosen:
            return compute(self.chosen[key])
        groups = {_group(b, cols_bytes_per_image, n_images) for b in GROUP_BYTES_CANDIDATES}
        seconds = {}
        for group in sorted(groups):
            start = time.perf_counter()
            result = compute(group)
            seconds[group] = time.perf_counter() - start
        self.chosen[key] = min(seconds, key=seconds.__getitem__)
        return result


tuner = Tuner()


def _as_3d(shape) -> tuple[int, int, int]:
    """(N, C, H, W) or (N, C, ...) -> (N, C, H·W·...): the shape the loops take (no -1,
    which NumPy cannot resolve for an empty batch)."""
    return (shape[0], shape[1], math.prod(shape[2:]))


def _conv_geometry(C, kernel, stride, out_hw) -> tuple[np.uint64, ...]:
    """(C, kh, kw, sh, sw, OH, OW): ``_geometry`` without the batch size (the fused loops
    run image by image), so a stride too large for 64 bits is handled the same way."""
    return _geometry(0, C, kernel, stride, out_hw)[1:]


def _fusable(*arrays) -> bool:
    """The fused paths need numba's BLAS binding (scipy) and one compiled dtype."""
    return _HAVE_BLAS and len({a.dtype for a in arrays}) == 1 and _compiled(arrays[0].dtype)


# numba calls BLAS for np.dot through scipy; without it the fused paths stand aside.
# (find_spec, not an import: scipy.linalg takes ~0.3 s to load, paid on first use.)
_HAVE_BLAS = importlib.util.find_spec("scipy") is not None


def conv2d_forward(x, w, b, stride, padding, dilation=(1, 1), groups=1):
    """y = w ⋆ x + b, (N, C, H, W) -> (N, K, OH, OW), image by image (see above).
    Returns None when this path does not apply (dilation, groups, mixed or uncompiled
    dtypes, no scipy): the caller then takes the general im2col path."""
    if tuple(dilation) != (1, 1) or groups != 1 or not _fusable(x, w, *([] if b is None else [b])):
        return None
    N = x.shape[0]
    K, C, kh, kw = w.shape
    check_shape(
        x, (N, C, x.shape[-2], x.shape[-1]), "x", "conv2d_forward", f" (w has shape {w.shape})"
    )
    if b is not None:
        check_shape(b, (K,), "b", "conv2d_forward")
    out_hw = output_hw(x.shape, (kh, kw), stride, padding)
    y = np.empty((N, K, *out_hw), dtype=x.dtype)
    args = (
        np.ascontiguousarray(w.reshape(K, -1)),
        np.zeros(K, x.dtype) if b is None else np.ascontiguousarray(b),
        _conv_geometry(C, (kh, kw), stride, out_hw),
        tuple(padding),
    )
    x, y3 = np.ascontiguousarray(x), y.reshape(_as_3d(y.shape))

    def compute(group):
        threads.run_chunks(N, lambda a, z: _conv2d_forward_images(x[a:z], *args, group, y3[a:z]))
        return y

    key = (
        "forward",
        x.shape,
        w.shape,
        tuple(stride),
        tuple(padding),
        x.dtype,
        tuple(threads.chunks(N)),
    )
    return tuner.run(key, C * kh * kw * out_hw[0] * out_hw[1] * x.itemsize, N, compute)


def conv2d_backward(dy, x, w, stride, padding, dilation=(1, 1), groups=1):
    """(dx, dw, db) of y = w ⋆ x + b given dy (N, K, OH, OW), image by image (see above).
    None when this path does not apply (see conv2d_forward)."""
    if tuple(dilation) != (1, 1) or groups != 1 or not _fusable(dy, x, w):
        return None
    N = x.shape[0]
    K, C, kh, kw = w.shape
    check_shape(
        x, (N, C, x.shape[-2], x.shape[-1]), "x", "conv2d_backward", f" (w has shape {w.shape})"
    )
    out_hw = output_hw(x.shape, (kh, kw), stride, padding)
    check_shape(dy, (N, K, *out_hw), "dy", "conv2d_backward")
    chunks = threads.chunks(N)
    args = (
        np.ascontiguousarray(w.reshape(K, -1).T),
        _conv_geometry(C, (kh, kw), stride, out_hw),
        tuple(padding),
    )
    x, dy3 = np.ascontiguousarray(x), np.ascontiguousarray(dy).reshape(_as_3d(dy.shape))

    def compute(group):
        dx = np.empty(x.shape, dtype=x.dtype)
        dw = np.zeros((len(chunks), K, C * kh * kw), dtype=x.dtype)  # one partial sum per chunk
        db = np.zeros((len(chunks), K), dtype=x.dtype)

        def chunk(i):
            a, z = chunks[i]
            _conv2d_backward_images(dy3[a:z], x[a:z], *args, group, dx[a:z], dw[i], db[i])

        threads.run(chunk, len(chunks))
        return dx, dw.sum(axis=0).reshape(w.shape), db.sum(axis=0)

    key = ("backward", x.shape, w.shape, tuple(stride), tuple(padding), x.dtype, tuple(chunks))
    return tuner.run(key, C * kh * kw * out_hw[0] * out_hw[1] * x.itemsize, N, compute)


@njit(cache=True, nogil=True)
def _batch_norm_statistics(x3, mean, var):
    """Per channel c of x3 (N, C, L): mean and biased variance over its N·L values,
    in two passes with a float64 accumulator."""
    N, C, L = x3.shape
    for c in range(C):
        total = 0.0
        for n in range(N):
            for t in range(L):
                total += x3[n, c, t]
        mu = total / (N * L)
        total = 0.0
        for n in range(N):
            for t in range(L):
                d = x3[n, c, t] - mu
                total += d * d
        mean[c], var[c] = mu, total / (N * L)


@njit(cache=True, nogil=True)
def _batch_norm_normalize(x3, mean, inv_std, gamma, beta, x_hat, y):
    """x̂ = (x − μ)·(1/σ) and y = γ·x̂ + β, per channel, in one pass."""
    N, C, L = x3.shape
    for n in range(N):
        for c in range(C):
            m, s, g, b = mean[c], inv_std[c], gamma[c], beta[c]
            for t in range(L):
                h = (x3[n, c, t] - m) * s
                x_hat[n, c, t] = h
                y[n, c, t] = h * g + b


@njit(cache=True, nogil=True)
def _batch_norm_backward(dy, x_hat, scale, training, dx, dgamma, dbeta):
    """dβ = Σ dy, dγ = Σ dy·x̂ in one pass; then dx = (γ/σ)·(dy − (dβ + x̂·dγ)/M)
    in training, dx = (γ/σ)·dy in evaluation."""
    N, C, L = dy.shape
    for c in range(C):
        sum_dy, sum_dy_xhat = 0.0, 0.0
        for n in range(N):
            for t in range(L):
                sum_dy += dy[n, c, t]
                sum_dy_xhat += dy[n, c, t] * x_hat[n, c, t]
        dbeta[c], dgamma[c] = sum_dy, sum_dy_xhat
    M = N * L
    for n in range(N):
        for c in range(C):
            s = scale[c]
            if training:
                a, g = dbeta[c] / M, dgamma[c] / M
                for t in range(L):
                    dx[n, c, t] = s * (dy[n, c, t] - a - x_hat[n, c, t] * g)
            else:
                for t in range(L):
                    dx[n, c, t] = s * dy[n, c, t]


def batch_norm_statistics(x):
    """(mean, biased variance) per channel of x (N, C, ...), each (C,) in x's dtype;
    None when this path does not apply."""
    if not _fusable(x):
        return None
    x3 = np.ascontiguousarray(x).reshape(_as_3d(x.shape))
    mean, var = np.empty(x.shape[1]), np.empty(x.shape[1])
    _batch_norm_statistics(x3, mean, var)
    return mean.astype(x.dtype), var.astype(x.dtype)


def batch_norm_normalize(x, mean, inv_std, gamma, beta):
    """(x̂, y) with x̂ = (x − μ)·(1/σ) and y = γ·x̂ + β, per channel of x; the four
    vectors hold C values each (any shape). None when this path does not apply."""
    if not _fusable(x, mean, inv_std, gamma, beta):
        return None
    for name, v in (("mean", mean), ("inv_std", inv_std), ("gamma", gamma), ("beta", beta)):
        check_shape(v.reshape(-1), (x.shape[1],), name, "batch_norm_normalize")
    x3 = np.ascontiguousarray(x).reshape(_as_3d(x.shape))
    x_hat, y = np.empty(x.shape, x.dtype), np.empty(x.shape, x.dtype)
    vectors = (np.ascontiguousarray(v).ravel() for v in (mean, inv_std, gamma, beta))
    _batch_norm_normalize(x3, *vectors, x_hat.reshape(x3.shape), y.reshape(x3.shape))
    return x_hat, y


def batch_norm_backward(dy, x_hat, scale, training):
    """(dx, dγ, dβ) of batch norm given dy, x̂ and scale = γ/σ (C values, any shape);
    None when this path does not apply."""
    if not _fusable(dy, x_hat, scale):
        return None
    check_shape(x_hat, dy.shape, "x_hat", "batch_norm_backward")
    check_shape(scale.reshape(-1), (dy.shape[1],), "scale", "batch_norm_backward")
    shape3 = _as_3d(dy.shape)
    dx = np.empty(dy.shape, dy.dtype)
    dgamma, dbeta = np.empty(dy.shape[1]), np.empty(dy.shape[1])
    _batch_norm_backward(
        np.ascontiguousarray(dy).reshape(shape3),
        np.ascontiguousarray(x_hat).reshape(shape3),
        np.ascontiguousarray(scale).ravel(),
        bool(training),
        dx.reshape(shape3),
        dgamma,
        dbeta,
    )
    return dx, dgamma.astype(dy.dtype), dbeta.astype(dy.dtype)


KERNELS = Kernels(
    "numba",
    im2col,
    col2im,
    max_pool2d_forward,
    max_pool2d_backward,
    avg_pool2d_forward,
    avg_pool2d_backward,
    conv2d_forward=conv2d_forward,
    conv2d_backward=conv2d_backward,
    batch_norm_statistics=batch_norm_statistics,
    batch_norm_normalize=batch_norm_normalize,
    batch_norm_backward=batch_norm_backward,
)
