# %% [markdown]
# # 실습 1: 합성곱 순전파를 손으로 구현하기
#
# **연습하는 강의 내용:** 001강 (합성곱 층(convolution layer), 스트라이드(stride), 제로
# 패딩(zero-padding), 출력 크기 공식, 층별 파라미터 수), 000강 (수직 엣지 검출기), 002강 (Keras
# 파라미터 수 `1·3·3·32 + 32 = 320`).
#
# 이번 실습에서는 반복문과 NumPy만으로 다음 함수들을 직접 작성합니다.
#
# | 문항 | 배점 |
# |---|---|
# | `conv_output_size` | 2 |
# | `conv_param_count` | 1 |
# | `zero_pad` | 1 |
# | `conv2d_naive` | 6 |
#
# 각 함수에서 `NotImplementedError`를 발생시키는 줄을 지우고 그 자리에 코드를 작성하세요. 함수를
# 하나 완성할 때마다 바로 아래의 **확인 셀(check cell)**을 실행해 보세요. 확인 셀은 여러분의
# 함수를 무작위 입력 여러 개에 대해 minicnn의 구현과 비교하고, 틀렸다면 무엇이 틀렸는지 알려
# 줍니다. 채점기도 똑같은 검사를 사용합니다.
#
# **표기법(notation).** 강의에서는 볼륨을 $W \times H \times D$ (너비, 높이, 깊이)로 씁니다.
# minicnn은 PyTorch와 마찬가지로 이미지 묶음(batch)을 `(N, C, H, W)` 모양의 `x`로 저장합니다
# (배치, 채널 = 깊이, 높이, 너비). 한 층의 필터 $K$개는 `(K, C, kh, kw)` 모양의 `w`로 저장하며,
# 필터 $k$는 입력 채널마다 $F \times F$ 조각을 하나씩 가집니다. 강의는 행과 열을 1부터
# 세고($y_{11}$), NumPy는 0부터 셉니다(`y[0, 0]`).

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab1", globals())

# %% [markdown]
# ## 1. 출력 크기는 얼마인가?
#
# 크기 $F$인 필터가 크기 $N$인 입력 위를 $S$(스트라이드)칸씩 이동합니다. 그 전에 입력의 각 변에
# 0으로 채운 행과 열을 $P$개씩(패딩) 덧붙입니다. 001강의 공식은 다음과 같습니다.
#
# $$\text{출력 크기} = \frac{N - F + 2P}{S} + 1$$
#
# $N = 7$, $F = 3$일 때 스트라이드 1이면 5, 스트라이드 2이면 3이고, 스트라이드 3이면 $2.33$이 되어
# "맞지 않습니다". 이 경우 여러분의 함수는 `ValueError`를 발생시켜야 합니다. (minicnn의 층은
# PyTorch처럼 내림을 하지만, 여기서는 맞지 않는다는 사실을 알아차리는 것이 목적입니다.)


# %%
def conv_output_size(n, f, stride=1, padding=0):
    """Output length along one axis: (n - f + 2p) / s + 1; ValueError if not whole."""
    # TODO: (n - f + 2*padding) / stride + 1을 계산해 int로 반환하세요.
    # 나누어떨어지지 않거나 윈도우가 들어가지 않으면 ValueError를 발생시키세요.
    ### BEGIN SOLUTION
    span = n - f + 2 * padding
    if span < 0 or span % stride:
        raise ValueError(f"({n} - {f} + 2*{padding})/{stride} + 1 is not a whole number")
    return span // stride + 1
    ### END SOLUTION


# %%
check("conv_output_size")

# %% [markdown]
# 강의의 표, 그리고 32×32×3 입력에 5×5 필터 10개, 스트라이드 1, 패딩 2를 적용한 경우입니다.

# %%
for s in (1, 2, 3):
    try:
        print(f"N=7, F=3, stride {s}: {conv_output_size(7, 3, s)}")
    except ValueError as err:
        print(f"N=7, F=3, stride {s}: doesn't fit ({err})")
print("32x32x3, 5x5 filters, stride 1, pad 2 ->", conv_output_size(32, 5, 1, 2))

# %% [markdown]
# ## 2. 파라미터는 몇 개인가?
#
# 필터 하나에는 가중치 $F \cdot F \cdot D_1$개와 편향(bias) 1개가 있고, 층에는 필터가 $K$개
# 있습니다(001강). 깊이 3인 입력에 5×5 필터 10개를 쓰면 $(5 \cdot 5 \cdot 3 + 1) \cdot 10 = 76
# \cdot 10 = 760$개입니다. 002강도 흑백 이미지에 Keras의 `Conv2D(32, kernel_size=3)`를 쓸 때 같은
# 방식으로 셉니다: $1 \cdot 3 \cdot 3 \cdot 32 + 32 = 320$.


# %%
def conv_param_count(in_channels, out_channels, kernel_size):
    """Weights and biases of a conv layer with square kernel_size x kernel_size filters."""
    # TODO: 필터 하나의 가중치 수에 편향 1을 더하고, 필터 수를 곱하세요.
    ### BEGIN SOLUTION
    return (kernel_size * kernel_size * in_channels + 1) * out_channels
    ### END SOLUTION


# %%
check("conv_param_count")

# %%
print(conv_param_count(3, 10, 5), conv_param_count(1, 32, 3))  # 760 320

# %% [markdown]
# ## 3. 제로 패딩
#
# 패딩은 각 이미지 둘레에 0으로 채운 행과 열을 $P$개씩 덧붙입니다. 그러면 가장자리 픽셀도 필터의
# 가운데에 올 수 있고, ($P = (F-1)/2$, 스트라이드 1이면) 출력이 입력과 같은 크기를 유지합니다.
# `(N, C, H, W)`의 두 공간 축(spatial axis)에만 패딩하세요.


# %%
def zero_pad(x, p):
    """(N, C, H, W) -> (N, C, H + 2p, W + 2p), the new border all zeros."""
    # TODO: 패딩된 모양의 0 배열을 만들고 가운데에 x를 복사하세요
    # (또는 마지막 두 축에만 np.pad를 쓰세요).
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    out[:, :, p : p + h, p : p + w] = x
    return out
    ### END SOLUTION


# %%
check("zero_pad")

# %% [markdown]
# ## 4. 반복문으로 구현하는 합성곱
#
# 002강은 이 층을 $Y_i = B_i + \sum_{j=1}^{n} X_j \star K_{ij}$로 씁니다. 출력 맵 $i$는 그 편향에,
# 입력 채널 $j$마다 자신의 커널 조각과의 교차상관(cross-correlation, $\star$)을 모두 더한
# 것입니다. minicnn의 인덱스(0부터 시작, 필터마다 편향 하나)로 쓰면 다음과 같습니다.
#
# $$y[n, k, i, j] = b[k] + \sum_{c} \sum_{p} \sum_{q}
#   x_{pad}[n, c,\; i \cdot s + p,\; j \cdot s + q] \; w[k, c, p, q]$$
#
# 커널을 **뒤집지 않는다**는 점에 주의하세요. CNN의 층이 계산하는 것은 교차상관 $\star$, 즉
# 002강의 $I \star K$입니다. (진짜 합성곱 $I * K$는 $I \star \text{rot180}(K)$입니다.) 반복문 네
# 개(이미지, 필터, 출력 행, 출력 열)를 쓰고, $c, p, q$에 대한 합은 윈도우와 필터를 곱한 뒤
# `np.sum` 한 번으로 계산하세요.


# %%
def conv2d_naive(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b with loops.  x (N, C, H, W), w (K, C, F, F), b (K,) -> (N, K, OH, OW)."""
    # TODO: x를 패딩하고, conv_output_size로 OH와 OW를 구한 뒤 모든 n, k, i, j에 대해
    # y[n, k, i, j] = sum(window * w[k]) + b[k]를 계산하세요.
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

# %% [markdown]
# ## 5. 강의의 수직 엣지 검출기
#
# 000강: 왼쪽은 밝고(10) 오른쪽은 어두운(0) 6×6 이미지에 열이 1, 0, −1인 3×3 커널을 적용하면,
# 엣지가 있는 곳에서 30이 나옵니다: `[[0, 30, 30, 0], ...]`. (슬라이드에는 $*$로 적혀 있지만
# 실제로 계산하는 것은 우리의 $\star$입니다.)

# %%
image = np.array([[10.0, 10, 10, 0, 0, 0]] * 6).reshape(1, 1, 6, 6)
vertical = np.array([[1.0, 0, -1]] * 3).reshape(1, 1, 3, 3)
edges = conv2d_naive(image, vertical, np.zeros(1))
print(edges[0, 0])
assert edges[0, 0].tolist() == [[0, 30, 30, 0]] * 4

# %% [markdown]
# 001강의 볼륨: 32×32×3 입력에 5×5 필터 10개를 스트라이드 1, 패딩 2로 적용하면 32×32×10 출력이
# 나옵니다. (반복문 구현으로는 몇 초 걸립니다.)

# %%
rng = np.random.default_rng(0)
volume = rng.standard_normal((1, 3, 32, 32))
filters = rng.standard_normal((10, 3, 5, 5))
print(conv2d_naive(volume, filters, np.zeros(10), stride=1, padding=2).shape)  # (1, 10, 32, 32)

# %% [markdown]
# **생각해 볼 문제** (000강의 퀴즈): 필터가 커지면 무엇을 얻고 무엇을 잃을까요? CNN에서 필터의
# 값은 누가 정할까요? (여러분이 아니라 학습이 정합니다. 실습 5에서 직접 해 봅니다.)
