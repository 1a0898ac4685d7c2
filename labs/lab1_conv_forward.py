# %% [markdown] lang="ko"
# # 실습 1: 합성곱 순전파를 손으로 구현하기
#
# **관련 강의:** 2강(노트 001)의 합성곱 층(convolution layer), 스트라이드(stride), 제로
# 패딩(zero-padding), 출력 크기 공식, 층별 파라미터 수. 1강(노트 000)의 수직 엣지 검출기와
# 3강(노트 002)에서 센 Keras 층의 파라미터 수 `1·3·3·32 + 32 = 320`도 직접 다시 계산해 봅니다.
#
# 이번 실습에서는 반복문과 NumPy만 써서 아래 네 함수를 직접 작성합니다.
#
# | 문항 | 배점 |
# |---|---|
# | `conv_output_size` | 2 |
# | `conv_param_count` | 1 |
# | `zero_pad` | 1 |
# | `conv2d_naive` | 6 |
#
# 각 함수의 `NotImplementedError` 줄을 지우고 그 자리에 코드를 채우세요. 함수 하나를 끝낼 때마다
# 바로 아래의 **확인 셀**(check cell)을 실행합니다. 확인 셀은 무작위 입력 여러 개로 작성한 함수와
# minicnn의 구현을 비교해서, 틀린 곳이 있으면 무엇이 틀렸는지 알려 줍니다. 채점도 같은 검사로
# 합니다.
#
# **표기법(notation).** 강의에서는 볼륨(volume)을 $W \times H \times D$(너비, 높이, 깊이)로
# 적습니다. minicnn은 PyTorch처럼 이미지의 배치(batch)를 `(N, C, H, W)` 모양의 배열 `x`에 담습니다.
# 차례대로 배치, 채널(= 깊이), 높이, 너비입니다. 한 층의 필터 $K$개는 `(K, C, kh, kw)` 모양의 `w`에
# 들어 있고, 필터 $k$는 입력 채널마다 $F \times F$ 조각을 하나씩 가집니다. 행과 열의 번호는
# 강의에서는 1부터($y_{11}$), NumPy에서는 0부터(`y[0, 0]`) 셉니다.

# %% [markdown] lang="en"
# # Lab 1: convolution forward, by hand
#
# **Lectures practised:** 001 (convolution layer, stride, zero-padding, the output-size
# formula, parameters per layer), 000 (the vertical edge detector), 002 (the Keras
# parameter count `1·3·3·32 + 32 = 320`).
#
# You will write, with plain loops and NumPy:
#
# | part | points |
# |---|---|
# | `conv_output_size` | 2 |
# | `conv_param_count` | 1 |
# | `zero_pad` | 1 |
# | `conv2d_naive` | 6 |
#
# Write your code between the lines where a function raises `NotImplementedError`
# (delete that `raise`). After each function, run its **check cell**: it tests your
# function on several random inputs against minicnn's own implementation and tells you
# what is wrong. The grader uses exactly the same checks.
#
# **Notation.** The lecture writes a volume as $W \times H \times D$ (width, height,
# depth). minicnn, like PyTorch, stores a batch of images as `x` of shape `(N, C, H, W)`
# (batch, channels = depth, height, width) and the $K$ filters of a layer as `w` of
# shape `(K, C, kh, kw)`: filter $k$ has one $F \times F$ slice per input channel.
# The lecture counts rows and columns from 1 ($y_{11}$); NumPy counts from 0 (`y[0, 0]`).

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab1", globals())

# %% [markdown] lang="ko"
# ## 1. 출력 크기는 얼마인가?
#
# 크기가 $F$인 필터가 크기가 $N$인 입력 위를 $S$칸씩(스트라이드) 옮겨 갑니다. 입력 둘레에는 미리
# 0으로 된 행과 열을 $P$줄씩 채워 둡니다(패딩). 2강에서 배운 출력 크기 공식은 다음과 같습니다.
#
# $$\text{출력 크기} = \frac{N - F + 2P}{S} + 1$$
#
# $N = 7$, $F = 3$이면 스트라이드 1일 때 5, 스트라이드 2일 때 3입니다. 스트라이드 3이면 $2.33$이
# 나오는데, 필터가 입력에 딱 맞게 놓이지 않는다는 뜻입니다. 이때는 `ValueError`를 발생시키세요.
# minicnn의 층은 PyTorch처럼 소수점 아래를 버리지만, 이 문항의 목적은 맞지 않는 경우를 알아차리는 데
# 있습니다.

# %% [markdown] lang="en"
# ## 1. How big is the output?
#
# A filter of size $F$ slides over an input of size $N$ in steps of $S$ (the stride),
# after $P$ rows/columns of zeros were added on each side (the padding). Lecture 001:
#
# $$\text{output size} = \frac{N - F + 2P}{S} + 1$$
#
# For $N = 7$, $F = 3$: stride 1 gives 5, stride 2 gives 3, and stride 3 gives
# $2.33$ — "doesn't fit". Your function must raise `ValueError` in that case
# (minicnn's layers would round down, as PyTorch does, but here we want to notice).


# %%
def conv_output_size(n, f, stride=1, padding=0):
    """Output length along one axis: (n - f + 2p) / s + 1; ValueError if not whole."""
    # [ko] TODO: (n - f + 2*padding) / stride + 1을 계산해 int로 반환하세요.
    # [ko] 나누어떨어지지 않거나 윈도우가 들어가지 않으면 ValueError를 발생시키세요.
    # [en] TODO: compute (n - f + 2*padding) / stride + 1 and return it as an int;
    # [en] raise ValueError when the division is not exact or the window does not fit.
    ### BEGIN SOLUTION
    span = n - f + 2 * padding
    if span < 0 or span % stride:
        raise ValueError(f"({n} - {f} + 2*{padding})/{stride} + 1 is not a whole number")
    return span // stride + 1
    ### END SOLUTION


# %%
check("conv_output_size")

# %% [markdown] lang="ko"
# 강의의 표를 다시 계산해 보고, 32×32×3 입력에 5×5 필터 10개를 스트라이드 1, 패딩 2로 적용한 경우도
# 확인해 봅시다.

# %% [markdown] lang="en"
# The lecture's table, and the 32×32×3 input with ten 5×5 filters, stride 1, pad 2:

# %%
for s in (1, 2, 3):
    try:
        print(f"N=7, F=3, stride {s}: {conv_output_size(7, 3, s)}")
    except ValueError as err:
        print(f"N=7, F=3, stride {s}: doesn't fit ({err})")
print("32x32x3, 5x5 filters, stride 1, pad 2 ->", conv_output_size(32, 5, 1, 2))

# %% [markdown] lang="ko"
# ## 2. 파라미터는 몇 개인가?
#
# 필터 하나에는 가중치(weight) $F \cdot F \cdot D_1$개와 편향(bias) 1개가 있고, 한 층에는 이런
# 필터가 $K$개 있습니다(2강). 깊이가 3인 입력에 5×5 필터 10개를 쓰면 $(5 \cdot 5 \cdot 3 + 1) \cdot
# 10 = 76 \cdot 10 = 760$개입니다. 3강에서 흑백 이미지에 Keras의 `Conv2D(32, kernel_size=3)`를 쓸
# 때도 똑같이 세어 $1 \cdot 3 \cdot 3 \cdot 32 + 32 = 320$개를 얻습니다.

# %% [markdown] lang="en"
# ## 2. How many parameters?
#
# Each filter has $F \cdot F \cdot D_1$ weights and one bias, and the layer has $K$
# filters (lecture 001): ten 5×5 filters on a depth-3 input have
# $(5 \cdot 5 \cdot 3 + 1) \cdot 10 = 76 \cdot 10 = 760$ parameters. Lecture 002 counts
# the same way for Keras' `Conv2D(32, kernel_size=3)` on a grey image:
# $1 \cdot 3 \cdot 3 \cdot 32 + 32 = 320$.


# %%
def conv_param_count(in_channels, out_channels, kernel_size):
    """Weights and biases of a conv layer with square kernel_size x kernel_size filters."""
    # [ko] TODO: 필터 하나의 가중치 수에 편향 1을 더하고, 필터 수를 곱하세요.
    # [en] TODO: weights per filter, plus one bias, times the number of filters.
    ### BEGIN SOLUTION
    return (kernel_size * kernel_size * in_channels + 1) * out_channels
    ### END SOLUTION


# %%
check("conv_param_count")

# %%
print(conv_param_count(3, 10, 5), conv_param_count(1, 32, 3))  # 760 320

# %% [markdown] lang="ko"
# ## 3. 제로 패딩
#
# 패딩은 이미지마다 둘레에 0으로 된 행과 열을 $P$줄씩 채웁니다. 그러면 가장자리 픽셀도 필터의
# 가운데에 놓일 수 있고, 스트라이드가 1이고 $P = (F-1)/2$이면 출력 크기가 입력과 같아집니다. 패딩은
# `(N, C, H, W)`의 두 공간 축(spatial axis) H, W에만 하세요.

# %% [markdown] lang="en"
# ## 3. Zero-padding
#
# Padding adds $P$ rows and columns of zeros around each image, so that the pixels on
# the border can sit in the middle of a filter and (with $P = (F-1)/2$, stride 1) the
# output keeps the input's size. Pad only the two spatial axes of `(N, C, H, W)`.


# %%
def zero_pad(x, p):
    """(N, C, H, W) -> (N, C, H + 2p, W + 2p), the new border all zeros."""
    # [ko] TODO: 패딩된 모양의 0 배열을 만들고 가운데에 x를 복사하세요
    # [ko] (또는 마지막 두 축에만 np.pad를 쓰세요).
    # [en] TODO: make a zero array of the padded shape and copy x into its middle
    # [en] (or use np.pad on the last two axes only).
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    out[:, :, p : p + h, p : p + w] = x
    return out
    ### END SOLUTION


# %%
check("zero_pad")

# %% [markdown] lang="ko"
# ## 4. 반복문으로 구현하는 합성곱
#
# 3강은 이 층을 $Y_i = B_i + \sum_{j=1}^{n} X_j \star K_{ij}$로 적습니다. 출력 맵 $i$는 편향
# $B_i$에, 입력 채널 $j$마다 그 채널과 커널 조각 $K_{ij}$의 교차상관(cross-correlation, $\star$)을
# 모두 더한 것입니다. minicnn의 인덱스로(0부터 세고, 필터마다 편향이 하나) 다시 쓰면 다음과
# 같습니다.
#
# $$y[n, k, i, j] = b[k] + \sum_{c} \sum_{p} \sum_{q}
#   x_{pad}[n, c,\; i \cdot s + p,\; j \cdot s + q] \; w[k, c, p, q]$$
#
# 커널을 **뒤집지 않는다**는 데 주의하세요. CNN의 층이 계산하는 것은 3강의 교차상관 $I \star K$이고,
# 수학에서 말하는 합성곱 $I * K$는 $I \star \text{rot180}(K)$입니다. 반복문은 이미지, 필터, 출력 행,
# 출력 열에 대해 네 겹으로 돌리고, $c, p, q$에 대한 합은 윈도우와 필터를 곱한 뒤 `np.sum` 한 번으로
# 구하세요.

# %% [markdown] lang="en"
# ## 4. The convolution, with loops
#
# Lecture 002 writes the layer as $Y_i = B_i + \sum_{j=1}^{n} X_j \star K_{ij}$: output
# map $i$ is its bias plus the cross-correlation ($\star$) of every input channel $j$
# with its own kernel slice. With minicnn's indices (0-based, one bias per filter):
#
# $$y[n, k, i, j] = b[k] + \sum_{c} \sum_{p} \sum_{q}
#   x_{pad}[n, c,\; i \cdot s + p,\; j \cdot s + q] \; w[k, c, p, q]$$
#
# The kernel is **not** flipped: CNN layers compute the cross-correlation $\star$, what
# lecture 002 calls $I \star K$ (a true convolution $I * K$ would be $I \star
# \text{rot180}(K)$). Write four loops (image, filter, output row, output column); the
# sum over $c, p, q$ is one `np.sum` of a window times the filter.


# %%
def conv2d_naive(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b with loops.  x (N, C, H, W), w (K, C, F, F), b (K,) -> (N, K, OH, OW)."""
    # [ko] TODO: x를 패딩하고, conv_output_size로 OH와 OW를 구한 뒤 모든 n, k, i, j에 대해
    # [ko] y[n, k, i, j] = sum(window * w[k]) + b[k]를 계산하세요.
    # [en] TODO: pad x, get OH and OW with conv_output_size, then for every n, k, i, j:
    # [en] y[n, k, i, j] = sum(window * w[k]) + b[k].
    ### BEGIN SOLUTION
    n_img, _, h, wid = x.shape
    k_out, _, f, _ = w.shape
    oh = conv_output_size(h, f, stride, padding)
    ow = conv_output_size(wid, f, stride, padding)
    xp = zero_pad(x, padding)
    y = np.zeros((n_img, k_out, oh, ow), dtype=x.dtype)
    for n in range(n_img):
        for k in range(k_out):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * stride : i * stride + f, j * stride : j * stride + f]
                    y[n, k, i, j] = np.sum(window * w[k]) + b[k]
    return y
    ### END SOLUTION


# %%
check("conv2d_naive")

# %% [markdown] lang="ko"
# ## 5. 강의의 수직 엣지 검출기
#
# 1강의 예제입니다. 왼쪽 절반은 밝고(10) 오른쪽 절반은 어두운(0) 6×6 이미지에 열이 1, 0, −1인 3×3
# 커널을 적용하면, 엣지가 있는 자리에서만 30이 나옵니다(`[[0, 30, 30, 0], ...]`). 슬라이드에는 $*$로
# 적혀 있지만 실제 계산은 우리가 구현한 $\star$입니다.

# %% [markdown] lang="en"
# ## 5. The lecture's vertical edge detector
#
# Lecture 000: a 6×6 image, bright (10) on the left and dark (0) on the right, filtered
# with the 3×3 kernel whose columns are 1, 0, −1, gives 30 where the edge is:
# `[[0, 30, 30, 0], ...]`. (The slide writes $*$; what it computes is our $\star$.)

# %%
image = np.array([[10.0, 10, 10, 0, 0, 0]] * 6).reshape(1, 1, 6, 6)
vertical = np.array([[1.0, 0, -1]] * 3).reshape(1, 1, 3, 3)
edges = conv2d_naive(image, vertical, np.zeros(1))
print(edges[0, 0])
assert edges[0, 0].tolist() == [[0, 30, 30, 0]] * 4

# %% [markdown] lang="ko"
# 2강의 볼륨 예제입니다. 32×32×3 입력에 5×5 필터 10개를 스트라이드 1, 패딩 2로 적용하면 출력은
# 32×32×10입니다. 반복문으로 구현했으므로 몇 초 걸립니다.

# %% [markdown] lang="en"
# Lecture 001's volume: a 32×32×3 input and ten 5×5 filters with stride 1 and pad 2
# give a 32×32×10 output (your loops take a few seconds on this one).

# %%
rng = np.random.default_rng(0)
volume = rng.standard_normal((1, 3, 32, 32))
filters = rng.standard_normal((10, 3, 5, 5))
print(conv2d_naive(volume, filters, np.zeros(10), stride=1, padding=2).shape)  # (1, 10, 32, 32)

# %% [markdown] lang="ko"
# **생각해 볼 문제**(1강의 퀴즈): 필터를 크게 하면 무엇을 얻고 무엇을 잃을까요? CNN에서 필터의 값은
# 누가 정할까요? (사람이 아니라 학습이 정합니다. 실습 5에서 직접 확인합니다.)

# %% [markdown] lang="en"
# **To think about** (lecture 000's quiz): what do larger filters gain and lose? Who
# chooses the filter values in a CNN? (Not you: training does, in lab 5.)
