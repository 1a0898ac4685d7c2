"""The labs teach rather than tell: written questions with
model answers in both languages, hints the student opens, and prose and TODO comments
that explain the idea without handing over the solution's code."""

from __future__ import annotations

import re

import pytest

from minicnn.lab import LABS
from minicnn.lab.messages import language_of
from minicnn.lab.source import (
    LANGUAGES,
    STUDENT_ANSWER,
    build_notebook,
    handout_questions,
    read_source,
    select_language,
    solution_blocks,
    source_path,
    written_questions,
)

pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

ALL_LABS = pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))


def language(lab, lang):
    return select_language(read_source(source_path(lab.stem)), lang, lab.stem)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@ALL_LABS
def test_each_lab_asks_two_to_four_written_questions_in_both_languages(lab):
    questions = {lang: written_questions(language(lab, lang)) for lang in LANGUAGES}
    assert questions["en"] == questions["ko"], "the same ids and points, in the same order"
    assert 2 <= len(questions["en"]) <= 4, questions["en"]
    assert all(1 <= points <= 5 for points in questions["en"].values())
    # the lab's table of points tells the student about them
    for lang, words in (("en", "written questions"), ("ko", "서술형 문제")):
        head = language(lab, lang).cells[0].source
        assert words in head and f"| {sum(questions[lang].values())} |" in head


@ALL_LABS
@pytest.mark.parametrize("lang", LANGUAGES)
def test_model_answers_are_in_the_solution_build_only(lab, lang):
    solution = build_notebook(source_path(lab.stem), lab, student=False, lang=lang)
    student = build_notebook(source_path(lab.stem), lab, student=True, lang=lang)

    def answers(nb):
        return {
            cell.metadata["nbgrader"]["grade_id"]: cell
            for cell in nb.cells
            if cell.cell_type == "markdown" and "nbgrader" in cell.metadata
        }

    model, blank = answers(solution), answers(student)
    assert list(model) == list(blank) == list(handout_questions(lab, lang))
    for qid, cell in model.items():
        meta = cell.metadata["nbgrader"]
        assert meta["solution"] and meta["grade"] and not meta["locked"]
        assert meta["points"] == handout_questions(lab, lang)[qid]
        assert len(cell.source) > 60 and "SOLUTION" not in cell.source
        assert language_of({}, cell.source) == lang, f"{lab.id} {qid}: not in {lang}"
        assert blank[qid].source == STUDENT_ANSWER
        assert blank[qid].metadata["nbgrader"] == meta
        assert cell.source not in "\n".join(c.source for c in student.cells)


@ALL_LABS
def test_hints_are_collapsed_cells_in_both_languages_for_real_parts(lab):
    hints = {}
    for lang, summary in (("en", "Hint"), ("ko", "힌트")):
        cells = [c for c in language(lab, lang).cells if "hint" in c.metadata]
        hints[lang] = [c.metadata["hint"] for c in cells]
        for cell in cells:
            assert cell.cell_type == "markdown"
            assert cell.source.startswith(f"<details><summary>{summary}</summary>")
            assert cell.source.rstrip().endswith("</details>")
    assert hints["en"] == hints["ko"] and hints["en"], f"{lab.id} has no hint"
    assert set(hints["en"]) <= {part.name for part in lab.parts}


# Solution code the prose must state, because the grader depends on it: {(lab, code
# without spaces): why}.
SPECIFIED = {
    ("lab3", "rng.random(x.shape)>=p"): "the check draws the same dropout mask from the "
    "same rng: the prose fixes how the mask is drawn",
    ("lab9", "mc.Sequential("): "the opening of a container gives nothing away: which "
    "layers go inside is the student's design",
    ("lab9", "mc.MaxPool2D(2),"): "the prose draws the U-Net's levels as the lecture does "
    "(halve, convolve, upsample); the channels and the convolutions are the student's",
}


def giveaways(block: str) -> list[str]:
    """The code of a solution that must not be written out in the prose: every line of
    12 characters or more, and the expression of an assignment or a return."""
    found = []
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found.append(line)
        match = re.match(r"^(?:return\s+|[\w.,\[\]\s\"']+?\s=\s)(.+)$", line)
        if match:
            found.append(match[1])
    return [squeeze(code) for code in found if len(squeeze(code)) >= 12]


@ALL_LABS
@pytest.mark.parametrize("lang", LANGUAGES)
def test_prose_hints_and_todos_explain_without_giving_the_solution_code(lab, lang):
    nb = language(lab, lang)
    prose = squeeze("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    todos = squeeze(
        "\n".join(
            line
            for c in nb.cells
            if c.cell_type == "code"
            for line in c.source.splitlines()
            if line.lstrip().startswith("#")
        )
    )
    code_cells = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for block in solution_blocks(code_cells):
        for code in giveaways(block):
            if (lab.id, code) in SPECIFIED:
                continue
            assert code not in prose, f"{lab.id} {lang}: the prose spells out {code}"
            assert code not in todos, f"{lab.id} {lang}: a TODO spells out {code}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lab2_no_longer_hands_over_the_rotation_and_the_kernel_gradient(lang):
    """The examples a review found: lab 2's prose wrote `w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)`
    and `dy @ cols.T`, the two lines the lab is about."""
    nb = language(LABS["lab2"], lang)
    words = squeeze("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for code in ("::-1,::-1]", ".transpose(1,0,2,3)", "@cols.T", "w.reshape(K,-1)@cols"):
        assert code not in words


@ALL_LABS
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_wrapped_formula_turns_into_a_markdown_list(lab, lang):
    """A prose line that starts with "+ " is a bullet to Markdown: a formula wrapped
    there (`... = 0 + (-1) + 2` / `+ 1 = 2$`) would render as a list item."""
    for cell in language(lab, lang).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                assert not line.startswith("+ "), f"{lab.id} {lang}: {line}"
