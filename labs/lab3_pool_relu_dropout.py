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
# 내보냅니다. 깊이는 그대로입니다. 실습 2의 im2col처럼 픽셀이 아니라 윈도우 안의 위치 $F^2$개에 대해
# 반복하세요. 위치마다 꺼낸 값을 `(N, C, OH, OW, F·F)` 모양의 배열로 쌓고, 마지막 축의 `argmax`를
# 캐시에 넣어 둡니다.
#
# **최댓값이 여럿일 때**(tie). 한 윈도우에 최댓값이 두 번 이상 나오면(ReLU 뒤에는 0이 많아서 자주
# 생깁니다) 기울기는 그중 하나만 받습니다. minicnn처럼 행 우선 순서(row-major order)로 맨 앞의 것,
# 곧 `np.argmax`가 고르는 것을 택하세요.

# %% [markdown] lang="en"
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
    # [ko] TODO: 모든 윈도우에서 F*F개 위치의 값을 마지막 축에 쌓고 그 축의 argmax를 구하세요.
    # [ko] 역전파에 필요한 것(입력의 모양, F, S, argmax)은 캐시에 넣으세요.
    # [en] TODO: stack the F*F taps of every window on a last axis, argmax over it, and keep
    # [en] what the backward pass needs (the input shape, F, S and the argmax) in the cache.
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
    # [ko] TODO: 윈도우 안의 위치 (p, q)마다, argmax == p*F + q인 곳의 dy를 그 위치가
    # [ko] 가리키는 dx의 strided slice에 더하세요.
    # [en] TODO: for each tap (p, q), add dy where argmax == p*F + q into the strided slice
    # [en] of dx that this tap covers.
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
    # [ko] TODO: np.maximum(x, 0)과 마스크를 반환하세요.
    # [en] TODO: return np.maximum(x, 0) and the mask.
    ### BEGIN SOLUTION
    return np.maximum(x, 0), x > 0
    ### END SOLUTION


def relu_backward(dy, cache):
    """dx = dy where x > 0, 0 elsewhere."""
    # [ko] TODO: dy에 마스크를 곱하세요 (새 배열로).
    # [en] TODO: multiply dy by the mask (a new array).
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
    # [ko] TODO: 학습 중이 아니거나 p == 0이면 마스크는 1; 아니면 keep = rng.random(x.shape) >= p,
    # [ko] mask = keep / (1 - p) (p == 1이면 모두 0).
    # [en] TODO: if not training or p == 0, the mask is 1; else keep = rng.random(x.shape) >= p
    # [en] and mask = keep / (1 - p) (0 everywhere when p == 1).
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
