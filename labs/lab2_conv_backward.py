# %% [markdown] lang="ko"
# # 실습 2: im2col과 합성곱의 역전파
#
# **관련 강의:** 3강(노트 002)의 교차상관과 합성곱($I * K = I \star \text{rot180}(K)$), 여러 채널을
# 가진 층의 식 $Y_i = B_i + \sum_j X_j \star K_{ij}$, 그리고 그 역전파 세 식("Backward kernel",
# "Backward bias", "Backward input"). im2col 기법은 4강(노트 003)의 참고문헌인 『밑바닥부터 시작하는
# 딥러닝』에서 가져왔습니다.
#
# | 문항 | 배점 |
# |---|---|
# | `im2col` | 2 |
# | `conv2d_forward` | 2 |
# | `conv2d_backward` | 4 |
# | `numerical_gradient` | 2 |
#
# **표기법.** 3강은 손실(loss)을 $E$(오차)로 적고, minicnn은 $L$로 적습니다. 코드에서는 $\partial E
# / \partial Y$를 `dy`, $\partial E / \partial X$를 `dx`, $\partial E / \partial K$를 `dw`,
# $\partial E / \partial B$를 `db`라고 부릅니다. 3강의 단순화한 예제에서는 출력 픽셀마다 편향
# $b_{11}, b_{12}, \dots$가 따로 있지만, 실제 CNN의 층(minicnn, PyTorch)은 필터마다 편향 $b[k]$를
# 하나만 두고 맵 $k$의 모든 픽셀에 더합니다. 그래서 편향의 기울기(gradient)는 그 맵의 모든 픽셀에
# 대한 합이 됩니다.

# %% [markdown] lang="en"
# # Lab 2: im2col and the convolution backward
#
# **Lectures practised:** 002 (cross-correlation against convolution, $I * K = I \star
# \text{rot180}(K)$; the multi-channel layer $Y_i = B_i + \sum_j X_j \star K_{ij}$; "Backward
# kernel", "Backward bias", "Backward input"), and the im2col trick of *Deep Learning from
# Scratch* (lecture 003's references).
#
# | part | points |
# |---|---|
# | `im2col` | 2 |
# | `conv2d_forward` | 2 |
# | `conv2d_backward` | 4 |
# | `numerical_gradient` | 2 |
#
# **Notation.** Lecture 002 calls the loss $E$; minicnn calls it $L$ and writes
# `dy` for $\partial E / \partial Y$, `dx` for $\partial E / \partial X$, `dw` for
# $\partial E / \partial K$ and `db` for $\partial E / \partial B$. Lecture 002 gives
# every output pixel its own bias $b_{11}, b_{12}, \dots$ in the simplified example; a
# CNN layer (minicnn, PyTorch) has one bias per filter, $b[k]$, added to every pixel of
# map $k$, so its gradient is a sum over the pixels.

# %%
import numpy as np

from minicnn.lab import checker

check = checker("lab2", globals())

# %% [markdown] lang="ko"
# ## 1. im2col: 층 전체를 한 번의 행렬 곱으로
#
# 실습 1의 네 겹 반복문은 느립니다. im2col은 패딩한 입력의 윈도우를 하나씩 행렬 `cols`의
# **열**(column) 하나로 복사합니다. 필터도 하나씩 한 행으로 펼쳐 두면, 한 번의 행렬 곱 `w.reshape(K,
# -1) @ cols`로 모든 윈도우에 적용됩니다.
#
# minicnn의 행렬 구성(layout): `cols`의 모양은 `(C·kh·kw, N·OH·OW)`입니다. 행은 `(c, p, q)` 순서로
# 놓입니다. c가 가장 천천히 바뀌고 그다음이 p, 가장 빨리 바뀌는 것이 q이며, `w[k].reshape(-1)`의
# 순서와 같습니다. 열은 `(n, i, j)` 순서로(n이 가장 천천히 바뀝니다) 놓입니다. 식으로 쓰면
#
# `cols[(c, p, q), (n, i, j)] = x_pad[n, c, i·s + p, j·s + q]`
#
# 입니다. 『밑바닥부터 시작하는 딥러닝』은 이 행렬의 전치(transpose)를 씁니다. 거기서는 윈도우
# 하나가 **행** 하나입니다. 생각은 같고, 행렬 곱의 어느 쪽에 놓이느냐만 다릅니다.
#
# 픽셀마다 도는 반복문 없이 만들어 보세요. 반복은 커널 안의 위치 `(p, q)`에 대해서만 합니다(3×3
# 커널이면 9번). 커널 안의 한 위치가 모든 윈도우에서 만나는 픽셀들은 일정한 간격으로 건너뛰는
# 슬라이스(strided slice) `x_pad[:, :, p : p + s·OH : s, q : q + s·OW : s]` 하나로 한꺼번에 꺼낼 수
# 있습니다.

# %% [markdown] lang="en"
# ## 1. im2col: the whole layer as one matrix product
#
# Lab 1's four loops are slow. im2col copies every window of the (padded) input into
# one **column** of a matrix `cols`; then every filter, flattened into a row, meets every
# window in one matrix product: `w.reshape(K, -1) @ cols`.
#
# minicnn's layout: `cols` has shape `(C·kh·kw, N·OH·OW)`; row `(c, p, q)` (c slowest,
# then p, then q, as `w[k].reshape(-1)` orders them), column `(n, i, j)` (n slowest), and
#
# `cols[(c, p, q), (n, i, j)] = x_pad[n, c, i·s + p, j·s + q]`.
#
# *Deep Learning from Scratch* (밑바닥부터 시작하는 딥러닝) stores the transpose: one
# window per **row**. Same idea, other side of the product.
#
# Build it without a loop over pixels: loop over the kernel taps `(p, q)` only
# (9 taps for 3×3); for one tap, the pixels it touches in every window form the strided
# slice `x_pad[:, :, p : p + s·OH : s, q : q + s·OW : s]`.


# %%
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW): one column per window."""
    # [ko] TODO: x를 패딩하고 cols를 (C, kh, kw, N, OH, OW)로 만든 뒤, 커널 안의 위치
    # [ko] (p, q)마다 x_pad의 strided slice를 (C, N, OH, OW) 축 순서로 복사하고, 2차원으로
    # [ko] 바꾸세요.
    # [en] TODO: pad x; allocate cols as (C, kh, kw, N, OH, OW); for each tap (p, q) copy the
    # [en] strided slice of x_pad (axes reordered to C, N, OH, OW); reshape to 2-D.
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %%
check("im2col")

# %% [markdown] lang="ko"
# ## 2. im2col을 쓴 순전파(forward pass)
#
# 식 $Y = B + K \star X$는 코드로 `y = w.reshape(K, -1) @ cols + b[:, None]`입니다. 결과의 모양은
# `(K, N·OH·OW)`이므로 `(K, N, OH, OW)`로 바꾼 다음 축 순서를 `(N, K, OH, OW)`로 옮깁니다.
#
# 순전파는 `(y, cache)`를 반환합니다. 캐시(cache)에는 역전파에 필요한 것, 여기서는 `x`의 모양, `w`,
# 스트라이드, 패딩, `cols`를 담아 둡니다. 캐시에 무엇을 넣을지는 자유입니다. 채점기는 캐시를 같은
# 노트북의 `conv2d_backward`에만 넘기기 때문입니다. `b`가 `None`(편향 없음)으로 들어올 수도
# 있습니다.

# %% [markdown] lang="en"
# ## 2. The forward pass with im2col
#
# $Y = B + K \star X$ becomes `y = w.reshape(K, -1) @ cols + b[:, None]`, shape
# `(K, N·OH·OW)`, reshaped to `(K, N, OH, OW)` and moved to `(N, K, OH, OW)`.
#
# The forward returns `(y, cache)`: the cache holds what the backward pass will need
# (here `x`'s shape, `w`, the stride, the padding and `cols`). It is yours: the grader
# only ever hands it back to your own `conv2d_backward`. `b` may be `None` (no bias).


# %%
def conv2d_forward(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b by im2col.  Returns (y (N, K, OH, OW), cache)."""
    # [ko] TODO: cols = im2col(...); 행렬 곱 한 번; (있으면) 편향을 더하고; (N, K, OH, OW)로
    # [ko] 모양과 축을 바꾸세요. y와 conv2d_backward에 쓸 캐시를 반환하세요.
    # [en] TODO: cols = im2col(...); one matrix product; add the bias (if any); reshape and
    # [en] transpose to (N, K, OH, OW); return y and a cache for conv2d_backward.
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %%
check("conv2d_forward")

# %% [markdown] lang="ko"
# 3강의 예제로 확인해 봅시다. $I$ = `[[1, 6, 2], [5, 3, 1], [7, 0, 4]]`, $K$ = `[[1, 2], [-1, 0]]`일
# 때 교차상관 $I \star K$는 `[[8, 7], [4, 5]]`입니다($1·1 + 2·6 + (-1)·5 + 0·3 = 8$). 합성곱 $I *
# K = I \star \text{rot180}(K)$는 `[[7, 5], [11, 3]]`로, 부호 정도가 아니라 값 자체가 완전히
# 다릅니다. CNN의 층이 계산하는 것은 $\star$ 쪽입니다.

# %% [markdown] lang="en"
# Lecture 002's example: $I$ = `[[1, 6, 2], [5, 3, 1], [7, 0, 4]]`, $K$ =
# `[[1, 2], [-1, 0]]`. The cross-correlation $I \star K$ is `[[8, 7], [4, 5]]`
# ($1·1 + 2·6 + (-1)·5 + 0·3 = 8$). The true convolution $I * K = I \star
# \text{rot180}(K)$ is `[[7, 5], [11, 3]]`: not just the sign flipped, a different
# result. CNN layers compute $\star$.

# %%
I = np.array([[1.0, 6, 2], [5, 3, 1], [7, 0, 4]]).reshape(1, 1, 3, 3)
K = np.array([[1.0, 2], [-1, 0]]).reshape(1, 1, 2, 2)
print(conv2d_forward(I, K, None)[0][0, 0])  # [[8, 7], [4, 5]]
print(conv2d_forward(I, K[:, :, ::-1, ::-1], None)[0][0, 0])  # [[7, 5], [11, 3]]

# %% [markdown] lang="ko"
# ## 3. 역전파(backward pass)
#
# 3강은 3×3 입력과 2×2 커널로($y_{11} = b_{11} + k_{11}x_{11} + k_{12}x_{12} + k_{21}x_{21} +
# k_{22}x_{22}$, …) 다음 세 식을 유도합니다.
#
# * **커널**: $\frac{\partial E}{\partial k_{11}} = \frac{\partial E}{\partial y_{11}} x_{11} +
#   \frac{\partial E}{\partial y_{12}} x_{12} + \frac{\partial E}{\partial y_{21}} x_{21} +
#   \frac{\partial E}{\partial y_{22}} x_{22}$이고, 정리하면 $\frac{\partial E}{\partial K_{ij}} =
#   X_j \star \frac{\partial E}{\partial Y_i}$입니다. im2col 행렬이 있으면 이것도 한 번의 행렬
#   곱입니다. `dy`를 `(K, N·OH·OW)` 모양으로 바꾸어 `cols.T`를 곱하고 `w.shape`로 되돌리면 되고,
#   배치에 대한 합은 행렬 곱 안에서 저절로 이루어집니다.
# * **편향**: 강의의 예제처럼 픽셀마다 편향이 있으면 $\frac{\partial E}{\partial b_{11}} =
#   \frac{\partial E}{\partial y_{11}}$입니다. 필터마다 편향이 하나이면 $\frac{\partial E}{\partial
#   B_k} = \sum_{n,i,j} \frac{\partial E}{\partial Y}[n,k,i,j]$로, 평균이 아니라 **합**입니다.
# * **입력**: $\frac{\partial E}{\partial X_j} = \sum_i \frac{\partial E}{\partial Y_i} *_{full}
#   K_{ij}$는 *full* 합성곱이고, 커널을 **180° 돌린** 것과의 full 교차상관과 같습니다. `dy` 둘레에
#   0을 $F-1$줄씩 채우고(패딩), 입력 채널과 출력 채널을 맞바꾼 `rot180(w)`(`w[:, :, ::-1,
#   ::-1].transpose(1, 0, 2, 3)`)와 교차상관하세요. 교차상관에는 앞에서 작성한 `conv2d_forward`를
#   그대로 쓰면 됩니다.
#
# 스트라이드가 $s > 1$이면 먼저 `dy`의 픽셀 사이에 0을 $s-1$개씩 끼워 넣어 간격을 벌립니다(팽창,
# dilate). 그래야 각 기울기가 자기 윈도우가 시작한 자리에 놓입니다. 패딩이 $P$였다면 이렇게 얻은
# 것은 *패딩된* 입력의 기울기이므로 둘레에서 $P$줄씩 잘라 냅니다. 출력 크기를 구할 때 소수점 아래를
# 버려서 윈도우가 입력의 마지막 행이나 열까지 닿지 않았다면, 그 픽셀들의 기울기는 0입니다. 그래서
# full 교차상관을 하기 전에 팽창한 `dy`의 아래쪽과 오른쪽에 모자라는 만큼 0으로 된 행과 열을 더 붙여
# 두세요.

# %% [markdown] lang="en"
# ## 3. The backward pass
#
# Lecture 002 derives, on a 3×3 input and a 2×2 kernel
# ($y_{11} = b_{11} + k_{11}x_{11} + k_{12}x_{12} + k_{21}x_{21} + k_{22}x_{22}$, …):
#
# * **kernel**: $\frac{\partial E}{\partial k_{11}} = \frac{\partial E}{\partial y_{11}}
#   x_{11} + \frac{\partial E}{\partial y_{12}} x_{12} + \frac{\partial E}{\partial
#   y_{21}} x_{21} + \frac{\partial E}{\partial y_{22}} x_{22}$, i.e.
#   $\frac{\partial E}{\partial K_{ij}} = X_j \star \frac{\partial E}{\partial Y_i}$.
#   With the im2col matrix that is again one product:
#   `dw = dy_as_(K, N·OH·OW) @ cols.T`, reshaped to `w.shape` (summed over the batch).
# * **bias**: $\frac{\partial E}{\partial b_{11}} = \frac{\partial E}{\partial y_{11}}$ in
#   the lecture's one-bias-per-pixel example; with one bias per filter,
#   $\frac{\partial E}{\partial B_k} = \sum_{n,i,j} \frac{\partial E}{\partial Y}[n,k,i,j]$:
#   a **sum**, not a mean.
# * **input**: $\frac{\partial E}{\partial X_j} = \sum_i \frac{\partial E}{\partial Y_i}
#   *_{full} K_{ij}$, a *full* convolution, which is a full cross-correlation with the
#   kernel **rotated by 180°**: pad `dy` with $F-1$ zeros on every side and correlate it
#   with `rot180(w)`, input and output channels swapped
#   (`w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)`), using your own `conv2d_forward`.
#
# With a stride $s > 1$, first spread `dy` out: put $s-1$ zeros between its pixels
# ("dilate"), so that each gradient sits where its window started. With padding $P$,
# the result is the gradient of the *padded* input: crop $P$ from each side. If the
# windows did not reach the last rows/columns of the input (the division rounded down),
# those pixels get no gradient: add the missing rows/columns of zeros at the bottom/right
# of the dilated `dy` before the full correlation.


# %%
def conv2d_backward(dy, cache):
    """dy (N, K, OH, OW) -> (dx (N, C, H, W), dw (K, C, F, F), db (K,) or None)."""
    # [ko] TODO: db = n, i, j에 대한 Σ dY;  dw = X ⋆ dY (cols.T와의 곱 한 번);
    # [ko] dx = 팽창하고 둘레에 0을 채운 dy와, 채널을 맞바꾼 rot180(w)의 full 교차상관.
    # [ko] 마지막에 패딩을 잘라 내세요.
    # [en] TODO: db = Σ dY over n, i, j;  dw = X ⋆ dY (one product with cols.T);
    # [en] dx = full correlation of the dilated, zero-padded dy with rot180(w), channels
    # [en] swapped, then crop the padding.
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %%
check("conv2d_backward")

# %% [markdown] lang="ko"
# 3강의 단순화한 예제를 다시 봅시다. $\partial E / \partial Y$가 모두 1이면 $\partial E / \partial
# k_{11} = x_{11} + x_{12} + x_{21} + x_{22} = 1 + 6 + 5 + 3 = 15$이고, $\partial E / \partial x$는
# 픽셀마다 그 픽셀에 닿은 커널 원소를 모두 더한 값입니다.

# %% [markdown] lang="en"
# Lecture 002's simplified example once more, with $\partial E / \partial Y$ all ones:
# $\partial E / \partial k_{11} = x_{11} + x_{12} + x_{21} + x_{22} = 1 + 6 + 5 + 3 = 15$,
# and each $\partial E / \partial x$ is the sum of the kernel entries that touched it.

# %%
y, cache = conv2d_forward(I, K, np.zeros(1))
dx, dw, db = conv2d_backward(np.ones_like(y), cache)
print("dK =", dw[0, 0].tolist(), " dB =", db.tolist())
print("dX =", dx[0, 0].tolist())

# %% [markdown] lang="ko"
# ## 4. 수치 미분으로 내 층 확인하기
#
# 편미분은 그 방향의 변화율이므로 중앙 차분(central difference)으로 근사할 수 있습니다.
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$
#
# 오차는 $O(h^2)$입니다. `numerical_gradient(f, x, h)`를 작성하세요. `f`는 인자 없이 `x`를 읽어
# 스칼라 하나를 돌려주는 함수입니다. `x`의 원소를 하나씩 **제자리에서**(in place) 조금 바꿔 가며
# `f`를 부르고, 끝나면 원래 값으로 정확히 되돌려 놓으세요. minicnn의
# `mc.gradcheck.numerical_gradient`도 이렇게 동작합니다.

# %% [markdown] lang="en"
# ## 4. Check your own layer numerically
#
# A derivative is a slope: $\frac{\partial f}{\partial x_i} \approx
# \frac{f(x + h e_i) - f(x - h e_i)}{2h}$ (central differences: error $O(h^2)$).
# Write `numerical_gradient(f, x, h)`: `f` takes no argument and reads `x`, which you
# nudge **in place**, one element at a time, and put back exactly as it was.
# (minicnn's own `mc.gradcheck.numerical_gradient` works the same way.)


# %%
def numerical_gradient(f, x, h=1e-5):
    """Central differences of the scalar f() with respect to every element of x."""
    # [ko] TODO: x의 각 인덱스 i에 대해 (np.ndindex): x[i] += h 후 f(); x[i] -= 2h 후 f();
    # [ko] x[i]를 되돌리고; grad[i] = (f_plus - f_minus) / (2h).
    # [en] TODO: for each index i of x (np.ndindex): x[i] += h, f(); x[i] -= 2h, f();
    # [en] restore x[i]; grad[i] = (f_plus - f_minus) / (2h).
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        plus = f()
        x[i] = original - h
        minus = f()
        x[i] = original
        grad[i] = (plus - minus) / (2 * h)
    return grad
    ### END SOLUTION


# %%
check("numerical_gradient")

# %% [markdown] lang="ko"
# 이제 직접 만든 층의 기울기 확인(gradient check)을 해 봅시다. 무작위로 고정한 $r$로 손실을 $L =
# \sum y \cdot r$로 정하면 $\partial L / \partial y = r$입니다. 역전파로 구한 기울기를 수치 기울기와
# 비교해 보세요. float64에서 올바르게 구현한 층이라면 상대 오차가 $10^{-7}$보다 작습니다.

# %% [markdown] lang="en"
# Now the gradient check of your layer: for the loss $L = \sum y \cdot r$ with a fixed
# random $r$, $\partial L / \partial y = r$. Compare your backward with the slopes; in
# float64 the relative error of a correct layer is below $10^{-7}$.

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((2, 3, 7, 7))
w = rng.standard_normal((4, 3, 3, 3))
b = rng.standard_normal(4)
r = rng.standard_normal((2, 4, 3, 3))  # the output shape with stride 2, padding 0


def loss():
    return float(np.sum(conv2d_forward(x, w, b, 2, 0)[0] * r))


_, cache = conv2d_forward(x, w, b, 2, 0)
dx, dw, db = conv2d_backward(r, cache)
for name, analytic, param in (("dx", dx, x), ("dw", dw, w), ("db", db, b)):
    numeric = numerical_gradient(loss, param)
    err = np.max(np.abs(analytic - numeric)) / max(np.max(np.abs(numeric)), 1e-12)
    print(f"{name}: max relative error {err:.1e}")
    assert err < 1e-7
