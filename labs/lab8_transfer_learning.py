# %% [markdown] lang="ko"
# # 실습 8: 전이 학습 — 층 고정, 분류기 머리 교체, 미세 조정
#
# **관련 강의:** 4강(노트 003)의 "CNN baseline: 사전 학습된 신경망(pre-trained network)을 내려받아
# 쓴다"와 귀납적 편향(inductive bias), 5강(노트 004)의 CNN 구조: 합성곱 층이 모인 특징 추출 부분과 그
# 뒤에서 분류를 맡는 완전 연결 층 부분.
#
# 다른 과제에서 학습한 특징을 새 과제에 다시 쓰는 것을 전이 학습(transfer learning)이라고 합니다.
# 이번 실습의 출발점은 **숫자 0–4만** 보고 학습한 LeNet-5입니다(minicnn에 들어 있는
# `lenet5_digits04.npz`, 검증 정확도 99.6%). 이 신경망은 5, 6, 7, 8, 9를 한 번도 본 적이 없습니다.
# 새 과제는 바로 그 숫자 5–9를 숫자마다 **레이블 10개**, 모두 50개만으로 구별하는 것입니다.
#
# | 문항 | 배점 |
# |---|---|
# | `freeze` | 2 |
# | `replace_head` | 2 |
# | `fine_tune_step` | 2 |
# | `transfer`: 따로 떼어 둔 숫자 5–9에서 정확도 80% 이상, 20초 안에 | 4 |
# | 서술형 질문 세 개(강사가 채점) | 5 |
#
# 이번 실습은 층을 새로 만드는 것이 아니라 학습된 신경망을 *쓰는* 실습이므로 minicnn의 층, 모델,
# 옵티마이저, 손실을 그대로 씁니다(PyTorch와 이름이 같습니다). 직접 작성할 것은 무엇을 고정하고
# 무엇을 바꾸고 어떻게 학습할지입니다.

# %% [markdown] lang="en"
# # Lab 8: transfer learning — freeze, replace the head, fine-tune
#
# **Lectures practised:** 003 (the CNN baseline: "download a pre-trained network";
# inductive bias), 004 (a CNN is a feature extraction part, the convolutional layers,
# followed by a classification part, the fully connected layers).
#
# Reusing the features learned on one task for another is transfer learning. The
# starting point here is a LeNet-5 trained on the **digits 0–4 only** (`lenet5_digits04.npz`,
# shipped with minicnn, 99.6% validation accuracy): it has never seen a 5, 6, 7, 8 or 9.
# The new task is to tell exactly those digits apart, from **ten labelled examples of
# each**, fifty in all.
#
# | part | points |
# |---|---|
# | `freeze` | 2 |
# | `replace_head` | 2 |
# | `fine_tune_step` | 2 |
# | `transfer`: at least 80% on held-out digits 5–9, within 20 s | 4 |
# | three written questions (graded by the instructor) | 5 |
#
# This lab uses a trained network rather than building layers, so minicnn's layers,
# models, optimizers and losses are yours to use (they have PyTorch's names). What you
# write is what to freeze, what to replace and how to train.

# %%
import time

import numpy as np

import minicnn as mc
from minicnn.lab import checker
from minicnn.weights import load_lenet5_digits04

check = checker("lab8", globals())

# %% [markdown] lang="ko"
# ## 0. 출발점이 되는 신경망과 새 과제
#
# `mc.zoo.lenet5(num_classes=5)`에 숫자 0–4로 학습한 가중치를 불러옵니다. LeNet-5의 층은 12개입니다.
#
# | 번호 | 층 | 부분 |
# |---|---|---|
# | 0–2 | 합성곱 6@5×5(패딩 2) → ReLU → 최대 풀링 2 | 특징 추출 |
# | 3–5 | 합성곱 16@5×5 → ReLU → 최대 풀링 2 | 특징 추출 |
# | 6 | flatten (16·5·5 = 400) | 특징 추출 |
# | 7–8 | 완전 연결 층 400→120 → ReLU | 분류 |
# | 9–10 | 완전 연결 층 120→84 → ReLU | 분류 |
# | 11 | 완전 연결 층 84→5 (숫자 0–4의 점수) | 분류기 머리(head) |
#
# 새 과제의 데이터는 minicnn에 들어 있는 MNIST 표본에서 숫자 5–9만 골라 만듭니다. 레이블은 0–4로
# 바꿉니다(5 → 0, …, 9 → 4). 학습에는 숫자마다 10개씩만 쓰고, 평가는 표본의 `"test"` 쪽에 있는 숫자
# 5–9 약 500개로 합니다.

# %% [markdown] lang="en"
# ## 0. The source network and the new task
#
# Load the weights trained on the digits 0–4 into `mc.zoo.lenet5(num_classes=5)`. LeNet-5
# has twelve layers:
#
# | index | layers | part |
# |---|---|---|
# | 0–2 | conv 6@5×5 (padding 2) → ReLU → max pool 2 | feature extraction |
# | 3–5 | conv 16@5×5 → ReLU → max pool 2 | feature extraction |
# | 6 | flatten (16·5·5 = 400) | feature extraction |
# | 7–8 | fully connected 400→120 → ReLU | classification |
# | 9–10 | fully connected 120→84 → ReLU | classification |
# | 11 | fully connected 84→5 (the scores of 0–4) | the head |
#
# The new task's data are the digits 5–9 of the MNIST sample that ships with minicnn,
# relabelled 0–4 (5 → 0, …, 9 → 4). Training uses ten of each; the test is the 500 or
# so digits 5–9 of the sample's `"test"` split.

# %%
source = mc.zoo.lenet5(num_classes=5)
load_lenet5_digits04(source)

x_train, y_train = mc.data.MNISTSample("train").arrays()
x_test, y_test = mc.data.MNISTSample("test").arrays()
new_train, new_test = y_train >= 5, y_test >= 5
x_new, y_new = x_train[new_train], y_train[new_train] - 5
x_new_test, y_new_test = x_test[new_test], y_test[new_test] - 5

draw = np.random.default_rng(0)
few = np.concatenate([draw.choice(np.flatnonzero(y_new == d), 10, replace=False) for d in range(5)])
x_few, y_few = x_new[few], y_new[few]
print("labelled examples of the new task:", x_few.shape, " held out:", x_new_test.shape)

# %% tags=["skip-grading"]
old = ~new_test
print(
    "digits 0-4, accuracy of the source network:",
    np.mean(mc.predict(source, x_test[old]) == y_test[old]),
)
print("what it says about ten 7s:", mc.predict(source, x_new_test[y_new_test == 2][:10]))

# %% [markdown] lang="ko"
# 숫자 0–4로만 학습한 신경망은 7을 보여 줘도 0–4 중 하나로 답할 수밖에 없습니다. 머리는
# 새 과제에 쓸 수 없지만, 그 앞의 합성곱 층들이 찾아내는 획과 모서리는 숫자 5–9에도 있습니다.

# %% [markdown] lang="en"
# Shown a 7, a network that learned 0–4 can only answer one of 0–4. Its head is of no use
# for the new task, but the strokes and edges its convolutional layers detect are in the
# digits 5–9 too.

# %% [markdown] lang="ko"
# ## 1. 층 고정하기(freeze)
#
# 파라미터의 `requires_grad`를 `False`로 두면 그 파라미터는 고정됩니다. 기울기가 늘 0으로 읽히고,
# 옵티마이저는 그 파라미터를 건너뜁니다(갱신도, 모멘텀도, weight decay도 없습니다). 층 전체를 한 번에
# 고정하려면 `layer.requires_grad_(False)`를 부르면 되고, `Sequential`의 일부분 `model[:n]`도 층처럼
# 쓸 수 있습니다(PyTorch의 `requires_grad_`와 같습니다).
#
# `freeze(model, n)`은 처음 `n`개 층(0번부터 `n - 1`번까지)을 고정하고, 나머지 층은 **학습할 수
# 있게** 둔 다음 `model`을 돌려줍니다. 이미 고정되어 있던 층이라도 `n`번 이후라면 풀어야 합니다.
# `freeze(source, 7)`은 특징 추출 부분만 고정합니다.

# %% [markdown] lang="en"
# ## 1. Freezing layers
#
# A parameter whose `requires_grad` is `False` is frozen: its gradient always reads as
# zeros and every optimizer skips it (no update, no momentum, no weight decay).
# `layer.requires_grad_(False)` freezes a whole layer, and a slice `model[:n]` of a
# `Sequential` works like a layer (as PyTorch's `requires_grad_`).
#
# `freeze(model, n)` freezes the first `n` layers (0 to `n - 1`), leaves every other
# layer **trainable**, and returns `model`. A layer from `n` on that was frozen before
# must end up trainable. `freeze(source, 7)` freezes the feature extraction part.


# %%
def freeze(model, n):
    """Freeze layers 0..n-1 of a Sequential, make the others trainable; return the model."""
    # [ko] TODO: 층마다(for i, layer in enumerate(model)) layer.requires_grad_(i >= n).
    # [en] TODO: for each layer (for i, layer in enumerate(model)), layer.requires_grad_(i >= n).
    ### BEGIN SOLUTION
    for i, layer in enumerate(model):
        layer.requires_grad_(i >= n)
    return model
    ### END SOLUTION


# %%
check("freeze")

# %% [markdown] lang="ko" hint="freeze"
# <details><summary>힌트</summary>
#
# 파라미터 목록(`model.parameters()`)이 아니라 층 목록을 세어야 합니다. LeNet-5의 ReLU, 풀링, flatten
# 층은 파라미터가 없어서 두 목록의 번호가 다릅니다. 예를 들어 파라미터 7번은 11번 층(마지막 완전
# 연결 층)의 편향입니다. `model.summary((1, 28, 28))`을 부르면 학습하는 파라미터와 고정된 파라미터를
# 따로 세어 보여 줍니다.
#
# </details>

# %% [markdown] lang="en" hint="freeze"
# <details><summary>Hint</summary>
#
# Count layers, not the parameters of `model.parameters()`: LeNet-5's ReLU, pooling and
# flatten layers have no parameters, so the two lists are numbered differently
# (parameter 7 is the bias of layer 11, the last fully connected layer).
# `model.summary((1, 28, 28))` counts the trainable and the frozen parameters apart.
#
# </details>

# %% [markdown] lang="ko"
# ## 2. 머리 바꾸기(replace the head)
#
# 마지막 완전 연결 층은 숫자 0–4의 점수를 냅니다. 새 과제에는 새 클래스마다 점수가 하나씩 필요하므로
# 이 층을 `mc.Linear(in_features, num_classes, rng=rng)`로 바꿉니다. `in_features`는 이전 머리의
# 입력 수(`model[-1].in_features`, LeNet-5에서는 84)입니다.
#
# `replace_head(model, num_classes, rng)`는 `model`의 마지막 층을 뺀 나머지 층 뒤에 새 머리를 붙인
# `mc.Sequential`을 돌려줍니다. 앞의 층은 사전 학습된 가중치와 고정 여부를 그대로 지녀야 하고, 새
# 머리는 가중치를 주어진 `rng`로 새로 뽑으며 학습할 수 있어야 합니다.

# %% [markdown] lang="en"
# ## 2. Replacing the head
#
# The last fully connected layer scores the digits 0–4. The new task needs one score per
# new class, so that layer becomes `mc.Linear(in_features, num_classes, rng=rng)`, with
# the old head's number of inputs (`model[-1].in_features`, 84 in LeNet-5).
#
# `replace_head(model, num_classes, rng)` returns an `mc.Sequential` of the model's
# layers but the last, followed by the new head. The layers before keep their
# pretrained weights and whether they are frozen; the new head draws its weights afresh
# from `rng` and is trainable.


# %%
def replace_head(model, num_classes, rng):
    """model's layers but the last, then a new Linear(in_features, num_classes)."""
    # [ko] TODO: mc.Sequential(*model[:-1], mc.Linear(model[-1].in_features, num_classes, rng=rng)).
    # [en] TODO: mc.Sequential(*model[:-1], mc.Linear(model[-1].in_features, num_classes, rng=rng)).
    ### BEGIN SOLUTION
    head = mc.Linear(model[-1].in_features, num_classes, rng=rng)
    return mc.Sequential(*model[:-1], head)
    ### END SOLUTION


# %%
check("replace_head")

# %% [markdown] lang="ko"
# ## 3. 미세 조정의 한 단계(fine-tuning step)
#
# 학습의 한 단계는 PyTorch에서 쓰는 순서 그대로입니다. 이전 단계의 기울기를 지우고
# (`optimizer.zero_grad()`), 순전파와 손실(`mc.SoftmaxCrossEntropy()`, 배치 평균)을 계산하고,
# 역전파(`model.backward(criterion.backward())`)를 한 뒤 갱신합니다(`optimizer.step()`).
# `fine_tune_step(model, optimizer, x, y)`는 이 한 단계를 하고 갱신 전의 손실을 돌려줍니다. 고정된
# 파라미터는 옵티마이저가 건너뛰므로 따로 처리할 것이 없습니다. 채점에서는 모델에 이전 역전파의
# 기울기가 남아 있는 상태로 시작합니다.

# %% [markdown] lang="en"
# ## 3. One fine-tuning step
#
# One training step, in PyTorch's order: clear the last step's gradients
# (`optimizer.zero_grad()`), run forward and the loss (`mc.SoftmaxCrossEntropy()`, the
# batch mean), backward (`model.backward(criterion.backward())`), then update
# (`optimizer.step()`). `fine_tune_step(model, optimizer, x, y)` does that step and
# returns the loss before the update. The optimizer skips frozen parameters by itself.
# The grader starts with gradients left over from an earlier backward pass.


# %%
def fine_tune_step(model, optimizer, x, y):
    """One step of training: zero_grad, forward, loss, backward, step. Returns the loss."""
    # [ko] TODO: zero_grad, 순전파, 손실, 역전파, step; 손실을 돌려주세요.
    # [en] TODO: zero_grad, forward, loss, backward, step; return the loss.
    ### BEGIN SOLUTION
    criterion = mc.SoftmaxCrossEntropy()
    optimizer.zero_grad()
    loss = criterion(model.forward(x), y)
    model.backward(criterion.backward())
    optimizer.step()
    return loss
    ### END SOLUTION


# %%
check("fine_tune_step")

# %% [markdown] lang="ko"
# ## 4. 숫자 5–9를 50개로 배우기
#
# 이제 세 함수를 엮습니다. `transfer(source, x, y)`는 출발점 신경망 `source`와 새 과제의 레이블 달린
# 예 `x` (50, 1, 28, 28), `y` (50,)를 받아 새 과제의 모델을 돌려줍니다. 채점기는 그 모델로 따로 떼어 둔
# 숫자 5–9 약 500개를 분류해서 **80% 이상** 맞히면 점수를 줍니다. 레이블 50개는 채점 시드에 따라
# 매번 다르게 뽑히고, 한 번에 **20초** 안에 끝나야 합니다.
#
# 어디까지 고정할지가 핵심입니다. 5강에서 본 것처럼 합성곱 층은 특징을 추출하고 완전 연결 층은 분류를
# 합니다. 획과 모서리 같은 특징은 숫자 5–9에도 쓸모가 있지만, 완전 연결 층은 0–4를 가르도록
# 학습되었습니다. 권하는 방법은 특징 추출 부분(0–6번 층)을 고정하고, 머리를 바꾼 다음, 완전 연결
# 층을 학습하는 것입니다(SGD, 학습률 0.01, 모멘텀 0.9, 배치 10, 30 에폭이면 충분합니다).
#
# 고정된 층은 학습해도 바뀌지 않으므로, 같은 이미지의 특징은 언제 계산해도 같습니다. 그래서 특징을
# **한 번만** 계산해 두고(`model[:7].forward(x)`, 이미지마다 400개) 뒤쪽 층 `model[7:]`만 그 특징으로
# 학습하면, 같은 결과를 훨씬 빨리 얻습니다. `model[7:]`은 같은 층 객체를 가리키므로 `model`도 함께
# 학습됩니다.

# %% [markdown] lang="en"
# ## 4. Learning the digits 5–9 from fifty
#
# Now put the three together. `transfer(source, x, y)` takes the source network and the
# new task's labelled examples, `x` (50, 1, 28, 28) and `y` (50,), and returns a model
# for the new task. The grader classifies the 500 or so held-out digits 5–9 with it and
# gives the points at **80% or more**. The fifty labelled digits are drawn anew with the
# grading seed, and the whole call must finish within **20 s**.
#
# Where to stop freezing is the question. As lecture 004 puts it, the convolutional
# layers extract features and the fully connected layers classify. Strokes and edges are
# as useful for 5–9 as for 0–4, but the fully connected layers learned to separate 0–4.
# The recommended recipe: freeze the feature extraction part (layers 0–6), replace the
# head, and train the fully connected layers (SGD, learning rate 0.01, momentum 0.9,
# batches of 10, 30 epochs are plenty).
#
# Frozen layers do not change while you train, so an image's features are the same
# whenever they are computed. Compute them **once** (`model[:7].forward(x)`, 400 numbers
# per image) and train only the layers after them, `model[7:]`, on those features: the
# same result, much faster. `model[7:]` holds the same layer objects, so `model` learns
# with it.


# %%
def transfer(source, x, y):
    """The source network adapted to the new task, trained on x, y (labels 0-4)."""
    # [ko] TODO: freeze(source, 7), replace_head(..., 5, rng); 특징을 한 번 계산하고
    # [ko] model[7:]을 fine_tune_step으로 학습한 뒤 model을 돌려주세요.
    # [en] TODO: freeze(source, 7), replace_head(..., 5, rng); compute the features once,
    # [en] train model[7:] with fine_tune_step, return model.
    ### BEGIN SOLUTION
    rng = np.random.default_rng(0)
    model = replace_head(freeze(source, 7), 5, rng)
    features, classifier = model[:7], model[7:]
    f = features.forward(x)  # once: the frozen layers never change
    optimizer = mc.SGD(classifier.parameters(), lr=0.01, momentum=0.9)
    for _ in range(30):  # epochs
        order = rng.permutation(len(x))
        for i in range(0, len(x), 10):
            batch = order[i : i + 10]
            fine_tune_step(classifier, optimizer, f[batch], y[batch])
    return model
    ### END SOLUTION


# %%
check("transfer")

# %% [markdown] lang="ko" hint="transfer"
# <details><summary>힌트</summary>
#
# 정확도가 모자란다는 진단이 나오면 무엇을 고정했는지 확인하세요. 머리만 학습하면(`freeze(source,
# 11)`) 84개짜리 특징이 숫자 0–4를 가르는 데 맞춰져 있어서 80%에 못 미칩니다. 시간이 모자라면
# 특징을 에폭마다 다시 계산하고 있지 않은지 보세요. `source`는 고정 상태가 바뀌므로, 같은 셀을 다시
# 돌리기 전에는 `load_lenet5_digits04`로 새로 불러오는 편이 안전합니다.
#
# </details>

# %% [markdown] lang="en" hint="transfer"
# <details><summary>Hint</summary>
#
# If the diagnostic says the accuracy falls short, look at what you froze: training the
# head alone (`freeze(source, 11)`) leaves 84 features tuned to separating 0–4, and stays
# below 80%. If you run out of time, check that the features are not recomputed every
# epoch. `transfer` changes which layers of `source` are frozen: reload it with
# `load_lenet5_digits04` before running the cell again.
#
# </details>

# %% tags=["skip-grading"]
start = time.perf_counter()
fresh = mc.zoo.lenet5(num_classes=5)
load_lenet5_digits04(fresh)
model = transfer(fresh, x_few, y_few)
accuracy = np.mean(mc.predict(model, x_new_test) == y_new_test)
print(f"transfer: {accuracy:.1%} of the held-out digits 5-9 in {time.perf_counter() - start:.1f} s")

# %% [markdown] lang="ko"
# ## 5. 실험: 전이 학습과 처음부터 학습하기
#
# 출발점이 정말 도움이 되었을까요? 같은 레이블 50개로 무작위 초기값에서 LeNet-5 전체를 학습해서
# 비교합니다. 레이블을 뽑는 방법에 따라 정확도가 몇 점씩 달라지므로 세 번 뽑아 평균을 냅니다. 이
# 셀은 10–20초쯤 걸리고, 채점할 때는 실행하지 않습니다.

# %% [markdown] lang="en"
# ## 5. Experiment: transfer against training from scratch
#
# Did the source network help? Train a whole LeNet-5 from a random start on the same
# fifty labels and compare. Accuracy moves by a few points with the fifty drawn, so
# average over three draws. The cell takes 10–20 s; grading does not run it.


# %% tags=["skip-grading"]
def from_scratch(x, y, seed):
    mc.manual_seed(seed)
    model = mc.zoo.lenet5(num_classes=5)
    optimizer = mc.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loader = mc.data.DataLoader(x, y, 10, seed=seed)
    for _ in range(30):
        for xb, yb in loader:
            fine_tune_step(model, optimizer, xb, yb)
    return model


results = {"transfer": [], "scratch": []}
for draw in range(3):
    pick_rng = np.random.default_rng(100 + draw)
    pick = np.concatenate(
        [pick_rng.choice(np.flatnonzero(y_new == d), 10, replace=False) for d in range(5)]
    )
    for name in results:
        start = time.perf_counter()
        if name == "transfer":
            net = mc.zoo.lenet5(num_classes=5)
            load_lenet5_digits04(net)
            net = transfer(net, x_new[pick], y_new[pick])
        else:
            net = from_scratch(x_new[pick], y_new[pick], draw)
        acc = np.mean(mc.predict(net, x_new_test) == y_new_test)
        results[name].append((acc, time.perf_counter() - start))
for name, runs in results.items():
    accs, secs = zip(*runs, strict=True)
    print(
        f"{name:8}  accuracy {np.mean(accs):.1%} (draws: {', '.join(f'{a:.1%}' for a in accs)})"
        f"  {np.mean(secs):.1f} s per run"
    )

# %% [markdown] lang="ko" question="q_what_transfers" points=2
# **질문 1.** `transfer`에서 `freeze(source, 7)` 대신 `freeze(source, 11)`을 써서 새 머리만
# 학습하면 정확도가 어떻게 되나요? 직접 돌려 보고, 결과로 보아 LeNet-5의 어느 층이 다른 숫자에도
# 통하는 일반적인 특징을 갖고 어느 층이 숫자 0–4에 맞춰진 특징을 갖는지 설명하세요.

# %% [markdown] lang="ko" answer="q_what_transfers"
# ### BEGIN SOLUTION
# 머리만 학습하면 정확도가 75–78% 정도로 떨어져 80%에 못 미칩니다(레이블을 뽑는 방법에 따라
# 다름). 합성곱 층이 찾는 획과 모서리는 어느 숫자에나 있으므로 그대로 다시 쓸 수 있지만, 완전 연결 층
# 400→120→84는 숫자 0–4를 서로 가르도록 학습되어서 그 84개 특징에는 5–9를 구별하는 데 필요한 정보가
# 일부 버려져 있습니다. 입력에 가까운 층일수록 일반적이고, 출력에 가까운 층일수록 원래 과제에
# 특화되어 있다는 뜻입니다. 그래서 특징 추출 부분은 고정하고 분류 부분은 다시 학습합니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_what_transfers" points=2
# **Question 1.** In `transfer`, freeze with `freeze(source, 11)` instead of
# `freeze(source, 7)`, so that only the new head learns. What accuracy do you get? From
# the result, which of LeNet-5's layers hold general features that serve other digits
# too, and which hold features tuned to the digits 0–4?

# %% [markdown] lang="en" answer="q_what_transfers"
# ### BEGIN SOLUTION
# Training the head alone gives about 75–78% (depending on the fifty drawn), short of
# 80%. The strokes and edges the convolutional layers detect occur in every digit and
# can be reused as they are; the fully connected layers 400→120→84 were trained to
# separate 0–4 from each other, and their 84 features have dropped part of what tells
# 5–9 apart. Layers near the input are general, layers near the output specific to the
# task they were trained on: so the feature extraction part stays frozen and the
# classification part is trained again.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_scratch" points=2
# **질문 2.** 5절의 실험 결과(정확도와 시간)를 적고, 전이 학습이 무엇을 얼마나 아꼈는지 설명하세요.
# 새 과제의 레이블이 숫자마다 10개가 아니라 1,000개라면 차이가 어떻게 될지, 그리고 출발점 신경망이
# 숫자가 아니라 전혀 다른 그림(예를 들어 옷 사진)으로 학습되었다면 어떨지도 예상해 보세요.

# %% [markdown] lang="ko" answer="q_scratch"
# ### BEGIN SOLUTION
# 한 번 돌린 결과로는 전이 학습이 평균 약 90%를 1초 남짓에, 처음부터 학습한 LeNet-5가 약 86%를
# 몇 초에 얻었습니다(정확한 값은 레이블을 뽑는 방법과 컴퓨터에 따라 다름). 전이 학습은 특징을 숫자
# 0–4로 이미 배웠으므로 레이블 50개를 분류 부분을 맞추는 데만 쓰고, 합성곱 층의 역전파와 갱신을
# 하지 않아 계산도 아낍니다. 레이블이 많아지면 처음부터 학습해도 좋은 특징을 스스로 배울 수 있으므로
# 정확도 차이는 줄어듭니다. 출발점 과제가 새 과제와 멀면(숫자로 학습한 특징으로 옷을 분류하기)
# 특징이 잘 맞지 않아서 전이 학습의 이점이 거의 없을 수 있습니다. minicnn의 문서
# `docs/transfer_learning.ko.md`에서 MNIST로 학습한 특징을 Fashion-MNIST에 쓴 결과가 그렇습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_scratch" points=2
# **Question 2.** Write down the result of section 5's experiment (accuracy and time) and
# say what transfer saved, and how much. How would the gap change with 1,000 labels per
# digit instead of 10, and with a source network trained on something quite different
# (photos of clothes, say) instead of digits?

# %% [markdown] lang="en" answer="q_scratch"
# ### BEGIN SOLUTION
# In one run, transfer averaged about 90% in a second or so, LeNet-5 from scratch about
# 86% in a few seconds (the figures move with the fifty drawn and the machine).
# Transfer already learned its features on 0–4, so the fifty labels only have to fit
# the classification part, and it skips the backward pass and the updates of the
# convolutional layers. With many more labels, training from scratch learns good
# features by itself and the gap in accuracy shrinks. With a source far from the target
# (digit features for clothes) the features fit badly and transfer may gain next to
# nothing: minicnn's docs/transfer_learning.md measures exactly that for MNIST features
# on Fashion-MNIST.
# ### END SOLUTION

# %% [markdown] lang="ko" question="q_cache" points=1
# **질문 3.** `transfer`에서 특징을 한 번만 계산해도 되는 이유는 무엇인가요? 학습 배치마다 이미지를
# 조금씩 옮기는 데이터 증강(예: `mc.data.RandomShift(2)`)을 쓰거나 합성곱 층도 함께 미세 조정하면 왜
# 더는 그렇게 할 수 없는지 한두 문장으로 답하세요.

# %% [markdown] lang="ko" answer="q_cache"
# ### BEGIN SOLUTION
# 0–6번 층이 고정되어 있어 학습 중에 바뀌지 않으므로, 같은 이미지의 특징은 언제 계산해도 같습니다.
# 이미지를 배치마다 옮기면 입력이 매번 달라지고, 합성곱 층을 미세 조정하면 층 자체가 단계마다
# 바뀌므로, 어느 쪽이든 특징을 단계마다 다시 계산해야 합니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_cache" points=1
# **Question 3.** Why may `transfer` compute the features only once? Why is that no
# longer possible with data augmentation that shifts the images of every batch (say
# `mc.data.RandomShift(2)`), or when the convolutional layers are fine-tuned too? One or
# two sentences.

# %% [markdown] lang="en" answer="q_cache"
# ### BEGIN SOLUTION
# Layers 0–6 are frozen and do not change during training, so an image's features are
# the same whenever they are computed. Shifted images are new inputs at every batch, and
# fine-tuned convolutional layers are a new function at every step: either way the
# features must be computed again at each step.
# ### END SOLUTION
