"""The grader's words in the lab's language: ``say(key, lang, **values)``.

Every sentence the grader writes to a student or an instructor is here, in Korean
and English, so a Korean lab is graded in Korean. The language comes from the
notebook's metadata (``metadata.minicnn.lang``, written by ``build``); ``--lang``
overrides it (``language_of``).

The mechanism (``speaking``, the per-thread language) and gradcheck's sentences live in
``minicnn.messages``, which imports nothing from minicnn: gradcheck speaks the same
language without importing the grader, and this catalogue includes gradcheck's.
"""

from __future__ import annotations

from .. import messages as _common
from ..messages import HANGUL, LANGS, speaking

__all__ = ["HANGUL", "LANGS", "MESSAGES", "language_of", "say", "speaking", "verdict"]

MESSAGES: dict[str, dict[str, str]] = {
    **_common.MESSAGES,  # gradcheck's diagnostics (gc.*), also shown by the labs' checks
    # -- the table and the report
    "head.part": {"en": "part", "ko": "항목"},
    "head.points": {"en": "points", "ko": "점수"},
    "head.verdict": {"en": "verdict", "ko": "판정"},
    "head.diagnostic": {"en": "diagnostic", "ko": "설명"},
    "total": {"en": "total: {got}/{best}", "ko": "합계(total): {got}/{best}"},
    "note": {"en": "note: {text}", "ko": "참고: {text}"},
    "written": {
        "en": "written questions, graded by the instructor (not in this total): {items}; "
        "{points} points",
        "ko": "서술형 문제는 강사가 채점합니다(위 합계에 들어가지 않음): {items}, 모두 {points}점",
    },
    "verdict.passed": {"en": "passed", "ko": "통과"},
    "verdict.wrong": {"en": "wrong", "ko": "틀림"},
    "verdict.error": {"en": "error", "ko": "오류"},
    "verdict.not implemented": {"en": "not implemented", "ko": "미구현(not implemented)"},
    "verdict.time limit": {"en": "time limit", "ko": "시간 초과"},
    "cases": {"en": "{n} case{s}", "ko": "사례 {n}개"},
    "passed.line": {
        "en": "✔ {part}: passed ({cases}, {points} point{s})",
        "ko": "✔ {part}: 통과 (사례 {n}개, {points}점)",
    },
    # -- what the grader says when the student's process misbehaves
    "unreadable": {
        "en": "could not read {name}: {why}",
        "ko": "{name} 파일을 읽지 못했습니다: {why}",
    },
    "part.time": {
        "en": "stopped after {seconds:g} s (an infinite loop?); all the cases of this part "
        "must finish within that time",
        "ko": "{seconds:g}초 안에 끝나지 않아 멈췄습니다(무한 루프인지 확인하세요). 이 항목의 "
        "사례는 모두 그 시간 안에 끝나야 합니다",
    },
    "part.crash": {
        "en": "the process ended while testing this part (os._exit, a crash in C code, or "
        "more memory than the limit of {memory} MB)",
        "ko": "이 항목을 채점하는 동안 프로세스가 끝났습니다(os._exit, C 코드의 충돌, 또는 "
        "메모리 한도 {memory} MB 초과)",
    },
    "cells.time": {
        "en": "the notebook's cells did not finish within {seconds:g} s",
        "ko": "노트북의 셀이 {seconds:g}초 안에 끝나지 않았습니다",
    },
    "cells.crash": {
        "en": "the process ended while running the notebook's cells, before this part was "
        "tested (os._exit, exit(), a crash, or more memory than {memory} MB): no points",
        "ko": "이 항목을 채점하기 전에, 노트북의 셀을 실행하는 중에 프로세스가 끝났습니다"
        "(os._exit, exit(), 충돌, 또는 메모리 {memory} MB 초과). 점수가 없습니다",
    },
    "outputs.bad": {
        "en": "the outputs could not be compared with the reference ({why})",
        "ko": "출력을 기준 답과 비교할 수 없었습니다({why})",
    },
    # -- the reference is out of reach
    "blocked": {
        "en": "{module} is not available in {lab} ({title}): {why} During this lab you "
        "have {provides}.",
        "ko": "{lab}({title})에서는 {module}을(를) 쓸 수 없습니다: {why} 이 실습에서 쓸 수 "
        "있는 것은 {provides}입니다.",
    },
    "blocked.why.reference": {
        "en": "it holds what this lab asks you to write, and your answer is graded against it.",
        "ko": "이 실습에서 직접 작성할 내용이 들어 있고, 채점의 기준(reference)이기 때문입니다.",
    },
    "blocked.why.other": {
        "en": "another library's version of what this lab asks you to write is not your work.",
        "ko": "다른 라이브러리가 구현한 것을 쓰면 직접 작성한 답이 아니기 때문입니다.",
    },
    "blocked.provides": {
        "en": "numpy, the functions you write{extra}",
        "ko": "numpy와 직접 작성한 함수{extra}",
    },
    "blocked.why.alone": {
        "en": "this part is written with numpy alone (minicnn's layers are for the lab's "
        "network, not for the functions this part asks for).",
        "ko": "이 항목은 numpy만으로 작성합니다(minicnn의 층은 이 실습의 신경망을 만들 때 "
        "쓰는 것이지, 이 항목에서 작성할 함수에 쓰는 것이 아닙니다).",
    },
    "blocked.in_check": {
        "en": "`{function}` uses {module}: {message}",
        "ko": "`{function}`이(가) {module}을(를) 씁니다: {message}",
    },
    # -- the install must stay as it was
    "install.changed": {
        "en": "grading stopped: the files of minicnn changed while {name} was graded "
        "({files}). A submission must not change the grader; reinstall minicnn "
        "(pip install --force-reinstall minicnn) before grading again, and look at {name}.",
        "ko": "채점을 멈췄습니다: {name}을(를) 채점하는 동안 minicnn의 파일이 바뀌었습니다"
        "({files}). 제출물이 채점기를 바꾸면 안 됩니다. 다시 채점하기 전에 minicnn을 새로 "
        "설치하고(pip install --force-reinstall minicnn), {name}을(를) 살펴보세요.",
    },
    # -- what is wrong with an answer (parts.py)
    "call.undefined": {
        "en": "`{name}` is not defined: run (or fix) the cell that defines it",
        "ko": "`{name}`이(가) 정의되어 있지 않습니다: 그 함수를 정의하는 셀을 실행하거나 고치세요",
    },
    "call.not_function": {
        "en": "`{name}` is a {kind}, not a function",
        "ko": "`{name}`은(는) 함수가 아니라 {kind}입니다",
    },
    "call.not_implemented": {
        "en": "`{name}` is not implemented yet",
        "ko": "`{name}`을(를) 아직 구현하지 않았습니다(not implemented)",
    },
    "call.in_place": {
        "en": "`{name}` changed its argument `{arg}` in place; the caller still needs it (a "
        "layer's input is also its cache). Write into a new array, or copy first: "
        "{arg} = {arg}.copy()",
        "ko": "`{name}`이(가) 인자 `{arg}`를 제자리에서(in place) 바꿨습니다. 호출한 쪽은 그 "
        "값이 아직 필요합니다(층의 입력은 캐시이기도 합니다). 새 배열에 쓰거나 먼저 "
        "복사하세요: {arg} = {arg}.copy()",
    },
    "call.none": {
        "en": "`{name}` returned None: did you forget `return {wanted}`?",
        "ko": "`{name}`이(가) None을 돌려주었습니다: `return {wanted}`를 빠뜨리지 않았나요?",
    },
    "call.count": {
        "en": "`{name}` must return the {n} values ({wanted}); got {got}",
        "ko": "`{name}`은(는) 값 {n}개({wanted})를 돌려줘야 합니다. 돌려준 것: {got}",
    },
    "output.none": {
        "en": "{what} is None (a forgotten `return`?)",
        "ko": "{what}이(가) None입니다(`return`을 빠뜨렸나요?)",
    },
    "output.object": {
        "en": "{what} should be an array of numbers, got {kind}",
        "ko": "{what}은(는) 숫자 배열이어야 하는데 {kind}입니다",
    },
    "compare.missing": {
        "en": "{name} is missing from the result",
        "ko": "결과에 {name}이(가) 없습니다",
    },
    "compare.shape": {
        "en": "{name} has shape {have}, expected {want}",
        "ko": "{name}의 모양(shape)이 {have}입니다. {want}이어야 합니다",
    },
    "compare.transposed": {
        "en": " (it looks transposed)",
        "ko": " (전치된(transposed) 것 같습니다)",
    },
    "compare.arrangement": {
        "en": " (same number of values, wrong arrangement: check the reshape)",
        "ko": " (값의 개수는 같지만 배치가 틀렸습니다: reshape를 확인하세요)",
    },
    "compare.wrong": {"en": "{name} is wrong: {detail}", "ko": "{name}이(가) 틀렸습니다: {detail}"},
    "compare.not_finite": {
        "en": "it holds {value} at {where} (not finite)",
        "ko": "{where}에 유한하지 않은 값 {value}가 있습니다",
    },
    "compare.worst": {
        "en": "{where}: got {got}, expected {want} ({wrong} of {size} values differ)",
        "ko": "{where}: {got}이(가) 나왔는데 {want}이어야 합니다(값 {size}개 중 {wrong}개가 다름)",
    },
    "compare.value": {"en": "value", "ko": "값"},
    "compare.at": {"en": "at {index}", "ko": "위치 {index}"},
    "hint.sign": {"en": "Every value has the wrong sign", "ko": "모든 값의 부호가 반대입니다"},
    "hint.zeros": {
        "en": "It is all zeros: is the result ever written into the array you return?",
        "ko": "모두 0입니다: 돌려주는 배열에 결과를 쓰기는 하나요?",
    },
    "hint.swapped": {
        "en": "It is the reference with its last two axes swapped (transposed)",
        "ko": "기준 답에서 마지막 두 축을 바꾼(전치한, transposed) 것입니다",
    },
    "case": {"en": " [case {i}: {shapes}]", "ko": " [사례 {i}: {shapes}]"},
    # -- the student's cells (harness.py)
    "cell.syntax": {
        "en": "SyntaxError in cell {n}, line {line}: {msg}",
        "ko": "{n}번 셀 {line}번째 줄에 문법 오류(SyntaxError)가 있습니다: {msg}",
    },
    "cell.time": {
        "en": "cell {n} ran longer than {seconds:g} s and was stopped",
        "ko": "{n}번 셀이 {seconds:g}초보다 오래 걸려 멈췄습니다",
    },
    "cell.where": {
        "en": " (cell {n} `{first}`, line {line}: `{text}`)",
        "ko": " ({n}번 셀 `{first}`, {line}번째 줄: `{text}`)",
    },
    "cell.missing": {
        "en": "`{name}` was not defined because its cell failed: {why}",
        "ko": "`{name}`이(가) 정의되지 않았습니다. 그 셀이 실패했기 때문입니다: {why}",
    },
    "recursion": {
        "en": "RecursionError: a function calls itself",
        "ko": "RecursionError: 함수가 끝없이 자기 자신을 부릅니다",
    },
    # -- lab 1
    "lab1.not_whole": {
        "en": "(n - f + 2p)/s + 1 = ({n} - {f} + 2*{p})/{s} + 1 is not whole: raise ValueError, "
        "as the lecture's '2.33 doesn't fit'",
        "ko": "(n - f + 2p)/s + 1 = ({n} - {f} + 2*{p})/{s} + 1이 정수가 아닙니다: 강의의 "
        "'2.33은 맞지 않는다'처럼 ValueError를 발생시키세요",
    },
    "lab1.returned": {
        "en": "conv_output_size{args} returned {out!r}; a size that does not come out whole "
        "(the lecture's 2.33) must raise ValueError",
        "ko": "conv_output_size{args}가 {out!r}을(를) 돌려주었습니다. 정수가 되지 않는 "
        "크기(강의의 2.33)는 ValueError를 발생시켜야 합니다",
    },
    "lab1.whole": {
        "en": "this size is whole: return it, do not raise",
        "ko": "이 크기는 정수입니다: 예외를 발생시키지 말고 돌려주세요",
    },
    "lab1.formula": {"en": "out = (n - f + 2p) / s + 1", "ko": "out = (n - f + 2p) / s + 1"},
    "lab1.weights_only": {
        "en": "that is the weights only: each filter also has one bias",
        "ko": "가중치만 센 값입니다: 필터마다 편향(bias)도 하나씩 있습니다",
    },
    "lab1.one_filter": {
        "en": "that is one filter; there are out_channels of them",
        "ko": "필터 하나만 센 값입니다: 필터는 out_channels개 있습니다",
    },
    "lab1.count": {
        "en": "each filter has F*F*C weights and 1 bias",
        "ko": "필터마다 가중치 F*F*C개와 편향 1개가 있습니다",
    },
    "lab1.flipped": {
        "en": "you flipped the kernel (true convolution ∗); CNN layers compute ⋆ (no flip)",
        "ko": "커널을 뒤집었습니다(진짜 합성곱 ∗). CNN의 층은 뒤집지 않는 ⋆를 계산합니다",
    },
    "lab1.no_bias": {"en": "the bias b[k] is missing", "ko": "편향 b[k]가 빠졌습니다"},
    # -- lab 3
    "lab3.every": {
        "en": "the gradient went to every element of each window; only the window's maximum "
        "gets it (the others did not change the output)",
        "ko": "기울기가 윈도우의 모든 원소로 갔습니다. 윈도우의 최댓값만 받습니다(나머지는 "
        "출력을 바꾸지 않았습니다)",
    },
    "lab3.average": {
        "en": "that is average pooling's gradient; max pooling sends dy to the maximum only",
        "ko": "평균 풀링의 기울기입니다. 최대 풀링은 dy를 최댓값에만 보냅니다",
    },
    "lab3.ties": {
        "en": "this input has ties (equal values in a window): give the gradient to one "
        "maximum only, the first one in row-major order, as np.argmax picks it",
        "ko": "이 입력에는 동점(윈도우 안의 같은 값)이 있습니다: 기울기는 최댓값 하나에만, "
        "np.argmax가 고르듯 행 우선 순서로 첫 번째 것에 주세요",
    },
    "lab3.overlap": {
        "en": "the windows overlap here: add (+=) the gradients where they meet, never assign",
        "ko": "여기서는 윈도우가 겹칩니다: 겹치는 곳의 기울기는 대입하지 말고 더하세요(+=)",
    },
    "lab3.unchanged": {
        "en": "dy passed through unchanged: zero it where x <= 0",
        "ko": "dy가 그대로 통과했습니다: x <= 0인 곳은 0으로 만드세요",
    },
    "lab3.mask_only": {
        "en": "that is the mask alone: multiply it by dy (chain rule)",
        "ko": "마스크만 돌려주었습니다: dy를 곱하세요(연쇄 법칙, chain rule)",
    },
    "lab3.identity": {
        "en": "with training=False (or p=0) dropout is the identity: y must equal x",
        "ko": "training=False(또는 p=0)이면 드롭아웃은 항등 함수입니다: y는 x와 같아야 합니다",
    },
    "lab3.no_test_scale": {
        "en": " (no 1/(1-p) scaling at test time in inverted dropout)",
        "ko": " (inverted dropout은 테스트 때 1/(1-p)로 키우지 않습니다)",
    },
    "lab3.not_scaled": {
        "en": "the kept units are not scaled: inverted dropout multiplies them by 1/(1-p) "
        "during training, so that nothing changes at test time",
        "ko": "남은 유닛을 키우지 않았습니다: inverted dropout은 학습 때 1/(1-p)를 곱해서 "
        "테스트 때는 아무것도 바꾸지 않아도 되게 합니다",
    },
    "lab3.scale": {
        "en": "a kept unit must be x/(1-p) = x/{keep:g}; some are not",
        "ko": "남은 유닛은 x/(1-p) = x/{keep:g}이어야 하는데 그렇지 않은 것이 있습니다",
    },
    "lab3.drop_rate": {
        "en": "{dropped:.0%} of the units were dropped with p = {p}: p is the probability to "
        "DROP a unit (PyTorch's convention), not to keep it",
        "ko": "p = {p}인데 유닛의 {dropped:.0%}를 버렸습니다: p는 유닛을 남길 확률이 아니라 "
        "버릴(DROP) 확률입니다(PyTorch의 방식)",
    },
    "lab3.backward_scale": {
        "en": "dx is missing the 1/(1-p) scale that the forward applied",
        "ko": "dx에 순전파에서 곱한 1/(1-p)가 빠졌습니다",
    },
    "lab3.same_mask": {
        "en": "dx must be dy times the same mask (and scale) the forward pass used: keep the "
        "mask in the cache; never draw a new one in backward",
        "ko": "dx는 dy에 순전파가 쓴 것과 같은 마스크(와 배율)를 곱한 것이어야 합니다: "
        "마스크를 캐시에 두고, 역전파에서 새로 뽑지 마세요",
    },
    # -- lab 2
    "lab2.columns": {
        "en": "minicnn's columns are the windows (Deep Learning from Scratch uses rows)",
        "ko": "minicnn에서는 열(column)이 윈도우입니다"
        "(『밑바닥부터 시작하는 딥러닝』은 행을 씁니다)",
    },
    "lab2.order": {
        "en": "row r = (c, p, q) in that order (c slowest), column = (n, i, j)",
        "ko": "행 r = (c, p, q) 순서(c가 가장 느리게 바뀜), 열 = (n, i, j)",
    },
    "lab2.no_rot": {
        "en": "dX is dY full-correlated with K itself: the kernel must be rotated by 180° "
        "(lecture 002: ∂E/∂X = ∂E/∂Y ∗full K, a true convolution = correlation with rot180(K))",
        "ko": "dX를 dY와 K 자체의 full correlation으로 구했습니다: 커널을 180° 회전해야 "
        "합니다(강의 002: ∂E/∂X = ∂E/∂Y ∗full K, 진짜 합성곱은 rot180(K)와의 상관)",
    },
    "lab2.db_mean": {
        "en": "db is Σ dY divided by {how} = {k}: the bias gradient is a sum over the batch "
        "and every output position (∂E/∂B_i = Σ ∂E/∂Y_i), not a mean",
        "ko": "db를 Σ dY를 {how} = {k}로 나눈 값으로 구했습니다: 편향의 기울기는 평균이 "
        "아니라 배치와 모든 출력 위치에 대한 합입니다(∂E/∂B_i = Σ ∂E/∂Y_i)",
    },
    "lab2.batch": {"en": "the batch size N", "ko": "배치 크기 N"},
    "lab2.dw_rotated": {
        "en": "dw is rotated by 180°: dK = X ⋆ dY needs no rotation",
        "ko": "dw가 180° 회전되어 있습니다: dK = X ⋆ dY에는 회전이 필요 없습니다",
    },
    "lab2.central": {
        "en": "close, not close enough: use central differences (f(x+h) - f(x-h)) / 2h",
        "ko": "가깝지만 충분하지 않습니다: 중앙 차분 (f(x+h) - f(x-h)) / 2h를 쓰세요",
    },
    # -- lab 4
    "lab4.dw_shape": {
        "en": "dw must have the weight's shape (out, in): dW = dYᵀ X",
        "ko": "dw는 가중치와 같은 모양 (out, in)이어야 합니다: dW = dYᵀ X",
    },
    "lab4.db_mean": {
        "en": "db is averaged over the batch: it is the sum Σ_n dY[n] (the loss already averages)",
        "ko": "db를 배치에 대해 평균했습니다: 합 Σ_n dY[n]이어야 합니다(평균은 손실이 이미 "
        "냈습니다)",
    },
    "lab4.overflow": {
        "en": "exp overflows for large scores: subtract each row's maximum first",
        "ko": "점수가 크면 exp가 넘칩니다(overflow): 먼저 각 행의 최댓값을 빼세요",
    },
    "lab4.not_divided": {
        "en": "not divided by N: the loss is the mean over the batch, and so is its gradient",
        "ko": "N으로 나누지 않았습니다: 손실은 배치에 대한 평균이고, 그 기울기도 그렇습니다",
    },
    "lab4.softmax": {
        "en": "dL/ds = (softmax(s) - onehot(y)) / N",
        "ko": "dL/ds = (softmax(s) - onehot(y)) / N",
    },
    "lab4.svm_mean": {
        "en": "the loss is the mean over the batch, not the sum",
        "ko": "손실은 배치에 대한 합이 아니라 평균입니다",
    },
    "lab4.svm_dscores": {
        "en": "for each j != y with a positive margin: +1 at j and -1 at y (then / N); the "
        "correct class itself never counts as a margin",
        "ko": "마진이 양수인 j != y마다 j에 +1, y에 -1을 더하고 N으로 나눕니다. 정답 클래스 "
        "자신은 마진으로 세지 않습니다",
    },
    "lab4.svm": {
        "en": "L_i = Σ_{{j≠y_i}} max(0, s_j - s_{{y_i}} + 1), averaged over the batch",
        "ko": "L_i = Σ_{{j≠y_i}} max(0, s_j - s_{{y_i}} + 1)을 배치에 대해 평균합니다",
    },
    # -- lab 5
    "lab5.sgd": {
        "en": "v = momentum·v + dw, then w = w - lr·v (PyTorch's form; v starts at zero)",
        "ko": "v = momentum·v + dw, 그다음 w = w - lr·v (PyTorch의 형태, v는 0에서 시작)",
    },
    "lab5.loss": {
        "en": "the loss differs: check the order conv(pad 2) → ReLU → pool → conv → ReLU → "
        "pool → flatten → fc 120 → ReLU → fc 84 → ReLU → fc 10 → softmax cross-entropy (mean)",
        "ko": "손실이 다릅니다: 순서를 확인하세요 conv(pad 2) → ReLU → pool → conv → ReLU → "
        "pool → flatten → fc 120 → ReLU → fc 84 → ReLU → fc 10 → softmax cross-entropy(평균)",
    },
    "lab5.reverse": {
        "en": "{name}: walk the backward pass in exactly the reverse order of the forward",
        "ko": "{name}: 역전파는 순전파와 정확히 반대 순서로 거슬러 가세요",
    },
    "lab5.no_param": {
        "en": "params has no {name!r}; the names are {names}",
        "ko": "params에 {name!r}이(가) 없습니다. 이름은 {names}입니다",
    },
    "lab5.not_finite": {
        "en": "params[{name!r}] holds values that are not finite",
        "ko": "params[{name!r}]에 유한하지 않은 값이 있습니다",
    },
    "lab5.he": {
        "en": "params[{name!r}] has std {std:.3g}; He initialisation for fan-in {fan_in} gives "
        "sqrt(2/{fan_in}) = {he:.3g}",
        "ko": "params[{name!r}]의 표준편차가 {std:.3g}입니다. fan-in이 {fan_in}일 때 He "
        "초기화는 sqrt(2/{fan_in}) = {he:.3g}입니다",
    },
    "lab2.numgrad_undefined": {
        "en": "`numerical_gradient` is not defined: run the cell that defines it",
        "ko": "`numerical_gradient`가 정의되어 있지 않습니다: 그 함수를 정의하는 셀을 실행하세요",
    },
    "lab2.numgrad_changed": {
        "en": "numerical_gradient left x changed: restore each x[i] after nudging it",
        "ko": "numerical_gradient가 x를 바꿔 놓았습니다: x[i]를 조금 움직인 뒤에는 되돌려 두세요",
    },
    "lab5.grads_dict": {
        "en": "grads must be a dict {{name: gradient}}, got {kind}",
        "ko": "grads는 {{이름: 기울기}} 형태의 dict여야 하는데 {kind}입니다",
    },
    "lab5.grads_missing": {
        "en": "grads has no entry for {names}",
        "ko": "grads에 {names} 항목이 없습니다",
    },
    "lab5.init_dict": {
        "en": "init_lenet5 must return a dict, got {kind}",
        "ko": "init_lenet5는 dict를 돌려줘야 하는데 {kind}입니다",
    },
    "lab5.train_dict": {
        "en": "train_lenet5 must return (params, losses) with params a dict, got {kind}",
        "ko": "train_lenet5는 (params, losses)를 돌려줘야 하고 params는 dict인데 {kind}입니다",
    },
    "lab5.overfit": {
        "en": "after {steps} steps on the same {n} images the training accuracy is {acc:.0%} "
        "(last loss {loss}), not 100%: a correct loop drives the loss to about 0. Check that "
        "every parameter is updated with sgd_momentum at every step and that its velocity "
        "is kept from one step to the next",
        "ko": "같은 이미지 {n}장으로 {steps}번 학습한 뒤 학습 정확도가 100%가 아니라 {acc:.0%}"
        "입니다(마지막 손실 {loss}). 학습 루프가 맞으면 손실이 0 가까이 내려갑니다. 매 단계 "
        "모든 파라미터를 sgd_momentum으로 갱신하는지, 속도 v를 다음 단계로 넘겨 주는지 "
        "확인하세요",
    },
    "lab5.accuracy": {
        "en": "after {epochs} epochs the accuracy on {n} held-out digits is {acc:.1%}, below "
        "{want:.0%}: train on the x and y you are given, in shuffled batches of batch_size, "
        "every epoch, with init_lenet5(rng) as the start",
        "ko": "{epochs} 에폭을 학습한 뒤 따로 떼어 둔 숫자 {n}개에 대한 정확도가 {acc:.1%}로 "
        "{want:.0%}에 못 미칩니다. 받은 x와 y로, 에폭마다 섞은 batch_size 크기의 배치로, "
        "init_lenet5(rng)에서 시작해 학습하세요",
    },
    # -- lab 6
    "lab6.not_updated": {
        "en": "{name} was not updated: change it in place ({name}[...] = ...); assigning to the "
        "name only rebinds your local variable",
        "ko": "{name}이(가) 바뀌지 않았습니다: 제자리에서 바꾸세요({name}[...] = ...). 이름에 "
        "대입하면 지역 변수만 바뀝니다",
    },
    "lab6.running_var": {
        "en": "the running variance takes the *unbiased* batch variance, σ²·M/(M-1), with "
        "momentum 0.1: running = 0.9·running + 0.1·new (PyTorch's convention)",
        "ko": "이동 분산(running variance)에는 배치의 *불편(unbiased)* 분산 σ²·M/(M-1)을 "
        "모멘텀 0.1로 반영합니다: running = 0.9·running + 0.1·new (PyTorch의 방식)",
    },
    "lab6.running_mean": {
        "en": "running_mean = 0.9·running_mean + 0.1·μ, in training only",
        "ko": "running_mean = 0.9·running_mean + 0.1·μ, 학습 때만 갱신합니다",
    },
    "lab6.eval": {
        "en": "in evaluation, normalise with the running statistics, not the batch's",
        "ko": "평가(evaluation) 때는 배치의 통계가 아니라 이동 통계로 정규화하세요",
    },
    "lab6.stats": {
        "en": "μ and σ² per channel over every axis but axis 1; σ² is the biased variance; "
        "ε = 1e-5",
        "ko": "μ와 σ²는 채널마다, 축 1을 뺀 모든 축에 대해 구합니다. σ²는 편향(biased) "
        "분산이고 ε = 1e-5입니다",
    },
    "lab6.constant_stats": {
        "en": "dx treats μ and σ as constants; in training they depend on every x of the "
        "channel: dx = (γ/σ)/M · (M·dy − Σdy − x̂·Σ(dy·x̂))",
        "ko": "dx에서 μ와 σ를 상수로 다뤘습니다. 학습 때는 둘 다 그 채널의 모든 x에 "
        "의존합니다: dx = (γ/σ)/M · (M·dy − Σdy − x̂·Σ(dy·x̂))",
    },
    "lab6.skip_missing": {
        "en": "the skip path's gradient is missing: dx = dx through the body + dL/d(sum)",
        "ko": "스킵 연결(shortcut)의 기울기가 빠졌습니다: dx = 잔차 경로를 거친 dx + dL/d(sum)",
    },
    "lab6.skip_mask": {
        "en": "the skip gradient must pass the final ReLU's mask too: use dL/d(sum), not dy",
        "ko": "스킵 경로의 기울기도 마지막 ReLU의 마스크를 거쳐야 합니다: dy가 아니라 "
        "dL/d(sum)을 쓰세요",
    },
    # -- lab 7 (1×1 convolutions, VGG's 3×3 stacks, Inception)
    "lab7.not_a_count": {
        "en": "`{name}` must return whole numbers; its {key} is {value!r}",
        "ko": "`{name}`은(는) 정수를 돌려줘야 하는데 {key}가 {value!r}입니다",
    },
    "lab7.bias_false": {
        "en": "bias=False: count the weights only, no bias",
        "ko": "bias=False이면 편향 없이 가중치만 셉니다",
    },
    "lab7.k_squared": {
        "en": "a k×k filter has k·k weights per input channel: the kernel size is squared",
        "ko": "k×k 필터는 입력 채널 하나에 가중치가 k·k개입니다: 커널 크기를 제곱하세요",
    },
    "lab7.conv_formula": {
        "en": "C_out filters, each with C_in·k·k weights and (if bias) one bias",
        "ko": "필터가 C_out개이고, 필터마다 가중치 C_in·k·k개와 (bias가 참이면) 편향 1개가 "
        "있습니다",
    },
    "lab7.stack_field": {
        "en": "{n} stacked 3×3 convolutions see {f}×{f} pixels: each one adds 2 to the "
        "field, 1 + 2n in all",
        "ko": "3×3 합성곱 {n}개를 쌓으면 {f}×{f} 픽셀을 봅니다: 하나 쌓을 때마다 수용 영역이 "
        "2씩 늘어 모두 1 + 2n입니다",
    },
    "lab7.stack_single": {
        "en": "the single convolution is {f}×{f} from C to C channels: {f}·{f}·C·C weights",
        "ko": "한 번의 합성곱은 C채널에서 C채널로 가는 {f}×{f}입니다: 가중치 {f}·{f}·C·C개",
    },
    "lab7.stack_n": {
        "en": "there are n = {n} convolutions of 3·3·C·C weights each",
        "ko": "3·3·C·C개의 가중치를 가진 합성곱이 n = {n}개 있습니다",
    },
    "lab7.no_bias_here": {
        "en": "count weights only, as the lecture's 27C² and 49C² do (no biases)",
        "ko": "강의의 27C²와 49C²처럼 가중치만 세세요(편향 제외)",
    },
    "lab7.stack_formula": {
        "en": "n·(3·3·C·C) for the stack, (2n+1)²·C·C for the single convolution",
        "ko": "쌓은 쪽은 n·(3·3·C·C), 한 번의 합성곱은 (2n+1)²·C·C입니다",
    },
    "lab7.reduce_forgotten": {
        "en": "the 1×1 reduce convolution has weights too: C_in·r",
        "ko": "1×1 축소(reduce) 합성곱에도 가중치가 있습니다: C_in·r개",
    },
    "lab7.reduce_is_1x1": {
        "en": "the reduce convolution is 1×1: C_in·r weights, not C_in·r·k·k",
        "ko": "축소 합성곱은 1×1입니다: 가중치는 C_in·r·k·k개가 아니라 C_in·r개입니다",
    },
    "lab7.reduced_reads_r": {
        "en": "after the reduction the k×k filters read r channels, not C_in: r·C_out·k·k",
        "ko": "축소한 다음의 k×k 필터는 C_in개가 아니라 r개 채널을 읽습니다: r·C_out·k·k개",
    },
    "lab7.bottleneck_formula": {
        "en": "direct = C_in·C_out·k·k; with the bottleneck = C_in·r + r·C_out·k·k (no biases)",
        "ko": "직접 = C_in·C_out·k·k, 병목(bottleneck)을 쓰면 = C_in·r + r·C_out·k·k (편향 제외)",
    },
    "lab7.field_jump": {
        "en": "that is 1 + Σ(k − 1), right only with stride 1: after a stride s, neighbouring "
        "units sit s pixels apart, so each later tap reaches the jump j = Π s further: "
        "r += (k − 1)·j",
        "ko": "1 + Σ(k − 1)은 stride가 모두 1일 때만 맞습니다: stride s를 지나면 이웃한 유닛이 "
        "s픽셀씩 떨어져 있으므로, 그 뒤의 윈도우는 한 칸마다 점프 j = Π s만큼 더 넓게 봅니다: "
        "r += (k − 1)·j",
    },
    "lab7.field_order": {
        "en": "a layer's own stride does not widen its own window: add (k − 1)·j with the jump "
        "of its input, then multiply j by its stride",
        "ko": "층의 stride는 그 층 자신의 윈도우를 넓히지 않습니다: 입력의 점프 j로 (k − 1)·j를 "
        "먼저 더하고, 그다음에 j에 stride를 곱하세요",
    },
    "lab7.field_sum": {
        "en": "the fields do not add up kernel by kernel: r = 1 + Σ (k_i − 1)·j_i",
        "ko": "수용 영역은 커널 크기를 그대로 더한 값이 아닙니다: r = 1 + Σ (k_i − 1)·j_i",
    },
    "lab7.field_formula": {
        "en": "start at r = 1, j = 1; for each layer r += (k − 1)·j, then j *= s",
        "ko": "r = 1, j = 1에서 시작해서 층마다 r += (k − 1)·j, 그다음 j *= s",
    },
    "lab7.same_size": {
        "en": "every branch must keep the input's height and width to be concatenated: "
        "padding k // 2 for the k×k convolutions, and max pooling 3×3 with stride 1 and "
        "padding 1",
        "ko": "가지를 이어 붙이려면 모든 가지가 입력의 높이와 너비를 유지해야 합니다: k×k "
        "합성곱은 패딩 k // 2, 최대 풀링은 3×3, stride 1, 패딩 1",
    },
    "lab7.concat_axis": {
        "en": "concatenate along the channels, axis 1 (torch.cat(..., dim=1)), not the batch",
        "ko": "배치 축이 아니라 채널 축(axis 1)으로 이어 붙이세요(torch.cat(..., dim=1))",
    },
    "lab7.order": {
        "en": "the branches are in the wrong order: 1×1, then 3×3, then 5×5, then the pool branch",
        "ko": "가지의 순서가 틀렸습니다: 1×1, 3×3, 5×5, 풀링 가지 순서로 이어 붙이세요",
    },
    "lab7.relu": {
        "en": "the {branch} branch has no ReLU after its 1×1 reduce: every convolution, the "
        "reduce ones included, is followed by a ReLU",
        "ko": "{branch} 가지의 1×1 축소 합성곱 뒤에 ReLU가 없습니다: 축소 합성곱을 포함해 "
        "모든 합성곱 뒤에 ReLU가 옵니다",
    },
    "lab7.relu_out": {
        "en": "the {branch} branch has negative values: its last convolution is followed by a ReLU",
        "ko": "{branch} 가지에 음수가 있습니다: 마지막 합성곱 뒤에도 ReLU가 옵니다",
    },
    "lab7.branch": {
        "en": "the {branch} branch (channels {a} to {b} - 1 of y) differs from the reference",
        "ko": "{branch} 가지(y의 채널 {a}부터 {b} - 1까지)가 기준 답과 다릅니다",
    },
    # -- lab 8 (transfer learning)
    "lab8.not_a_model": {
        "en": "`{name}` must return a minicnn model (a Sequential), got {kind}",
        "ko": "`{name}`은(는) minicnn 모델(Sequential)을 돌려줘야 하는데 {kind}입니다",
    },
    "lab8.not_sequential": {
        "en": "replace_head must return a Sequential whose last layer is the new head "
        "(model[-1]); got {kind}",
        "ko": "replace_head는 마지막 층(model[-1])이 새 머리인 Sequential을 돌려줘야 하는데 "
        "{kind}입니다",
    },
    "lab8.scores_shape": {
        "en": "the model's scores for the {n} held-out digits have shape {shape}; expected "
        "({n}, 5), one score per new class (the digits 5-9 as labels 0-4)",
        "ko": "따로 떼어 둔 숫자 {n}개에 대한 모델의 점수 모양이 {shape}입니다. 새 클래스마다 "
        "점수가 하나씩인 ({n}, 5)여야 합니다(숫자 5-9가 레이블 0-4)",
    },
    "lab8.parameters_not_layers": {
        "en": "you froze the first {n} parameters, not the first {n} layers: iterate over the "
        "layers (for i, layer in enumerate(model)) and call layer.requires_grad_(...)",
        "ko": "처음 {n}개 층이 아니라 처음 {n}개 파라미터를 고정했습니다: 층을 하나씩 돌면서"
        "(for i, layer in enumerate(model)) layer.requires_grad_(...)를 부르세요",
    },
    "lab8.first_layers": {
        "en": "you froze the last {n} layers; the first n layers (the features near the "
        "input) are the ones to freeze",
        "ko": "마지막 {n}개 층을 고정했습니다. 고정할 것은 입력에 가까운 처음 n개 층(특징 "
        "추출 부분)입니다",
    },
    "lab8.off_by_one": {
        "en": "one layer too many is frozen: layers 0 to n - 1 (model[:n]) are frozen, layer "
        "n = {n} is not",
        "ko": "층을 하나 더 고정했습니다: 0번부터 n - 1번 층까지(model[:n])만 고정하고, n = "
        "{n}번 층은 고정하지 않습니다",
    },
    "lab8.off_by_one_less": {
        "en": "one layer too few is frozen: layers 0 to n - 1 (model[:n]) are frozen",
        "ko": "층을 하나 덜 고정했습니다: 0번부터 n - 1번 층까지(model[:n])를 고정하세요",
    },
    "lab8.unfreeze": {
        "en": "the layers from {n} on were frozen before and must end up trainable: "
        "requires_grad_(True) for them",
        "ko": "{n}번 층부터는 원래 고정되어 있었는데, 학습할 수 있게 풀어야 합니다: 그 층들에 "
        "requires_grad_(True)를 부르세요",
    },
    "lab8.head_classes": {
        "en": "the new model must give {k} scores per image: the new head is "
        "Linear(in_features of the old head, num_classes)",
        "ko": "새 모델은 이미지마다 점수 {k}개를 내야 합니다: 새 머리는 Linear(이전 "
        "머리의 in_features, num_classes)입니다",
    },
    "lab8.old_head": {
        "en": "the head is the old one: make a new Linear (with the rng given), its weights "
        "drawn afresh; the old head's weights belong to the old classes",
        "ko": "머리가 이전 것 그대로입니다: 주어진 rng로 가중치를 새로 뽑은 Linear를 만드세요. "
        "이전 머리의 가중치는 이전 클래스의 것입니다",
    },
    "lab8.head_frozen": {
        "en": "the new head must be trainable (requires_grad True): it is the one part that "
        "learns the new classes",
        "ko": "새 머리는 학습할 수 있어야 합니다(requires_grad가 True): 새 클래스를 배우는 "
        "부분이 바로 이것입니다",
    },
    "lab8.trunk_flags": {
        "en": "keep the layers before the head as they are, frozen or not: replace_head "
        "changes the last layer only",
        "ko": "머리 앞의 층은 고정 여부까지 그대로 두세요: replace_head는 마지막 층만 바꿉니다",
    },
    "lab8.trunk_changed": {
        "en": "the layers before the head must be the model's own, with their pretrained "
        "weights: reuse them (model[:-1]), do not build new ones",
        "ko": "머리 앞의 층은 사전 학습된 가중치를 가진 원래 모델의 층이어야 합니다: 새로 "
        "만들지 말고 그대로 쓰세요(model[:-1])",
    },
    "lab8.loss": {
        "en": "the loss differs: the mean softmax cross-entropy of model.forward(x) "
        "(mc.SoftmaxCrossEntropy()), computed before the step",
        "ko": "손실이 다릅니다: model.forward(x)의 소프트맥스 교차 엔트로피 평균"
        "(mc.SoftmaxCrossEntropy())을 갱신하기 전에 계산하세요",
    },
    "lab8.zero_grad": {
        "en": "the gradients accumulate from step to step (and from before the first one): "
        "call optimizer.zero_grad() at the start of each step",
        "ko": "기울기가 단계마다(그리고 첫 단계 전부터) 쌓입니다: 단계마다 처음에 "
        "optimizer.zero_grad()를 부르세요",
    },
    "lab8.no_step": {
        "en": "the weights did not move: call optimizer.step() after the backward pass",
        "ko": "가중치가 움직이지 않았습니다: 역전파 다음에 optimizer.step()을 부르세요",
    },
    "lab8.no_backward": {
        "en": "the step used no gradient of this batch: call model.backward(criterion.backward()) "
        "before optimizer.step()",
        "ko": "이번 배치의 기울기 없이 갱신했습니다: optimizer.step() 전에 "
        "model.backward(criterion.backward())를 부르세요",
    },
    "lab8.accuracy": {
        "en": "{accuracy:.1%} of the held-out digits 5-9 right ({right} of {n}); at least "
        "{threshold:.0%} is needed. Keep the convolutional features frozen, but train the "
        "fully connected layers too: they were trained for the digits 0-4 only",
        "ko": "따로 떼어 둔 숫자 5-9 중 {accuracy:.1%}({n}개 중 {right}개)를 맞혔습니다. "
        "{threshold:.0%} 이상이어야 합니다. 합성곱 특징은 고정한 채로 두되, 완전 연결 층도 "
        "학습하세요: 그 층들은 숫자 0-4만 보고 학습되었습니다",
    },
    # -- lab 9 (kept apart from labs 7 and 8, written in parallel)
    "lab9.crop": {
        "en": "the output is {p} pixel(s) too large on every side: padding in a transposed "
        "convolution crops the output (it is the padding of the convolution it transposes), "
        "so cut padding = {p} from each side after stamping",
        "ko": "출력이 네 변 모두 {p}픽셀씩 큽니다. 전치 합성곱의 padding은 출력을 잘라 냅니다"
        "(전치하는 합성곱의 패딩이기 때문입니다). 커널을 다 찍은 다음 네 변에서 {p}줄씩 "
        "잘라 내세요",
    },
    "lab9.stride": {
        "en": "the stamps were not placed stride = {s} apart: input pixel (i, j) stamps its "
        "kernel at output position (i·s, j·s)",
        "ko": "커널을 stride = {s} 간격으로 찍지 않았습니다. 입력 픽셀 (i, j)는 출력의 "
        "(i·s, j·s) 자리에 커널을 찍습니다",
    },
    "lab9.size": {
        "en": "the output size is (H − 1)·s − 2·padding + k = ({h} − 1)·{s} − 2·{p} + {f} = {oh}",
        "ko": "출력 크기는 (H − 1)·s − 2·padding + k = ({h} − 1)·{s} − 2·{p} + {f} = {oh}입니다",
    },
    "lab9.flipped": {
        "en": "your output is the reference with the kernel rotated by 180°: a transposed "
        "convolution stamps w[c, o] as it is, y[i·s + p, j·s + q] += x[i, j] · w[p, q] "
        "(the rotation appears only when you write it as a full convolution)",
        "ko": "커널을 180° 돌린 결과와 같습니다. 전치 합성곱은 w[c, o]를 돌리지 않고 그대로 "
        "찍습니다: y[i·s + p, j·s + q] += x[i, j] · w[p, q] (180° 회전은 이것을 full "
        "convolution으로 쓸 때만 나옵니다)",
    },
    "lab9.bias": {
        "en": "the bias is missing: add b[o] to every pixel of output channel o",
        "ko": "편향이 빠졌습니다. 출력 채널 o의 모든 픽셀에 b[o]를 더하세요",
    },
    "lab9.channels": {
        "en": "the kernel's channel axes are swapped: a transposed convolution's weight is "
        "(C_in, C_out, k, k), input channel first (the layout of the convolution it "
        "transposes), so y[:, o] sums x[:, c] · w[c, o] over c",
        "ko": "커널의 채널 축이 바뀌었습니다. 전치 합성곱의 가중치는 (C_in, C_out, k, k)로 "
        "입력 채널이 먼저입니다(전치하는 합성곱의 행렬 구성). y[:, o]는 c에 대해 "
        "x[:, c] · w[c, o]를 더한 것입니다",
    },
    "lab9.dx_flipped": {
        "en": "dx is the reference with the kernel rotated by 180°: every x[i, j] touched "
        "the window of dy at (i·s, j·s) through w[c, o, p, q] unrotated, so dx[i, j] = "
        "Σ_{{o,p,q}} dy_pad[i·s + p, j·s + q] · w[c, o, p, q], a plain convolution of dy",
        "ko": "dx가 커널을 180° 돌린 결과와 같습니다. x[i, j]는 돌리지 않은 w[c, o, p, q]를 "
        "거쳐 (i·s, j·s)에서 시작하는 dy의 윈도우에 닿았습니다. 그래서 dx[i, j] = "
        "Σ_{{o,p,q}} dy_pad[i·s + p, j·s + q] · w[c, o, p, q]로, dy에 대한 보통의 합성곱입니다",
    },
    "lab9.dx": {
        "en": "dx[n, c, i, j] gathers what x[n, c, i, j] stamped: the window of dy (padded by "
        "padding) at (i·s, j·s), times w[c, o], summed over o, p, q",
        "ko": "dx[n, c, i, j]는 x[n, c, i, j]가 찍은 자리를 다시 모은 것입니다. (패딩한) dy의 "
        "(i·s, j·s)에서 시작하는 윈도우에 w[c, o]를 곱해 o, p, q에 대해 더하세요",
    },
    "lab9.dw": {
        "en": "dw[c, o, p, q] = Σ_{{n,i,j}} x[n, c, i, j] · dy_pad[n, o, i·s + p, j·s + q]: each "
        "kernel position meets every input pixel once, at the place that pixel stamped it",
        "ko": "dw[c, o, p, q] = Σ_{{n,i,j}} x[n, c, i, j] · dy_pad[n, o, i·s + p, j·s + q]입니다. "
        "커널 안의 위치마다 입력 픽셀을 하나씩, 그 픽셀이 커널을 찍은 자리에서 만납니다",
    },
    "lab9.db": {
        "en": "db[o] is the sum of dy[:, o] over the batch and every pixel (not a mean)",
        "ko": "db[o]는 dy[:, o]를 배치와 모든 픽셀에 대해 더한 것입니다(평균이 아닙니다)",
    },
    "lab9.not_model": {
        "en": "{name} must return the network, one of minicnn's layers (e.g. mc.Sequential), "
        "not a {kind}",
        "ko": "{name}은(는) {kind}이(가) 아니라 신경망, 즉 minicnn의 층(예: mc.Sequential)을 "
        "돌려줘야 합니다",
    },
    "lab9.unet_shape": {
        "en": "the network's output has shape {have}; a segmentation network gives a score "
        "per class at every pixel: {want} (N, 11 classes, H, W). Pad the 3×3 convolutions "
        "(padding=1) so that pooling and upsampling meet at the same size",
        "ko": "신경망의 출력 모양이 {have}입니다. 분할 신경망은 픽셀마다 클래스별 점수를 "
        "내야 합니다: {want} (N, 클래스 11개, H, W). 풀링과 업샘플링이 같은 크기에서 "
        "만나도록 3×3 합성곱에 패딩을 넣으세요(padding=1)",
    },
    "lab9.unet_forward": {
        "en": "the network fails on a {shape} batch: {why}",
        "ko": "신경망이 {shape} 배치에서 실패합니다: {why}",
    },
    "lab9.unet_no_pool": {
        "en": "the network has no pooling layer: a U-Net's encoder halves the feature maps "
        "(mc.MaxPool2D(2)) so that its deeper layers see a whole digit",
        "ko": "신경망에 풀링 층이 없습니다. U-Net의 인코더는 특징 맵을 절반으로 줄여서"
        "(mc.MaxPool2D(2)) 깊은 층이 숫자 전체를 보게 합니다",
    },
    "lab9.unet_no_transpose": {
        "en": "the network has no transposed convolution: the decoder brings the feature maps "
        "back to the input's size with learned upsampling, mc.ConvTranspose2D(c_in, c_out, "
        "2, stride=2)",
        "ko": "신경망에 전치 합성곱이 없습니다. 디코더는 학습되는 업샘플링 "
        "mc.ConvTranspose2D(c_in, c_out, 2, stride=2)로 특징 맵을 입력 크기로 되돌립니다",
    },
    "lab9.unet_no_concat": {
        "en": "the network has no skip connection: a U-Net concatenates the encoder's "
        "features with the decoder's at the same size, mc.Concat(mc.Identity(), "
        "mc.Sequential(...))",
        "ko": "신경망에 스킵 연결이 없습니다. U-Net은 같은 크기의 인코더 특징과 디코더 특징을 "
        "채널 방향으로 이어 붙입니다: mc.Concat(mc.Identity(), mc.Sequential(...))",
    },
    "lab9.pred": {
        "en": "the network's scores gave predictions {have}, expected class indices of shape "
        "{want}: model.forward(x) must return (N, 11, H, W) scores",
        "ko": "신경망의 점수로 만든 예측이 {have}입니다. 모양이 {want}인 클래스 번호가 "
        "나와야 합니다: model.forward(x)는 (N, 11, H, W) 점수를 돌려줘야 합니다",
    },
    "lab9.scored": {
        "en": "on {n} held-out canvases: pixel accuracy {acc:.3f}, mean IoU {iou:.3f} "
        "(needed: {need_acc} and {need_iou})",
        "ko": "따로 떼어 둔 캔버스 {n}장에서 픽셀 정확도 {acc:.3f}, 평균 IoU {iou:.3f} "
        "(기준: {need_acc}, {need_iou})",
    },
    "lab9.scores": {
        "en": "on {n} held-out canvases the network reached pixel accuracy {acc:.3f} and mean "
        "IoU {iou:.3f}; it needs at least {need_acc} and {need_iou} (background everywhere "
        "scores {base:.3f} pixel accuracy). Train longer or with a higher learning rate, and "
        "check that the skip connections carry the encoder's features",
        "ko": "따로 떼어 둔 캔버스 {n}장에서 픽셀 정확도 {acc:.3f}, 평균 IoU {iou:.3f}가 "
        "나왔습니다. 각각 {need_acc}, {need_iou} 이상이어야 합니다(전부 배경으로 답해도 픽셀 "
        "정확도는 {base:.3f}입니다). 더 오래 또는 더 큰 학습률로 학습하고, 스킵 연결이 "
        "인코더의 특징을 제대로 넘기는지 확인하세요",
    },
    # -- hints for mistakes students make: what went wrong, said in the lab's terms
    "hint.dw_axes": {
        "en": "dW mixes the N and K axes: dy.reshape(K, -1) reads dy in its memory order "
        "(n, k, i, j), so rows hold several images' values; bring K to the front first: "
        "dy.transpose(1, 0, 2, 3).reshape(K, -1)",
        "ko": "dW에서 N축과 K축이 섞였습니다: dy.reshape(K, -1)은 dy를 메모리 순서 "
        "(n, k, i, j)대로 읽어서 한 행에 여러 이미지의 값이 들어갑니다. 먼저 K를 맨 앞으로 "
        "옮기세요: dy.transpose(1, 0, 2, 3).reshape(K, -1)",
    },
    "hint.stride_spread": {
        "en": "with stride {s}, dY must be spread out first: put {gap} zero(s) between its "
        "entries (dilate it), so that each value sits where its window started, before the "
        "full convolution with K (for dX) or the correlation with X (for dW)",
        "ko": "stride가 {s}이면 dY를 먼저 펼쳐야 합니다: 값 사이사이에 0을 {gap}개씩 넣어"
        "(팽창, dilation) 각 값이 자기 윈도우가 시작한 자리에 오게 한 다음, K와 full "
        "convolution(dX) 또는 X와 correlation(dW)을 하세요",
    },
    "hint.rot_swap": {
        "en": "rot180 alone is not enough for dX: the kernel's in and out channels must be "
        "swapped too, w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3), because dX goes from the K "
        "output channels back to the C input channels",
        "ko": "dX에는 rot180만으로는 부족합니다: 커널의 입력·출력 채널도 바꿔야 합니다 "
        "(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)). dX는 출력 채널 K개에서 입력 채널 C개로 "
        "거슬러 가기 때문입니다",
    },
    "hint.svm_correct_class": {
        "en": "the loss is exactly 1 too large: the sum counted the correct class, whose "
        "margin is s_y − s_y + 1 = 1; sum over j ≠ y_i only",
        "ko": "손실이 정확히 1만큼 큽니다: 정답 클래스까지 더했기 때문입니다(그 마진은 "
        "s_y − s_y + 1 = 1). j ≠ y_i인 클래스만 더하세요",
    },
    "hint.dropout_keep": {
        "en": "{kept:.0%} of the units were kept and scaled by 1/p with p = {p}: that is "
        "CS231n's convention, where p is the probability to KEEP a unit. Here p is the "
        "probability to DROP one (PyTorch's nn.Dropout(p)): keep with probability 1 − p and "
        "scale by 1/(1 − p)",
        "ko": "p = {p}일 때 유닛의 {kept:.0%}를 남기고 1/p로 키웠습니다. p를 유닛을 남길 "
        "확률로 보는 CS231n의 방식입니다. 여기서 p는 유닛을 버릴 확률입니다(PyTorch의 "
        "nn.Dropout(p)): 확률 1 − p로 남기고 1/(1 − p)로 키우세요",
    },
    "hint.div_batch": {
        "en": "It is the reference divided by the batch size N = {n}",
        "ko": "기준 답을 배치 크기 N = {n}으로 나눈 값입니다",
    },
    "hint.times_batch": {
        "en": "It is the reference times the batch size N = {n}",
        "ko": "기준 답에 배치 크기 N = {n}을 곱한 값입니다",
    },
    "hint.factor": {
        "en": "It is the reference times {r:.4g}: a constant factor is off",
        "ko": "기준 답에 {r:.4g}를 곱한 값입니다: 상수 배가 틀렸습니다",
    },
    # -- build and list
    "build.no_solutions": {
        "en": "this minicnn is installed from a wheel or sdist, which carries the student "
        "notebooks only (solutions stay with the instructor): wrote student notebooks. "
        "Build the solutions from the course repository's checkout.",
        "ko": "이 minicnn은 wheel이나 sdist로 설치되어 학생용 노트북만 들어 있습니다(풀이는 "
        "강사만 가집니다). 학생용 노트북만 만들었습니다. 풀이 노트북은 강의 저장소를 "
        "내려받은(checkout) 곳에서 만드세요.",
    },
    "list.order": {
        "en": "in the recommended order, easiest first: {order} "
        "(the ids follow the lectures; docs/teaching.md explains the order)",
        "ko": "쉬운 것부터 권장 순서대로: {order} "
        "(실습 번호는 강의 순서를 따릅니다. 순서의 이유는 docs/teaching.ko.md에 있습니다)",
    },
    "list.line": {
        "en": "{id}  {title} [{points} points; lectures {lectures}]: {parts}",
        "ko": "{id}  {title} [{points}점; 관련 강의 {lectures}]: {parts}",
    },
}


def say(key: str, lang: str | None = None, **values) -> str:
    """The message ``key`` in ``lang`` (default: the one ``speaking`` set, else English)."""
    return _common.lookup(MESSAGES, key, lang, **values)


def verdict(word: str, lang: str) -> str:
    return say(f"verdict.{word}", lang) if f"verdict.{word}" in MESSAGES else word


def language_of(nb_metadata: dict, markdown: str = "") -> str:
    """The lab's language: the notebook's metadata, else Korean if its prose is Korean."""
    lang = (nb_metadata.get("minicnn") or {}).get("lang")
    if lang in LANGS:
        return lang
    letters = sum(ch.isalpha() for ch in markdown)
    return "ko" if letters and len(HANGUL.findall(markdown)) > letters / 5 else "en"
