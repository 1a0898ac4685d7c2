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
# | 서술형 문제 3개(강사 채점) | 5 |
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
# | three written questions (graded by the instructor) | 5 |
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
# 층의 식은 $y = x W^T + b$입니다. 역전파에는 `(N, out)` 모양의 `dy` = $\partial E / \partial y$가
# 들어오고, 연쇄 법칙으로 $\partial E / \partial x$, $\partial E / \partial W$, $\partial E /
# \partial b$를 구합니다. 먼저 예제 하나($N = 1$)에서 $y_j = \sum_i W_{ji} x_i + b_j$를 각 변수로
# 미분해 보세요. 기울기는 미분하는 대상과 모양이 같으므로(`dw.shape == w.shape`), 전치가 어디에
# 붙는지는 모양을 맞춰 보면 알 수 있습니다. 편향 $b$는 배치의 모든 예제에 더해진다는 것도 잊지
# 마세요.

# %% [markdown] lang="en"
# ## 1. The linear (fully connected) layer
#
# $y = x W^T + b$. The backward pass receives $\partial E / \partial y$ = `dy` of shape
# `(N, out)` and computes $\partial E / \partial x$, $\partial E / \partial W$ and
# $\partial E / \partial b$ by the chain rule. Start with one example ($N = 1$):
# differentiate $y_j = \sum_i W_{ji} x_i + b_j$ with respect to each. Each gradient has
# the shape of what it is the gradient of (`dw.shape == w.shape`): the shapes tell you
# where the transpose goes. And the bias is added to every example of the batch.


# %%
def linear_forward(x, w, b):
    """x (N, in), w (out, in), b (out,) -> y (N, out), cache."""
    # [ko] TODO: y와, 역전파에 필요한 것을 담은 캐시를 반환하세요.
    # [en] TODO: return y and a cache with what the backward pass needs.
    ### BEGIN SOLUTION
    return x @ w.T + b, (x, w)
    ### END SOLUTION


def linear_backward(dy, cache):
    """dy (N, out) -> dx (N, in), dw (out, in), db (out,)."""
    # [ko] TODO: 연쇄 법칙으로 구한 dx, dw, db를 반환하세요.
    # [en] TODO: return dx, dw and db, by the chain rule.
    ### BEGIN SOLUTION
    x, w = cache
    return dy @ w, dy.T @ x, dy.sum(axis=0)
    ### END SOLUTION


# %%
check("linear_forward")
check("linear_backward")

# %% [markdown] lang="ko" hint="linear_backward"
# <details><summary>힌트</summary>
#
# $y_j = \sum_i W_{ji} x_i + b_j$에서 $\partial y_j / \partial x_i = W_{ji}$, $\partial y_j /
# \partial W_{ji} = x_i$, $\partial y_j / \partial b_j = 1$입니다. 연쇄 법칙으로 $j$에 대해 더하고,
# 배치의 예제 $n$에 대해서도 더하면 세 기울기가 모두 행렬 곱이나 합 하나로 쓰입니다. `dx`는
# `(N, in)`, `dw`는 `(out, in)`, `db`는 `(out,)` 모양이 되는 곱을 찾으세요.
#
# </details>

# %% [markdown] lang="en" hint="linear_backward"
# <details><summary>Hint</summary>
#
# From $y_j = \sum_i W_{ji} x_i + b_j$: $\partial y_j / \partial x_i = W_{ji}$,
# $\partial y_j / \partial W_{ji} = x_i$, $\partial y_j / \partial b_j = 1$. The chain rule
# sums over $j$, and over the examples $n$ of the batch: each gradient is then one matrix
# product or one sum. Look for the products whose shapes are `(N, in)` for `dx`,
# `(out, in)` for `dw` and `(out,)` for `db`.
#
# </details>

# %% [markdown] lang="ko"
# ## 2. 소프트맥스 교차 엔트로피
#
# 1강의 예제에서 고양이 이미지의 점수는 고양이 3.2, 자동차 5.1, 개구리 −1.7입니다. $e^s$는 24.5,
# 164.0, 0.18이고, 합이 1이 되게 나누면 0.13, 0.87, 0.00이므로 손실은 $L_i = -\log 0.13 =
# 2.04$입니다. 점수에 대한 기울기 $\partial L_i / \partial s_j$는 놀랄 만큼 간단한 꼴이 됩니다.
# $P_j = e^{s_j} / \sum_k e^{s_k}$를 $L_i = -\log P_{y_i}$에 넣고 직접 유도해 보세요. 손실을 배치에
# 대해 평균했으므로 기울기도 $N$으로 나눕니다.
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
# $L_i = -\log 0.13 = 2.04$. The gradient with respect to the scores,
# $\partial L_i / \partial s_j$, turns out remarkably simple: put
# $P_j = e^{s_j} / \sum_k e^{s_k}$ into $L_i = -\log P_{y_i}$ and derive it. For the batch
# mean, divide by $N$.
#
# **Max-shift.** $e^{1000}$ overflows to `inf`. Subtracting each row's maximum first
# changes nothing ($e^{s_j - m} / \sum_k e^{s_k - m}$: the $e^{-m}$ cancel) and keeps
# every exponent ≤ 0. Compute the log-probabilities as
# $s_j - m - \log \sum_k e^{s_k - m}$.


# %%
def softmax_cross_entropy(scores, labels):
    """Mean cross-entropy of softmax(scores) (N, C) for integer labels (N,); and dscores."""
    # [ko] TODO: 평균 손실과 dscores를 반환하세요. 지수를 계산하기 전에 최댓값 빼기를 하세요.
    # [en] TODO: return the mean loss and dscores; max-shift before any exponential.
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

# %% [markdown] lang="ko" hint="softmax_cross_entropy"
# <details><summary>힌트</summary>
#
# * $L_i = -s_{y_i} + \log \sum_k e^{s_k}$를 $s_j$로 미분하면 $\partial L_i / \partial s_j = P_j -
#   [j = y_i]$입니다($[j = y_i]$는 $j$가 정답일 때 1, 아니면 0).
# * 행마다 정답 열의 값을 한 번에 꺼내려면 행 번호 배열과 `labels`로 인덱싱하세요
#   (`a[np.arange(N), labels]`).
#
# </details>

# %% [markdown] lang="en" hint="softmax_cross_entropy"
# <details><summary>Hint</summary>
#
# * Differentiating $L_i = -s_{y_i} + \log \sum_k e^{s_k}$ gives
#   $\partial L_i / \partial s_j = P_j - [j = y_i]$ ($[j = y_i]$ is 1 for the correct
#   class, 0 otherwise).
# * To take the correct class's entry of every row at once, index with the row numbers
#   and `labels`: `a[np.arange(N), labels]`.
#
# </details>

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
# 기울기는 $\max(0, \cdot)$의 항 하나하나를 $s_j$와 $s_{y_i}$로 미분해서 더하면 됩니다. 손실이
# 평균이므로 마지막에 $N$으로 나눕니다.

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
# For the gradient, differentiate each term $\max(0, \cdot)$ with respect to $s_j$ and
# $s_{y_i}$ and add them up; divide by $N$ for the mean.


# %%
def multiclass_svm(scores, labels):
    """Mean multiclass hinge loss (margin 1) and dscores (N, C)."""
    # [ko] TODO: 평균 손실과 dscores를 반환하세요. 정답 클래스의 항은 합에 넣지 않습니다.
    # [en] TODO: return the mean loss and dscores; the correct class is not in the sum.
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

# %% [markdown] lang="ko" hint="multiclass_svm"
# <details><summary>힌트</summary>
#
# * 모든 클래스의 항 $\max(0, s_j - s_{y_i} + 1)$을 한꺼번에 계산한 뒤, 정답 클래스 자리만 0으로
#   지우면 편합니다(정답 자리는 그대로 두면 늘 1이 됩니다).
# * 항 하나가 양수이면 그 항은 $s_j$로 미분해 $+1$, $s_{y_i}$로 미분해 $-1$입니다. 그래서 정답 클래스의
#   기울기는 양수인 항의 개수에 $-1$을 곱한 것입니다.
#
# </details>

# %% [markdown] lang="en" hint="multiclass_svm"
# <details><summary>Hint</summary>
#
# * Compute $\max(0, s_j - s_{y_i} + 1)$ for every class at once, then zero the correct
#   class's entry (left there, it is always 1).
# * A positive term has derivative $+1$ with respect to $s_j$ and $-1$ with respect to
#   $s_{y_i}$: the correct class's gradient is minus the number of positive terms.
#
# </details>

# %%
scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # one row per image
loss, _ = multiclass_svm(scores, np.array([0, 1, 2]))
print(f"L = {loss:.2f}")  # 5.27

# %% [markdown] lang="ko"
# ## 4. 서술형 문제
#
# 답안 셀에 한두 문장이나 숫자로 답하세요. 이 문제들은 강사가 채점합니다(자동 채점 점수에는
# 들어가지 않습니다).

# %% [markdown] lang="en"
# ## 4. Written questions
#
# Answer in the answer cell, in a sentence or two or a number. The instructor grades these
# (they are not in the automatic score).

# %% [markdown] lang="ko" question="q_svm_car" points=2
# **질문 1** (2점, 1강의 SVM 예제). 자동차 이미지의 손실은 0입니다. 자동차 점수를 4.9에서 조금
# 낮추면(예: 4.5) 손실은 어떻게 됩니까? 자동차 점수가 얼마보다 낮아져야 손실이 0보다 커집니까?

# %% [markdown] lang="ko" answer="q_svm_car"
# ### BEGIN SOLUTION
# 그대로 0입니다. 4.5일 때도 $1.3 - 4.5 + 1 < 0$, $2.0 - 4.5 + 1 < 0$이어서 두 오답 클래스 모두 마진
# 1 이상 떨어져 있습니다. 자동차 점수가 $2.0 + 1 = 3.0$보다 낮아지면 개구리 항이 양수가 되어 손실이
# 생깁니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_svm_car" points=2
# **Question 1** (2 points, lecture 000's SVM example). The car image's loss is 0. What
# happens to it if the car score drops a little, from 4.9 to 4.5? Below which car score
# does the loss become positive?

# %% [markdown] lang="en" answer="q_svm_car"
# ### BEGIN SOLUTION
# It stays 0: at 4.5, $1.3 - 4.5 + 1 < 0$ and $2.0 - 4.5 + 1 < 0$, both wrong classes are
# still more than the margin 1 below. Below $2.0 + 1 = 3.0$ the frog term turns positive
# and the loss grows.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_initial_loss" points=2
# **질문 2** (2점). 학습을 시작할 때처럼 모든 점수가 거의 0이면, 클래스가 10개일 때 SVM 손실과
# 소프트맥스 교차 엔트로피 손실은 각각 얼마입니까? 학습 첫 배치의 손실이 이 값과 크게 다르면 무엇을
# 의심해야 합니까?

# %% [markdown] lang="ko" answer="q_initial_loss"
# ### BEGIN SOLUTION
# SVM 손실은 오답 클래스 9개마다 $\max(0, 0 - 0 + 1) = 1$이므로 9입니다. 소프트맥스는 모든 클래스의
# 확률이 1/10이므로 $-\log(1/10) = \log 10 \approx 2.30$입니다. 첫 손실이 이와 크게 다르면
# 초기화(가중치가 너무 큼)나 손실 계산에 버그가 있다고 의심해야 합니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_initial_loss" points=2
# **Question 2** (2 points). When all scores are nearly 0, as at the start of training,
# what are the SVM loss and the softmax cross-entropy with 10 classes? If the first
# batch's loss is far from that, what do you suspect?

# %% [markdown] lang="en" answer="q_initial_loss"
# ### BEGIN SOLUTION
# SVM: each of the 9 wrong classes costs $\max(0, 0 - 0 + 1) = 1$, so 9. Softmax: every
# class has probability 1/10, so $-\log(1/10) = \log 10 \approx 2.30$. A first loss far
# from these points to the initialisation (weights too large) or a bug in the loss.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_fc_params" points=1
# **질문 3** (1점, 4강). 100×100 흑백 이미지(픽셀 10,000개)를 유닛 100개짜리 완전 연결 층에 넣으면
# 가중치는 몇 개입니까? 같은 이미지에 5×5 필터 10개짜리 합성곱 층을 쓰면 파라미터는 몇 개입니까?

# %% [markdown] lang="ko" answer="q_fc_params"
# ### BEGIN SOLUTION
# 완전 연결 층은 유닛마다 픽셀 10,000개와 연결되므로 $100 \times 10{,}000 = 1{,}000{,}000$개(편향까지
# 1,000,100개)입니다. 합성곱 층은 이미지 크기와 상관없이 $(5 \cdot 5 \cdot 1 + 1) \cdot 10 = 260$개입니다.
# 같은 필터를 모든 위치에서 다시 쓰기(파라미터 공유) 때문입니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_fc_params" points=1
# **Question 3** (1 point, lecture 003). A 100×100 grey image (10,000 pixels) goes into a
# fully connected layer of 100 units: how many weights? A convolution layer of ten 5×5
# filters on the same image: how many parameters?

# %% [markdown] lang="en" answer="q_fc_params"
# ### BEGIN SOLUTION
# Each unit connects to all 10,000 pixels: $100 \times 10{,}000 = 1{,}000{,}000$ weights
# (1,000,100 with the biases). The convolution layer has $(5 \cdot 5 \cdot 1 + 1) \cdot 10 = 260$,
# whatever the image size, because the same filters are reused at every position
# (parameter sharing).
# ### END SOLUTION
