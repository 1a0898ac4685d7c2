"""One Korean term per concept: docs/glossary.ko.md lists, for each concept, the term the
course uses and the words it replaced ("대신 쓰지 않는 말"). This test reads that column
and fails when a Korean lab, docs page or lesson notebook still uses a replaced word, so
the terms cannot drift apart again (a review once found 창 and 매개변수 on one page,
윈도우 and 파라미터 in the labs).

Korean attaches particles to nouns (윈도우를, 윈도우에서), so a plain substring search
would both miss nothing and flag too much: 창 is also the first syllable of 창의적. A
replaced noun therefore matches only as a word: not preceded by a Hangul syllable, and
followed by nothing Hangul except a particle. A replaced verb stem is written with a
trailing "-" (덧대-) and matches every ending (덧대고, 덧대는).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.ko.md"

HANGUL = "\uac00-\ud7a3"
# Particles and copula endings that may follow a noun within the same word. Longer
# forms first, so that the alternation does not stop at a prefix (이 before 이다).
PARTICLES = sorted(
    "은 는 이 가 을 를 의 에 에서 에게 으로 로 과 와 도 만 마다 씩 처럼 보다 까지 부터 "
    "이나 나 이란 란 이라고 라고 이라는 라는 이다 입니다 이고 이며 인 일 으로서 로서 "
    "이에요 예요 으로는 로는 에는 에도 과의 와의".split(),
    key=len,
    reverse=True,
)

# Known uses of replaced words that a page must keep, as {(path relative to the
# repository, replaced word): why}. Empty since the labs and teaching.ko.md were edited
# to the glossary's terms. An entry must give a reason a newcomer would accept, and one that is
# no longer needed fails test_allow_list_has_no_stale_entries, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}


def glossary_rows() -> list[dict[str, str]]:
    """The rows of every table in the glossary whose header has the replaced-words
    column, as dicts keyed by the header cells."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            assert len(cells) == len(header), (
                f"docs/glossary.ko.md: a row with the wrong number of cells: {line}"
            )
            rows.append(dict(zip(header, cells, strict=True)))
    return [row for row in rows if "대신 쓰지 않는 말" in row]


def replaced_terms() -> dict[str, str]:
    """{replaced word: the Korean term that replaces it}."""
    terms = {}
    for row in glossary_rows():
        for word in re.findall(r"`([^`]+)`", row["대신 쓰지 않는 말"]):
            terms[word] = row["한국어"]
    return terms


def term_pattern(word: str) -> re.Pattern[str]:
    """A word as it occurs in Korean text: a noun with an optional plural 들 and one
    particle, or (trailing "-") a verb stem with any ending."""
    if word.endswith("-"):
        return re.compile(rf"(?<![{HANGUL}]){re.escape(word[:-1])}")
    particles = "|".join(PARTICLES)
    return re.compile(rf"(?<![{HANGUL}]){re.escape(word)}(?:들)?(?:{particles})?(?![{HANGUL}])")


def korean_texts() -> dict[str, list[str]]:
    """{path relative to the repository: its lines} for every Korean text students read:
    the lab sources (both languages in one file; the English lines hold no Korean
    words), the Korean docs pages (not the glossary, which names the replaced words
    on purpose), the grader's, gradcheck's and the explorer's messages, and the
    markdown cells of the Korean lesson notebooks."""
    texts = {}
    paths = sorted((ROOT / "labs").glob("lab*.py")) + sorted((ROOT / "docs").glob("*.ko.md"))
    # the messages the grader and gradcheck speak, and the explorer's page (ko and en
    # side by side; the English lines have no Korean words to flag)
    paths += [ROOT / "minicnn" / "messages.py", ROOT / "minicnn" / "lab" / "messages.py"]
    paths += [ROOT / "minicnn" / "explore" / "static" / "i18n.js"]
    for path in paths:
        if path != GLOSSARY:
            texts[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8").splitlines()
    for path in sorted((ROOT / "examples" / "notebooks").glob("*.ko.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        lines = []
        for cell in cells:
            if cell["cell_type"] == "markdown":
                lines += "".join(cell["source"]).splitlines()
        texts[path.relative_to(ROOT).as_posix()] = lines
    return texts


def uses_of_replaced_terms() -> dict[tuple[str, str], list[str]]:
    """{(path, replaced word): ["line: text", ...]} over every Korean text."""
    patterns = {word: term_pattern(word) for word in replaced_terms()}
    found: dict[tuple[str, str], list[str]] = {}
    for path, lines in korean_texts().items():
        for number, line in enumerate(lines, 1):
            for word, pattern in patterns.items():
                if pattern.search(line):
                    found.setdefault((path, word), []).append(f"{number}: {line.strip()}")
    return found


def test_glossary_has_the_replaced_words_column():
    rows = glossary_rows()
    assert len(rows) >= 30, f"docs/glossary.ko.md: only {len(rows)} rows with 대신 쓰지 않는 말"
    for row in rows:
        assert row["한국어"] and row["English"] and row["처음 나오는 곳"], row


def test_one_term_per_concept():
    """A Korean term names one concept, and no word is both used and replaced."""
    rows = glossary_rows()
    korean = [row["한국어"] for row in rows]
    assert len(korean) == len(set(korean)), f"a term listed twice: {korean}"
    used = {term.strip() for row in rows for term in row["한국어"].split(",")}
    both = used & {word.rstrip("-") for word in replaced_terms()}
    assert not both, f"docs/glossary.ko.md both uses and replaces {sorted(both)}"


@pytest.mark.parametrize(
    "word, text, matches",
    [
        ("창", "각 창에 K를 곱합니다", True),
        ("창", "창(window) 하나", True),
        ("창", "창의적인 풀이", False),  # a different word that starts with the same syllable
        ("창", "윈도우 하나", False),
        ("탭", "탭들을 쌓고", True),
        ("매개변수", "매개변수를 셉니다", True),
        ("덧대-", "0을 F-1개씩 덧대고", True),
        ("본체", "본체(body)", True),
        ("배치(layout)", "minicnn의 배치(layout): `cols`", True),
        ("배치(layout)", "배치(batch) 하나", False),
    ],
)
def test_term_pattern(word, text, matches):
    """The word rule itself: particles allowed, longer words that merely start the same
    way not flagged."""
    assert bool(term_pattern(word).search(text)) is matches


def test_korean_texts_use_the_glossary_terms():
    texts = korean_texts()
    assert any(path.startswith("labs/lab") for path in texts), "no lab found to check"
    terms = replaced_terms()
    problems = [
        f"{path}:{hit}\n    '{word}' -> use '{terms[word]}' (docs/glossary.ko.md)"
        for (path, word), hits in sorted(uses_of_replaced_terms().items())
        if (path, word) not in ALLOWED
        for hit in hits
    ]
    assert not problems, "replaced terms in Korean texts:\n" + "\n".join(problems)


def test_allow_list_has_no_stale_entries():
    """Once a lab or page is fixed its exception must go, so the list only shrinks."""
    found = uses_of_replaced_terms()
    stale = [key for key in ALLOWED if key not in found]
    assert not stale, f"remove these from ALLOWED in tests/test_glossary.py: {stale}"
