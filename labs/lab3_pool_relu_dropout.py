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

# %% [markdown] lang="ko"
# ## 5. 실험: 드롭아웃을 켜고 끄기
#
# 채점은 앞에서 끝났습니다. 방금 만든 `dropout_forward`와 `dropout_backward`를 minicnn의 층
# (`mc.Layer`)으로 감싸서 실제 신경망에 넣고, 드롭아웃이 과적합을 어떻게 바꾸는지 봅니다. 합성곱 층은
# 아직 쓰지 않고 완전 연결 층만으로 된 작은 신경망을 씁니다. 펼치기 → 완전 연결 층 1,024 → ReLU →
# [드롭아웃 $p = 0.5$] → 완전 연결 층 10입니다. 드롭아웃 자리는 5강(노트 004)의 AlexNet처럼 완전 연결
# 층 사이입니다.
#
# 과적합이 잘 보이도록 학습용 숫자를 500개만 쓰고, 20 에폭을 학습합니다(배치 32, 학습률 0.1의 SGD).
# 검증(validation)에는 학습에 쓰지 않은 숫자 1,000개를 씁니다. 그림은 에폭마다의 학습 손실과 검증
# 손실입니다. 학습 손실은 드롭아웃을 켠 채로, 검증 손실은 `model.eval()`로 드롭아웃을 끈 채로 잽니다.
# 2코어 노트북 컴퓨터에서 10초 남짓 걸립니다.

# %% [markdown] lang="en"
# ## 5. Experiment: dropout on and off
#
# Grading is over. Wrap your `dropout_forward` and `dropout_backward` in a minicnn layer
# (`mc.Layer`), put it in a real network and watch what it does to overfitting. No
# convolutions yet, only fully connected layers: flatten → linear 1,024 → ReLU →
# [dropout, $p = 0.5$] → linear 10, with the dropout between the fully connected layers
# as in AlexNet (lecture 004).
#
# To make overfitting easy to see, it trains on 500 digits only, for 20 epochs (batches
# of 32, SGD at learning rate 0.1), and validates on 1,000 digits it never trains on.
# The figure shows the training and the validation loss of every epoch: the training
# loss with dropout on, the validation loss with dropout off (`model.eval()`). About ten
# seconds on a 2-core laptop.

# %% tags=["skip-grading"]
import minicnn as mc  # noqa: E402 - the experiment only: the graded code does not use it
from minicnn.lab.figures import plot_curves  # noqa: E402


class MyDropout(mc.Layer):
    """Your dropout_forward / dropout_backward as a layer of a minicnn network."""

    def __init__(self, p, seed=0):
        self.p, self.rng = p, np.random.default_rng(seed)

    def forward(self, x):
        y, self.mask = dropout_forward(x, self.p, self.training, self.rng)
        return y

    def backward(self, dy):
        return dropout_backward(dy, self.mask)


x_few, y_few = mc.data.MNISTSample("train").arrays()
x_val, y_val = mc.data.MNISTSample("test").arrays()
x_few, y_few = x_few[:500], y_few[:500]
dropout_curves = {}
for p, title in ((0.0, "without dropout"), (0.5, "with dropout")):
    mc.manual_seed(0)  # the same starting weights in both runs
    net = mc.Sequential(
        mc.Flatten(), mc.Linear(784, 1024), mc.ReLU(), MyDropout(p), mc.Linear(1024, 10)
    )
    history = mc.fit(
        net,
        mc.SoftmaxCrossEntropy(),
        mc.SGD(net.parameters(), lr=0.1),
        mc.data.DataLoader(x_few, y_few, batch_size=32, shuffle=True, seed=0),
        mc.data.DataLoader(x_val, y_val, batch_size=500),
        epochs=20,
        verbose=0,
    )
    dropout_curves[title] = {"train": history.train_loss, "validation": history.val_loss}
    print(
        f"{title:16s} training loss {history.train_loss[-1]:.3f}, validation loss "
        f"{history.val_loss[-1]:.3f}; accuracy: training {history.train_acc[-1]:.1%}, "
        f"validation {history.val_acc[-1]:.1%}"
    )
plot_curves(dropout_curves, "epoch", "loss", lang=check.lang)

# %% [markdown] lang="ko" question="q_dropout_gap" points=2
# **질문 1.** 드롭아웃이 없을 때와 있을 때, 마지막 에폭의 학습 손실과 검증 손실의 차이를 비교하세요.
# 드롭아웃을 켜면 학습 손실이 더 높게 남는 까닭은 무엇인가요? 이 실험에서 검증 손실은 거의 같았는데,
# 드롭아웃이 검증 성능을 눈에 띄게 올리는 것은 어떤 경우일지 5강(노트 004)의 AlexNet을 떠올리며
# 쓰세요.

# %% [markdown] lang="ko" answer="q_dropout_gap"
# ### BEGIN SOLUTION
# 드롭아웃이 없으면 학습 손실은 0.05 근처까지 내려가고 학습 정확도는 100%가 되지만 검증 손실은 0.45에
# 머물러서, 둘의 차이가 큽니다. 신경망이 500장을 외운 것입니다(과적합). 드롭아웃을 켜면 학습 손실이
# 0.09 정도로 더 높게 남아서 차이가 줄어듭니다. 학습할 때는 단계마다 은닉 유닛의 절반을 무작위로 끄기
# 때문에, 특정 유닛 몇 개에 기대어 학습 이미지를 외우기 어렵고, 학습 손실도 드롭아웃을 켠 채로 재기
# 때문입니다. 검증 손실이 거의 같은 것은 이 신경망이 작고 학습도 짧아서, 드롭아웃 없이도 검증 손실이
# 아직 크게 나빠지지 않았기 때문입니다. 드롭아웃은 파라미터가 데이터에 비해 아주 많고 오래 학습해서
# 과적합이 심한 경우에 효과가 큽니다. AlexNet은 파라미터 대부분이 들어 있는 4,096 유닛짜리 완전 연결
# 층에 드롭아웃을 넣어 과적합을 줄였습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_dropout_gap" points=2
# **Question 1.** Compare the gap between the last epoch's training and validation
# loss without and with dropout. Why does the training loss stay higher with dropout?
# In this experiment the validation loss came out about the same: when does dropout
# improve the validation performance clearly? Think of AlexNet in lecture 004.

# %% [markdown] lang="en" answer="q_dropout_gap"
# ### BEGIN SOLUTION
# Without dropout the training loss falls to about 0.05 and the training accuracy to
# 100%, while the validation loss stays at 0.45: a wide gap, the network has learnt the
# 500 images by heart (overfitting). With dropout the training loss stays higher, about
# 0.09, and the gap narrows: every training step switches off a random half of the
# hidden units, so the network cannot lean on a few units to memorise the images, and
# the training loss is measured with dropout on. The validation loss is about the same
# because this network is small and trained briefly: even without dropout its
# validation loss has not got much worse yet. Dropout pays off when there are far more
# parameters than the data can pin down and training runs long, as in AlexNet, which
# put it in its 4,096-unit fully connected layers, where most of its parameters are.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_dropout_scale" points=1
# **질문 2.** `dropout_forward`에서 $1/(1-p)$를 곱하지 않고 마스크만 곱하면, 학습을 마친 신경망을
# 테스트할 때(드롭아웃을 끈 채로) 무엇이 어긋나나요? 그대로 쓰려면 테스트 때 무엇을 해야 할까요?

# %% [markdown] lang="ko" answer="q_dropout_scale"
# ### BEGIN SOLUTION
# 학습할 때 다음 층이 받는 입력의 기댓값은 $(1-p)x$인데, 테스트할 때는 드롭아웃이 꺼져서 $x$를 그대로
# 받습니다. $p = 0.5$이면 다음 층은 학습 때보다 평균 두 배 큰 입력을 받게 되어, 점수의 크기와 편향의
# 균형이 학습 때와 달라지고 뒤따르는 층의 활성값도 모두 어긋납니다. 이를 바로잡으려면 테스트할 때
# 출력에 $1-p$를 곱해야 합니다. 원래의 드롭아웃과 AlexNet이 이렇게 했습니다(출력에 0.5를 곱함). 역
# 드롭아웃은 이 배율을 학습 쪽으로 옮겨서, 테스트할 때는 아무것도 하지 않아도 되게 한 것입니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_dropout_scale" points=1
# **Question 2.** If `dropout_forward` multiplied by the mask only, without the $1/(1-p)$,
# what would be off when the trained network is tested (with dropout off)? What would
# the test have to do instead?

# %% [markdown] lang="en" answer="q_dropout_scale"
# ### BEGIN SOLUTION
# In training the next layer's input is $(1-p)x$ on average; at test time dropout is off
# and it gets $x$. With $p = 0.5$ the next layer sees inputs twice as large as those it
# was trained on: the scores' scale and their balance with the biases change, and every
# later layer's activations are off too. The fix is to multiply the outputs by $1-p$ at
# test time, as the original dropout and AlexNet did (outputs times 0.5). Inverted
# dropout moves that factor into training, so that the test needs nothing.
# ### END SOLUTION
