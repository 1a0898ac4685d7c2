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
# | 서술형 문제 3개(강사 채점) | 5 |
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
# | three written questions (graded by the instructor) | 5 |
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
    # [ko] TODO: 학습 중에는 지금 배치의 통계량으로, 평가 때는 이동 통계량으로 정규화해 y와
    # [ko] 캐시를 반환하세요. 학습 중에는 이동 통계량을 제자리에서 갱신합니다.
    # [en] TODO: normalise with the batch's statistics in training, the running ones in
    # [en] evaluation; return y and a cache. In training, update the running ones in place.
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

# %% [markdown] lang="ko" hint="batch_norm_forward"
# <details><summary>힌트</summary>
#
# * 채널 축을 뺀 축들의 튜플(`(N, C, H, W)`이면 `(0, 2, 3)`, `(N, D)`이면 `(0,)`)을 만들어 두면
#   `mean`과 `var`에 `axis=`로 바로 줄 수 있습니다.
# * `(C,)` 모양의 통계량을 `x`와 같은 차원 수의 모양(`(1, C, 1, 1)` 등)으로 바꾸어야 브로드캐스팅이
#   됩니다.
# * `running_mean = ...`은 함수 안의 이름만 새 배열에 붙일 뿐, 호출한 쪽의 배열은 그대로입니다.
#   배열 자체를 바꾸려면 `running_mean[...] = ...`처럼 원소에 대입하세요.
#
# </details>

# %% [markdown] lang="en" hint="batch_norm_forward"
# <details><summary>Hint</summary>
#
# * A tuple of every axis but the channels' (`(0, 2, 3)` for `(N, C, H, W)`, `(0,)` for
#   `(N, D)`) goes straight into `mean` and `var` as `axis=`.
# * Reshape the `(C,)` statistics to as many dimensions as `x` has (`(1, C, 1, 1)`, …) so
#   that they broadcast.
# * `running_mean = ...` only rebinds the name inside your function; the caller's array
#   does not change. Assign to its elements instead: `running_mean[...] = ...`.
#
# </details>

# %% [markdown] lang="ko"
# ## 2. 배치 정규화의 역전파
#
# $\partial E / \partial \beta = \sum dy$, $\partial E / \partial \gamma = \sum dy \cdot
# \hat{x}$이고, 합은 한 채널의 값 $M$개에 대해 합니다. $dx$는 평가 때와 학습 때가 다릅니다. 평가
# 때는 $\mu$와 $\sigma$가 상수이므로 $dx = dy \cdot \gamma / \sigma$입니다. 학습 중에는 $\mu$와
# $\sigma$가 그 채널의 $x$ **전부**에 의존하므로($\partial \mu / \partial x_i = 1/M$, $\partial
# \sigma / \partial x_i = \hat{x}_i / M$), $dx_i$에는 $dy_i$가 직접 가는 길 말고도 $\mu$와
# $\sigma$를 거쳐 오는 길이 있습니다. 연쇄 법칙(chain rule)으로 세 길을 모두 더해 $dx$를 유도해
# 보세요. 정리하면 $d\beta$와 $d\gamma$가 식 안에 다시 나타나므로, 이 둘을 먼저 계산해 두면 $dx$는
# 한 줄이면 됩니다.

# %% [markdown] lang="en"
# ## 2. Batch normalisation, backward
#
# $\partial E / \partial \beta = \sum dy$ and $\partial E / \partial \gamma = \sum dy
# \cdot \hat{x}$ (sums over the $M$ values of a channel). For $dx$: in evaluation $\mu$
# and $\sigma$ are constants and $dx = dy \cdot \gamma / \sigma$. In training they depend
# on **every** $x$ of the channel ($\partial \mu / \partial x_i = 1/M$,
# $\partial \sigma / \partial x_i = \hat{x}_i / M$): besides the direct path from $dy_i$,
# gradient reaches $x_i$ through $\mu$ and through $\sigma$. Derive $dx$ by the chain
# rule over the three paths. Simplified, it contains $d\beta$ and $d\gamma$ again:
# compute those first and $dx$ is one line.


# %%
def batch_norm_backward(dy, cache):
    """dy like x -> dx, dgamma (C,), dbeta (C,)."""
    # [ko] TODO: dx(평가 때와 학습 중이 다릅니다), dgamma, dbeta(축들에 대한 합)를
    # [ko] 반환하세요.
    # [en] TODO: return dx (different in evaluation and in training), dgamma and dbeta
    # [en] (sums over the axes).
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

# %% [markdown] lang="ko" hint="batch_norm_backward"
# <details><summary>힌트</summary>
#
# 세 길을 더해 정리하면 학습 중의 $dx$는 다음과 같습니다($\sum$은 한 채널의 값 $M$개에 대한 합).
#
# $$dx = \frac{\gamma}{\sigma} \cdot \frac{1}{M}\left(M\, dy - \sum dy - \hat{x}
# \sum dy \cdot \hat{x}\right)$$
#
# 괄호 안의 두 합이 $d\beta$와 $d\gamma$입니다. `(C,)` 모양인 합들을 `x`와 같은 차원 수의 모양으로
# 바꾸어야 브로드캐스팅이 됩니다. 캐시에 $\hat{x}$와 $1/\sigma$를 넣어 두면 다시 계산하지 않아도
# 됩니다.
#
# </details>

# %% [markdown] lang="en" hint="batch_norm_backward"
# <details><summary>Hint</summary>
#
# The three paths add up to, in training ($\sum$ over the $M$ values of a channel):
#
# $$dx = \frac{\gamma}{\sigma} \cdot \frac{1}{M}\left(M\, dy - \sum dy - \hat{x}
# \sum dy \cdot \hat{x}\right)$$
#
# The two sums are $d\beta$ and $d\gamma$. Reshape those `(C,)` sums to as many
# dimensions as `x` has, so that they broadcast. Keeping $\hat{x}$ and $1/\sigma$ in the
# cache saves computing them again.
#
# </details>

# %% [markdown] lang="ko"
# 학습 중 $dx$의 식에서 두 가지 성질이 나옵니다. 학습 중에는 채널마다 $\sum dx = 0$입니다. 한 채널의 입력을
# 모두 같은 값만큼 옮겨도 정규화하고 나면 달라지는 것이 없기 때문입니다. 또 $\sum dx \cdot \hat{x}
# \approx 0$입니다. 입력을 모두 같은 배율로 늘려도 마찬가지이기 때문인데, $\sigma$ 안의 $\epsilon$
# 때문에 정확히 0은 아니고 아주 작은 값이 됩니다.

# %% [markdown] lang="en"
# Two consequences of the training-time $dx$: per channel, $\sum dx = 0$ (shifting all of
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
    # [ko] TODO: 위 식대로 y를 계산하고 역전파에 필요한 캐시를 보관하세요(합성곱은
    # [ko] F.conv2d_forward로, 스트라이드 1, 패딩 1).
    # [en] TODO: compute y as above and keep what the backward pass needs (convolutions by
    # [en] F.conv2d_forward, stride 1, padding 1).
    ### BEGIN SOLUTION
    h, conv1 = F.conv2d_forward(x, w1, b1, 1, 1)
    a, relu1 = F.relu_forward(h)
    z, conv2 = F.conv2d_forward(a, w2, b2, 1, 1)
    y, relu2 = F.relu_forward(z + x)
    return y, (conv1, relu1, conv2, relu2)
    ### END SOLUTION


def residual_block_backward(dy, cache):
    """dy -> dx, dw1, db1, dw2, db2."""
    # [ko] TODO: dx, dw1, db1, dw2, db2를 반환하세요. 덧셈 지점에서 기울기가 어느 경로들로
    # [ko] 가는지 위의 식을 보세요.
    # [en] TODO: return dx, dw1, db1, dw2, db2; the formula above says where the gradient
    # [en] goes at the sum.
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

# %% [markdown] lang="ko" hint="residual_block_backward"
# <details><summary>힌트</summary>
#
# 순전파의 역순으로 갑니다. 먼저 마지막 ReLU의 역전파로 덧셈 지점의 기울기 $g$를 구하고, $g$를 conv2,
# ReLU, conv1의 역전파에 차례로 통과시킵니다. 덧셈은 기울기를 복사할 뿐이므로 스킵 연결 쪽으로는
# $g$가 그대로 갑니다. 두 경로가 만나는 $x$에서 둘을 더하세요.
#
# </details>

# %% [markdown] lang="en" hint="residual_block_backward"
# <details><summary>Hint</summary>
#
# Go through the forward pass backwards. The last ReLU's backward gives $g$, the gradient
# at the sum; pass $g$ back through conv2, ReLU and conv1. An addition only copies the
# gradient, so $g$ itself goes along the shortcut. Where the two paths meet, at $x$, add
# them.
#
# </details>

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

# %% [markdown] lang="ko" question="q_vgg_3x3" points=2
# **질문 1** (2점, 1강과 5강의 VGG). 잔차 블록은 3×3 합성곱을 쌓습니다. 입력과 출력 채널이 모두
# $C$일 때 3×3 합성곱 층 세 개를 쌓은 것과 7×7 합성곱 층 하나를 비교하세요. 출력 하나의 수용
# 영역(receptive field)은 각각 얼마이고, 가중치는 각각 몇 개입니까(편향 제외)? $C = 64$일 때의 수도
# 적으세요.

# %% [markdown] lang="ko" answer="q_vgg_3x3"
# ### BEGIN SOLUTION
# 3×3 층을 하나 더 쌓을 때마다 보는 영역이 2씩 넓어지므로 세 개를 쌓으면 수용 영역이 7×7로, 7×7 층
# 하나와 같습니다. 가중치는 3×3 세 개가 $3 \cdot (3^2 C^2) = 27C^2$, 7×7 하나가 $49C^2$입니다.
# $C = 64$이면 110,592개와 200,704개로, 3×3 쪽이 약 45% 적습니다. 게다가 층 사이에 ReLU가 세 번
# 들어가므로 비선형성도 더 큽니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_vgg_3x3" points=2
# **Question 1** (2 points, VGG in lectures 000 and 004). A residual block stacks 3×3
# convolutions. With $C$ input and output channels, compare three stacked 3×3 convolution
# layers with one 7×7 layer: what is the receptive field of one output in each case, and
# how many weights does each have (no biases)? Give the numbers for $C = 64$ too.

# %% [markdown] lang="en" answer="q_vgg_3x3"
# ### BEGIN SOLUTION
# Each stacked 3×3 layer widens the view by 2, so three of them see 7×7, as one 7×7
# layer does. Weights: $3 \cdot (3^2 C^2) = 27C^2$ against $49C^2$; for $C = 64$,
# 110,592 against 200,704, about 45% fewer. And three ReLUs in between add more
# nonlinearity.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_plain_deep" points=1
# **질문 2** (1점, 5강의 ResNet). 잔차 연결이 없는(plain) 56층 신경망은 20층 신경망보다 테스트
# 오차뿐 아니라 *학습* 오차도 더 큽니다. 이것이 과적합이 아닌 이유는 무엇이고, 잔차 블록은 어떻게
# 도움이 됩니까?

# %% [markdown] lang="ko" answer="q_plain_deep"
# ### BEGIN SOLUTION
# 과적합이라면 학습 오차는 작고 테스트 오차만 커야 합니다. 학습 오차부터 크다는 것은 깊은 신경망을
# 최적화하기가 어렵다는 뜻입니다. 잔차 블록은 $F(x) = 0$만 배워도 항등 함수가 되므로 층을 더해도
# 얕은 신경망보다 나빠질 이유가 없고, 스킵 연결로 기울기가 앞쪽 층까지 곧장 전달됩니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_plain_deep" points=1
# **Question 2** (1 point, ResNet in lecture 004). A 56-layer plain network has a higher
# *training* error than a 20-layer one, not only a higher test error. Why is that not
# overfitting, and how do residual blocks help?

# %% [markdown] lang="en" answer="q_plain_deep"
# ### BEGIN SOLUTION
# Overfitting would show a low training error and a high test error only. A higher
# training error means the deeper network is harder to optimise. A residual block
# becomes the identity by learning $F(x) = 0$, so extra blocks need not make the network
# worse, and the shortcuts carry the gradient straight back to the early layers.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_bn_eval" points=2
# **질문 3** (2점). 평가할 때 배치 정규화가 지금 배치의 통계량 대신 이동 통계량을 쓰는 이유는
# 무엇입니까? `(N, D)` 입력에 이미지 한 장($N = 1$)만 넣고 배치의 통계량을 쓰면 출력은 어떻게
# 됩니까?

# %% [markdown] lang="ko" answer="q_bn_eval"
# ### BEGIN SOLUTION
# 예측은 같은 배치에 어떤 다른 이미지가 들어 있는지와 상관없이 그 이미지 하나로만 정해져야 하기
# 때문입니다. $N = 1$이면 채널마다 값이 하나뿐이라 $\mu = x$, $\sigma^2 = 0$이 되어 $\hat{x} = 0$이고,
# 출력은 입력과 상관없이 늘 $\beta$입니다. 학습 중에 모아 둔 이동 통계량을 쓰면 이런 문제가 없습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_bn_eval" points=2
# **Question 3** (2 points). Why does batch normalisation use the running statistics in
# evaluation instead of the current batch's? What would a `(N, D)` input of one image
# ($N = 1$) give with the batch's statistics?

# %% [markdown] lang="en" answer="q_bn_eval"
# ### BEGIN SOLUTION
# A prediction must depend on its own image only, not on which other images share its
# batch. With $N = 1$ each channel has one value: $\mu = x$, $\sigma^2 = 0$, so
# $\hat{x} = 0$ and the output is always $\beta$, whatever the input. The running
# statistics gathered in training have neither problem.
# ### END SOLUTION
