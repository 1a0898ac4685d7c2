# %% [markdown]
# # 실습 4: 선형 층, 소프트맥스 교차 엔트로피, SVM 손실
#
# **연습하는 강의 내용:** 000강 (소프트맥스(softmax): 점수(score) → 확률, $L_i = -\log P(Y = y_i
# \mid X = x_i)$; 고양이/자동차/개구리 점수로 계산하는 다중 클래스 SVM 손실(multiclass SVM loss)),
# 001강 (CNN 끝의 완전 연결 층(fully connected layer)), 003강 (분류 층, 교차 엔트로피(cross
# entropy)).
#
# | 문항 | 배점 |
# |---|---|
# | `linear_forward` | 1 |
# | `linear_backward` | 3 |
# | `softmax_cross_entropy` | 3 |
# | `multiclass_svm` | 3 |
#
# **표기법.** 000강은 예제 하나의 점수를 $s = f(x_i; W) = W x_i$로 씁니다. minicnn(과 PyTorch)은
# 배치를 행으로 저장하여 `x`의 모양이 `(N, in)`이고, 가중치는 `(out, in)`이므로 층은 `y = x @ w.T
# + b`입니다. 손실 함수는 배치에 대한 **평균**과, 그 평균을 점수로 미분한 기울기 `dscores`를
# 반환합니다.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab4", globals())

# %% [markdown]
# ## 1. 선형(완전 연결) 층
#
# $y = x W^T + b$입니다. `(N, out)` 모양의 `dy` = $\partial E / \partial y$에 대해
#
# $$\frac{\partial E}{\partial x} = dy\, W, \qquad \frac{\partial E}{\partial W} = dy^T x, \qquad \frac{\partial E}{\partial b} = \sum_n dy[n]$$
#
# 입니다. 기울기는 미분한 대상과 모양이 같습니다(`dw.shape == w.shape`). 모양을 맞춰 보면 전치가
# 어디에 붙는지 알 수 있습니다.


# %%
def linear_forward(x, w, b):
    """x (N, in), w (out, in), b (out,) -> y (N, out), cache."""
    # TODO: y = x @ w.T + b; 역전파를 위해 x와 w를 캐시에 넣으세요.
    ### BEGIN SOLUTION
    return x @ w.T + b, (x, w)
    ### END SOLUTION


def linear_backward(dy, cache):
    """dy (N, out) -> dx (N, in), dw (out, in), db (out,)."""
    # TODO: 위의 세 공식.
    ### BEGIN SOLUTION
    x, w = cache
    return dy @ w, dy.T @ x, dy.sum(axis=0)
    ### END SOLUTION


# %%
check("linear_forward")
check("linear_backward")

# %% [markdown]
# ## 2. 소프트맥스 교차 엔트로피
#
# 000강: 고양이 이미지의 점수는 고양이 3.2, 자동차 5.1, 개구리 −1.7입니다. $e^s$는 24.5, 164.0,
# 0.18이고, 정규화하면 0.13, 0.87, 0.00입니다. 손실은 $L_i = -\log 0.13 = 2.04$입니다. 점수에 대한
# 기울기는 놀라울 만큼 간단합니다.
#
# $$\frac{\partial L_i}{\partial s_j} = P_j - [j = y_i]$$
#
# 배치 평균이면 $N$으로 나눕니다.
#
# **최댓값 빼기(max-shift).** $e^{1000}$은 넘쳐서(overflow) `inf`가 됩니다. 각 행의 최댓값을 먼저
# 빼도 결과는 같고($e^{s_j - m} / \sum_k e^{s_k - m}$에서 $e^{-m}$이 약분됩니다), 지수는 모두 0
# 이하가 됩니다. 로그 확률은 $s_j - m - \log \sum_k e^{s_k - m}$로 계산하세요.


# %%
def softmax_cross_entropy(scores, labels):
    """Mean cross-entropy of softmax(scores) (N, C) for integer labels (N,); and dscores."""
    # TODO: 행의 최댓값을 빼고, 로그 소프트맥스, loss = -mean(log p[n, labels[n]]);
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
# ## 3. 다중 클래스 SVM (힌지(hinge)) 손실
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1)$$
#
# 정답 클래스의 점수와의 차이가 마진 1 안으로 들어온 오답 클래스마다 손실이 생깁니다. 000강의 예제
# 세 개 (열: 고양이, 자동차, 개구리 이미지):
#
# | | 고양이 | 자동차 | 개구리 |
# |---|---|---|---|
# | 고양이 점수 | **3.2** | 1.3 | 2.2 |
# | 자동차 점수 | 5.1 | **4.9** | 2.5 |
# | 개구리 점수 | −1.7 | 2.0 | **−3.1** |
#
# 의 손실은 $L = 2.9$, $0$, $12.9$이고 평균은 $5.27$입니다.
#
# 기울기: 마진이 양수인 $j \ne y_i$마다 $\partial L_i / \partial s_j$에 $+1$, $\partial L_i /
# \partial s_{y_i}$에 $-1$을 더합니다. 평균이므로 $N$으로 나눕니다.


# %%
def multiclass_svm(scores, labels):
    """Mean multiclass hinge loss (margin 1) and dscores (N, C)."""
    # TODO: margins = max(0, s - s_correct + 1), 정답 클래스에서는 0; 손실은 그 합 / N;
    # dscores: margin > 0인 곳은 1, 정답 클래스에는 그 개수의 음수, 모두 / N.
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
