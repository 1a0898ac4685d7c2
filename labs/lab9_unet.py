# %% [markdown] lang="ko"
# # 실습 9: 전치 합성곱과 작은 U-Net
#
# **관련 강의:** 4강(노트 003)의 "CNNs for detection, segmentation"에 나오는 FCN, 모래시계
# (hourglass) 구조, U-Net과, 5강(노트 004)의 분할(segmentation): 이미지 전체가 아니라 **픽셀마다**
# 클래스를 정합니다. 함께 읽을 문서: [전치 합성곱](../docs/conv_transpose.ko.md),
# [분할](../docs/segmentation.ko.md).
#
# | 문항 | 배점 |
# |---|---|
# | `conv_transpose2d_forward` | 3 |
# | `conv_transpose2d_backward` | 3 |
# | `build_unet` | 1 |
# | `train_unet` | 3 |
# | 서술형 문제 3개(강사 채점) | 6 |
#
# 전치 합성곱(transposed convolution)의 두 함수는 **numpy만으로** 작성합니다. U-Net은 minicnn의
# 층(`mc.Conv2D`, `mc.MaxPool2D`, `mc.ConvTranspose2D`, `mc.Concat` ...)으로 만들고 학습합니다.
# 채점할 때 `train_unet`은 채점용 시드로 뽑은 캔버스로 학습하고, 학습에 쓰지 않은 숫자로 만든
# 캔버스 200장에서 픽셀 정확도(pixel accuracy)와 평균 IoU(mean IoU)를 잽니다. 학습은 2코어
# 노트북에서 1분 남짓이면 끝나야 합니다(채점할 때는 4분이 지나면 멈춥니다).

# %% [markdown] lang="en"
# # Lab 9: transposed convolution and a small U-Net
#
# **Lectures practised:** 003 ("CNNs for detection, segmentation": FCN, the hourglass,
# U-Net) and 004 (segmentation: a class for every **pixel**, not one for the image).
# Read alongside: [transposed convolution](../docs/conv_transpose.md),
# [segmentation](../docs/segmentation.md).
#
# | part | points |
# |---|---|
# | `conv_transpose2d_forward` | 3 |
# | `conv_transpose2d_backward` | 3 |
# | `build_unet` | 1 |
# | `train_unet` | 3 |
# | three written questions (graded by the instructor) | 6 |
#
# The two transposed convolution functions are written with **numpy alone**. The U-Net is
# built and trained with minicnn's layers (`mc.Conv2D`, `mc.MaxPool2D`,
# `mc.ConvTranspose2D`, `mc.Concat` ...). When graded, `train_unet` trains on canvases
# drawn from the grading seed and is scored on 200 canvases made of digits it never saw:
# pixel accuracy and mean IoU. Training must finish in about a minute on a 2-core laptop
# (the grader stops it after 4 minutes).

# %%
import time

import numpy as np

import minicnn as mc
from minicnn.lab import checker

check = checker("lab9", globals())

# %% [markdown] lang="ko"
# ## 1. 전치 합성곱의 순전파
#
# 분할 신경망은 특징 맵을 줄였다가 입력 크기로 다시 키웁니다. 전치 합성곱은 **학습되는**
# 가중치로 키웁니다. 입력 픽셀 하나하나가 자기 값만큼 키운 커널을 출력에 **찍고**, 입력에서 한
# 칸 옮길 때마다 출력에서는 스트라이드 $s$칸씩 옮겨 찍습니다. 찍은 자국이 겹치는 곳은 더합니다.
#
# $$Y[n, o, i s + p, j s + q] \mathrel{+}= \sum_c X[n, c, i, j] \, W[c, o, p, q]$$
#
# 마지막으로 `padding`만큼 네 변을 잘라 내고 편향 $b[o]$를 더합니다. 가중치의 모양은 PyTorch와
# 같은 `(C_in, C_out, k, k)`로, 입력 채널이 먼저입니다. 이 연산은 같은 커널·스트라이드·패딩을 쓰는
# 합성곱의 입력에 대한 역전파($dX$)와 같습니다. 그래서 "전치"라는 이름이 붙었습니다.

# %% [markdown] lang="en"
# ## 1. Transposed convolution, forward
#
# A segmentation network shrinks its feature maps and then brings them back to the input's
# size. A transposed convolution does that with **learned** weights: every input pixel
# **stamps** the kernel, scaled by its value, onto the output, and one step in the input is
# $s$ steps (the stride) in the output. Where stamps overlap, they add up:
#
# $$Y[n, o, i s + p, j s + q] \mathrel{+}= \sum_c X[n, c, i, j] \, W[c, o, p, q]$$
#
# Then `padding` rows and columns are cut from every side and the bias $b[o]$ is added.
# The weight is `(C_in, C_out, k, k)`, input channel first, as in PyTorch. This is the
# backward pass for the input ($dX$) of the convolution with the same kernel, stride and
# padding: hence "transposed".

# %% [markdown] lang="ko" question="q_size" points=2
# **질문 1.** 7×7 특징 맵이 `mc.ConvTranspose2D(8, 4, k, stride=2, padding=1)`을 지납니다.
# $k = 4$일 때와 $k = 3$일 때 출력은 각각 몇 × 몇입니까? 계산 과정을 쓰고, $k = 3$으로 14×14를
# 얻으려면 무엇이 더 필요한지 설명하세요.

# %% [markdown] lang="ko" answer="q_size"
# ### BEGIN SOLUTION
# 출력 크기는 $(H - 1) s - 2p + k$입니다. $k = 4$: $(7 - 1) \cdot 2 - 2 + 4 = 14$, 14×14.
# $k = 3$: $12 - 2 + 3 = 13$, 13×13. 스트라이드 2인 합성곱은 14×14와 13×13 입력을 모두 7×7로
# 보내므로(내림), 전치 합성곱은 어느 크기로 돌아갈지 정해 줘야 합니다. `output_padding=1`을 주면
# 한쪽(오른쪽·아래쪽)에 한 줄을 더해 14×14가 됩니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_size" points=2
# **Question 1.** A 7×7 feature map goes through `mc.ConvTranspose2D(8, 4, k, stride=2,
# padding=1)`. What is the output size for $k = 4$, and for $k = 3$? Show the computation,
# and say what else a $k = 3$ layer needs to give 14×14.

# %% [markdown] lang="en" answer="q_size"
# ### BEGIN SOLUTION
# The output size is $(H - 1) s - 2p + k$. $k = 4$: $(7 - 1) \cdot 2 - 2 + 4 = 14$, 14×14.
# $k = 3$: $12 - 2 + 3 = 13$, 13×13. A stride-2 convolution maps both 14×14 and 13×13 inputs
# to 7×7 (it rounds down), so its transpose must be told which size to return to:
# `output_padding=1` adds one row and column (bottom and right) and gives 14×14.
# ### END SOLUTION

# %% [markdown] lang="ko" hint="conv_transpose2d_forward"
# <details><summary>힌트</summary>
#
# 잘라 내기 전의 출력 크기는 $(H - 1)s + k$입니다. 그 크기의 0 배열을 만들고, 입력 픽셀
# $(i, j)$마다 `y_full[:, :, i*s : i*s + k, j*s : j*s + k]`에 커널을 찍으세요. 모든 이미지와 출력
# 채널의 도장 `(N, C_out, k, k)`를 한 번에 만들려면 입력 채널 축으로 합하는 `np.einsum`이 편합니다.
# 마지막에 `y_full[:, :, p : -p or None, ...]`처럼 `padding`을 잘라 내세요.
#
# </details>

# %% [markdown] lang="en" hint="conv_transpose2d_forward"
# <details><summary>Hint</summary>
#
# Before cropping the output is $(H - 1)s + k$ wide. Make zeros of that size and, for each
# input pixel $(i, j)$, stamp onto `y_full[:, :, i*s : i*s + k, j*s : j*s + k]`. The
# `(N, C_out, k, k)` stamps of every image and output channel come at once from an
# `np.einsum` that sums over the input channels. Crop `padding` at the end, e.g.
# `y_full[:, :, p : -p or None, ...]`.
#
# </details>


# %%
def conv_transpose2d_forward(x, w, b, stride=1, padding=0):
    """x (N, C_in, H, W), w (C_in, C_out, k, k), b (C_out,) -> y (N, C_out, OH, OW), cache.

    OH = (H - 1) * stride - 2 * padding + k (and OW likewise).
    """
    # [ko] TODO: 입력 픽셀마다 x 값만큼 키운 커널을 stride 간격으로 찍어 더하고, padding을
    # [ko] 잘라 낸 뒤 편향을 더하세요. cache에는 역전파에 필요한 것을 담으세요.
    # [en] TODO: stamp the kernel, scaled by each input pixel, stride apart; add up the
    # [en] overlaps, crop padding, add the bias. Keep in cache what the backward needs.
    ### BEGIN SOLUTION
    n, _, h, wd = x.shape
    _, c_out, k, _ = w.shape
    s, p = stride, padding
    y_full = np.zeros((n, c_out, (h - 1) * s + k, (wd - 1) * s + k))
    for i in range(h):
        for j in range(wd):
            y_full[:, :, i * s : i * s + k, j * s : j * s + k] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], w
            )
    y = y_full[:, :, p : y_full.shape[2] - p, p : y_full.shape[3] - p]
    return y + b.reshape(1, -1, 1, 1), (x, w, stride, padding)
    ### END SOLUTION


# %%
check("conv_transpose2d_forward")

# %% [markdown] lang="ko"
# ## 2. 전치 합성곱의 역전파
#
# 순전파에서 $X[n, c, i, j]$는 출력의 $(i s, j s)$에서 시작하는 $k \times k$ 영역에 $W[c, o]$를
# 곱해 더해졌습니다. 역전파는 그 자리를 그대로 다시 읽습니다. 잘라 낸 `padding`을 되살리려면
# $dY$ 둘레에 0을 `padding`줄씩 채운 $dY_{pad}$를 씁니다.
#
# $$dX[n, c, i, j] = \sum_{o, p, q} dY_{pad}[n, o, i s + p, j s + q] \, W[c, o, p, q]$$
#
# $$dW[c, o, p, q] = \sum_{n, i, j} X[n, c, i, j] \, dY_{pad}[n, o, i s + p, j s + q],
# \qquad db[o] = \sum_{n, i, j} dY[n, o, i, j]$$
#
# 첫 식은 $dY$에 대한 보통의 합성곱(교차상관)입니다. 합성곱의 역전파가 전치 합성곱이었듯이, 전치
# 합성곱의 역전파는 합성곱입니다.

# %% [markdown] lang="en"
# ## 2. Transposed convolution, backward
#
# In the forward pass $X[n, c, i, j]$ was added, times $W[c, o]$, onto the $k \times k$
# patch of the output starting at $(i s, j s)$. The backward pass reads those same places.
# To undo the crop, pad $dY$ with `padding` rows of zeros all round ($dY_{pad}$):
#
# $$dX[n, c, i, j] = \sum_{o, p, q} dY_{pad}[n, o, i s + p, j s + q] \, W[c, o, p, q]$$
#
# $$dW[c, o, p, q] = \sum_{n, i, j} X[n, c, i, j] \, dY_{pad}[n, o, i s + p, j s + q],
# \qquad db[o] = \sum_{n, i, j} dY[n, o, i, j]$$
#
# The first is a plain convolution (cross-correlation) of $dY$: the backward of a
# convolution was a transposed convolution, and the backward of a transposed convolution
# is a convolution.

# %% [markdown] lang="ko" hint="conv_transpose2d_backward"
# <details><summary>힌트</summary>
#
# 순전파와 같은 이중 루프를 돌면서, 입력 픽셀 $(i, j)$마다 순전파에서 그 픽셀이 찍었던 자리의
# `dy`(패딩을 되돌린 `dy_pad`의 같은 k×k 윈도우, 모양 `(N, C_out, k, k)`)를 한 번 읽으세요. 이 윈도우와
# `w`를 출력 채널과 커널 위치에 대해 곱해 더하면 `dx[:, :, i, j]`가 되고, 이 윈도우와 `x[:, :, i, j]`로
# `dw`에 더할 몫을 구합니다.
#
# </details>

# %% [markdown] lang="en" hint="conv_transpose2d_backward"
# <details><summary>Hint</summary>
#
# Loop as in the forward pass and read, for each input pixel $(i, j)$, the part of `dy`
# that pixel stamped in the forward pass: the same k×k window of `dy_pad` (the padding
# put back), shape `(N, C_out, k, k)`. Multiplied with `w` and summed over the output
# channels and the kernel positions it gives `dx[:, :, i, j]`; with `x[:, :, i, j]` it
# gives this pixel's share of `dw`.
#
# </details>


# %%
def conv_transpose2d_backward(dy, cache):
    """dy (N, C_out, OH, OW) -> dx (N, C_in, H, W), dw (C_in, C_out, k, k), db (C_out,)."""
    # [ko] TODO: dy 둘레에 0을 padding줄씩 채우고, 입력 픽셀마다 자기가 찍었던 윈도우를
    # [ko] 읽어 dx와 dw를 구하세요. db는 dy의 합입니다.
    # [en] TODO: pad dy with padding zeros all round; for each input pixel read the window it
    # [en] stamped, for dx and dw. db is a sum of dy.
    ### BEGIN SOLUTION
    x, w, s, p = cache
    _, _, h, wd = x.shape
    k = w.shape[2]
    dy_pad = np.pad(dy, ((0, 0), (0, 0), (p, p), (p, p)))
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for i in range(h):
        for j in range(wd):
            window = dy_pad[:, :, i * s : i * s + k, j * s : j * s + k]
            dx[:, :, i, j] = np.einsum("nokl,cokl->nc", window, w)
            dw += np.einsum("nc,nokl->cokl", x[:, :, i, j], window)
    return dx, dw, dy.sum(axis=(0, 2, 3))
    ### END SOLUTION


# %%
check("conv_transpose2d_backward")

# %% [markdown] lang="ko"
# ## 3. 숫자 캔버스와 U-Net
#
# 데이터는 48×48 검은 캔버스에 MNIST 숫자 두 개를 붙인 것입니다. 마스크는 픽셀마다 0(배경) 또는
# 1 + 그 획이 속한 숫자이므로 클래스는 11개입니다. 픽셀의 91%가 배경이라서, 전부 배경이라고 답해도
# 픽셀 정확도가 0.91이나 됩니다. 그래서 클래스마다 IoU(intersection over union)를 따로 재서
# 평균한 **평균 IoU**도 함께 봅니다.
#
# U-Net은 두 갈래로 이루어집니다. **인코더**(encoder)는 합성곱과 풀링으로 특징 맵을 줄여 가며 숫자 전체를
# 볼 만큼 넓은 수용 영역(receptive field)을 얻고, **디코더**(decoder)는 전치 합성곱으로 특징 맵을 다시
# 키웁니다. 같은 크기의 인코더 특징을 디코더 특징과 채널 방향으로 이어 붙이는 **스킵 연결**(skip
# connection)이 U-Net의 핵심입니다. minicnn에서는 `mc.Concat(mc.Identity(), body)`가
# $[x, \text{body}(x)]$를 만듭니다.
#
#     48×48: conv ────────────────────────────── concat → 1×1 conv → 점수 11개
#       └ pool → 24×24: conv ──────── concat → conv → 전치 합성곱 ┘
#             └ pool → 12×12: conv, conv → 전치 합성곱 ┘

# %% [markdown] lang="en"
# ## 3. Digit canvases and a U-Net
#
# The data: two MNIST digits pasted on a black 48×48 canvas. The mask labels every pixel
# 0 (background) or 1 + the digit whose stroke it is: 11 classes. 91 % of the pixels are
# background, so answering "background" everywhere already scores 0.91 pixel accuracy.
# That is why we also measure the IoU (intersection over union) of each class on its own
# and average it: the **mean IoU**.
#
# A U-Net has two halves. The **encoder** convolves and pools, shrinking the feature maps
# until a unit's receptive field covers a whole digit; the **decoder** brings them back
# with transposed convolutions. Its key is the **skip connection**: the encoder's features
# are concatenated, along the channels, with the decoder's at the same size. In minicnn
# `mc.Concat(mc.Identity(), body)` computes $[x, \text{body}(x)]$.
#
#     48×48: conv ────────────────────────────── concat → 1×1 conv → 11 scores
#       └ pool → 24×24: conv ──────── concat → conv → transposed conv ┘
#             └ pool → 12×12: conv, conv → transposed conv ┘

# %%
canvases = mc.data.mnist_canvases("train", n_images=8, size=48, digits=2, seed=0)
images, masks = canvases.arrays()  # (8, 1, 48, 48) float32, (8, 48, 48) int64
print(images.shape, masks.shape, canvases.classes)
print("digits on canvas 0:", [p.label for p in canvases.placements[0]])
print("classes in mask 0:", np.unique(masks[0]))

# %% [markdown] lang="ko" hint="build_unet"
# <details><summary>힌트</summary>
#
# 위 그림을 안쪽부터 만드세요. 12×12 단계는 `mc.Sequential(mc.MaxPool2D(2), 합성곱, 합성곱,
# mc.ConvTranspose2D(c, c_up, 2, stride=2))`이고, 이것을 `mc.Concat(mc.Identity(), ...)`로 감싸면
# 24×24 단계의 스킵 연결이 됩니다. 3×3 합성곱에는 `padding=1`을 주어 크기를 유지하세요. 합성곱과
# 전치 합성곱 다음에 `mc.BatchNorm2D`와 `mc.ReLU`를 두면 학습이 빨라집니다. 이어 붙인 뒤의 채널 수는 두
# 갈래의 채널 수를 더한 것입니다.
#
# </details>

# %% [markdown] lang="en" hint="build_unet"
# <details><summary>Hint</summary>
#
# Build the picture from the inside out. The 12×12 level is `mc.Sequential(mc.MaxPool2D(2),
# conv, conv, mc.ConvTranspose2D(c, c_up, 2, stride=2))`; wrapped in
# `mc.Concat(mc.Identity(), ...)` it is the 24×24 level's skip connection. Give the 3×3
# convolutions `padding=1` to keep the size, and follow each convolution and transposed
# convolution by `mc.BatchNorm2D` and `mc.ReLU` to train faster. After a concatenation the channels are the sum of both branches'.
#
# </details>


# %%
def build_unet():
    """A U-Net for (N, 1, H, W) canvases (H, W multiples of 4) -> (N, 11, H, W) scores."""

    # [ko] TODO: 인코더(합성곱 + 풀링), 디코더(mc.ConvTranspose2D), 스킵 연결(mc.Concat)로
    # [ko] U-Net을 만들어 돌려주세요. 채널은 8, 16, 32 정도면 충분합니다.
    # [en] TODO: return a U-Net: an encoder (convolutions and pooling), a decoder
    # [en] (mc.ConvTranspose2D), skip connections (mc.Concat). 8, 16, 32 channels are enough.
    ### BEGIN SOLUTION
    def conv(c_in, c_out, k=3):
        return [mc.Conv2D(c_in, c_out, k, padding=k // 2), mc.BatchNorm2D(c_out), mc.ReLU()]

    def up(c_in, c_out):  # learned upsampling: twice the size
        return [mc.ConvTranspose2D(c_in, c_out, 2, stride=2), mc.BatchNorm2D(c_out), mc.ReLU()]

    def skip(*body):
        return mc.Concat(mc.Identity(), mc.Sequential(*body))  # [x, body(x)]

    return mc.Sequential(
        *conv(1, 8),  # 8 × 48 × 48
        skip(
            mc.MaxPool2D(2),
            *conv(8, 16),  # 16 × 24 × 24
            skip(
                mc.MaxPool2D(2),
                *conv(16, 32),
                *conv(32, 32),  # 32 × 12 × 12: sees a whole digit
                *up(32, 32),
            ),  # 16 + 32 channels at 24 × 24
            *conv(48, 16, k=1),
            *conv(16, 16),
            *up(16, 16),
        ),  # 8 + 16 channels at 48 × 48
        mc.Conv2D(24, 11, 1),  # a score for each class at each pixel
    )
    ### END SOLUTION


# %%
check("build_unet")

# %% [markdown] lang="ko"
# ## 4. U-Net 학습하기
#
# `train_unet(images, masks)`는 캔버스 `(N, 1, 48, 48)`와 마스크 `(N, 48, 48)`을 받아 U-Net을
# 학습하고 그 신경망을 돌려줍니다. 손실은 픽셀마다의 교차 엔트로피(cross-entropy)
# `mc.PixelCrossEntropy`입니다. 채점할 때는 캔버스 1000장이 들어오고, 2코어 노트북에서 1분 남짓이면
# 학습이 끝나야 합니다. 학습한 신경망은 따로 떼어 둔 캔버스 200장에서 **픽셀 정확도 0.935 이상,
# 평균 IoU 0.25 이상**을 내야 합니다. 결과가 채점할 때마다 같도록 `mc.manual_seed`로 시드를
# 정하세요.

# %% [markdown] lang="en"
# ## 4. Training the U-Net
#
# `train_unet(images, masks)` takes canvases `(N, 1, 48, 48)` and masks `(N, 48, 48)`,
# trains a U-Net on them and returns it. The loss is cross-entropy at every pixel,
# `mc.PixelCrossEntropy`. When graded it gets 1000 canvases and must finish training
# in about a minute on a 2-core laptop; the network it returns must reach **pixel accuracy
# 0.935 and mean IoU 0.25** on 200 held-out canvases. Fix the seed with `mc.manual_seed`,
# so that grading gives the same result every time.

# %% [markdown] lang="ko" hint="train_unet"
# <details><summary>힌트</summary>
#
# 학습 한 걸음은 실습 8의 `fine_tune_step`과 같습니다(기울기 지우기, 순전파, 손실, 손실에서 시작하는
# 역전파, 갱신; 수업 노트북 `07_segmentation`도 같은 순서입니다). `mc.Adam(..., lr=2e-2)`와 배치 8로
# 여덟 에폭이면 충분합니다. 배치가 작을수록 한 에폭에 더 많이 갱신합니다. 에폭마다 걸린 시간을
# `time.perf_counter`로 재 보세요. 학습률을 `mc.CosineLR`로 줄여 가면 마지막 에폭의 결과가
# 안정됩니다.
#
# </details>

# %% [markdown] lang="en" hint="train_unet"
# <details><summary>Hint</summary>
#
# One training step is lab 8's `fine_tune_step` (clear the gradients, forward, the loss,
# backward from the loss, update; the lesson notebook `07_segmentation` does the same).
# `mc.Adam(..., lr=2e-2)`, batches of 8 and eight epochs are enough: smaller batches
# update more often per epoch. Time each epoch with `time.perf_counter`. Lowering the
# rate along a cosine (`mc.CosineLR`) steadies the last epoch's result.
#
# </details>


# %%
def train_unet(images, masks):
    """Train build_unet() on images (N, 1, H, W) and masks (N, H, W); return the network."""
    # [ko] TODO: 시드를 정하고, U-Net과 손실, 옵티마이저를 만들어 몇 에폭 학습한 뒤 신경망을
    # [ko] 돌려주세요.
    # [en] TODO: fix the seed; make the U-Net, the loss and an optimizer; train for a few
    # [en] epochs and return the network.
    ### BEGIN SOLUTION
    mc.manual_seed(0)
    model = build_unet()
    loss = mc.PixelCrossEntropy()
    optimizer = mc.Adam(model.parameters(), lr=2e-2)
    loader = mc.data.DataLoader(images, masks, batch_size=8, seed=0)
    epochs = 8
    scheduler = mc.CosineLR(optimizer, T_max=epochs * len(loader))
    for epoch in range(epochs):
        start = time.perf_counter()
        for xb, mb in loader:
            optimizer.zero_grad()
            value = loss(model.forward(xb), mb)
            model.backward(loss.backward())
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch + 1}: loss {value:.3f}, {time.perf_counter() - start:.1f} s")
    return model
    ### END SOLUTION


# %%
check("train_unet")

# %% [markdown] lang="ko" question="q_skip" points=2
# **질문 2.** `build_unet`에서 스킵 연결 두 개를 빼고(`mc.Concat(mc.Identity(), body)`를 `body`로
# 바꾸고 채널 수를 맞추고) 학습하면 평균 IoU는 어떻게 될까요? 디코더가 무엇을 잃는지 들어
# 설명하세요.

# %% [markdown] lang="ko" answer="q_skip"
# ### BEGIN SOLUTION
# 평균 IoU가 떨어집니다. 12×12 단계의 특징은 숫자 전체를 보므로 *무슨* 숫자인지는 알지만, 풀링을
# 두 번 거치면서 4×4 픽셀 안의 위치를 잃었습니다. 전치 합성곱은 이 거친 특징을 키울 뿐, 잃은
# 위치를 되살리지 못하므로 획의 경계가 뭉개지고 가는 획을 놓칩니다. 스킵 연결은 해상도가 그대로인
# 인코더 특징(어느 픽셀이 획인지)을 디코더에 넘겨서, "무엇"(깊은 층)과 "어디"(얕은 층)를 픽셀마다
# 함께 쓰게 합니다. 이 데이터에서는 획인지 배경인지가 입력 픽셀의 밝기로 거의 정해지므로, 48×48
# 단계의 스킵 연결이 특히 중요합니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_skip" points=2
# **Question 2.** Remove the two skip connections from `build_unet` (replace
# `mc.Concat(mc.Identity(), body)` by `body` and fix the channel counts) and train again.
# What happens to the mean IoU? Explain by what the decoder loses.

# %% [markdown] lang="en" answer="q_skip"
# ### BEGIN SOLUTION
# The mean IoU drops. The 12×12 features see a whole digit, so they know *which* digit it is,
# but after two poolings they no longer know where in a 4×4 block a stroke lies. A transposed
# convolution enlarges these coarse features; it cannot bring back the positions pooling
# threw away, so stroke edges blur and thin strokes are missed. The skip connections hand the
# encoder's full-resolution features (which pixel is a stroke) to the decoder, so every pixel
# is classified from "what" (deep layers) and "where" (shallow layers) together. Here whether a
# pixel is a stroke is almost given by its own brightness, so the 48×48 skip matters most.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_iou" points=2
# **질문 3.** 모든 픽셀을 배경이라고 답하는 "신경망"은 테스트 캔버스에서 픽셀 정확도 0.91을
# 얻습니다. 이 신경망의 평균 IoU는 얼마쯤이고, 왜 분할에서는 픽셀 정확도보다 평균 IoU를 보고하는지
# 설명하세요.

# %% [markdown] lang="ko" answer="q_iou"
# ### BEGIN SOLUTION
# 배경의 IoU는 (맞힌 배경 픽셀) / (배경이라고 답했거나 실제로 배경인 픽셀) = 0.91 / 1 = 0.91이고,
# 숫자 클래스 10개는 예측한 픽셀이 하나도 없으므로 IoU가 0입니다. 11개 클래스가 모두 나온다면
# 평균 IoU는 0.91 / 11 ≈ 0.08입니다. 픽셀 정확도는 픽셀 수가 가장 많은 클래스(배경)에 좌우되어
# 아무것도 찾지 못한 답도 높은 점수를 받습니다. IoU는 클래스마다 따로 재서 평균하므로, 작은
# 클래스(숫자의 획)를 못 찾으면 그대로 점수가 떨어집니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_iou" points=2
# **Question 3.** A "network" that answers "background" for every pixel scores 0.91 pixel
# accuracy on the test canvases. About what is its mean IoU, and why does segmentation
# report mean IoU rather than pixel accuracy?

# %% [markdown] lang="en" answer="q_iou"
# ### BEGIN SOLUTION
# The background's IoU is (background pixels right) / (pixels predicted or truly background)
# = 0.91 / 1 = 0.91; the ten digit classes are never predicted, so their IoU is 0. With all
# 11 classes present the mean IoU is 0.91 / 11 ≈ 0.08. Pixel accuracy is ruled by the
# largest class (the background), so an answer that finds nothing still scores high; IoU is
# measured per class and averaged, so missing a small class (a digit's strokes) costs its
# full share.
# ### END SOLUTION
