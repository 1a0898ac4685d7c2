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
# | 서술형 문제 3개(강사 채점) | 5 |
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
# | three written questions (graded by the instructor) | 5 |
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
# **열**(column) 하나로 복사합니다. 필터도 하나씩 한 행으로 펼쳐 두면, 한 번의 행렬 곱으로 모든
# 윈도우에 모든 필터가 적용됩니다.
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
# 커널이면 9번). 커널 안의 한 위치가 모든 윈도우에서 만나는 픽셀들은 일정한 간격으로 놓여 있으므로
# 한꺼번에 꺼낼 수 있습니다.

# %% [markdown] lang="en"
# ## 1. im2col: the whole layer as one matrix product
#
# Lab 1's four loops are slow. im2col copies every window of the (padded) input into
# one **column** of a matrix `cols`; then every filter, flattened into a row, meets every
# window in one matrix product.
#
# minicnn's layout: `cols` has shape `(C·kh·kw, N·OH·OW)`; row `(c, p, q)` (c slowest,
# then p, then q, as `w[k].reshape(-1)` orders them), column `(n, i, j)` (n slowest), and
#
# `cols[(c, p, q), (n, i, j)] = x_pad[n, c, i·s + p, j·s + q]`.
#
# *Deep Learning from Scratch* (밑바닥부터 시작하는 딥러닝) stores the transpose: one
# window per **row**. Same idea, other side of the product.
#
# Build it without a loop over pixels: loop over the positions `(p, q)` inside the
# kernel only (9 for 3×3). The pixels one position meets in all the windows are evenly
# spaced, so they come out together.


# %%
def im2col(x, kh, kw, stride=1, padding=0):
    """(N, C, H, W) -> cols (C*kh*kw, N*OH*OW): one column per window."""
    # [ko] TODO: 윈도우마다 열 하나인 cols (C*kh*kw, N*OH*OW)를 만드세요.
    # [ko] 픽셀이 아니라 커널 안의 위치 (p, q)에 대해 반복합니다.
    # [en] TODO: build cols (C*kh*kw, N*OH*OW), one column per window, looping over the
    # [en] positions (p, q) inside the kernel, not over the pixels.
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

# %% [markdown] lang="ko" hint="im2col"
# <details><summary>힌트</summary>
#
# * 커널 안의 위치 `(p, q)` 하나가 모든 윈도우에서 만나는 픽셀은 `x_pad`의 행 `p, p+s, p+2s, …`와
#   열 `q, q+s, …`에 있습니다. NumPy의 슬라이스 `시작:끝:간격`으로 한꺼번에 꺼낼 수 있습니다.
# * `cols`를 처음부터 2차원으로 만들기보다 `(C, kh, kw, N, OH, OW)` 모양으로 만들어 채운 뒤 마지막에
#   `reshape`하면 행과 열의 순서가 저절로 맞습니다. 꺼낸 조각의 축 순서 `(N, C, OH, OW)`를 그 모양에
#   맞게 옮기는 것만 잊지 마세요.
#
# </details>

# %% [markdown] lang="en" hint="im2col"
# <details><summary>Hint</summary>
#
# * The pixels one position `(p, q)` meets in all the windows are in rows `p, p+s, p+2s, …`
#   and columns `q, q+s, …` of `x_pad`: one NumPy slice `start:stop:step` takes them all.
# * Rather than filling a 2-D `cols` directly, fill an array of shape
#   `(C, kh, kw, N, OH, OW)` and `reshape` it at the end: rows and columns then come out
#   in the right order. Move the slice's axes `(N, C, OH, OW)` to match that shape.
#
# </details>

# %% [markdown] lang="ko"
# ## 2. im2col을 쓴 순전파(forward pass)
#
# 식 $Y = B + K \star X$는 im2col을 쓰면 행렬 곱 한 번과 편향의 덧셈이 됩니다. 행렬 곱의 결과에서
# 행은 필터, 열은 `cols`의 열 순서 `(n, i, j)`를 따르므로, 마지막에 `(N, K, OH, OW)` 모양으로
# 되돌려야 합니다.
#
# 순전파는 `(y, cache)`를 반환합니다. 캐시(cache)에는 역전파에 필요한 것, 여기서는 `x`의 모양, `w`,
# 스트라이드, 패딩, `cols`를 담아 둡니다. 캐시에 무엇을 넣을지는 자유입니다. 채점기는 캐시를 같은
# 노트북의 `conv2d_backward`에만 넘기기 때문입니다. `b`가 `None`(편향 없음)으로 들어올 수도
# 있습니다.

# %% [markdown] lang="en"
# ## 2. The forward pass with im2col
#
# With im2col, $Y = B + K \star X$ is one matrix product and the bias added. The
# product's rows are the filters and its columns follow the columns of `cols`,
# `(n, i, j)`: bring it back to the shape `(N, K, OH, OW)` at the end.
#
# The forward returns `(y, cache)`: the cache holds what the backward pass will need
# (here `x`'s shape, `w`, the stride, the padding and `cols`). It is yours: the grader
# only ever hands it back to your own `conv2d_backward`. `b` may be `None` (no bias).


# %%
def conv2d_forward(x, w, b, stride=1, padding=0):
    """y = x ⋆ w + b by im2col.  Returns (y (N, K, OH, OW), cache)."""
    # [ko] TODO: im2col과 행렬 곱 한 번으로 y (N, K, OH, OW)를 구하고(b가 있으면 더하고),
    # [ko] y와 conv2d_backward에 쓸 캐시를 반환하세요.
    # [en] TODO: y (N, K, OH, OW) by im2col and one matrix product (plus b, if any);
    # [en] return y and a cache for conv2d_backward.
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

# %% [markdown] lang="ko" hint="conv2d_forward"
# <details><summary>힌트</summary>
#
# * 필터 `w` `(K, C, F, F)`의 한 행이 `cols`의 한 열과 곱해지려면 `w`를 몇 행 몇 열로 펼쳐야
#   할까요? `w[k].reshape(-1)`의 순서가 `cols`의 행 순서와 같다는 점을 떠올리세요.
# * 편향 `b`는 `(K,)` 모양입니다. `(K, N·OH·OW)` 모양의 결과에 행마다 더해지도록 브로드캐스팅의
#   모양을 맞추세요.
# * `reshape`는 원소의 순서를 바꾸지 않습니다. 먼저 지금 순서 그대로 `(K, N, OH, OW)`로 바꾼 뒤,
#   축을 옮기세요.
#
# </details>

# %% [markdown] lang="en" hint="conv2d_forward"
# <details><summary>Hint</summary>
#
# * For one row of the filters to meet one column of `cols`, into how many rows and
#   columns must `w` `(K, C, F, F)` be flattened? Recall that `w[k].reshape(-1)` orders
#   its entries as `cols` orders its rows.
# * `b` has shape `(K,)`: shape it so that broadcasting adds it to each row of the
#   `(K, N·OH·OW)` result.
# * `reshape` never reorders elements: reshape to `(K, N, OH, OW)` in the current order
#   first, then move the axes.
#
# </details>

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
#   X_j \star \frac{\partial E}{\partial Y_i}$입니다. 커널의 원소 하나에 대한 기울기는, 그 원소가
#   만난 입력 픽셀들에 해당 출력의 기울기를 곱해 모두 더한 것입니다. 순전파에서 만든 im2col 행렬이
#   있으면 이것도 한 번의 행렬 곱이고, 배치에 대한 합은 행렬 곱 안에서 저절로 이루어집니다.
# * **편향**: 강의의 예제처럼 픽셀마다 편향이 있으면 $\frac{\partial E}{\partial b_{11}} =
#   \frac{\partial E}{\partial y_{11}}$입니다. 필터마다 편향이 하나이면 $\frac{\partial E}{\partial
#   B_k} = \sum_{n,i,j} \frac{\partial E}{\partial Y}[n,k,i,j]$로, 평균이 아니라 **합**입니다.
# * **입력**: $\frac{\partial E}{\partial X_j} = \sum_i \frac{\partial E}{\partial Y_i} *_{full}
#   K_{ij}$는 *full* 합성곱이고, 커널을 **180° 돌린** 것과의 full 교차상관과 같습니다. `dy` 둘레에
#   0을 $F-1$줄씩 채우고(패딩), 180° 돌린 커널과 교차상관하세요. 이번에는 `dy`의 채널($K$개)이 입력
#   자리에, `dx`의 채널($C$개)이 출력 자리에 오므로 필터의 입력 채널과 출력 채널도 맞바꿔야 합니다.
#   교차상관에는 앞에서 작성한 `conv2d_forward`를 그대로 쓰면 됩니다.
#
# 스트라이드가 $s > 1$이면 먼저 `dy`의 픽셀 사이에 0을 $s-1$개씩 끼워 넣어 간격을 벌립니다(팽창,
# dilate). 그래야 각 기울기가 자기 윈도우가 시작한 자리에 놓입니다. 패딩이 $P$였다면 이렇게 얻은
# 것은 *패딩된* 입력의 기울기이므로 둘레에서 $P$줄씩 잘라 냅니다. 출력 크기를 구할 때 소수점 아래를
# 버려서 윈도우가 입력의 마지막 행이나 열까지 닿지 않았다면, 그 픽셀들의 기울기는 0입니다.

# %% [markdown] lang="en"
# ## 3. The backward pass
#
# Lecture 002 derives, on a 3×3 input and a 2×2 kernel
# ($y_{11} = b_{11} + k_{11}x_{11} + k_{12}x_{12} + k_{21}x_{21} + k_{22}x_{22}$, …):
#
# * **kernel**: $\frac{\partial E}{\partial k_{11}} = \frac{\partial E}{\partial y_{11}}
#   x_{11} + \frac{\partial E}{\partial y_{12}} x_{12} + \frac{\partial E}{\partial
#   y_{21}} x_{21} + \frac{\partial E}{\partial y_{22}} x_{22}$, i.e.
#   $\frac{\partial E}{\partial K_{ij}} = X_j \star \frac{\partial E}{\partial Y_i}$:
#   the gradient of one kernel entry is the sum, over the outputs, of each output's
#   gradient times the input pixel that entry met. With the forward pass's im2col matrix
#   that is again one matrix product, and the sum over the batch happens inside it.
# * **bias**: $\frac{\partial E}{\partial b_{11}} = \frac{\partial E}{\partial y_{11}}$ in
#   the lecture's one-bias-per-pixel example; with one bias per filter,
#   $\frac{\partial E}{\partial B_k} = \sum_{n,i,j} \frac{\partial E}{\partial Y}[n,k,i,j]$:
#   a **sum**, not a mean.
# * **input**: $\frac{\partial E}{\partial X_j} = \sum_i \frac{\partial E}{\partial Y_i}
#   *_{full} K_{ij}$, a *full* convolution, which is a full cross-correlation with the
#   kernel **rotated by 180°**: pad `dy` with $F-1$ zeros on every side and correlate it
#   with the rotated kernel, using your own `conv2d_forward`. This time the $K$ channels
#   of `dy` are the input and the $C$ channels of `dx` the output, so the filters' input
#   and output channels trade places too.
#
# With a stride $s > 1$, first spread `dy` out: put $s-1$ zeros between its pixels
# ("dilate"), so that each gradient sits where its window started. With padding $P$,
# the result is the gradient of the *padded* input: crop $P$ from each side. If the
# windows did not reach the last rows/columns of the input (the division rounded down),
# those pixels get no gradient.


# %%
def conv2d_backward(dy, cache):
    """dy (N, K, OH, OW) -> (dx (N, C, H, W), dw (K, C, F, F), db (K,) or None)."""
    # [ko] TODO: 위의 세 식으로 db, dw (행렬 곱 한 번), dx (팽창하고 0을 채운 dy와 180° 돌린
    # [ko] 커널의 full 교차상관, 그다음 패딩 잘라 내기)를 구하세요.
    # [en] TODO: db, dw (one matrix product) and dx (full correlation of the dilated,
    # [en] zero-padded dy with the rotated kernel, then crop the padding), as derived above.
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

# %% [markdown] lang="ko" hint="conv2d_backward"
# <details><summary>힌트</summary>
#
# * **dw**: 결과의 모양은 `(K, C·F·F)`여야 합니다(그다음 `w.shape`로 되돌립니다). `cols`는
#   `(C·F·F, N·OH·OW)`이니, `dy`를 `(K, N·OH·OW)` 모양으로 펼쳐 곱할 순서와 전치를 모양으로 맞춰
#   보세요. 이때 `dy`의 열 순서가 `cols`의 열 순서 `(n, i, j)`와 같아야 하므로, 펼치기 전에 `K`
#   축을 맨 앞으로 옮기세요.
# * **커널 돌리기**: NumPy에서 축을 거꾸로 읽는 슬라이스는 `::-1`입니다. 돌리고 채널을 맞바꾼
#   필터의 모양은 `(C, K, F, F)`여야 합니다.
# * **팽창과 패딩**: 먼저 0으로 된 큰 배열을 만들고, 그 안에 `dy`를 간격 $s$로 써 넣으면 팽창과
#   패딩이 한 번에 됩니다. 윈도우가 닿지 않은 마지막 행과 열이 있으면 그만큼 아래쪽과 오른쪽에 0을
#   더 두어야 `dx`의 모양이 맞습니다.
#
# </details>

# %% [markdown] lang="en" hint="conv2d_backward"
# <details><summary>Hint</summary>
#
# * **dw**: the result must have shape `(K, C·F·F)` (then reshape it to `w.shape`).
#   `cols` is `(C·F·F, N·OH·OW)`: flatten `dy` to `(K, N·OH·OW)` and let the shapes tell
#   you the order of the product and where the transpose goes. The columns of `dy` must
#   follow those of `cols`, `(n, i, j)`: move the `K` axis to the front before flattening.
# * **Rotating the kernel**: a NumPy slice with step `::-1` reads an axis backwards. The
#   rotated filters with their channels swapped have shape `(C, K, F, F)`.
# * **Dilating and padding**: make one big array of zeros and write `dy` into it with
#   step $s$: that dilates and pads at once. If the windows never reached the last rows
#   and columns, keep that many more zeros at the bottom and right, or `dx` comes out
#   too small.
#
# </details>

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
    # [ko] TODO: x의 원소마다 위의 중앙 차분을 구해 x와 같은 모양의 배열로 반환하세요.
    # [ko] 끝나면 x는 처음과 똑같아야 합니다.
    # [en] TODO: the central difference above for every element of x, as an array shaped
    # [en] like x; afterwards x must be exactly as it was.
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

# %% [markdown] lang="ko" hint="numerical_gradient"
# <details><summary>힌트</summary>
#
# * `np.ndindex(x.shape)`는 어떤 모양의 배열이든 모든 인덱스를 차례로 돌려줍니다.
# * 원래 값은 변수에 담아 두었다가 그대로 다시 넣으세요. `h`를 더했다가 빼는 식으로 되돌리면
#   부동소수점 반올림 때문에 처음 값과 조금 달라질 수 있습니다.
#
# </details>

# %% [markdown] lang="en" hint="numerical_gradient"
# <details><summary>Hint</summary>
#
# * `np.ndindex(x.shape)` yields every index of an array of any shape.
# * Keep the original value in a variable and put it back: adding `h` and subtracting it
#   again can leave the value slightly different (floating-point rounding).
#
# </details>

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

# %% [markdown] lang="ko" question="q_kernel_grad" points=2
# **질문 1** (2점). 3강의 예제 $I$ = `[[1, 6, 2], [5, 3, 1], [7, 0, 4]]`, $K$ = `[[1, 2], [-1, 0]]`에서
# $\partial E / \partial Y$가 모두 1이라고 합시다. $\partial E / \partial k_{12}$와, 가운데 픽셀의
# $\partial E / \partial x_{22}$는 얼마입니까? 각각 어떤 값들을 더했는지도 적으세요.

# %% [markdown] lang="ko" answer="q_kernel_grad"
# ### BEGIN SOLUTION
# $k_{12}$는 출력 네 개를 만들 때 $x_{12}, x_{13}, x_{22}, x_{23}$과 곱해졌으므로
# $\partial E / \partial k_{12} = 6 + 2 + 3 + 1 = 12$입니다. $x_{22}$는 네 출력 모두에 각각
# $k_{22}, k_{21}, k_{12}, k_{11}$과 곱해져 들어가므로
# $\partial E / \partial x_{22} = 0 + (-1) + 2 + 1 = 2$입니다. 위 셀이 출력한 dK와 dX로 확인할 수
# 있습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_kernel_grad" points=2
# **Question 1** (2 points). In lecture 002's example, $I$ = `[[1, 6, 2], [5, 3, 1], [7, 0, 4]]`
# and $K$ = `[[1, 2], [-1, 0]]`, let $\partial E / \partial Y$ be all ones. What are
# $\partial E / \partial k_{12}$ and, for the centre pixel, $\partial E / \partial x_{22}$?
# Say which values you added.

# %% [markdown] lang="en" answer="q_kernel_grad"
# ### BEGIN SOLUTION
# $k_{12}$ multiplied $x_{12}, x_{13}, x_{22}, x_{23}$ in the four outputs, so
# $\partial E / \partial k_{12} = 6 + 2 + 3 + 1 = 12$. $x_{22}$ enters all four outputs,
# multiplied by $k_{22}, k_{21}, k_{12}, k_{11}$, so
# $\partial E / \partial x_{22} = 0 + (-1) + 2 + 1 = 2$ (the dK and dX printed above agree).
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_flip" points=2
# **질문 2** (2점). CNN의 층이 교차상관 대신 수학의 합성곱(커널을 180° 돌려서 계산)을 하도록 바꾸면
# 학습을 마친 신경망의 성능이 달라질까요? 이유와 함께 답하세요.

# %% [markdown] lang="ko" answer="q_flip"
# ### BEGIN SOLUTION
# 달라지지 않습니다. 커널의 값은 사람이 정하지 않고 학습으로 정해지므로, 합성곱 층은 교차상관 층이
# 배웠을 커널을 180° 돌린 것을 배우게 될 뿐입니다. 두 층이 표현할 수 있는 함수는 같습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_flip" points=2
# **Question 2** (2 points). If a CNN layer computed the true convolution (the kernel
# rotated by 180°) instead of the cross-correlation, would the trained network perform
# differently? Why?

# %% [markdown] lang="en" answer="q_flip"
# ### BEGIN SOLUTION
# No. The kernel is learned, not chosen by hand: the convolution layer simply learns the
# rotated version of the kernel the cross-correlation layer would have learned. Both
# layers can express the same functions.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_bias_sum" points=1
# **질문 3** (1점). 필터마다 편향이 하나일 때 $\partial E / \partial B_k$는 왜 평균이 아니라 합입니까?

# %% [markdown] lang="ko" answer="q_bias_sum"
# ### BEGIN SOLUTION
# $b_k$는 맵 $k$의 모든 픽셀에, 배치의 모든 예제에 더해지므로 출력 하나하나가 $b_k$에 대해 기울기 1을
# 가집니다. 연쇄 법칙에 따라 $b_k$가 영향을 준 모든 출력의 기울기를 더해야 합니다. 평균을 내면
# 기울기가 $N \cdot OH \cdot OW$배 작아집니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_bias_sum" points=1
# **Question 3** (1 point). With one bias per filter, why is $\partial E / \partial B_k$ a
# sum and not a mean?

# %% [markdown] lang="en" answer="q_bias_sum"
# ### BEGIN SOLUTION
# $b_k$ is added to every pixel of map $k$ for every example of the batch, so each of those
# outputs has derivative 1 with respect to $b_k$; the chain rule adds the gradients of
# all the outputs $b_k$ influenced. A mean would be $N \cdot OH \cdot OW$ times too small.
# ### END SOLUTION
