# %% [markdown]
# # 실습 3: 풀링, ReLU, 드롭아웃의 순전파와 역전파
#
# **연습하는 강의 내용:** 001강 (풀링 층(pooling layer): $F$, $S$, $W_2 = (W_1 - F)/S + 1$,
# 파라미터 없음, 깊이는 그대로; 최대 풀링(max pooling)), 003강 (풀링: "학습할 파라미터가 없다"),
# 004강 (활성화 함수(activation function)와 기울기 소실(vanishing gradient)을 막는 ReLU; AlexNet의
# 드롭아웃(dropout)).
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
# minicnn에서처럼 층마다 함수 한 쌍을 씁니다: `y, cache = forward(...)`와 `dx = backward(dy,
# cache)`. 세 층 모두 파라미터가 없으므로 역전파는 입력에 대한 기울기 `dx` 하나만 반환합니다.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab3", globals())

# %% [markdown]
# ## 1. 최대 풀링의 순전파
#
# 채널마다 $F \times F$ 윈도우(스트라이드 $S$만큼 이동; 기본값은 $S = F$)에서 가장 큰 값을
# 내보냅니다. 깊이는 바뀌지 않습니다. 실습 2의 im2col처럼 픽셀이 아니라 $F^2$개의 탭에 대해
# 반복하세요. 탭들을 `(N, C, OH, OW, F·F)` 모양의 배열로 쌓고, 마지막 축에 대해 `argmax`를 구해
# 캐시에 넣어 둡니다.
#
# **동점(tie).** 한 윈도우에 최댓값이 두 번 있을 때(ReLU 다음에는 0이 많아서 흔히 생깁니다)
# 기울기는 그중 하나만 받습니다. minicnn처럼, 행 우선 순서(row-major order)로 첫 번째인 것, 즉
# `np.argmax`가 고르는 것을 택하세요.


# %%
def max_pool2d_forward(x, kernel_size, stride=None):
    """(N, C, H, W) -> y (N, C, OH, OW), cache.  stride defaults to kernel_size."""
    # TODO: 모든 윈도우의 F*F 탭을 마지막 축에 쌓고 그 축에 대해 argmax를 구하세요.
    # 역전파에 필요한 것(입력의 모양, F, S, argmax)은 캐시에 넣으세요.
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
# ## 2. 최대 풀링의 역전파
#
# 출력에 영향을 준 것은 윈도우의 최댓값뿐이므로, $\partial E / \partial x$는 그 한 위치에서만
# $\partial E / \partial y$이고 윈도우의 나머지 위치에서는 0입니다. 윈도우가 **겹치면**($S < F$)
# 한 입력 픽셀이 여러 윈도우의 최댓값일 수 있습니다. 그때는 기울기를 더합니다 (`=`가 아니라 `+=`).


# %%
def max_pool2d_backward(dy, cache):
    """dy (N, C, OH, OW) -> dx (N, C, H, W): each dy goes to its window's maximum."""
    # TODO: 탭 (p, q)마다, argmax == p*F + q인 곳의 dy를 그 탭이 덮는 dx의
    # strided slice에 더하세요.
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
# $\text{ReLU}(x) = \max(0, x)$는 선형 층들 사이에 비선형성(nonlinearity)을 넣어 줍니다 (004강:
# 비선형성이 없으면 여러 층을 쌓아도 행렬 하나로 합쳐집니다). 도함수는 $x > 0$이면 1, 아니면
# 0입니다. 그래서 기울기는 입력이 양수였던 곳으로만 흐르고 나머지에서는 멈춥니다. 마스크 `x > 0`을
# 캐시로 두세요. `x`나 `dy`를 제자리에서 바꾸지 마세요. 호출한 쪽(그리고 실습 6의 잔차
# 연결(residual connection))이 아직 그 값을 씁니다.


# %%
def relu_forward(x):
    """y = max(0, x); cache = the mask x > 0."""
    # TODO: np.maximum(x, 0)과 마스크를 반환하세요.
    ### BEGIN SOLUTION
    return np.maximum(x, 0), x > 0
    ### END SOLUTION


def relu_backward(dy, cache):
    """dx = dy where x > 0, 0 elsewhere."""
    # TODO: dy에 마스크를 곱하세요 (새 배열로).
    ### BEGIN SOLUTION
    return dy * cache
    ### END SOLUTION


# %%
check("relu_forward")
check("relu_backward")

# %% [markdown]
# ## 4. 역 드롭아웃(inverted dropout)
#
# 학습 중에 드롭아웃은 각 유닛을 확률 $p$로 0으로 만들고(004강: 과적합(overfitting)을 막는
# AlexNet의 드롭아웃), 테스트할 때는 아무것도 하지 않습니다. *역* 드롭아웃은 학습 중에 남은 유닛에
# $1/(1-p)$를 곱해서 기댓값이 $x$로 유지되게 합니다. 그러면 테스트할 때 다시 배율을 조정할 필요가
# 없습니다 (PyTorch와 minicnn이 이렇게 합니다).
#
# $$y = x \cdot m / (1-p), \quad m_i \sim \text{Bernoulli}(1-p), \qquad \frac{\partial E}{\partial x} = \frac{\partial E}{\partial y} \cdot m / (1-p)$$
#
# 마스크는 주어진 `rng`로 뽑고(`rng.random(x.shape) >= p`이면 확률 $1-p$로 유닛을 남깁니다),
# 배율을 곱한 마스크를 캐시에 넣어 두세요. 역전파는 **같은** 마스크를 써야 합니다.
# `training=False`이거나 $p = 0$이면 `x`를 그대로 반환합니다.


# %%
def dropout_forward(x, p, training, rng):
    """Inverted dropout: y = x * mask / (1 - p) in training, y = x otherwise."""
    # TODO: 학습 중이 아니거나 p == 0이면 마스크는 1; 아니면 keep = rng.random(x.shape) >= p,
    # mask = keep / (1 - p) (p == 1이면 모두 0).
    ### BEGIN SOLUTION
    if not training or p == 0:
        return x.copy(), np.ones_like(x)
    keep = rng.random(x.shape) >= p
    mask = keep * (0.0 if p == 1 else 1.0 / (1.0 - p))
    return x * mask, mask
    ### END SOLUTION


def dropout_backward(dy, cache):
    """dx = dy * the forward pass's scaled mask."""
    # TODO: 곱셈 한 번이면 됩니다.
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
