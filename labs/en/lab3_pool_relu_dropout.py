# %% [markdown]
# # Lab 3: pooling, ReLU and dropout, forward and backward
#
# **Lectures practised:** 001 (pooling layer: $F$, $S$, $W_2 = (W_1 - F)/S + 1$, no
# parameters, depth unchanged; max pooling), 003 (pooling: "no parameter to learn"),
# 004 (activation functions and ReLU against the vanishing gradient; dropout in AlexNet).
#
# | part | points |
# |---|---|
# | `max_pool2d_forward` | 2 |
# | `max_pool2d_backward` | 3 |
# | `relu_forward` | 1 |
# | `relu_backward` | 1 |
# | `dropout_forward` | 2 |
# | `dropout_backward` | 1 |
#
# Each layer is a pair, as in minicnn: `y, cache = forward(...)` and
# `dx = backward(dy, cache)`. None of them has parameters, so the backward returns only
# `dx`, the gradient with respect to the input.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab3", globals())

# %% [markdown]
# ## 1. Max pooling, forward
#
# Each $F \times F$ window (moved by stride $S$; by default $S = F$) of every channel
# gives its largest value. Depth does not change. Like im2col in lab 2, loop over the
# $F^2$ taps, not over the pixels: stack the taps into an array of shape
# `(N, C, OH, OW, F·F)`, then take `argmax` over the last axis and keep it in the cache.
#
# **Ties.** When a window holds its maximum twice (common after ReLU: many zeros), only
# one of them gets the gradient. Take the first one in row-major order, which is what
# `np.argmax` returns, as minicnn does.


# %%
def max_pool2d_forward(x, kernel_size, stride=None):
    """(N, C, H, W) -> y (N, C, OH, OW), cache.  stride defaults to kernel_size."""
    # TODO: stack the F*F taps of every window on a last axis, argmax over it, and keep
    # what the backward pass needs (the input shape, F, S and the argmax) in the cache.
    ### BEGIN SOLUTION
    k = kernel_size
    s = k if stride is None else stride
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    taps = np.empty((n, c, oh, ow, k * k), dtype=x.dtype)
    for p in range(k):
        for q in range(k):
            taps[..., p * k + q] = x[:, :, p : p + s * oh : s, q : q + s * ow : s]
    argmax = taps.argmax(axis=-1)
    y = np.take_along_axis(taps, argmax[..., None], axis=-1)[..., 0]
    return y, (x.shape, k, s, argmax)
    ### END SOLUTION


# %%
check("max_pool2d_forward")

# %% [markdown]
# ## 2. Max pooling, backward
#
# Only the window's maximum influenced the output, so $\partial E / \partial x$ is
# $\partial E / \partial y$ at that one position and 0 at the others of the window.
# When windows **overlap** ($S < F$), one input pixel can be the maximum of several
# windows: its gradients add up (`+=`, never `=`).


# %%
def max_pool2d_backward(dy, cache):
    """dy (N, C, OH, OW) -> dx (N, C, H, W): each dy goes to its window's maximum."""
    # TODO: for each tap (p, q), add dy where argmax == p*F + q into the strided slice
    # of dx that this tap covers.
    ### BEGIN SOLUTION
    shape, k, s, argmax = cache
    oh, ow = dy.shape[2:]
    dx = np.zeros(shape, dtype=dy.dtype)
    for p in range(k):
        for q in range(k):
            dx[:, :, p : p + s * oh : s, q : q + s * ow : s] += np.where(argmax == p * k + q, dy, 0)
    return dx
    ### END SOLUTION


# %%
check("max_pool2d_backward")

# %%
x = np.array([[1.0, 3, 2, 2], [3, 0, 1, 0], [4, 4, 0, 5], [0, 1, 6, 0]]).reshape(1, 1, 4, 4)
y, cache = max_pool2d_forward(x, 2)
print(y[0, 0])  # [[3, 2], [4, 6]]
print(max_pool2d_backward(np.ones_like(y), cache)[0, 0])  # one 1 per window, the first max

# %% [markdown]
# ## 3. ReLU
#
# $\text{ReLU}(x) = \max(0, x)$ adds the nonlinearity between linear layers (lecture
# 004: without it, stacked layers collapse into one matrix). Its derivative is 1 where
# $x > 0$ and 0 elsewhere, so the gradient passes where the input was positive and stops
# elsewhere. Keep the mask `x > 0` as the cache. Do not change `x` or `dy` in place:
# the caller (and a residual connection, lab 6) still needs them.


# %%
def relu_forward(x):
    """y = max(0, x); cache = the mask x > 0."""
    # TODO: return np.maximum(x, 0) and the mask.
    ### BEGIN SOLUTION
    return np.maximum(x, 0), x > 0
    ### END SOLUTION


def relu_backward(dy, cache):
    """dx = dy where x > 0, 0 elsewhere."""
    # TODO: multiply dy by the mask (a new array).
    ### BEGIN SOLUTION
    return dy * cache
    ### END SOLUTION


# %%
check("relu_forward")
check("relu_backward")

# %% [markdown]
# ## 4. Inverted dropout
#
# During training, dropout sets each unit to 0 with probability $p$ (lecture 004:
# AlexNet's dropout, against overfitting); at test time it does nothing. *Inverted*
# dropout scales the kept units by $1/(1-p)$ during training, so that the expected value
# stays $x$ and the test-time network needs no rescaling (PyTorch and minicnn do this):
#
# $$y = x \cdot m / (1-p), \quad m_i \sim \text{Bernoulli}(1-p), \qquad
# \frac{\partial E}{\partial x} = \frac{\partial E}{\partial y} \cdot m / (1-p)$$
#
# Draw the mask with the `rng` you are given (`rng.random(x.shape) >= p` keeps a unit
# with probability $1-p$) and keep it, scaled, in the cache: the backward pass must use
# the **same** mask. With `training=False` (or $p = 0$) return `x` unchanged.


# %%
def dropout_forward(x, p, training, rng):
    """Inverted dropout: y = x * mask / (1 - p) in training, y = x otherwise."""
    # TODO: if not training or p == 0, the mask is 1; else keep = rng.random(x.shape) >= p
    # and mask = keep / (1 - p) (0 everywhere when p == 1).
    ### BEGIN SOLUTION
    if not training or p == 0:
        return x.copy(), np.ones_like(x)
    keep = rng.random(x.shape) >= p
    mask = keep * (0.0 if p == 1 else 1.0 / (1.0 - p))
    return x * mask, mask
    ### END SOLUTION


def dropout_backward(dy, cache):
    """dx = dy * the forward pass's scaled mask."""
    # TODO: one multiplication.
    ### BEGIN SOLUTION
    return dy * cache
    ### END SOLUTION


# %%
check("dropout_forward")
check("dropout_backward")

# %%
rng = np.random.default_rng(0)
big = np.ones((1000, 100))
y, _ = dropout_forward(big, 0.5, True, rng)
print(f"kept {np.mean(y != 0):.3f} of the units, mean {y.mean():.3f} (expected value 1)")
