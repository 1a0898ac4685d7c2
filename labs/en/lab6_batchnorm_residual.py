# %% [markdown]
# # Lab 6 (advanced): batch normalisation and a residual block
#
# **Lectures practised:** 003 (ResNet, "very deep networks using residual connections";
# the CNN baseline: deep residual network + batch normalization + Adam), 004 (ResNet:
# deeper plain networks get *worse*, not from overfitting but because they are hard to
# optimise; residual learning fixes that).
#
# | part | points |
# |---|---|
# | `batch_norm_forward` | 3 |
# | `batch_norm_backward` | 4 |
# | `residual_block_forward` | 1 |
# | `residual_block_backward` | 2 |
#
# Here you may use minicnn's own pairs for the layers you already wrote:
# `F.conv2d_forward` / `F.conv2d_backward` and `F.relu_forward` / `F.relu_backward`
# from `minicnn.functional` have exactly the signatures of your labs 2 and 3.

# %%
import numpy as np

import minicnn.functional as F
from minicnn.lab import checker

check = checker("lab6", globals())

# %% [markdown]
# ## 1. Batch normalisation, forward
#
# For each channel $c$, over its $M = N \cdot H \cdot W$ values in the batch (or $M = N$
# for a `(N, D)` input), Ioffe and Szegedy (2015):
#
# $$\mu = \frac{1}{M}\sum x, \quad \sigma^2 = \frac{1}{M}\sum (x-\mu)^2, \quad
# \hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad y = \gamma \hat{x} + \beta$$
#
# In **training** the statistics come from the batch, and the running statistics that
# evaluation will use are updated **in place** (as PyTorch does, momentum 0.1):
# `running_mean = 0.9·running_mean + 0.1·μ` and
# `running_var = 0.9·running_var + 0.1·σ²·M/(M−1)` (the *unbiased* variance).
# In **evaluation** ($\texttt{training=False}$) normalise with the running statistics
# and leave them alone. The channel axis is axis 1; every other axis is averaged over.


# %%
def batch_norm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    """x (N, C, ...) -> y like x, cache.  Updates running_mean/var in place when training."""
    # TODO: statistics over every axis but 1 (training) or the running ones (evaluation);
    # update the running statistics in place (running_mean[...] = ...); x_hat; y.
    ### BEGIN SOLUTION
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        m = x.size // x.shape[1]
        running_mean[...] = (1 - momentum) * running_mean + momentum * mean
        running_var[...] = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    else:
        mean, var = running_mean, running_var
    inv_std = (1.0 / np.sqrt(var + eps)).reshape(shape)
    x_hat = (x - mean.reshape(shape)) * inv_std
    y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return y, (x_hat, inv_std, gamma, axes, training)
    ### END SOLUTION


# %%
check("batch_norm_forward")

# %% [markdown]
# ## 2. Batch normalisation, backward
#
# $\partial E / \partial \beta = \sum dy$ and $\partial E / \partial \gamma = \sum dy
# \cdot \hat{x}$ (sums over the $M$ values of a channel). For $dx$: in evaluation $\mu$
# and $\sigma$ are constants and $dx = dy \cdot \gamma / \sigma$. In training they depend
# on **every** $x$ of the channel ($\partial \mu / \partial x_i = 1/M$,
# $\partial \sigma / \partial x_i = \hat{x}_i / M$), and the chain rule gives
#
# $$dx = \frac{\gamma}{\sigma} \cdot \frac{1}{M}\left(M\, dy - \sum dy - \hat{x}
# \sum dy \cdot \hat{x}\right)$$
#
# The two sums are $d\beta$ and $d\gamma$: computing them first makes $dx$ cheap.


# %%
def batch_norm_backward(dy, cache):
    """dy like x -> dx, dgamma (C,), dbeta (C,)."""
    # TODO: dbeta and dgamma (sums over the axes); dx = dy * gamma / sigma in evaluation,
    # the formula above in training.
    ### BEGIN SOLUTION
    x_hat, inv_std, gamma, axes, training = cache
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * x_hat).sum(axis=axes)
    shape = inv_std.shape
    scale = gamma.reshape(shape) * inv_std
    if not training:
        return dy * scale, dgamma, dbeta
    m = dy.size // gamma.size
    dx = scale / m * (m * dy - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dx, dgamma, dbeta
    ### END SOLUTION


# %%
check("batch_norm_backward")

# %% [markdown]
# A consequence of the formula: in training, per channel, $\sum dx = 0$ (shifting all of
# a channel's inputs changes nothing after normalisation) and $\sum dx \cdot \hat{x}
# \approx 0$ (nor does scaling them, up to the $\epsilon$ in $\sigma$: the sum is small,
# not exactly 0).

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((8, 3, 4, 4)) * 3 + 2
y, cache = batch_norm_forward(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), True)
dx, _, _ = batch_norm_backward(rng.standard_normal(x.shape), cache)
print("Σ dx per channel:     ", dx.sum(axis=(0, 2, 3)))
print("Σ dx·x̂ per channel:  ", (dx * cache[0]).sum(axis=(0, 2, 3)))

# %% [markdown]
# ## 3. A residual block
#
# Lecture 004's building block: the layers learn a *residual* $F(x)$ and the block
# outputs $\text{ReLU}(F(x) + x)$. Here $F(x) = \text{conv}_2(\text{ReLU}(\text{conv}_1(x)))$
# with 3×3 convolutions, padding 1 and as many channels out as in, so that $F(x)$ and
# $x$ have the same shape and can be added.
#
# Backward: the sum sends its gradient $g = \partial E / \partial (F(x) + x)$ down
# **both** paths, so
#
# $$\frac{\partial E}{\partial x} = \underbrace{\text{(g back through conv}_2,
# \text{ ReLU, conv}_1)}_{\text{the body}} + \underbrace{g}_{\text{the skip}}$$
#
# That "+ g" is why very deep ResNets still train: the gradient always has a short way
# back to the first layers.


# %%
def residual_block_forward(x, w1, b1, w2, b2):
    """y = ReLU(x + conv2(ReLU(conv1(x)))); 3x3 convs with padding 1.  Returns y, cache."""
    # TODO: F.conv2d_forward(x, w1, b1, 1, 1), F.relu_forward, F.conv2d_forward(.., w2, b2,
    # 1, 1), add x, F.relu_forward; keep the four caches.
    ### BEGIN SOLUTION
    h, conv1 = F.conv2d_forward(x, w1, b1, 1, 1)
    a, relu1 = F.relu_forward(h)
    z, conv2 = F.conv2d_forward(a, w2, b2, 1, 1)
    y, relu2 = F.relu_forward(z + x)
    return y, (conv1, relu1, conv2, relu2)
    ### END SOLUTION


def residual_block_backward(dy, cache):
    """dy -> dx, dw1, db1, dw2, db2."""
    # TODO: g = gradient at the sum (through the last ReLU); back through conv2, ReLU,
    # conv1; dx = that + g.
    ### BEGIN SOLUTION
    conv1, relu1, conv2, relu2 = cache
    g = F.relu_backward(dy, relu2)
    da, dw2, db2 = F.conv2d_backward(g, conv2)
    dx_body, dw1, db1 = F.conv2d_backward(F.relu_backward(da, relu1), conv1)
    return dx_body + g, dw1, db1, dw2, db2
    ### END SOLUTION


# %%
check("residual_block_forward")
check("residual_block_backward")
