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
    lang = lang or getattr(_current, "lang", "en")
    return entry.get(lang, entry["en"]).format(**values)


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
