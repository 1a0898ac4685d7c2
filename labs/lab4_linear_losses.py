# %% [markdown] lang="ko"
# # 실습 4: 선형 층, 소프트맥스 교차 엔트로피, SVM 손실
#
# **관련 강의:** 1강(노트 000)에서 배운 소프트맥스(softmax)와 다중 클래스 SVM 손실(multiclass SVM
# loss)을 구현합니다. 소프트맥스는 점수(score)를 확률로 바꾸고 손실은 $L_i = -\log P(Y = y_i \mid
# X = x_i)$이며, SVM 손실은 강의의 고양이·자동차·개구리 점수로 직접 계산해 봅니다. 2강(노트 001)에서
# CNN의 끝에 붙는 완전 연결 층(fully connected layer)과, 4강(노트 003)의 분류 층과 교차
# 엔트로피(cross-entropy)도 함께 다룹니다.
#
# | 문항 | 배점 |
# |---|---|
# | `linear_forward` | 1 |
# | `linear_backward` | 3 |
# | `softmax_cross_entropy` | 3 |
# | `multiclass_svm` | 3 |
#
# **표기법.** 1강은 예제 하나의 점수를 $s = f(x_i; W) = W x_i$로 적습니다. minicnn과 PyTorch는
# 배치의 예제를 행으로 쌓아서 `x`가 `(N, in)` 모양이고 가중치가 `(out, in)` 모양이므로, 층의 식은
# `y = x @ w.T + b`가 됩니다. 손실 함수는 배치에 대한 손실의 **평균**과, 그 평균을 점수로 미분한
# 기울기 `dscores`를 함께 반환합니다.

# %% [markdown] lang="en"
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

# %% [markdown] lang="ko"
# ## 1. 선형(완전 연결) 층
#
# 층의 식은 $y = x W^T + b$입니다. `(N, out)` 모양의 `dy` = $\partial E / \partial y$가 들어오면
#
# $$\frac{\partial E}{\partial x} = dy\, W, \qquad \frac{\partial E}{\partial W} = dy^T x, \qquad \frac{\partial E}{\partial b} = \sum_n dy[n]$$
#
# 입니다. 기울기는 미분하는 대상과 모양이 같습니다(`dw.shape == w.shape`). 전치가 어디에 붙는지
# 헷갈리면 모양부터 맞춰 보세요.

# %% [markdown] lang="en"
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
    # [ko] TODO: y = x @ w.T + b; 역전파를 위해 x와 w를 캐시에 넣으세요.
    # [en] TODO: y = x @ w.T + b; keep x and w for the backward pass.
    ### BEGIN SOLUTION
    return x @ w.T + b, (x, w)
    ### END SOLUTION


def linear_backward(dy, cache):
    """dy (N, out) -> dx (N, in), dw (out, in), db (out,)."""
    # [ko] TODO: 위의 세 공식.
    # [en] TODO: the three formulas above.
    ### BEGIN SOLUTION
    x, w = cache
    return dy @ w, dy.T @ x, dy.sum(axis=0)
    ### END SOLUTION


# %%
check("linear_forward")
check("linear_backward")

# %% [markdown] lang="ko"
# ## 2. 소프트맥스 교차 엔트로피
#
# 1강의 예제에서 고양이 이미지의 점수는 고양이 3.2, 자동차 5.1, 개구리 −1.7입니다. $e^s$는 24.5,
# 164.0, 0.18이고, 합이 1이 되게 나누면 0.13, 0.87, 0.00이므로 손실은 $L_i = -\log 0.13 =
# 2.04$입니다. 점수에 대한 기울기는 놀랄 만큼 간단합니다.
#
# $$\frac{\partial L_i}{\partial s_j} = P_j - [j = y_i]$$
#
# 손실을 배치에 대해 평균했으므로 기울기도 $N$으로 나눕니다.
#
# **최댓값 빼기**(max-shift). $e^{1000}$은 부동소수점이 나타낼 수 있는 범위를 넘어(overflow) `inf`가
# 됩니다. 행마다 최댓값 $m$을 먼저 빼도 결과는 같고($e^{s_j - m} / \sum_k e^{s_k - m}$에서
# $e^{-m}$이 약분됩니다), 지수가 모두 0 이하가 되어 넘치지 않습니다. 로그 확률은 $s_j - m - \log
# \sum_k e^{s_k - m}$로 계산하세요.

# %% [markdown] lang="en"
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
    # [ko] TODO: 행의 최댓값을 빼고, 로그 소프트맥스, loss = -mean(log p[n, labels[n]]);
    # [ko] dscores = (softmax - onehot) / N.
    # [en] TODO: shift by the row max, log-softmax, loss = -mean(log p[n, labels[n]]);
    # [en] dscores = (softmax - onehot) / N.
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

# %% [markdown] lang="ko"
# ## 3. 다중 클래스 SVM 손실(hinge loss)
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1)$$
#
# 오답 클래스의 점수가 정답 클래스의 점수보다 마진(margin) 1 이상 낮지 않으면, 그런 오답 클래스마다
# 손실이 생깁니다. 1강의 예제 세 개입니다(열마다 이미지 하나: 고양이, 자동차, 개구리).
#
# | | 고양이 | 자동차 | 개구리 |
# |---|---|---|---|
# | 고양이 점수 | **3.2** | 1.3 | 2.2 |
# | 자동차 점수 | 5.1 | **4.9** | 2.5 |
# | 개구리 점수 | −1.7 | 2.0 | **−3.1** |
#
# 세 이미지의 손실은 $L = 2.9$, $0$, $12.9$이고 평균은 $5.27$입니다.
#
# 기울기는 이렇게 구합니다. $\max$ 안의 값이 양수인 오답 클래스 $j$마다 $\partial L_i / \partial
# s_j$에 $+1$, $\partial L_i / \partial s_{y_i}$에 $-1$을 더합니다. 손실이 평균이므로 마지막에
# $N$으로 나눕니다.

# %% [markdown] lang="en"
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
    # [ko] TODO: margins = max(0, s - s_correct + 1), 정답 클래스에서는 0; 손실은 그 합 / N;
    # [ko] dscores: margin > 0인 곳은 1, 정답 클래스에는 그 개수의 음수, 모두 / N.
    # [en] TODO: margins = max(0, s - s_correct + 1), zero at the correct class; the loss is
    # [en] their sum / N; dscores: 1 where margin > 0, minus their count at the correct class, / N.
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
