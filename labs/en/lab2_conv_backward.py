# %% [markdown]
# # Lab 2: im2col and the convolution backward
#
# **Lectures practised:** 002 (cross-correlation against convolution, $I * K = I \star
# \text{rot180}(K)$; the multi-channel layer $Y_i = B_i + \sum_j X_j \star K_{ij}$; "Backward
# kernel", "Backward bias", "Backward input"), and the im2col trick of *Deep Learning from
# Scratch* (lecture 003's references).
#
# | part | points |
# |---|---|
# | `im2col` | 2 |
# | `conv2d_forward` | 2 |
# | `conv2d_backward` | 4 |
# | `numerical_gradient` | 2 |
#
# **Notation.** Lecture 002 calls the loss $E$; minicnn calls it $L$ and writes
# `dy` for $\partial E / \partial Y$, `dx` for $\partial E / \partial X$, `dw` for
# $\partial E / \partial K$ and `db` for $\partial E / \partial B$. Lecture 002 gives
# every output pixel its own bias $b_{11}, b_{12}, \dots$ in the simplified example; a
# CNN layer (minicnn, PyTorch) has one bias per filter, $b[k]$, added to every pixel of
# map $k$, so its gradient is a sum over the pixels.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab2", globals())

# %% [markdown]
# ## 1. im2col: the whole layer as one matrix product
#
# Lab 1's four loops are slow. im2col copies every window of the (padded) input into
# one **column** of a matrix `cols`; then every filter, flattened into a row, meets every
# window in one matrix product: `w.reshape(K, -1) @ cols`.
#
# minicnn's layout: `cols` has shape `(C·kh·kw, N·OH·OW)`; row `(c, p, q)` (c slowest,
# then p, then q, as `w[k].reshape(-1)` orders them), column `(n, i, j)` (n slowest), and
#
# `cols[(c, p, q), (n, i, j)] = x_pad[n, c, i·s + p, j·s + q]`.
#
# *Deep Learning from Scratch* (밑바닥부터 시작하는 딥러닝) stores the transpose: one
# window per **row**. Same idea, other side of the product.
#
# Build it without a loop over pixels: loop over the kernel taps `(p, q)` only
# (9 taps for 3×3); for one tap, the pixels it touches in every window form the strided
# slice `x_pad[:, :, p : p + s·OH : s, q : q + s·OW : s]`.


# %%
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW): one column per window."""
    # TODO: pad x; allocate cols as (C, kh, kw, N, OH, OW); for each tap (p, q) copy the
    # strided slice of x_pad (axes reordered to C, N, OH, OW); reshape to 2-D.
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((c, kh, kw, n, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            window = xp[:, :, p : p + stride * oh : stride, q : q + stride * ow : stride]
            cols[:, p, q] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * oh * ow)
    ### END SOLUTION


# %%
check("im2col")

# %% [markdown]
# ## 2. The forward pass with im2col
#
# $Y = B + K \star X$ becomes `y = w.reshape(K, -1) @ cols + b[:, None]`, shape
# `(K, N·OH·OW)`, reshaped to `(K, N, OH, OW)` and moved to `(N, K, OH, OW)`.
#
# The forward returns `(y, cache)`: the cache holds what the backward pass will need
# (here `x`'s shape, `w`, the stride, the padding and `cols`). It is yours: the grader
# only ever hands it back to your own `conv2d_backward`. `b` may be `None` (no bias).


# %%
def conv2d_forward(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b by im2col.  Returns (y (N, K, OH, OW), cache)."""
    # TODO: cols = im2col(...); one matrix product; add the bias (if any); reshape and
    # transpose to (N, K, OH, OW); return y and a cache for conv2d_backward.
    ### BEGIN SOLUTION
    n, _, h, wid = x.shape
    k, _, kh, kw = w.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wid + 2 * padding - kw) // stride + 1
    cols = im2col(x, kh, kw, stride, padding)
    y = w.reshape(k, -1) @ cols
    if b is not None:
        y = y + b.reshape(k, 1)
    y = y.reshape(k, n, oh, ow).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y), (x.shape, w, stride, padding, cols)
    ### END SOLUTION


# %%
check("conv2d_forward")

# %% [markdown]
# Lecture 002's example: $I$ = `[[1, 6, 2], [5, 3, 1], [7, 0, 4]]`, $K$ =
# `[[1, 2], [-1, 0]]`. The cross-correlation $I \star K$ is `[[8, 7], [4, 5]]`
# ($1·1 + 2·6 + (-1)·5 + 0·3 = 8$). The true convolution $I * K = I \star
# \text{rot180}(K)$ is `[[7, 5], [11, 3]]`: not just the sign flipped, a different
# result. CNN layers compute $\star$.

# %%
I = np.array([[1.0, 6, 2], [5, 3, 1], [7, 0, 4]]).reshape(1, 1, 3, 3)
K = np.array([[1.0, 2], [-1, 0]]).reshape(1, 1, 2, 2)
print(conv2d_forward(I, K, None)[0][0, 0])  # [[8, 7], [4, 5]]
print(conv2d_forward(I, K[:, :, ::-1, ::-1], None)[0][0, 0])  # [[7, 5], [11, 3]]

# %% [markdown]
# ## 3. The backward pass
#
# Lecture 002 derives, on a 3×3 input and a 2×2 kernel
# ($y_{11} = b_{11} + k_{11}x_{11} + k_{12}x_{12} + k_{21}x_{21} + k_{22}x_{22}$, …):
#
# * **kernel**: $\frac{\partial E}{\partial k_{11}} = \frac{\partial E}{\partial y_{11}}
#   x_{11} + \frac{\partial E}{\partial y_{12}} x_{12} + \frac{\partial E}{\partial
#   y_{21}} x_{21} + \frac{\partial E}{\partial y_{22}} x_{22}$, i.e.
#   $\frac{\partial E}{\partial K_{ij}} = X_j \star \frac{\partial E}{\partial Y_i}$.
#   With the im2col matrix that is again one product:
#   `dw = dy_as_(K, N·OH·OW) @ cols.T`, reshaped to `w.shape` (summed over the batch).
# * **bias**: $\frac{\partial E}{\partial b_{11}} = \frac{\partial E}{\partial y_{11}}$ in
#   the lecture's one-bias-per-pixel example; with one bias per filter,
#   $\frac{\partial E}{\partial B_k} = \sum_{n,i,j} \frac{\partial E}{\partial Y}[n,k,i,j]$:
#   a **sum**, not a mean.
# * **input**: $\frac{\partial E}{\partial X_j} = \sum_i \frac{\partial E}{\partial Y_i}
#   *_{full} K_{ij}$, a *full* convolution, which is a full cross-correlation with the
#   kernel **rotated by 180°**: pad `dy` with $F-1$ zeros on every side and correlate it
#   with `rot180(w)`, input and output channels swapped
#   (`w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)`), using your own `conv2d_forward`.
#
# With a stride $s > 1$, first spread `dy` out: put $s-1$ zeros between its pixels
# ("dilate"), so that each gradient sits where its window started. With padding $P$,
# the result is the gradient of the *padded* input: crop $P$ from each side. If the
# windows did not reach the last rows/columns of the input (the division rounded down),
# those pixels get no gradient: add the missing rows/columns of zeros at the bottom/right
# of the dilated `dy` before the full correlation.


# %%
def conv2d_backward(dy, cache):
    """dy (N, K, OH, OW) -> (dx (N, C, H, W), dw (K, C, F, F), db (K,) or None)."""
    # TODO: db = Σ dY over n, i, j;  dw = X ⋆ dY (one product with cols.T);
    # dx = full correlation of the dilated, zero-padded dy with rot180(w), channels
    # swapped, then crop the padding.
    ### BEGIN SOLUTION
    (n, c, h, wid), w, stride, padding, cols = cache
    k, _, f, _ = w.shape
    oh, ow = dy.shape[2:]
    db = dy.sum(axis=(0, 2, 3))
    dw = (dy.transpose(1, 0, 2, 3).reshape(k, -1) @ cols.T).reshape(w.shape)
    # Dilate dy by the stride; pad F-1 around, plus the rows the windows never reached.
    extra_h = h + 2 * padding - f - (oh - 1) * stride
    extra_w = wid + 2 * padding - f - (ow - 1) * stride
    full = np.zeros(
        (
            n,
            k,
            (oh - 1) * stride + 1 + 2 * (f - 1) + extra_h,
            (ow - 1) * stride + 1 + 2 * (f - 1) + extra_w,
        ),
        dtype=dy.dtype,
    )
    full[
        :,
        :,
        f - 1 : f - 1 + (oh - 1) * stride + 1 : stride,
        f - 1 : f - 1 + (ow - 1) * stride + 1 : stride,
    ] = dy
    rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    dx_pad, _ = conv2d_forward(full, np.ascontiguousarray(rotated), None)
    dx = dx_pad[:, :, padding : padding + h, padding : padding + wid]
    return np.ascontiguousarray(dx), dw, db
    ### END SOLUTION


# %%
check("conv2d_backward")

# %% [markdown]
# Lecture 002's simplified example once more, with $\partial E / \partial Y$ all ones:
# $\partial E / \partial k_{11} = x_{11} + x_{12} + x_{21} + x_{22} = 1 + 6 + 5 + 3 = 15$,
# and each $\partial E / \partial x$ is the sum of the kernel entries that touched it.

# %%
y, cache = conv2d_forward(I, K, np.zeros(1))
dx, dw, db = conv2d_backward(np.ones_like(y), cache)
print("dK =", dw[0, 0].tolist(), " dB =", db.tolist())
print("dX =", dx[0, 0].tolist())

# %% [markdown]
# ## 4. Check your own layer numerically
#
# A derivative is a slope: $\frac{\partial f}{\partial x_i} \approx
# \frac{f(x + h e_i) - f(x - h e_i)}{2h}$ (central differences: error $O(h^2)$).
# Write `numerical_gradient(f, x, h)`: `f` takes no argument and reads `x`, which you
# nudge **in place**, one element at a time, and put back exactly as it was.
# (minicnn's own `mc.gradcheck.numerical_gradient` works the same way.)


# %%
def numerical_gradient(f, x, h=1e-5):
    """Central differences of the scalar f() with respect to every element of x."""
    # TODO: for each index i of x (np.ndindex): x[i] += h, f(); x[i] -= 2h, f();
    # restore x[i]; grad[i] = (f_plus - f_minus) / (2h).
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        plus = f()
        x[i] = original - h
        minus = f()
        x[i] = original
        grad[i] = (plus - minus) / (2 * h)
    return grad
    ### END SOLUTION


# %%
check("numerical_gradient")

# %% [markdown]
# Now the gradient check of your layer: for the loss $L = \sum y \cdot r$ with a fixed
# random $r$, $\partial L / \partial y = r$. Compare your backward with the slopes; in
# float64 the relative error of a correct layer is below $10^{-7}$.

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((2, 3, 7, 7))
w = rng.standard_normal((4, 3, 3, 3))
b = rng.standard_normal(4)
r = rng.standard_normal((2, 4, 3, 3))  # the output shape with stride 2, padding 0


def loss():
    return float(np.sum(conv2d_forward(x, w, b, 2, 0)[0] * r))


_, cache = conv2d_forward(x, w, b, 2, 0)
dx, dw, db = conv2d_backward(r, cache)
for name, analytic, param in (("dx", dx, x), ("dw", dw, w), ("db", db, b)):
    numeric = numerical_gradient(loss, param)
    err = np.max(np.abs(analytic - numeric)) / max(np.max(np.abs(numeric)), 1e-12)
    print(f"{name}: max relative error {err:.1e}")
    assert err < 1e-7
