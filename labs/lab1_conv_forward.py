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
# | 서술형 문제 3개(강사 채점) | 5 |
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
# | three written questions (graded by the instructor) | 5 |
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
    # [ko] TODO: 위의 출력 크기 공식을 계산해 int로 반환하세요.
    # [ko] 나누어떨어지지 않거나 윈도우가 들어가지 않으면 ValueError를 발생시키세요.
    # [en] TODO: compute the output size by the formula above and return it as an int;
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
    # [ko] TODO: 이 층의 가중치와 편향을 모두 세어 반환하세요.
    # [en] TODO: count every weight and bias of the layer.
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
    # [ko] TODO: H와 W 둘레에만 0을 p줄씩 채운 배열을 반환하세요.
    # [en] TODO: return x with p rows and columns of zeros around H and W only.
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    out[:, :, p : p + h, p : p + w] = x
    return out
    ### END SOLUTION


# %%
check("zero_pad")

# %% [markdown] lang="ko" hint="zero_pad"
# <details><summary>힌트</summary>
#
# 패딩한 모양의 0 배열을 먼저 만들고 그 가운데에 `x`를 복사해도 되고, `np.pad`를 써도 됩니다.
# `np.pad`를 쓴다면 축마다 (앞, 뒤)에 채울 줄 수를 주는데, N과 C 축에는 0을 주어야 합니다.
#
# </details>

# %% [markdown] lang="en" hint="zero_pad"
# <details><summary>Hint</summary>
#
# Either make a zero array of the padded shape and copy `x` into its middle, or use
# `np.pad`, which takes (before, after) widths per axis: give the N and C axes zero.
#
# </details>

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
# 수학에서 말하는 합성곱 $I * K$는 $I \star \text{rot180}(K)$입니다.

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
# \text{rot180}(K)$).


# %%
def conv2d_naive(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b with loops.  x (N, C, H, W), w (K, C, F, F), b (K,) -> (N, K, OH, OW)."""
    # [ko] TODO: 위의 식으로 y (N, K, OH, OW)를 계산하세요. 앞에서 만든 함수를 써도 됩니다.
    # [en] TODO: compute y (N, K, OH, OW) by the formula above, with your functions above.
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

# %% [markdown] lang="ko" hint="conv2d_naive"
# <details><summary>힌트</summary>
#
# * 반복문은 이미지 $n$, 필터 $k$, 출력 행 $i$, 출력 열 $j$에 대해 네 겹이면 충분합니다.
# * $c, p, q$에 대한 세 겹의 합은 반복문으로 돌 필요가 없습니다. 패딩한 입력에서 $(i, j)$ 출력에
#   해당하는 윈도우 `(C, F, F)`를 잘라 내면 `w[k]`와 모양이 같으므로, 원소끼리 곱해서 한 번에 더할 수
#   있습니다.
# * 윈도우의 왼쪽 위 모서리는 출력 위치에 스트라이드를 곱한 곳입니다.
#
# </details>

# %% [markdown] lang="en" hint="conv2d_naive"
# <details><summary>Hint</summary>
#
# * Four loops are enough: image $n$, filter $k$, output row $i$, output column $j$.
# * The sum over $c, p, q$ needs no loop: the window `(C, F, F)` of the padded input
#   under output $(i, j)$ has the shape of `w[k]`, so multiply them elementwise and add
#   everything up at once.
# * The window's top-left corner is the output position times the stride.
#
# </details>

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
# ## 6. 서술형 문제
#
# 답안 셀에 한두 문장이나 숫자로 답하세요. 이 문제들은 강사가 채점합니다(자동 채점 점수에는
# 들어가지 않습니다).

# %% [markdown] lang="en"
# ## 6. Written questions
#
# Answer in the answer cell, in a sentence or two or a number. The instructor grades these
# (they are not in the automatic score).

# %% [markdown] lang="ko" question="q_filter_size" points=2
# **질문 1** (2점, 1강의 퀴즈). 합성곱 층에서 필터 크기를 키우면 얻는 것과 잃는 것을 하나씩 적으세요.

# %% [markdown] lang="ko" answer="q_filter_size"
# ### BEGIN SOLUTION
# 얻는 것: 출력 하나가 보는 입력 영역, 곧 수용 영역(receptive field)이 넓어져 더 큰 패턴을 한 층에서
# 잡을 수 있습니다. 잃는 것: 필터 하나의 파라미터 수와 연산량이 $F^2$에 비례해 늘어납니다(3×3에서
# 7×7로 가면 49/9 ≈ 5.4배). 패딩이 없으면 출력도 더 빨리 작아지고, 파라미터가 많아 과적합하기도
# 쉽습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_filter_size" points=2
# **Question 1** (2 points, lecture 000's quiz). Give one advantage and one drawback of a
# larger filter in a convolution layer.

# %% [markdown] lang="en" answer="q_filter_size"
# ### BEGIN SOLUTION
# Advantage: each output sees a larger part of the input (a larger receptive field), so
# one layer can catch larger patterns. Drawback: the parameters and the computation per
# filter grow with $F^2$ (3×3 to 7×7 is 49/9 ≈ 5.4 times as many); without padding the
# output also shrinks faster, and more parameters overfit more easily.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_who_sets_filters" points=1
# **질문 2** (1점, 1강의 퀴즈). CNN에서 필터의 값은 누가, 어떻게 정합니까? 위의 수직 엣지 검출기처럼
# 사람이 정해 줍니까?

# %% [markdown] lang="ko" answer="q_who_sets_filters"
# ### BEGIN SOLUTION
# 사람이 정하지 않습니다. 처음에는 무작위 값으로 초기화하고, 학습하면서 역전파로 구한 기울기를 따라
# 손실이 줄어드는 방향으로 조금씩 바뀌어 정해집니다. 엣지 검출기 같은 필터는 학습의 결과로
# 나타납니다(실습 5에서 직접 학습해 봅니다).
# ### END SOLUTION

# %% [markdown] lang="en" question="q_who_sets_filters" points=1
# **Question 2** (1 point, lecture 000's quiz). Who chooses the filter values of a CNN, and
# how? Does a person set them, as for the vertical edge detector above?

# %% [markdown] lang="en" answer="q_who_sets_filters"
# ### BEGIN SOLUTION
# No person does. They start as random values and training changes them step by step,
# along the gradients backpropagation computes, so that the loss goes down; filters like
# edge detectors come out of training (lab 5 trains them).
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_pop_quiz" points=2
# **질문 3** (2점, 4강의 Pop quiz 1). 10×10 크기의 입력 채널 3개에 5×5×3 커널 하나를 스트라이드 1로
# 적용합니다. 출력의 크기(높이×너비×채널)는 얼마입니까? 출력 크기가 입력과 같아지게 제로 패딩을
# 한다면 몇 줄씩 채워야 합니까?

# %% [markdown] lang="ko" answer="q_pop_quiz"
# ### BEGIN SOLUTION
# $(10 - 5)/1 + 1 = 6$이고 커널 하나가 채널 하나를 만들므로 출력은 6×6×1입니다. 패딩
# $P = (F-1)/2 = 2$로 둘레를 2줄씩 채우면 $(10 - 5 + 4)/1 + 1 = 10$, 곧 10×10×1이 됩니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_pop_quiz" points=2
# **Question 3** (2 points, lecture 003's pop quiz 1). A 5×5×3 kernel is applied with
# stride 1 to three input channels of 10×10. What is the size of the output
# (height × width × channels)? How much zero-padding keeps the output as large as the
# input?

# %% [markdown] lang="en" answer="q_pop_quiz"
# ### BEGIN SOLUTION
# $(10 - 5)/1 + 1 = 6$, and one kernel makes one channel: 6×6×1. Padding
# $P = (F-1)/2 = 2$ on every side gives $(10 - 5 + 4)/1 + 1 = 10$, i.e. 10×10×1.
# ### END SOLUTION
