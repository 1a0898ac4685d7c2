# %% [markdown]
# # Lab 1: convolution forward, by hand
#
# **Lectures practised:** 001 (convolution layer, stride, zero-padding, the output-size
# formula, parameters per layer), 000 (the vertical edge detector), 002 (the Keras
# parameter count `1·3·3·32 + 32 = 320`).
#
# You will write, with plain loops and NumPy:
#
# | part | points |
# |---|---|
# | `conv_output_size` | 2 |
# | `conv_param_count` | 1 |
# | `zero_pad` | 1 |
# | `conv2d_naive` | 6 |
#
# Write your code between the lines where a function raises `NotImplementedError`
# (delete that `raise`). After each function, run its **check cell**: it tests your
# function on several random inputs against minicnn's own implementation and tells you
# what is wrong. The grader uses exactly the same checks.
#
# **Notation.** The lecture writes a volume as $W \times H \times D$ (width, height,
# depth). minicnn, like PyTorch, stores a batch of images as `x` of shape `(N, C, H, W)`
# (batch, channels = depth, height, width) and the $K$ filters of a layer as `w` of
# shape `(K, C, kh, kw)`: filter $k$ has one $F \times F$ slice per input channel.
# The lecture counts rows and columns from 1 ($y_{11}$); NumPy counts from 0 (`y[0, 0]`).

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab1", globals())

# %% [markdown]
# ## 1. How big is the output?
#
# A filter of size $F$ slides over an input of size $N$ in steps of $S$ (the stride),
# after $P$ rows/columns of zeros were added on each side (the padding). Lecture 001:
#
# $$\text{output size} = \frac{N - F + 2P}{S} + 1$$
#
# For $N = 7$, $F = 3$: stride 1 gives 5, stride 2 gives 3, and stride 3 gives
# $2.33$ — "doesn't fit". Your function must raise `ValueError` in that case
# (minicnn's layers would round down, as PyTorch does, but here we want to notice).


# %%
def conv_output_size(n, f, stride=1, padding=0):
    """Output length along one axis: (n - f + 2p) / s + 1; ValueError if not whole."""
    # TODO: compute (n - f + 2*padding) / stride + 1 and return it as an int;
    # raise ValueError when the division is not exact or the window does not fit.
    ### BEGIN SOLUTION
    span = n - f + 2 * padding
    if span < 0 or span % stride:
        raise ValueError(f"({n} - {f} + 2*{padding})/{stride} + 1 is not a whole number")
    return span // stride + 1
    ### END SOLUTION


# %%
check("conv_output_size")

# %% [markdown]
# The lecture's table, and the 32×32×3 input with ten 5×5 filters, stride 1, pad 2:

# %%
for s in (1, 2, 3):
    try:
        print(f"N=7, F=3, stride {s}: {conv_output_size(7, 3, s)}")
    except ValueError as err:
        print(f"N=7, F=3, stride {s}: doesn't fit ({err})")
print("32x32x3, 5x5 filters, stride 1, pad 2 ->", conv_output_size(32, 5, 1, 2))

# %% [markdown]
# ## 2. How many parameters?
#
# Each filter has $F \cdot F \cdot D_1$ weights and one bias, and the layer has $K$
# filters (lecture 001): ten 5×5 filters on a depth-3 input have
# $(5 \cdot 5 \cdot 3 + 1) \cdot 10 = 76 \cdot 10 = 760$ parameters. Lecture 002 counts
# the same way for Keras' `Conv2D(32, kernel_size=3)` on a grey image:
# $1 \cdot 3 \cdot 3 \cdot 32 + 32 = 320$.


# %%
def conv_param_count(in_channels, out_channels, kernel_size):
    """Weights and biases of a conv layer with square kernel_size x kernel_size filters."""
    # TODO: weights per filter, plus one bias, times the number of filters.
    ### BEGIN SOLUTION
    return (kernel_size * kernel_size * in_channels + 1) * out_channels
    ### END SOLUTION


# %%
check("conv_param_count")

# %%
print(conv_param_count(3, 10, 5), conv_param_count(1, 32, 3))  # 760 320

# %% [markdown]
# ## 3. Zero-padding
#
# Padding adds $P$ rows and columns of zeros around each image, so that the pixels on
# the border can sit in the middle of a filter and (with $P = (F-1)/2$, stride 1) the
# output keeps the input's size. Pad only the two spatial axes of `(N, C, H, W)`.


# %%
def zero_pad(x, p):
    """(N, C, H, W) -> (N, C, H + 2p, W + 2p), the new border all zeros."""
    # TODO: make a zero array of the padded shape and copy x into its middle
    # (or use np.pad on the last two axes only).
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    out[:, :, p : p + h, p : p + w] = x
    return out
    ### END SOLUTION


# %%
check("zero_pad")

# %% [markdown]
# ## 4. The convolution, with loops
#
# Lecture 002 writes the layer as $Y_i = B_i + \sum_{j=1}^{n} X_j \star K_{ij}$: output
# map $i$ is its bias plus the cross-correlation ($\star$) of every input channel $j$
# with its own kernel slice. With minicnn's indices (0-based, one bias per filter):
#
# $$y[n, k, i, j] = b[k] + \sum_{c} \sum_{p} \sum_{q}
#   x_{pad}[n, c,\; i \cdot s + p,\; j \cdot s + q] \; w[k, c, p, q]$$
#
# The kernel is **not** flipped: CNN layers compute the cross-correlation $\star$, what
# lecture 002 calls $I \star K$ (a true convolution $I * K$ would be $I \star
# \text{rot180}(K)$). Write four loops (image, filter, output row, output column); the
# sum over $c, p, q$ is one `np.sum` of a window times the filter.


# %%
def conv2d_naive(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b with loops.  x (N, C, H, W), w (K, C, F, F), b (K,) -> (N, K, OH, OW)."""
    # TODO: pad x, get OH and OW with conv_output_size, then for every n, k, i, j:
    # y[n, k, i, j] = sum(window * w[k]) + b[k].
    ### BEGIN SOLUTION
    n_img, _, h, wid = x.shape
    k_out, _, f, _ = w.shape
    oh = conv_output_size(h, f, stride, padding)
    ow = conv_output_size(wid, f, stride, padding)
    xp = zero_pad(x, padding)
    y = np.zeros((n_img, k_out, oh, ow), dtype=x.dtype)
    for n in range(n_img):
        for k in range(k_out):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * stride : i * stride + f, j * stride : j * stride + f]
                    y[n, k, i, j] = np.sum(window * w[k]) + b[k]
    return y
    ### END SOLUTION


# %%
check("conv2d_naive")

# %% [markdown]
# ## 5. The lecture's vertical edge detector
#
# Lecture 000: a 6×6 image, bright (10) on the left and dark (0) on the right, filtered
# with the 3×3 kernel whose columns are 1, 0, −1, gives 30 where the edge is:
# `[[0, 30, 30, 0], ...]`. (The slide writes $*$; what it computes is our $\star$.)

# %%
image = np.array([[10.0, 10, 10, 0, 0, 0]] * 6).reshape(1, 1, 6, 6)
vertical = np.array([[1.0, 0, -1]] * 3).reshape(1, 1, 3, 3)
edges = conv2d_naive(image, vertical, np.zeros(1))
print(edges[0, 0])
assert edges[0, 0].tolist() == [[0, 30, 30, 0]] * 4

# %% [markdown]
# Lecture 001's volume: a 32×32×3 input and ten 5×5 filters with stride 1 and pad 2
# give a 32×32×10 output (your loops take a few seconds on this one).

# %%
rng = np.random.default_rng(0)
volume = rng.standard_normal((1, 3, 32, 32))
filters = rng.standard_normal((10, 3, 5, 5))
print(conv2d_naive(volume, filters, np.zeros(10), stride=1, padding=2).shape)  # (1, 10, 32, 32)

# %% [markdown]
# **To think about** (lecture 000's quiz): what do larger filters gain and lose? Who
# chooses the filter values in a CNN? (Not you: training does, in lab 5.)
