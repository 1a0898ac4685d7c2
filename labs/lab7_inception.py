# %% [markdown] lang="ko"
# # 실습 7: 1×1 합성곱, VGG의 3×3 쌓기와 인셉션 모듈
#
# **관련 강의:** 5강(노트 004)의 VGG(7×7 하나 대신 3×3 세 개: $27C^2$ 대 $49C^2$, 활성화 함수가
# 세 번 들어가 비선형성이 늘어남, 1×1 합성곱도 같은 이유로 씀), 4강(노트 003)에서 분류용 CNN으로
# 소개한 GoogLeNet과 인셉션, 2강(노트 001)의 1×1 합성곱, 1강(노트 000)의 수용 영역(receptive
# field).
#
# 신경망을 깊게 쌓을 때 드는 비용은 직접 세어 볼 수 있습니다. 이번 실습에서는 파라미터 수와 수용 영역을
# 직접 세어 보고, 그 셈이 설계를 어떻게 바꾸었는지 확인한 다음 GoogLeNet의 인셉션 모듈(Inception
# module)을 순전파합니다.
#
# | 문항 | 배점 |
# |---|---|
# | `conv_params` | 1 |
# | `stack_params` | 1 |
# | `bottleneck_params` | 2 |
# | `receptive_field` | 2 |
# | `inception_forward` | 4 |
# | 서술형 질문 세 개(강사가 채점) | 5 |
#
# 합성곱, 최대 풀링, ReLU는 실습 2, 3에서 직접 만들었으므로 이번에는 `minicnn.functional`의
# `conv2d_forward`, `max_pool2d_forward`, `relu_forward`를 써도 됩니다. 시그니처는 실습 2, 3의
# 함수와 같습니다.

# %% [markdown] lang="en"
# # Lab 7: 1×1 convolutions, VGG's stacked 3×3 and an Inception module
#
# **Lectures practised:** 004 (VGG: three 3×3 instead of one 7×7, $27C^2$ against
# $49C^2$, three activations instead of one; 1×1 convolutions for the same reason),
# 003 (GoogLeNet and Inception among the CNNs for classification), 001 (the 1×1
# convolution), 000 (the receptive field).
#
# What a deeper network costs can be counted. In this lab you count parameters and
# receptive fields yourself, see how those counts shaped VGG and GoogLeNet, and then run
# GoogLeNet's Inception module forward.
#
# | part | points |
# |---|---|
# | `conv_params` | 1 |
# | `stack_params` | 1 |
# | `bottleneck_params` | 2 |
# | `receptive_field` | 2 |
# | `inception_forward` | 4 |
# | three written questions (graded by the instructor) | 5 |
#
# You wrote the convolution, max pooling and ReLU in labs 2 and 3, so here you may use
# `conv2d_forward`, `max_pool2d_forward` and `relu_forward` from `minicnn.functional`:
# they have the signatures of your own.

# %%
import numpy as np

from minicnn.functional import conv2d_forward, max_pool2d_forward, relu_forward
from minicnn.lab import checker

check = checker("lab7", globals())

# %% [markdown] lang="ko"
# ## 1. 합성곱 층의 파라미터 수
#
# 입력 채널이 $C_{in}$개인 특징 맵에 $k \times k$ 필터 $C_{out}$개를 적용하는 합성곱 층을 생각해
# 봅시다. 필터 하나는 입력 채널마다 $k \cdot k$개, 모두 $C_{in} \cdot k \cdot k$개의 가중치를 갖고,
# 편향(bias)을 쓰면 필터마다 하나씩 더 붙습니다(2강, 실습 1의 `conv_param_count`). 이번에는
# `bias=False`인 경우도 셉니다. VGG와 GoogLeNet을 비교할 때는 강의처럼 가중치만 세기 때문입니다.

# %% [markdown] lang="en"
# ## 1. The parameters of a convolution layer
#
# A convolution layer applies $C_{out}$ filters of $k \times k$ to a feature map of
# $C_{in}$ channels. One filter has $k \cdot k$ weights per input channel, $C_{in} \cdot k
# \cdot k$ in all, plus one bias if the layer has biases (lecture 001, and lab 1's
# `conv_param_count`). This time count `bias=False` too: comparing VGG and GoogLeNet, the
# lecture counts weights only.


# %%
def conv_params(c_in, c_out, k, bias=True):
    """The parameters of a k×k convolution from c_in to c_out channels (an int)."""
    # [ko] TODO: 필터 c_out개, 필터마다 가중치 c_in*k*k개와 (bias가 참이면) 편향 1개.
    # [en] TODO: c_out filters, each with c_in*k*k weights and (if bias) one bias.
    ### BEGIN SOLUTION
    return c_out * (c_in * k * k + (1 if bias else 0))
    ### END SOLUTION


# %%
check("conv_params")

# %% [markdown] lang="ko"
# ## 2. VGG: 7×7 하나 대신 3×3 세 개
#
# 5강에서 본 VGG는 3×3 커널만 씁니다. 3×3 합성곱을 두 번 쌓으면 출력 한 칸이 입력의 5×5를 보고,
# 세 번 쌓으면 7×7을 봅니다. 하나 쌓을 때마다 보는 범위가 2씩 넓어지므로, $n$개를 쌓으면
# $(2n+1)\times(2n+1)$ 합성곱 하나와 같은 범위를 봅니다. 채널 수가 모두 $C$일 때 가중치는
#
# $$n \cdot (3 \cdot 3 \cdot C \cdot C) \quad \text{대} \quad (2n+1)^2 \cdot C \cdot C$$
#
# 이고, 강의의 $n = 3$이면 $27C^2$ 대 $49C^2$입니다. `stack_params(c, n)`이 이 두 수를 (쌓은 쪽,
# 하나짜리) 순서로 돌려주게 하세요. 편향은 세지 않습니다. 위에서 만든 `conv_params`를 다시 써도
# 됩니다.

# %% [markdown] lang="en"
# ## 2. VGG: three 3×3 instead of one 7×7
#
# VGG (lecture 004) uses 3×3 kernels only. Two stacked 3×3 convolutions let one output
# value see 5×5 of the input, three see 7×7: each one widens the view by 2, so $n$ of
# them see as far as a single $(2n+1)\times(2n+1)$ convolution. With $C$ channels
# throughout, their weights are
#
# $$n \cdot (3 \cdot 3 \cdot C \cdot C) \quad \text{against} \quad (2n+1)^2 \cdot C \cdot C,$$
#
# for the lecture's $n = 3$, $27C^2$ against $49C^2$. Make `stack_params(c, n)` return the
# two numbers, (stack, single), without biases. You may reuse your `conv_params`.


# %%
def stack_params(c, n):
    """(weights of n stacked 3×3 convs C→C, weights of one (2n+1)×(2n+1) conv C→C)."""
    # [ko] TODO: 두 값을 튜플로: n * (3x3 합성곱 하나), (2n+1)x(2n+1) 합성곱 하나. bias=False.
    # [en] TODO: a tuple of two: n * (one 3x3 conv), one (2n+1)x(2n+1) conv; bias=False.
    ### BEGIN SOLUTION
    return n * conv_params(c, c, 3, bias=False), conv_params(c, c, 2 * n + 1, bias=False)
    ### END SOLUTION


# %%
check("stack_params")

# %% [markdown] lang="ko"
# 채널 수와 상관없이 비율은 $9n / (2n+1)^2$로 정해집니다. 깊이 쌓을수록 절약되는 몫이 커집니다.

# %% [markdown] lang="en"
# Whatever the channels, the ratio is $9n / (2n+1)^2$: the deeper the stack, the larger
# the saving.

# %%
for n in (1, 2, 3, 4, 5):
    stack, single = stack_params(64, n)
    print(
        f"n={n}: {2 * n + 1}x{2 * n + 1}  stack {stack:>9,}  single {single:>9,}  "
        f"ratio {stack / single:.2f}"
    )

# %% [markdown] lang="ko" question="q_vgg" points=2
# **질문 1.** 3×3 세 개를 쌓은 층과 7×7 하나는 같은 7×7 범위를 봅니다. 파라미터가 적다는 것
# 말고, 3×3을 쌓으면 무엇이 더 좋아지나요? 대신 치르는 비용은 무엇인가요? 5강의 설명을 근거로 두세
# 문장으로 답하세요.

# %% [markdown] lang="ko" answer="q_vgg"
# ### BEGIN SOLUTION
# 층마다 ReLU가 하나씩 붙으므로 활성화 함수가 한 번이 아니라 세 번 들어가서 비선형성이 늘어나고, 같은
# 범위를 보면서도 더 복잡한 함수를 표현할 수 있습니다(5강). 파라미터가 $49C^2$에서 $27C^2$로 줄어든
# 것은 7×7 필터를 3×3 세 개로 분해하도록 강제한 셈이라 규제(regularization) 효과도 있습니다. 대신 층이
# 세 개가 되므로 역전파에 쓸 중간 특징 맵을 세 개 저장해야 해서 메모리가 더 들고, 세 층을 차례로
# 계산해야 하며, 층이 깊어지는 만큼 학습이 어려워질 수 있습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_vgg" points=2
# **Question 1.** Three stacked 3×3 layers and one 7×7 see the same 7×7 window. Besides
# having fewer parameters, what does the stack gain? What does it cost instead? Answer
# in two or three sentences, from lecture 004.

# %% [markdown] lang="en" answer="q_vgg"
# ### BEGIN SOLUTION
# Each layer has its own ReLU, so the stack applies three non-linearities instead of one
# and can express a more complex function of the same window (lecture 004). With
# $27C^2$ instead of $49C^2$ weights it is also a constrained version of the 7×7 filter
# (a 7×7 forced to factor into three 3×3), which regularises. The cost: three layers
# mean three intermediate feature maps kept in memory for backpropagation, three
# convolutions computed one after the other, and a deeper network to optimise.
# ### END SOLUTION

# %% [markdown] lang="ko"
# ## 3. 쌓은 층의 수용 영역
#
# 출력의 한 값이 입력에서 보는 범위를 수용 영역(receptive field)이라고 합니다. 3×3을 쌓을 때 2씩
# 늘어난 것은 스트라이드가 1이었기 때문입니다. 스트라이드 $s$인 층을 지나면 이웃한 값이 입력에서 $s$
# 픽셀씩 떨어지므로, 그 뒤의 층은 커널 한 칸을 더 볼 때마다 입력에서 더 멀리 봅니다. 이 간격을
# 점프(jump) $j$라고 하면, 입력에서 $r = 1$, $j = 1$로 시작해 층마다
#
# $$r \leftarrow r + (k - 1) \cdot j, \qquad j \leftarrow j \cdot s$$
#
# 로 갱신합니다(순서가 중요합니다). 풀링 층도 윈도우 크기 $k$와 스트라이드 $s$로 똑같이 셉니다.
# 예를 들어 LeNet-5의 앞부분(5×5 합성곱, 2×2 풀링, 5×5 합성곱, 2×2 풀링)의 수용 영역은 16입니다.
# `receptive_field(kernels, strides)`는 정사각형 윈도우의 크기와 스트라이드를 층 순서대로 받아 마지막
# 층의 수용 영역을 돌려줍니다. 패딩은 윈도우가 시작하는 위치만 옮기고 폭은 바꾸지 않으므로 세지
# 않습니다.

# %% [markdown] lang="en"
# ## 3. The receptive field of a stack
#
# The receptive field of an output value is the part of the input it sees. Stacked 3×3
# convolutions widened it by 2 each because their stride was 1. After a layer with
# stride $s$, neighbouring values sit $s$ input pixels apart, so each further tap of a
# later kernel reaches further into the input. Call that distance the jump $j$: starting
# from $r = 1$, $j = 1$ at the input, each layer does
#
# $$r \leftarrow r + (k - 1) \cdot j, \qquad j \leftarrow j \cdot s$$
#
# (in that order). A pooling layer counts the same way, with its window $k$ and stride
# $s$. LeNet-5's trunk (5×5 conv, 2×2 pool, 5×5 conv, 2×2 pool), for instance, has a
# receptive field of 16. `receptive_field(kernels, strides)` takes the square windows'
# sizes and strides layer by layer and returns the last layer's receptive field. Padding
# moves where the windows start, not how wide they are: it does not count.


# %%
def receptive_field(kernels, strides):
    """The receptive field (in input pixels) after layers of k×k windows with strides s."""
    # [ko] TODO: r, j = 1, 1에서 시작해 층마다 r += (k - 1) * j, 그다음 j *= s.
    # [en] TODO: from r, j = 1, 1, for each layer r += (k - 1) * j, then j *= s.
    ### BEGIN SOLUTION
    r, j = 1, 1
    for k, s in zip(kernels, strides, strict=True):
        r += (k - 1) * j
        j *= s
    return r
    ### END SOLUTION


# %%
check("receptive_field")

# %% [markdown] lang="ko" hint="receptive_field"
# <details><summary>힌트</summary>
#
# 손으로 LeNet-5의 앞부분을 따라가 보세요. 5×5 합성곱을 지나면 $r = 5$, $j = 1$이고, 스트라이드
# 2인 2×2 풀링을 지나면 $r = 5 + 1 \cdot 1 = 6$, $j = 2$입니다. 다음 5×5 합성곱의 이웃한 두 칸은
# 입력에서 2픽셀 떨어져 있으므로 $r = 6 + 4 \cdot 2 = 14$가 됩니다. 스트라이드를 곱하기 *전의*
# $j$로 $r$을 늘리는 것이 요점입니다. 층의 스트라이드는 자기 윈도우가 아니라 그다음 층의 간격을
# 바꿉니다.
#
# </details>

# %% [markdown] lang="en" hint="receptive_field"
# <details><summary>Hint</summary>
#
# Follow LeNet-5's trunk by hand. After the 5×5 conv, $r = 5$ and $j = 1$; after the 2×2
# pool (stride 2), $r = 5 + 1 \cdot 1 = 6$ and $j = 2$. Two neighbouring taps of the next
# 5×5 conv are 2 input pixels apart, so $r = 6 + 4 \cdot 2 = 14$. The point: widen $r$
# with the $j$ from *before* multiplying by the stride. A layer's stride spaces out the
# next layer's taps, not its own.
#
# </details>

# %% [markdown] lang="ko"
# ## 4. 1×1 합성곱으로 만든 병목(bottleneck)
#
# 2강에서 1×1 합성곱은 "부피(volume)를 줄이는 데 쓴다"고 했습니다. 1×1 필터는 픽셀 하나의 모든
# 채널을 보므로, 픽셀마다 같은 완전 연결 층을 채널 벡터에 적용하는 것과 같습니다. 높이와 너비는 그대로
# 두고 채널 수만 바꿉니다. GoogLeNet은 비싼 $k \times k$ 합성곱 앞에 1×1 합성곱을 두어 채널을
# $C_{in}$개에서 $r$개로 먼저 줄입니다.
#
# $$\text{직접: } C_{in} \cdot C_{out} \cdot k^2 \qquad \text{병목: } C_{in} \cdot r + r \cdot
# C_{out} \cdot k^2$$
#
# `bottleneck_params(c_in, r, c_out, k)`가 이 두 가중치 수를 (직접, 병목) 순서로 돌려주게 하세요.
# 편향은 세지 않습니다. 인셉션 (3a)의 5×5 가지는 $C_{in} = 192$, $r = 16$, $C_{out} = 32$로
# 153,600개 대신 15,872개를 씁니다.

# %% [markdown] lang="en"
# ## 4. A bottleneck made of a 1×1 convolution
#
# Lecture 001: the 1×1 convolution is "used to reduce the volume". A 1×1 filter sees one
# pixel and all its channels: the same fully connected layer applied to every pixel's
# channel vector. Height and width stay; only the channels change. GoogLeNet puts a 1×1
# convolution before each expensive $k \times k$ one, to bring the $C_{in}$ channels down
# to $r$ first:
#
# $$\text{direct: } C_{in} \cdot C_{out} \cdot k^2 \qquad \text{bottleneck: } C_{in} \cdot r
# + r \cdot C_{out} \cdot k^2$$
#
# Make `bottleneck_params(c_in, r, c_out, k)` return the two weight counts, (direct,
# bottleneck), without biases. Inception (3a)'s 5×5 branch, $C_{in} = 192$, $r = 16$,
# $C_{out} = 32$, uses 15,872 instead of 153,600.


# %%
def bottleneck_params(c_in, r, c_out, k):
    """(weights of a k×k conv c_in→c_out, weights of 1×1 c_in→r then k×k r→c_out)."""
    # [ko] TODO: 두 값을 튜플로. 병목 쪽은 1×1 합성곱과 k×k 합성곱의 가중치를 더합니다.
    # [en] TODO: a tuple of two; the bottleneck adds the 1x1 conv's and the kxk conv's weights.
    ### BEGIN SOLUTION
    direct = conv_params(c_in, c_out, k, bias=False)
    return direct, conv_params(c_in, r, 1, bias=False) + conv_params(r, c_out, k, bias=False)
    ### END SOLUTION


# %%
check("bottleneck_params")

# %% [markdown] lang="ko" question="q_1x1" points=2
# **질문 2.** 1×1 합성곱은 픽셀 하나만 봅니다. 그런데도 쓸모가 있는 이유는 무엇인가요? 인셉션 (3a)의
# 5×5 가지(출력 28×28)에서 1×1 축소(reduce) 합성곱이 곱셈-덧셈(multiply-add) 횟수를 얼마나 줄이는지
# 계산해서 함께 답하세요. 가중치 하나는 출력 픽셀마다 한 번씩 곱해집니다.

# %% [markdown] lang="ko" answer="q_1x1"
# ### BEGIN SOLUTION
# 1×1 합성곱은 공간 방향으로는 아무것도 섞지 않지만, 픽셀마다 채널들을 가중합해서 섞습니다. 픽셀마다
# 같은 완전 연결 층을 적용하는 셈이라 채널 수를 마음대로 줄이거나 늘릴 수 있고, 뒤에 ReLU를 붙이면
# 비선형성도 거의 공짜로 더해집니다. (3a)의 5×5 가지에서 직접 계산하면 가중치 153,600개 × 출력 픽셀
# 784개 = 약 1억 2천만(120,422,400) 번, 192채널을 16채널로 먼저 줄이면 15,872 × 784 = 약
# 1천2백만(12,443,648) 번이므로 약 10분의 1로 줄어듭니다. 5×5 필터가 192채널 대신 16채널만 읽기
# 때문입니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_1x1" points=2
# **Question 2.** A 1×1 convolution sees a single pixel. Why is it useful all the same?
# Answer with the number of multiply-adds the 1×1 reduce saves in inception (3a)'s 5×5
# branch (output 28×28): each weight is used once per output pixel.

# %% [markdown] lang="en" answer="q_1x1"
# ### BEGIN SOLUTION
# It mixes nothing across space but mixes the channels: a weighted sum of the channels
# at every pixel, the same fully connected layer applied to each pixel. So it can shrink
# (or grow) the number of channels at will, and a ReLU after it adds a non-linearity
# almost for free. In (3a)'s 5×5 branch the direct convolution costs 153,600 weights ×
# 784 output pixels = 120,422,400 multiply-adds; reducing 192 channels to 16 first costs
# 15,872 × 784 = 12,443,648, about a tenth, because the 5×5 filters then read 16
# channels instead of 192.
# ### END SOLUTION

# %% [markdown] lang="ko"
# ## 5. 인셉션 모듈의 순전파
#
# 인셉션 모듈은 같은 입력 $x$ (N, C, H, W)에 네 가지(branch)를 나란히 적용하고, 네 출력을 채널 축으로
# 이어 붙입니다(concatenate).
#
# | 가지 | 층 (합성곱마다 뒤에 ReLU) | 파라미터 |
# |---|---|---|
# | 1×1 | 1×1 합성곱 | `w1`, `b1` |
# | 3×3 | 1×1 축소 → 3×3 합성곱(패딩 1) | `w3r`, `b3r`, `w3`, `b3` |
# | 5×5 | 1×1 축소 → 5×5 합성곱(패딩 2) | `w5r`, `b5r`, `w5`, `b5` |
# | 풀링 | 3×3 최대 풀링(스트라이드 1, 패딩 1) → 1×1 합성곱(pool proj) | `wp`, `bp` |
#
# 네 가지를 이어 붙이려면 모두 입력의 높이와 너비를 유지해야 합니다. 그래서 $k \times k$ 합성곱은
# 패딩 $k // 2$를, 최대 풀링은 스트라이드 1과 패딩 1을 씁니다. 출력은 이 순서(1×1, 3×3, 5×5,
# 풀링)대로 채널 축(축 1)으로 이어 붙인 (N, c1 + c3 + c5 + pp, H, W)입니다. PyTorch로 쓰면
# `torch.cat([...], dim=1)`이고, NumPy에서는 `np.concatenate([...], axis=1)`입니다. `params`는 위
# 표의 이름을 키로 갖는 dict이고, 가중치의 모양은 (출력 채널, 입력 채널, k, k)입니다. minicnn의
# `mc.zoo.inception`과 달리 배치 정규화는 쓰지 않습니다.

# %% [markdown] lang="en"
# ## 5. The Inception module, forward
#
# An Inception module applies four branches side by side to the same input $x$ (N, C, H,
# W) and concatenates their outputs along the channels:
#
# | branch | layers (each convolution followed by a ReLU) | parameters |
# |---|---|---|
# | 1×1 | 1×1 conv | `w1`, `b1` |
# | 3×3 | 1×1 reduce → 3×3 conv (padding 1) | `w3r`, `b3r`, `w3`, `b3` |
# | 5×5 | 1×1 reduce → 5×5 conv (padding 2) | `w5r`, `b5r`, `w5`, `b5` |
# | pool | 3×3 max pool (stride 1, padding 1) → 1×1 conv (pool proj) | `wp`, `bp` |
#
# To be concatenated, every branch must keep the input's height and width: padding
# $k // 2$ for a $k \times k$ convolution, stride 1 and padding 1 for the max pooling. The
# output is the four branches in this order (1×1, 3×3, 5×5, pool) side by side along
# the channels (axis 1), (N, c1 + c3 + c5 + pp, H, W): `torch.cat([...], dim=1)` in
# PyTorch, `np.concatenate([...], axis=1)` in NumPy. `params` is a dict with the names of
# the table; the weights are (out channels, in channels, k, k). Unlike minicnn's
# `mc.zoo.inception` there is no batch normalisation.


# %%
def inception_forward(x, params):
    """x (N, C, H, W) -> y (N, c1 + c3 + c5 + pp, H, W): the four branches concatenated."""

    # [ko] TODO: 네 가지를 계산하고(합성곱마다 뒤에 ReLU, 패딩 k // 2), 풀링 가지는
    # [ko] max_pool2d_forward(x, 3, 1, 1)로 시작; np.concatenate(..., axis=1).
    # [en] TODO: the four branches (a ReLU after every conv, padding k // 2); the pool branch
    # [en] starts with max_pool2d_forward(x, 3, 1, 1); np.concatenate(..., axis=1).
    ### BEGIN SOLUTION
    def conv_relu(h, name):
        w = params["w" + name]
        y, _ = conv2d_forward(h, w, params["b" + name], 1, w.shape[2] // 2)
        return relu_forward(y)[0]

    pooled, _ = max_pool2d_forward(x, 3, 1, 1)
    branches = [
        conv_relu(x, "1"),
        conv_relu(conv_relu(x, "3r"), "3"),
        conv_relu(conv_relu(x, "5r"), "5"),
        conv_relu(pooled, "p"),
    ]
    return np.concatenate(branches, axis=1)
    ### END SOLUTION


# %%
check("inception_forward")

# %% [markdown] lang="ko" hint="inception_forward"
# <details><summary>힌트</summary>
#
# 합성곱 뒤에 ReLU를 붙이는 작은 함수 `conv_relu(h, name)`를 안에 하나 만들면 네 가지가 각각 한 줄이
# 됩니다. `conv2d_forward(h, w, b, stride, padding)`과 `relu_forward(y)`는 둘 다 (출력, 캐시)를
# 돌려주므로 `[0]`으로 출력만 꺼내세요. 1×1 축소 합성곱 뒤에도 ReLU가 있습니다. 모양이 틀렸다는 진단이
# 나오면 가지마다 `.shape`를 찍어서 높이와 너비가 입력과 같은지 확인하세요.
#
# </details>

# %% [markdown] lang="en" hint="inception_forward"
# <details><summary>Hint</summary>
#
# A small inner function `conv_relu(h, name)`, a convolution followed by a ReLU, makes
# each branch one line. `conv2d_forward(h, w, b, stride, padding)` and `relu_forward(y)`
# both return (output, cache): take `[0]`. The 1×1 reduce convolutions have their ReLU
# too. If the diagnostic says the shape is wrong, print each branch's `.shape` and check
# that it keeps the input's height and width.
#
# </details>

# %% [markdown] lang="ko"
# GoogLeNet의 인셉션 (3a)와 같은 크기로 돌려 보겠습니다. 입력은 192채널 28×28이고 출력은
# 64 + 128 + 32 + 32 = 256채널입니다.

# %% [markdown] lang="en"
# The size of GoogLeNet's inception (3a): 192 channels of 28×28 in, 64 + 128 + 32 + 32 =
# 256 channels out.

# %%
rng = np.random.default_rng(0)
widths = {
    "1": (192, 64, 1),
    "3r": (192, 96, 1),
    "3": (96, 128, 3),
    "5r": (192, 16, 1),
    "5": (16, 32, 5),
    "p": (192, 32, 1),
}
params = {}
for name, (c_in, c_out, k) in widths.items():
    params["w" + name] = rng.standard_normal((c_out, c_in, k, k)) * np.sqrt(2 / (c_in * k * k))
    params["b" + name] = np.zeros(c_out)
y = inception_forward(rng.standard_normal((1, 192, 28, 28)), params)
weights = sum(conv_params(c_in, c_out, k, bias=False) for c_in, c_out, k in widths.values())
print("output:", y.shape, f" weights: {weights:,}")

# %% [markdown] lang="ko" question="q_pool_proj" points=1
# **질문 3.** 풀링 가지에는 최대 풀링 뒤에 1×1 합성곱(pool proj)이 있습니다. 이 1×1 합성곱을 빼고
# 최대 풀링의 출력을 그대로 이어 붙이면 (3a)의 출력은 몇 채널이 되나요? 모듈을 아홉 개 쌓을 때 이것이
# 왜 문제가 되는지 한두 문장으로 설명하세요.

# %% [markdown] lang="ko" answer="q_pool_proj"
# ### BEGIN SOLUTION
# 최대 풀링은 채널 수를 바꾸지 않으므로 풀링 가지가 입력의 192채널을 그대로 내보내서, 출력은
# 64 + 128 + 32 + 192 = 416채널이 됩니다(pool proj가 있으면 256채널). 모듈마다 입력 채널이 전부 출력에
# 더해지므로 모듈을 쌓을수록 채널 수가 계속 불어나고, 다음 모듈의 합성곱들이 읽어야 할 채널과
# 파라미터, 계산량도 함께 커집니다. 1×1 합성곱이 풀링 가지의 채널을 32개로 줄여 이를 막습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_pool_proj" points=1
# **Question 3.** The pool branch has a 1×1 convolution (pool proj) after its max
# pooling. Without it, concatenating the max pooling's output as it is, how many
# channels would (3a) put out? Why is that a problem once nine modules are stacked? One
# or two sentences.

# %% [markdown] lang="en" answer="q_pool_proj"
# ### BEGIN SOLUTION
# Max pooling keeps the number of channels, so the pool branch would pass all 192 input
# channels through: 64 + 128 + 32 + 192 = 416 channels instead of 256. Every module would
# then add all of its input channels to its output, so the channels would keep growing
# from module to module, and with them the channels, parameters and multiply-adds of
# every convolution downstream; the 1×1 projection caps the pool branch at 32.
# ### END SOLUTION
