"""The labs: their files, the lecture sections they practise, and their graded parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import lab1, lab2, lab3, lab4, lab5, lab6, lab7, lab8, lab9
from .parts import Part


@dataclass(frozen=True)
class Lab:
    id: str  # "lab1"
    stem: str  # file name without .py / .ipynb
    title: str
    lectures: str  # the lecture sections it practises
    parts: tuple[Part, ...]
    title_ko: str = ""
    # What the student's code may import from minicnn while graded, besides numpy and
    # minicnn.data (see sandbox): whole modules, and single functions of
    # minicnn.functional as (file, name). Everything else of minicnn is blocked.
    provides: tuple[str, ...] = ()
    functional: tuple[tuple[str, str], ...] = ()

    # The lectures in the course's own words for Korean students: "n강(노트 00x): ...".
    lectures_ko: str = ""

    def title_in(self, lang: str) -> str:
        return self.title_ko if lang == "ko" and self.title_ko else self.title

    def lectures_in(self, lang: str) -> str:
        return self.lectures_ko if lang == "ko" and self.lectures_ko else self.lectures

    def provides_functional_files(self) -> list[str]:
        return sorted({f for f, _ in self.functional})

    def functional_imports(self) -> tuple[tuple[str, str], ...]:
        return self.functional

    @property
    def points(self) -> int:
        return sum(p.points for p in self.parts)

    def part(self, name: str) -> Part:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(f"{self.id} has no part {name!r}; its parts: {[p.name for p in self.parts]}")


LABS = {
    lab.id: lab
    for lab in (
        Lab(
            "lab1",
            "lab1_conv_forward",
            "Convolution forward by hand",
            "001 (convolution layer, stride, zero-padding, parameter counts), "
            "000 (edge detection), 002 (Keras parameter count)",
            tuple(lab1.PARTS),
            "직접 구현하는 합성곱 순전파(forward)",
            lectures_ko=(
                "2강(노트 001): 합성곱 층, 스트라이드, 제로 패딩, 파라미터 수 · "
                "1강(노트 000): 엣지 검출 · "
                "3강(노트 002): Keras 층의 파라미터 수"
            ),
        ),
        Lab(
            "lab2",
            "lab2_conv_backward",
            "im2col and the convolution backward",
            "002 (cross-correlation vs convolution, backward kernel, bias, input), "
            "001 (the conv layer), 003's references (Deep Learning from Scratch: im2col)",
            tuple(lab2.PARTS),
            "im2col과 합성곱 역전파(backward)",
            lectures_ko=(
                "3강(노트 002): 교차상관과 합성곱, 커널·편향·입력의 역전파 · "
                "2강(노트 001): 합성곱 층 · "
                "4강(노트 003)의 참고문헌 『밑바닥부터 시작하는 딥러닝』: im2col"
            ),
        ),
        Lab(
            "lab3",
            "lab3_pool_relu_dropout",
            "Pooling, ReLU and dropout",
            "001 (pooling layer), 003 (pooling), 004 (ReLU, dropout in AlexNet)",
            tuple(lab3.PARTS),
            "풀링(pooling), ReLU, 드롭아웃(dropout)",
            lectures_ko=(
                "2강(노트 001): 풀링 층 · "
                "4강(노트 003): 풀링 · "
                "5강(노트 004): AlexNet의 ReLU와 드롭아웃"
            ),
        ),
        Lab(
            "lab4",
            "lab4_linear_losses",
            "Linear layer, softmax cross-entropy and the SVM loss",
            "000 (softmax, SVM loss), 001 (fully connected layer), 003 (classification layer)",
            tuple(lab4.PARTS),
            "완전 연결층(linear), 소프트맥스 교차 엔트로피와 SVM 손실",
            lectures_ko=(
                "1강(노트 000): 소프트맥스, SVM 손실 · "
                "2강(노트 001): 완전 연결 층 · "
                "4강(노트 003): 분류 층"
            ),
        ),
        Lab(
            "lab5",
            "lab5_sgd_lenet",
            "SGD with momentum and LeNet-5 on MNIST",
            "003 (training CNNs), 004 (MNIST, LeNet, momentum 0.9 in VGG's training)",
            tuple(lab5.PARTS),
            "모멘텀 SGD와 MNIST로 학습하는 LeNet-5",
            lectures_ko=(
                "4강(노트 003): CNN 학습 · 5강(노트 004): MNIST, LeNet, VGG 학습의 모멘텀 0.9"
            ),
        ),
        Lab(
            "lab6",
            "lab6_batchnorm_residual",
            "(advanced) Batch normalisation and a residual block",
            "003 (ResNet; the CNN baseline: residual network, batch normalization), "
            "004 (ResNet: residual learning, degradation of deep networks)",
            tuple(lab6.PARTS),
            "(심화) 배치 정규화(batch normalization)와 잔차 블록(residual block)",
            lectures_ko=(
                "4강(노트 003): ResNet, 배치 정규화 · "
                "5강(노트 004): 잔차 학습, 깊은 신경망의 성능 저하"
            ),
            # minicnn's conv and ReLU pairs are building blocks of the residual block.
            provides=("functional", "kernels", "backend", "shapes", "threads"),
            functional=(
                ("conv", "conv2d_forward"),
                ("conv", "conv2d_backward"),
                ("activations", "relu_forward"),
                ("activations", "relu_backward"),
            ),
        ),
    )
}


# ---- the notes' second half: architectures and transfer learning

ARCHITECTURE_LABS = (
    Lab(
        "lab7",
        "lab7_inception",
        "1×1 convolutions, VGG's stacked 3×3 and an Inception module",
        "004 (VGG: three 3×3 instead of one 7×7, 27C² against 49C²; 1×1 convolutions), "
        "003 (GoogLeNet and Inception among the classification CNNs), "
        "001 (1×1 convolution), 000 (receptive field)",
        tuple(lab7.PARTS),
        "1×1 합성곱, VGG의 3×3 쌓기와 인셉션 모듈(Inception module)",
        lectures_ko=(
            "5강(노트 004): VGG의 7×7 대신 3×3 세 층(49C² 대 27C²), 1×1 합성곱 · "
            "4강(노트 003): 분류 CNN의 GoogLeNet과 인셉션 모듈 · "
            "2강(노트 001): 1×1 합성곱 · 1강(노트 000): 수용 영역"
        ),
        # The convolution, pooling and ReLU the module is built from (labs 2 and 3).
        provides=("functional", "kernels", "backend", "shapes", "threads"),
        functional=(
            ("conv", "conv2d_forward"),
            ("pool", "max_pool2d_forward"),
            ("activations", "relu_forward"),
        ),
    ),
    Lab(
        "lab8",
        "lab8_transfer_learning",
        "Transfer learning: freeze, replace the head, fine-tune",
        "003 (CNN baseline: download a pre-trained network; inductive bias), "
        "004 (a CNN is feature extraction followed by classification)",
        tuple(lab8.PARTS),
        "전이 학습(transfer learning): 층 고정, 분류기 머리(head) 교체, 미세 조정",
        lectures_ko=(
            "4강(노트 003): 사전 학습된 신경망 내려받기, 귀납적 편향 · "
            "5강(노트 004): 특징 추출과 그 뒤의 분류"
        ),
        # The whole framework: this lab is about using a trained network, not its layers.
        provides=(
            "layers",
            "model",
            "summary",
            "receptive_field",
            "zoo",
            "optim",
            "schedules",
            "losses",
            "parameter",
            "functional",
            "kernels",
            "backend",
            "shapes",
            "threads",
            "weights",
        ),
    ),
)


LABS.update((lab.id, lab) for lab in ARCHITECTURE_LABS)


# ---- the notes' second half: segmentation

SEGMENTATION_LABS = (
    Lab(
        "lab9",
        "lab9_unet",
        "Transposed convolution and a small U-Net",
        "003 (CNNs for segmentation: FCN, hourglass, U-Net), "
        "004 (semantic segmentation: a class for every pixel)",
        tuple(lab9.PARTS),
        "전치 합성곱(transposed convolution)과 작은 U-Net",
        lectures_ko=(
            "4강(노트 003): 분할을 위한 CNN (FCN, 모래시계 구조, U-Net) · "
            "5강(노트 004): 의미 분할, 픽셀마다 정하는 클래스"
        ),
        # The U-Net is built and trained with minicnn's layers; the transposed
        # convolution parts may not use them (Part.alone).
        provides=(
            "layers",
            "model",
            "functional",
            "kernels",
            "backend",
            "shapes",
            "threads",
            "parameter",
            "losses",
            "optim",
            "schedules",
            "summary",
            "receptive_field",
        ),
    ),
)


LABS.update((lab.id, lab) for lab in SEGMENTATION_LABS)


# The order to do the labs in, easiest first (docs/teaching.md says why): the ids keep
# the lectures' order, by which the grader, the tests and nbgrader know the labs. A new
# lab must be placed here (a test checks that every lab is).
RECOMMENDED_ORDER = ("lab1", "lab4", "lab3", "lab2", "lab5", "lab6", "lab7", "lab8", "lab9")


def recommended_order() -> list[Lab]:
    """The labs there are, in the recommended order."""
    return [LABS[lab_id] for lab_id in RECOMMENDED_ORDER if lab_id in LABS]


def find_lab(name: str) -> Lab:
    """A lab from 'lab1', '1', 'lab1_conv_forward' or a path like 'out/lab1_conv_forward.ipynb'."""
    key = Path(str(name)).stem
    if key.isdigit():
        key = f"lab{key}"
    for lab in LABS.values():
        if key in (lab.id, lab.stem) or key.startswith(lab.stem):
            return lab
    raise ValueError(
        f"no lab called {name!r}; the labs are {', '.join(LABS)} "
        "(python -m minicnn.lab list shows them)"
    )
