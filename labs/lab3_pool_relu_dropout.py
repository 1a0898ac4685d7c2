# %% [markdown] lang="ko"
# # 실습 3: 풀링, ReLU, 드롭아웃의 순전파와 역전파
#
# **관련 강의:** 2강(노트 001)의 풀링 층(pooling layer)과 최대 풀링(max pooling): $F$, $S$, $W_2 =
# (W_1 - F)/S + 1$, 파라미터가 없고 깊이가 그대로라는 점. 4강(노트 003)도 풀링에는 "학습할
# 파라미터가 없다"고 정리합니다. 5강(노트 004)의 활성화 함수(activation function), 기울기
# 소실(vanishing gradient)을 막는 ReLU, AlexNet의 드롭아웃(dropout)도 함께 다룹니다.
#
# | 문항 | 배점 |
# |---|---|
# | `max_pool2d_forward` | 2 |
# | `max_pool2d_backward` | 3 |
# | `relu_forward` | 1 |
# | `relu_backward` | 1 |
# | `dropout_forward` | 2 |
# | `dropout_backward` | 1 |
# | 서술형 문제 3개(강사 채점) | 5 |
#
# minicnn처럼 층마다 `y, cache = forward(...)`와 `dx = backward(dy, cache)` 두 함수를 짝으로
# 만듭니다. 세 층 모두 파라미터가 없으므로 역전파는 입력에 대한 기울기 `dx` 하나만 돌려줍니다.

# %% [markdown] lang="en"
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
# | three written questions (graded by the instructor) | 5 |
#
# Each layer is a pair, as in minicnn: `y, cache = forward(...)` and
# `dx = backward(dy, cache)`. None of them has parameters, so the backward returns only
# `dx`, the gradient with respect to the input.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab3", globals())

# %% [markdown] lang="ko"
# ## 1. 최대 풀링의 순전파
#
# 채널마다 $F \times F$ 윈도우를 $S$칸씩 옮기며(기본값은 $S = F$) 윈도우 안에서 가장 큰 값을
# 내보냅니다. 깊이는 그대로입니다. 역전파에서는 기울기를 윈도우의 어느 자리로 보낼지 알아야 하므로,
# 윈도우마다 최댓값이 어디에 있었는지를 캐시에 기억해 두세요.
#
# **최댓값이 여럿일 때**(tie). 한 윈도우에 최댓값이 두 번 이상 나오면(ReLU 뒤에는 0이 많아서 자주
# 생깁니다) 기울기는 그중 하나만 받습니다. minicnn처럼 행 우선 순서(row-major order)로 맨 앞의 것,
# 곧 `np.argmax`가 고르는 것을 택하세요.

# %% [markdown] lang="en"
# ## 1. Max pooling, forward
#
# Each $F \times F$ window (moved by stride $S$; by default $S = F$) of every channel
# gives its largest value. Depth does not change. The backward pass must know where in
# each window the gradient goes: remember in the cache where each window's maximum was.
#
# **Ties.** When a window holds its maximum twice (common after ReLU: many zeros), only
# one of them gets the gradient. Take the first one in row-major order, which is what
# `np.argmax` returns, as minicnn does.


# %%
def max_pool2d_forward(x, kernel_size, stride=None):
    """(N, C, H, W) -> y (N, C, OH, OW), cache.  stride defaults to kernel_size."""
    # [ko] TODO: y와, 역전파에 필요한 것(입력의 모양, F, S, 윈도우마다 최댓값의 위치)을 담은
    # [ko] 캐시를 반환하세요.
    # [en] TODO: return y and a cache with what the backward pass needs (the input shape,
    # [en] F, S, and where each window's maximum was).
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

# %% [markdown] lang="ko" hint="max_pool2d_forward"
# <details><summary>힌트</summary>
#
# * 픽셀마다 반복하지 말고 윈도우 안의 위치 $(p, q)$ $F^2$개에 대해서만 반복하세요. 한 위치가 모든
#   윈도우에서 만나는 픽셀은 `x`의 행 `p, p+S, …`, 열 `q, q+S, …`이므로 간격이 있는 슬라이스 하나로
#   꺼낼 수 있습니다(실습 2를 먼저 했다면 im2col과 같은 생각입니다).
# * 위치마다 꺼낸 값을 `(N, C, OH, OW, F·F)` 모양 배열의 마지막 축에 쌓으면, 그 축의 최댓값이 출력이고
#   `argmax`가 최댓값의 위치입니다.
#
# </details>

# %% [markdown] lang="en" hint="max_pool2d_forward"
# <details><summary>Hint</summary>
#
# * Do not loop over pixels: loop over the $F^2$ positions $(p, q)$ inside the window.
#   The pixels one position meets in all the windows are rows `p, p+S, …` and columns
#   `q, q+S, …` of `x`: one slice with a step (lab 2's im2col uses the same idea).
# * Stack them on the last axis of an array of shape `(N, C, OH, OW, F·F)`: the maximum
#   over that axis is the output, and its `argmax` says where the maximum was.
#
# </details>

# %% [markdown] lang="ko"
# ## 2. 최대 풀링의 역전파
#
# 출력에 영향을 준 값은 윈도우의 최댓값 하나뿐입니다. 그래서 $\partial E / \partial x$는 최댓값이
# 있던 자리에서만 $\partial E / \partial y$이고, 윈도우의 나머지 자리에서는 0입니다. 윈도우가
# **겹치면**($S < F$) 한 입력 픽셀이 여러 윈도우에서 최댓값이 될 수 있으니, 이때는 기울기를 덮어쓰지
# 말고 더하세요(`=`가 아니라 `+=`).

# %% [markdown] lang="en"
# ## 2. Max pooling, backward
#
# Only the window's maximum influenced the output, so $\partial E / \partial x$ is
# $\partial E / \partial y$ at that one position and 0 at the others of the window.
# When windows **overlap** ($S < F$), one input pixel can be the maximum of several
# windows: its gradients add up (`+=`, never `=`).


# %%
def max_pool2d_backward(dy, cache):
    """dy (N, C, OH, OW) -> dx (N, C, H, W): each dy goes to its window's maximum."""
    # [ko] TODO: dy를 각 윈도우의 최댓값 자리로 보내세요. 겹친 윈도우에서는 더합니다.
    # [en] TODO: send each dy to its window's maximum; overlapping windows add up.
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

# %% [markdown] lang="ko" hint="max_pool2d_backward"
# <details><summary>힌트</summary>
#
# 순전파처럼 윈도우 안의 위치 $(p, q)$마다 반복하세요. 최댓값이 그 위치에 있었던 윈도우에서만 `dy`를,
# 나머지 윈도우에서는 0을 골라(`np.where`), 그 위치가 `dx`에서 차지하는 슬라이스에 더하면 됩니다.
#
# </details>

# %% [markdown] lang="en" hint="max_pool2d_backward"
# <details><summary>Hint</summary>
#
# Loop over the positions $(p, q)$ as in the forward pass. Take `dy` for the windows
# whose maximum was at that position and 0 for the others (`np.where`), and add it into
# the slice of `dx` that position covers.
#
# </details>

# %%
x = np.array([[1.0, 3, 2, 2], [3, 0, 1, 0], [4, 4, 0, 5], [0, 1, 6, 0]]).reshape(1, 1, 4, 4)
y, cache = max_pool2d_forward(x, 2)
print(y[0, 0])  # [[3, 2], [4, 6]]
print(max_pool2d_backward(np.ones_like(y), cache)[0, 0])  # one 1 per window, the first max

# %% [markdown] lang="ko"
# ## 3. ReLU
#
# $\text{ReLU}(x) = \max(0, x)$는 선형 층 사이에 비선형성(nonlinearity)을 넣어 줍니다. 5강에서
# 보았듯이 비선형성이 없으면 층을 아무리 쌓아도 행렬 하나로 합쳐져 버립니다. 미분하면 $x > 0$에서 1,
# 나머지에서 0이므로, 기울기는 입력이 양수였던 자리로만 흘러가고 나머지에서는 끊깁니다. 마스크 `x >
# 0`을 캐시로 두세요. `x`와 `dy`는 제자리에서 바꾸면 안 됩니다. 호출한 쪽이 그 값을 아직 쓰기
# 때문입니다(실습 6의 잔차 연결(residual connection)이 그런 예입니다).

# %% [markdown] lang="en"
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
    # [ko] TODO: y와 역전파에 쓸 마스크를 반환하세요.
    # [en] TODO: return y and the mask the backward pass needs.
    ### BEGIN SOLUTION
    return np.maximum(x, 0), x > 0
    ### END SOLUTION


def relu_backward(dy, cache):
    """dx = dy where x > 0, 0 elsewhere."""
    # [ko] TODO: 입력이 양수였던 자리로만 기울기를 보내세요(dy는 바꾸지 말고 새 배열로).
    # [en] TODO: let the gradient through where the input was positive only (in a new
    # [en] array: leave dy as it is).
    ### BEGIN SOLUTION
    return dy * cache
    ### END SOLUTION


# %%
check("relu_forward")
check("relu_backward")

# %% [markdown] lang="ko"
# ## 4. 역 드롭아웃(inverted dropout)
#
# 드롭아웃은 학습할 때 유닛을 하나하나 확률 $p$로 0으로 만들고, 테스트할 때는 아무것도 하지
# 않습니다. 5강에서 AlexNet이 과적합(overfitting)을 막으려고 쓴 방법입니다. *역* 드롭아웃은 학습할
# 때 살아남은 유닛에 $1/(1-p)$를 곱해서 기댓값을 $x$ 그대로 유지합니다. 그러면 테스트할 때 배율을
# 다시 맞출 필요가 없습니다. PyTorch와 minicnn도 이 방식을 씁니다.
#
# $$y = x \cdot m / (1-p), \quad m_i \sim \text{Bernoulli}(1-p), \qquad \frac{\partial E}{\partial x} = \frac{\partial E}{\partial y} \cdot m / (1-p)$$
#
# 마스크는 인자로 받은 `rng`로 뽑습니다. `rng.random(x.shape) >= p`로 뽑으면 유닛이 확률 $1-p$로
# 남습니다. 배율까지 곱한 마스크를 캐시에 넣어 두세요. 역전파에서는 순전파와 **같은** 마스크를 써야
# 합니다. `training=False`이거나 $p = 0$이면 `x`를 그대로 반환합니다.

# %% [markdown] lang="en"
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
    # [ko] TODO: 학습 중이면 위의 식으로 y와 배율을 곱한 마스크를, 아니면 x 그대로와 1인 마스크를
    # [ko] 반환하세요. p == 1이면 모든 유닛이 꺼집니다(0으로 나누지 마세요).
    # [en] TODO: in training, y and the scaled mask by the formula above; otherwise x as
    # [en] it is and a mask of ones. With p == 1 every unit is dropped (do not divide by 0).
    ### BEGIN SOLUTION
    if not training or p == 0:
        return x.copy(), np.ones_like(x)
    keep = rng.random(x.shape) >= p
    mask = keep * (0.0 if p == 1 else 1.0 / (1.0 - p))
    return x * mask, mask
    ### END SOLUTION


def dropout_backward(dy, cache):
    """dx = dy * the forward pass's scaled mask."""
    # [ko] TODO: 곱셈 한 번이면 됩니다.
    # [en] TODO: one multiplication.
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

# %% [markdown] lang="ko"
# ## 5. 서술형 문제
#
# 답안 셀에 한두 문장이나 숫자로 답하세요. 이 문제들은 강사가 채점합니다(자동 채점 점수에는
# 들어가지 않습니다).

# %% [markdown] lang="en"
# ## 5. Written questions
#
# Answer in the answer cell, in a sentence or two or a number. The instructor grades these
# (they are not in the automatic score).

# %% [markdown] lang="ko" question="q_pool_size" points=2
# **질문 1** (2점, 2강). 224×224×64 볼륨에 $F = 2$, $S = 2$인 최대 풀링을 적용하면 출력의 크기는
# 얼마입니까? 이 풀링 층에서 학습할 파라미터는 몇 개입니까?

# %% [markdown] lang="ko" answer="q_pool_size"
# ### BEGIN SOLUTION
# $(224 - 2)/2 + 1 = 112$이고 깊이는 그대로이므로 112×112×64입니다. 파라미터는 0개입니다. 풀링은
# 윈도우의 최댓값을 고르는 정해진 연산일 뿐, 학습할 가중치가 없습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_pool_size" points=2
# **Question 1** (2 points, lecture 001). Max pooling with $F = 2$, $S = 2$ is applied to a
# 224×224×64 volume. What is the size of the output? How many parameters does this
# pooling layer learn?

# %% [markdown] lang="en" answer="q_pool_size"
# ### BEGIN SOLUTION
# $(224 - 2)/2 + 1 = 112$ and the depth does not change: 112×112×64. It learns no
# parameters: pooling is a fixed operation (the maximum of each window), with no weights.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_dropout_scale" points=2
# **질문 2** (2점). 역 드롭아웃에서 살아남은 유닛에 $1/(1-p)$를 곱하지 않으면 어떻게 됩니까? 테스트할
# 때 무엇이 달라지는지 적으세요.

# %% [markdown] lang="ko" answer="q_dropout_scale"
# ### BEGIN SOLUTION
# 학습할 때 출력의 기댓값이 $(1-p)\,x$로 줄어듭니다. 테스트할 때는 드롭아웃을 하지 않아 $x$가 그대로
# 나가므로, 다음 층은 학습 때보다 $1/(1-p)$배 큰 입력을 받게 되어 예측이 틀어집니다. 이를 막으려면
# 테스트할 때 출력에 $(1-p)$를 곱해야 합니다(원래의 드롭아웃이 이렇게 합니다).
# ### END SOLUTION

# %% [markdown] lang="en" question="q_dropout_scale" points=2
# **Question 2** (2 points). What happens if inverted dropout does not divide the kept
# units by $1-p$? What goes wrong at test time?

# %% [markdown] lang="en" answer="q_dropout_scale"
# ### BEGIN SOLUTION
# During training the expected output shrinks to $(1-p)\,x$. At test time dropout is
# off and $x$ passes unchanged, so the next layer sees inputs $1/(1-p)$ times larger than
# it was trained on and its predictions are off. The fix would be to multiply by $1-p$ at
# test time instead (what the original dropout does).
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_sigmoid" points=1
# **질문 3** (1점, 5강). 시그모이드의 도함수는 최댓값이 0.25입니다. 시그모이드 층 10개를 거쳐 역전파된
# 기울기는 많아야 처음의 몇 배가 됩니까(가중치는 1이라고 합시다)? ReLU는 왜 이 문제가 덜합니까?

# %% [markdown] lang="ko" answer="q_sigmoid"
# ### BEGIN SOLUTION
# 연쇄 법칙으로 도함수가 10번 곱해지므로 많아야 $0.25^{10} \approx 9.5 \times 10^{-7}$배, 곧 백만분의
# 1 정도로 줄어듭니다(기울기 소실). ReLU의 도함수는 입력이 양수인 곳에서 1이므로 곱해도 줄어들지
# 않습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_sigmoid" points=1
# **Question 3** (1 point, lecture 004). The sigmoid's derivative is at most 0.25. At most
# how many times its size is a gradient after backpropagating through 10 sigmoid layers
# (take the weights as 1)? Why does ReLU suffer less from this?

# %% [markdown] lang="en" answer="q_sigmoid"
# ### BEGIN SOLUTION
# The chain rule multiplies 10 derivatives: at most $0.25^{10} \approx 9.5 \times 10^{-7}$,
# about a millionth (the vanishing gradient). ReLU's derivative is 1 wherever the input
# is positive, so the product does not shrink there.
# ### END SOLUTION
