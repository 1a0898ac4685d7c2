# %% [markdown]
# # Lab 4: the linear layer, softmax cross-entropy and the SVM loss
#
# **Lectures practised:** 000 (softmax: scores → probabilities, $L_i = -\log P(Y = y_i
# \mid X = x_i)$; the multiclass SVM loss on the cat/car/frog scores), 001 (the fully
# connected layer at the end of a CNN), 003 (classification layer, cross entropy).
#
# | part | points |
# |---|---|
# | `linear_forward` | 1 |
# | `linear_backward` | 3 |
# | `softmax_cross_entropy` | 3 |
# | `multiclass_svm` | 3 |
#
# **Notation.** Lecture 000 writes the scores as $s = f(x_i; W) = W x_i$ for one
# example; minicnn (and PyTorch) stores a batch as rows, `x` of shape `(N, in)`, and the
# weight as `(out, in)`, so the layer is `y = x @ w.T + b`. A loss returns the **mean**
# over the batch and the gradient of that mean with respect to the scores, `dscores`.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab4", globals())

# %% [markdown]
# ## 1. The linear (fully connected) layer
#
# $y = x W^T + b$. With $\partial E / \partial y$ = `dy` of shape `(N, out)`:
#
# $$\frac{\partial E}{\partial x} = dy\, W, \qquad \frac{\partial E}{\partial W} = dy^T x,
# \qquad \frac{\partial E}{\partial b} = \sum_n dy[n]$$
#
# Each gradient has the shape of what it is the gradient of (`dw.shape == w.shape`):
# checking the shapes tells you where the transpose goes.


# %%
def linear_forward(x, w, b):
    """x (N, in), w (out, in), b (out,) -> y (N, out), cache."""
    # TODO: y = x @ w.T + b; keep x and w for the backward pass.
    ### BEGIN SOLUTION
    return x @ w.T + b, (x, w)
    ### END SOLUTION


def linear_backward(dy, cache):
    """dy (N, out) -> dx (N, in), dw (out, in), db (out,)."""
    # TODO: the three formulas above.
    ### BEGIN SOLUTION
    x, w = cache
    return dy @ w, dy.T @ x, dy.sum(axis=0)
    ### END SOLUTION


# %%
check("linear_forward")
check("linear_backward")

# %% [markdown]
# ## 2. Softmax cross-entropy
#
# Lecture 000: the scores of a cat image are cat 3.2, car 5.1, frog −1.7; $e^s$ gives
# 24.5, 164.0, 0.18; normalised, 0.13, 0.87, 0.00. The loss is
# $L_i = -\log 0.13 = 2.04$. The gradient with respect to the scores is remarkably
# simple:
#
# $$\frac{\partial L_i}{\partial s_j} = P_j - [j = y_i]$$
#
# and for the batch mean, divide by $N$.
#
# **Max-shift.** $e^{1000}$ overflows to `inf`. Subtracting each row's maximum first
# changes nothing ($e^{s_j - m} / \sum_k e^{s_k - m}$: the $e^{-m}$ cancel) and keeps
# every exponent ≤ 0. Compute the log-probabilities as
# $s_j - m - \log \sum_k e^{s_k - m}$.


# %%
def softmax_cross_entropy(scores, labels):
    """Mean cross-entropy of softmax(scores) (N, C) for integer labels (N,); and dscores."""
    # TODO: shift by the row max, log-softmax, loss = -mean(log p[n, labels[n]]);
    # dscores = (softmax - onehot) / N.
    ### BEGIN SOLUTION
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_p[rows, labels].mean()
    dscores = np.exp(log_p)
    dscores[rows, labels] -= 1
    return loss, dscores / n
    ### END SOLUTION


# %%
check("softmax_cross_entropy")

# %%
cat_image = np.array([[3.2, 5.1, -1.7]])
loss, _ = softmax_cross_entropy(cat_image, np.array([0]))
print(f"L = {loss:.2f}")  # 2.04

# %% [markdown]
# ## 3. The multiclass SVM (hinge) loss
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1)$$
#
# Every wrong class whose score comes within the margin 1 of the correct one costs
# something. Lecture 000's three examples (columns: a cat, a car and a frog image):
#
# | | cat | car | frog |
# |---|---|---|---|
# | cat score | **3.2** | 1.3 | 2.2 |
# | car score | 5.1 | **4.9** | 2.5 |
# | frog score | −1.7 | 2.0 | **−3.1** |
#
# give $L = 2.9$, $0$ and $12.9$, mean $5.27$.
#
# Gradient: each $j \ne y_i$ with a positive margin adds $+1$ to $\partial L_i /
# \partial s_j$ and $-1$ to $\partial L_i / \partial s_{y_i}$. Divide by $N$ for the mean.


# %%
def multiclass_svm(scores, labels):
    """Mean multiclass hinge loss (margin 1) and dscores (N, C)."""
    # TODO: margins = max(0, s - s_correct + 1), zero at the correct class; the loss is
    # their sum / N; dscores: 1 where margin > 0, minus their count at the correct class, / N.
    ### BEGIN SOLUTION
    n = scores.shape[0]
    rows = np.arange(n)
    margins = np.maximum(0, scores - scores[rows, labels][:, None] + 1)
    margins[rows, labels] = 0
    dscores = (margins > 0).astype(scores.dtype)
    dscores[rows, labels] = -dscores.sum(axis=1)
    return margins.sum() / n, dscores / n
    ### END SOLUTION


# %%
check("multiclass_svm")

# %%
scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # one row per image
loss, _ = multiclass_svm(scores, np.array([0, 1, 2]))
print(f"L = {loss:.2f}")  # 5.27
