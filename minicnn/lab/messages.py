"""The grader's words in the lab's language: ``say(key, lang, **values)``.

Every sentence the grader writes to a student or an instructor is here, in Korean
and English, so a Korean lab is graded in Korean. The language comes from the
notebook's metadata (``metadata.minicnn.lang``, written by ``build``); ``--lang``
overrides it (``language_of``).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator

LANGS = ("en", "ko")

MESSAGES: dict[str, dict[str, str]] = {
    # -- the table and the report
    "head.part": {"en": "part", "ko": "항목"},
    "head.points": {"en": "points", "ko": "점수"},
    "head.verdict": {"en": "verdict", "ko": "판정"},
    "head.diagnostic": {"en": "diagnostic", "ko": "설명"},
    "total": {"en": "total: {got}/{best}", "ko": "합계(total): {got}/{best}"},
    "note": {"en": "note: {text}", "ko": "참고: {text}"},
    "verdict.passed": {"en": "passed", "ko": "통과"},
    "verdict.wrong": {"en": "wrong", "ko": "틀림"},
    "verdict.error": {"en": "error", "ko": "오류"},
    "verdict.not implemented": {"en": "not implemented", "ko": "미구현(not implemented)"},
    "verdict.time limit": {"en": "time limit", "ko": "시간 초과"},
    "cases": {"en": "{n} cases", "ko": "사례 {n}개"},
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
    # -- hints for mistakes students make (issue 19, item 8)
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
    "list.line": {
        "en": "{id}  {title} [{points} points; lectures {lectures}]: {parts}",
        "ko": "{id}  {title} [{points}점; 관련 강의 {lectures}]: {parts}",
    },
}


_current = threading.local()


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, ``say`` without a language speaks ``lang`` (per thread:
    grade_all grades several labs' files at once)."""
    before = getattr(_current, "lang", "en")
    _current.lang = lang
    try:
        yield
    finally:
        _current.lang = before


def say(key: str, lang: str | None = None, **values) -> str:
    """The message ``key`` in ``lang`` (default: the one ``speaking`` set, else English)."""
    entry = MESSAGES[key]
    chosen = str(lang or getattr(_current, "lang", None) or "en")
    return entry.get(chosen, entry["en"]).format(**values)


def verdict(word: str, lang: str) -> str:
    return say(f"verdict.{word}", lang) if f"verdict.{word}" in MESSAGES else word


HANGUL = re.compile("[\uac00-\ud7a3]")


def language_of(nb_metadata: dict, markdown: str = "") -> str:
    """The lab's language: the notebook's metadata, else Korean if its prose is Korean."""
    lang = (nb_metadata.get("minicnn") or {}).get("lang")
    if lang in LANGS:
        return lang
    letters = sum(ch.isalpha() for ch in markdown)
    return "ko" if letters and len(HANGUL.findall(markdown)) > letters / 5 else "en"
