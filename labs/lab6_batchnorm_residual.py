# %% [markdown] lang="ko"
# # 실습 6 (심화): 배치 정규화와 잔차 블록
#
# **관련 강의:** 4강(노트 003)의 ResNet("잔차 연결(residual connection)을 쓰는 아주 깊은 신경망")과,
# CNN의 기본 구성(baseline)으로 소개한 깊은 잔차 신경망 + 배치 정규화(batch normalization) + Adam.
# 5강(노트 004)의 ResNet: 잔차 연결이 없는(plain) 신경망은 깊어질수록 오히려 *나빠지는데*, 과적합
# 때문이 아니라 최적화가 어렵기 때문이고, 잔차 학습(residual learning)이 이 문제를 풉니다.
#
# | 문항 | 배점 |
# |---|---|
# | `batch_norm_forward` | 3 |
# | `batch_norm_backward` | 4 |
# | `residual_block_forward` | 1 |
# | `residual_block_backward` | 2 |
#
# 이미 직접 작성해 본 층은 이번 실습에서 minicnn의 함수를 가져다 써도 됩니다. `minicnn.functional`의
# `F.conv2d_forward` / `F.conv2d_backward`와 `F.relu_forward` / `F.relu_backward`는 실습 2, 3에서
# 만든 함수와 시그니처가 똑같습니다.

# %% [markdown] lang="en"
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

# %% [markdown] lang="ko"
# ## 1. 배치 정규화의 순전파
#
# 채널 $c$마다, 배치 안에서 그 채널에 속한 값 $M = N \cdot H \cdot W$개(입력이 `(N, D)` 모양이면
# $M = N$)로 다음을 계산합니다(Ioffe와 Szegedy, 2015).
#
# $$\mu = \frac{1}{M}\sum x, \quad \sigma^2 = \frac{1}{M}\sum (x-\mu)^2, \quad
# \hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad y = \gamma \hat{x} + \beta$$
#
# **학습** 중에는 통계량을 지금 배치에서 구하고, 평가 때 쓸 이동 통계량(running statistics)을
# **제자리에서** 갱신합니다. 갱신 비율은 PyTorch처럼 0.1입니다(PyTorch의 `momentum=0.1`):
# `running_mean = 0.9·running_mean + 0.1·μ`, `running_var = 0.9·running_var + 0.1·σ²·M/(M−1)`.
# 분산은 *불편*(unbiased) 분산으로 갱신합니다. **평가** 때($\texttt{training=False}$)는 이동
# 통계량으로 정규화하고, 이동 통계량은 바꾸지 않습니다. 채널은 1번 축이고, 평균은 나머지 축 전부에
# 대해 냅니다.

# %% [markdown] lang="en"
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
    # [ko] TODO: 1번을 뺀 모든 축에 대한 통계량(학습) 또는 이동 통계량(평가); 이동 통계량은
    # [ko] 제자리에서 갱신 (running_mean[...] = ...); x_hat; y.
    # [en] TODO: statistics over every axis but 1 (training) or the running ones (evaluation);
    # [en] update the running statistics in place (running_mean[...] = ...); x_hat; y.
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

# %% [markdown] lang="ko"
# ## 2. 배치 정규화의 역전파
#
# $\partial E / \partial \beta = \sum dy$, $\partial E / \partial \gamma = \sum dy \cdot
# \hat{x}$이고, 합은 한 채널의 값 $M$개에 대해 합니다. $dx$는 평가 때와 학습 때가 다릅니다. 평가
# 때는 $\mu$와 $\sigma$가 상수이므로 $dx = dy \cdot \gamma / \sigma$입니다. 학습 중에는 $\mu$와
# $\sigma$가 그 채널의 $x$ **전부**에 의존하므로($\partial \mu / \partial x_i = 1/M$, $\partial
# \sigma / \partial x_i = \hat{x}_i / M$), 연쇄 법칙(chain rule)을 적용하면 다음을 얻습니다.
#
# $$dx = \frac{\gamma}{\sigma} \cdot \frac{1}{M}\left(M\, dy - \sum dy - \hat{x}
# \sum dy \cdot \hat{x}\right)$$
#
# 괄호 안의 두 합은 바로 $d\beta$와 $d\gamma$입니다. 이 둘을 먼저 계산해 두면 $dx$는 한 줄이면
# 됩니다.

# %% [markdown] lang="en"
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
    # [ko] TODO: dbeta와 dgamma (축들에 대한 합); 평가 때는 dx = dy * gamma / sigma,
    # [ko] 학습 중에는 위의 공식.
    # [en] TODO: dbeta and dgamma (sums over the axes); dx = dy * gamma / sigma in evaluation,
    # [en] the formula above in training.
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

# %% [markdown] lang="ko"
# 이 공식에서 두 가지 성질이 나옵니다. 학습 중에는 채널마다 $\sum dx = 0$입니다. 한 채널의 입력을
# 모두 같은 값만큼 옮겨도 정규화하고 나면 달라지는 것이 없기 때문입니다. 또 $\sum dx \cdot \hat{x}
# \approx 0$입니다. 입력을 모두 같은 배율로 늘려도 마찬가지이기 때문인데, $\sigma$ 안의 $\epsilon$
# 때문에 정확히 0은 아니고 아주 작은 값이 됩니다.

# %% [markdown] lang="en"
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

# %% [markdown] lang="ko"
# ## 3. 잔차 블록(residual block)
#
# 5강에서 본 기본 블록입니다. 블록 안의 층들은 *잔차* $F(x)$를 학습하고, 블록은 $\text{ReLU}(F(x) +
# x)$를 출력합니다. 여기서 $F(x) = \text{conv}_2(\text{ReLU}(\text{conv}_1(x)))$이고, 두 합성곱 모두
# 3×3 커널에 패딩 1을 쓰며 출력 채널 수가 입력과 같습니다. 그래야 $F(x)$와 $x$의 모양이 같아서 더할
# 수 있습니다.
#
# 역전파에서 덧셈은 받은 기울기 $g = \partial E / \partial (F(x) + x)$를 **두** 경로에 똑같이
# 보냅니다. 층을 거치는 잔차 경로(residual branch)와, $x$를 그대로 더하는 스킵 연결(shortcut)입니다.
# 그래서
#
# $$\frac{\partial E}{\partial x} = \underbrace{(g\text{를 conv}_2\text{, ReLU, conv}_1
# \text{로 역전파한 것})}_{\text{잔차 경로}} + \underbrace{g}_{\text{스킵 연결}}$$
#
# 입니다. 이 "+ g" 덕분에 아주 깊은 ResNet도 학습됩니다. 층을 하나도 거치지 않고 앞쪽 층까지 곧장
# 돌아가는 기울기의 길이 늘 있기 때문입니다.

# %% [markdown] lang="en"
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
    # [ko] TODO: F.conv2d_forward(x, w1, b1, 1, 1), F.relu_forward, F.conv2d_forward(.., w2, b2,
    # [ko] 1, 1), x를 더하고, F.relu_forward; 캐시 네 개를 보관하세요.
    # [en] TODO: F.conv2d_forward(x, w1, b1, 1, 1), F.relu_forward, F.conv2d_forward(.., w2, b2,
    # [en] 1, 1), add x, F.relu_forward; keep the four caches.
    ### BEGIN SOLUTION
    h, conv1 = F.conv2d_forward(x, w1, b1, 1, 1)
    a, relu1 = F.relu_forward(h)
    z, conv2 = F.conv2d_forward(a, w2, b2, 1, 1)
    y, relu2 = F.relu_forward(z + x)
    return y, (conv1, relu1, conv2, relu2)
    ### END SOLUTION


def residual_block_backward(dy, cache):
    """dy -> dx, dw1, db1, dw2, db2."""
    # [ko] TODO: g = 덧셈 지점의 기울기(마지막 ReLU의 역전파를 거친 것); g를 conv2, ReLU,
    # [ko] conv1 순서로 거꾸로 통과시키고(잔차 경로), dx = 그 결과 + g(스킵 연결).
    # [en] TODO: g = gradient at the sum (through the last ReLU); back through conv2, ReLU,
    # [en] conv1; dx = that + g.
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
