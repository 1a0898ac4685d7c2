"""python -m minicnn.lab list / build: the labs in both languages, with and without solutions."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from minicnn.lab import LABS, LabCheckFailed, checker
from minicnn.lab.__main__ import main
from minicnn.lab.catalog import RECOMMENDED_ORDER
from minicnn.lab.messages import language_of
from minicnn.lab.source import (
    BEGIN,
    LANGUAGES,
    STUDENT_ANSWER,
    build_notebook,
    code_without_comments,
    language_source,
    read_source,
    select_language,
    solution_blocks,
    source_path,
    strip_solutions,
)

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

HANGUL = re.compile("[\uac00-\ud7a3]")
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for lang in LANGUAGES:
        path = tmp_path_factory.mktemp(f"build_{lang}")
        assert main(["build", "--lang", lang, "--out", str(path)]) == 0
        out[lang] = path
    return out


def test_list_names_every_lab_and_part_in_the_recommended_order(capsys):
    assert main(["list"]) == 0
    first, *lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(LABS)
    assert "recommended order" in first and " → ".join(RECOMMENDED_ORDER[:2]) in first
    assert [line.split()[0] for line in lines] == [
        lab_id for lab_id in RECOMMENDED_ORDER if lab_id in LABS
    ]
    text = "\n".join(lines)
    for lab in LABS.values():
        assert lab.id in text and lab.title in text
        for part in lab.parts:
            assert f"{part.name} ({part.points})" in text


def test_every_lab_has_a_place_in_the_recommended_order_and_the_docs_explain_it():
    assert set(LABS) <= set(RECOMMENDED_ORDER), "place a new lab in catalog.RECOMMENDED_ORDER"
    assert len(set(RECOMMENDED_ORDER)) == len(RECOMMENDED_ORDER)
    # the easy labs come before the hard one (lab 4 used to come after lab 2)
    assert RECOMMENDED_ORDER.index("lab4") < RECOMMENDED_ORDER.index("lab2")
    order = " → ".join(lab_id.removeprefix("lab") for lab_id in RECOMMENDED_ORDER)
    for page in ("teaching.md", "teaching.ko.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert order in text, f"docs/{page} must give the recommended order {order}"


def test_list_speaks_korean(capsys):
    assert main(["list", "--lang", "ko"]) == 0
    text = capsys.readouterr().out
    assert "권장 순서" in text
    for lab in LABS.values():
        assert lab.title_ko in text
    assert "점; 관련 강의" in text
    # Lectures as the course names them, "n강(노트 00x)", in Korean words, never the
    # English catalogue's "001 (convolution layer, ...)".
    for lab in LABS.values():
        assert re.match(r"[1-5]강\(노트 00[0-4]\): \S", lab.lectures_ko), lab.id
        assert lab.lectures_ko in text and lab.lectures not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_build_writes_a_student_and_a_solution_notebook_per_lab(built, lang):
    for kind in ("student", "solution"):
        names = sorted(p.name for p in (built[lang] / kind).iterdir())
        assert names == sorted(f"{lab.stem}.ipynb" for lab in LABS.values())
        for name in names:
            nbformat.validate(nbformat.read(built[lang] / kind / name, as_version=4))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_student_notebooks_hold_no_solution_code(built, lang, lab):
    text = (built[lang] / "student" / f"{lab.stem}.ipynb").read_text(encoding="utf-8")
    source = language_source(lab.stem, lang)
    blocks = solution_blocks(source)
    assert blocks, f"{lab.stem} has no solution blocks"
    assert "SOLUTION" not in text
    nb = nbformat.reads(text, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # The TODO comments and the stubs' messages may hint at a formula; the code may not.
    bare = "\n".join(
        line
        for line in code_without_comments(code).splitlines()
        if "raise NotImplementedError(" not in line
    )
    for block in blocks:
        for line in block.splitlines():
            line = line.strip()
            if len(line) > 12 and not line.startswith("#"):
                assert line not in bare, f"solution line left in the student's {lab.stem}: {line}"
    stubs = code.count("raise NotImplementedError(")
    assert stubs == len(blocks)
    assert code.count("raise NotImplementedError('TODO") + code.count(
        'raise NotImplementedError("TODO'
    ) == len(blocks), "every stub carries its TODO text"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_solution_notebooks_carry_nbgrader_marks(built, lang, lab):
    nb = nbformat.read(built[lang] / "solution" / f"{lab.stem}.ipynb", as_version=4)
    graded = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    code = [c.metadata.get("nbgrader") for c in nb.cells if c.cell_type == "code"]
    solutions = [m for m in code if m and m["solution"]]
    tests = [m for m in code if m and m["grade"]]
    assert len(solutions) == sum(BEGIN in c.source for c in nb.cells)
    assert sum(m["points"] for m in tests) == lab.points
    # the written answers: graded by hand, their points outside the automatic score
    written = [c.metadata.get("nbgrader") for c in nb.cells if c.cell_type == "markdown"]
    written = [m for m in written if m]
    assert written and all(m["solution"] and m["grade"] and m["points"] for m in written)
    assert len({m["grade_id"] for m in graded}) == len(graded), "grade ids must be unique"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# A lab in the single-source format (docs/teaching.md), small enough to read: one part of
# lab 1 with its marked TODO, a hint and a written question in both languages.
TINY = """\
# %% [markdown] lang="ko"
# # 실습: 출력 크기

# %% [markdown] lang="en"
# # Lab: the output size

# %% [markdown]
# $$\\frac{N - F + 2P}{S} + 1$$

# %%
def conv_output_size(n, f, stride=1, padding=0):
    # [ko] TODO: 출력 크기를 정수로 반환하세요.
    # [en] TODO: return the output size as an int.
    # shared comment
    ### BEGIN SOLUTION
    span = n - f + 2 * padding
    if span < 0 or span % stride:
        raise ValueError("does not fit")
    return span // stride + 1
    ### END SOLUTION


# %%
check("conv_output_size")

# %% [markdown] lang="ko" hint="conv_output_size"
# <details><summary>힌트</summary>
#
# 나누어떨어지는지 먼저 보세요.
#
# </details>

# %% [markdown] lang="en" hint="conv_output_size"
# <details><summary>Hint</summary>
#
# See first whether the division is exact.
#
# </details>

# %% [markdown] lang="ko" question="q_stride3" points=2
# **질문 1.** N = 7, F = 3, 스트라이드 3이면 어떻게 됩니까?

# %% [markdown] lang="ko" answer="q_stride3"
# ### BEGIN SOLUTION
# (7 - 3)/3 + 1은 정수가 아니므로 필터가 맞게 놓이지 않습니다.
# ### END SOLUTION

# %% [markdown] lang="en" question="q_stride3" points=2
# **Question 1.** What happens with N = 7, F = 3 and stride 3?

# %% [markdown] lang="en" answer="q_stride3"
# ### BEGIN SOLUTION
# (7 - 3)/3 + 1 is not whole: the filter does not fit.
# ### END SOLUTION
"""


def tiny_build(tmp_path, lang, student, text=TINY):
    path = tmp_path / "lab1_conv_forward.py"
    path.write_text(text, encoding="utf-8")
    return build_notebook(path, LABS["lab1"], student=student, lang=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("student", [True, False], ids=["student", "solution"])
def test_a_language_build_keeps_its_prose_and_its_comment_lines(tmp_path, lang, student):
    nb = tiny_build(tmp_path, lang, student)
    other = "en" if lang == "ko" else "ko"
    text = "\n".join(c.source for c in nb.cells)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert ("실습" in text) is (lang == "ko") and ("Lab:" in text) is (lang == "en")
    assert ("힌트" in text) is (lang == "ko") and ("Hint" in text) is (lang == "en")
    assert any("frac" in p for p in prose), "a cell without lang is in both languages"
    code = next(c.source for c in nb.cells if "def conv_output_size" in c.source)
    assert f"[{lang}]" not in code and f"[{other}]" not in code, "markers are resolved"
    todo = "TODO: 출력 크기를" if lang == "ko" else "TODO: return the output size"
    assert f"    # {todo}" in code and "    # shared comment" in code
    assert ("출력 크기를" in code) is (lang == "ko")
    assert ("return the output size" in code) is (lang == "en")
    for cell in nb.cells:
        assert not set(cell.metadata) & {"lang", "hint", "question", "answer", "points"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_solution_build_answers_the_written_question_and_the_student_build_does_not(
    tmp_path, lang
):
    answers = {
        student: [
            c
            for c in tiny_build(tmp_path, lang, student).cells
            if "nbgrader" in c.metadata and c.cell_type == "markdown"
        ]
        for student in (True, False)
    }
    for cells in answers.values():
        assert len(cells) == 1
        assert cells[0].metadata["nbgrader"] == {
            "grade_id": "q_stride3",
            "solution": True,
            "grade": True,
            "locked": False,
            "task": False,
            "schema_version": 3,
            "points": 2,
        }
    model = answers[False][0].source
    assert "정수가 아니므로" in model if lang == "ko" else "is not whole" in model
    assert "SOLUTION" not in model, "the model answer is shown without nbgrader's markers"
    assert answers[True][0].source == STUDENT_ANSWER
    student_text = json.dumps(tiny_build(tmp_path, lang, True), ensure_ascii=False)
    assert "SOLUTION" not in student_text and "span // stride" not in student_text
    assert "정수가 아니므로" not in student_text and "is not whole" not in student_text


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('question="q_stride3" points=2', 'question="q_stride3"', "needs points="),
        ('question="q_stride3" points=2', 'question="q_stride3" points=0', "needs points="),
        ('lang="en" answer="q_stride3"', 'lang="en" answer="q_other"', "followed by its answer"),
        ("# ### END SOLUTION\n", "", "model answer between"),
        ('lang="ko" hint=', 'lang="kr" hint=', "lang='kr'"),
        ("# [en] TODO", "# [fr] TODO", "unknown language marker [fr]"),
    ],
)
def test_a_malformed_source_is_refused_with_what_to_fix(tmp_path, old, new, words):
    assert TINY.count(old) >= 1
    with pytest.raises(ValueError) as err:
        for lang in LANGUAGES:
            tiny_build(tmp_path, lang, False, TINY.replace(old, new))
    assert words in str(err.value) and "lab1_conv_forward.py" in str(err.value)


@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_one_source_holds_both_languages(built, lab):
    """Each built language has only its own prose and comment lines: the Korean build's
    prose cells are Korean and no Hangul is left in the English build."""
    source = source_path(lab.stem).read_text(encoding="utf-8")
    assert 'lang="ko"' in source and 'lang="en"' in source
    for kind in ("student", "solution"):
        en = nbformat.read(built["en"] / kind / f"{lab.stem}.ipynb", as_version=4)
        ko = nbformat.read(built["ko"] / kind / f"{lab.stem}.ipynb", as_version=4)
        for nb, lang in ((en, "en"), (ko, "ko")):
            for cell in nb.cells:
                if cell.source == STUDENT_ANSWER:  # nbgrader's words, in every language
                    continue
                if cell.cell_type == "markdown" and re.search(
                    "[A-Za-z]{4}|[\uac00-\ud7a3]", cell.source
                ):
                    assert language_of({}, cell.source) == lang, f"{lab.stem} {lang}: {cell.source}"
        assert not HANGUL.search("\n".join(c.source for c in en.cells if c.cell_type == "code"))

        # the code is written once: the builds differ in comments, the stubs' TODO text
        # and the language the checks answer in only
        def code(nb):
            return [
                re.sub(r"NotImplementedError\(.*\)", "", code_without_comments(c.source)).replace(
                    ', lang="ko")', ")"
                )
                for c in nb.cells
                if c.cell_type == "code"
            ]

        assert code(en) == code(ko)
        for cell in en.cells + ko.cells:
            assert not re.search(r"^\s*# \[(en|ko)\]", cell.source, flags=re.M)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_every_part_has_a_check_cell_and_the_lectures_are_named(lang, lab):
    nb = select_language(read_source(source_path(lab.stem)), lang)
    text = "\n".join(c.source for c in nb.cells)
    for part in lab.parts:
        assert f'check("{part.name}")' in text
    first = nb.cells[0].source
    if lang == "en":
        assert "Lectures practised" in first
        assert re.search(r"00[0-4]", first)
    else:
        # The course numbers its lectures 1강..5강; the note file (000..004) follows once in
        # parentheses (docs/glossary.ko.md), never "001강", which names a file.
        assert "관련 강의" in first
        assert re.search(r"[1-5]강\(노트 00[0-4]\)", first)
        for number, note in re.findall(r"([1-5])강\(노트 (00[0-4])\)", first):
            assert int(note) == int(number) - 1, f"{number}강 is 노트 00{int(number) - 1}"
        assert not re.search(r"00[0-4]강", first), "name a lecture n강, not by its note file"


def test_stub_keeps_the_indentation_and_the_todo():
    src = (
        "def f(x):\n    # TODO: double it.\n    ### BEGIN SOLUTION\n    return 2 * x\n"
        "    ### END SOLUTION\n"
    )
    stub = strip_solutions(src)
    assert "return 2 * x" not in stub
    assert "    raise NotImplementedError('TODO: double it.')" in stub
    ast.parse(stub)
    with pytest.raises(ValueError, match="without"):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n")


def test_lab5_layers_are_the_solutions_of_labs_2_to_4():
    """Lab 5's pasted layers must not drift from the labs that teach them."""

    def functions(stem):
        code = "\n".join(
            c.source for c in read_source(source_path(stem)).cells if c.cell_type == "code"
        )
        return {
            node.name: ast.dump(node)
            for node in ast.parse(code).body
            if isinstance(node, ast.FunctionDef)
        }

    lab5 = functions("lab5_sgd_lenet")
    for stem in ("lab2_conv_backward", "lab3_pool_relu_dropout", "lab4_linear_losses"):
        for name, dump in functions(stem).items():
            if name in lab5:
                assert lab5[name] == dump, f"lab 5's {name} differs from {stem}'s solution"


def test_the_check_function_passes_and_explains(capsys):
    import numpy as np

    ns = {
        "relu_forward": lambda x: (np.maximum(x, 0), x > 0),
        "relu_backward": lambda dy, mask: dy,  # forgot the mask
    }
    check = checker("lab3", ns)
    check("relu_forward")
    assert "relu_forward: passed" in capsys.readouterr().out
    with pytest.raises(LabCheckFailed, match="zero it where x <= 0"):
        check("relu_backward")


def test_build_refuses_an_unknown_language(tmp_path):
    with pytest.raises(SystemExit):
        main(["build", "--lang", "fr", "--out", str(tmp_path)])


def test_report_is_json(tmp_path):
    # The JSON report is covered with real grading in test_lab_grade; here, its shape.
    from minicnn.lab.grade import PartResult, report

    lab = LABS["lab1"]
    results = [PartResult(p.name, p.points, p.points, "passed", "") for p in lab.parts]
    data = json.loads(json.dumps(report(lab, "x.ipynb", results)))
    assert data["score"] == data["max_score"] == lab.points and data["passed"]


def test_the_package_ships_the_student_notebooks_as_built_from_the_sources():
    """minicnn/lab/handout (package data in setup.cfg) is what `build` makes for students
    from labs/, byte for byte: refresh it with source.write_handout() after a lab changes."""
    from minicnn.lab.source import handout_path, notebook_bytes

    for lang in LANGUAGES:
        for lab in LABS.values():
            built = notebook_bytes(
                build_notebook(source_path(lab.stem), lab, student=True, lang=lang)
            )
            shipped = handout_path(lab.stem, lang)
            assert shipped.read_bytes() == built, (
                f"{shipped} is stale: python -c 'from minicnn.lab.source import "
                "write_handout; write_handout()'"
            )
            assert BEGIN not in shipped.read_text(encoding="utf-8")


def test_build_without_the_sources_makes_student_notebooks_and_says_why(
    tmp_path, monkeypatch, capsys
):
    import minicnn.lab.__main__ as cli

    monkeypatch.setattr(cli, "has_solutions", lambda: False)
    assert main(["build", "--lang", "ko", "--out", str(tmp_path), "lab2"]) == 0
    assert "풀이" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["student"]
    nb = nbformat.read(tmp_path / "student" / "lab2_conv_backward.ipynb", as_version=4)
    assert nb.metadata["minicnn"] == {"lab": "lab2", "lang": "ko"}


def test_sources_can_be_pointed_elsewhere(tmp_path, monkeypatch):
    from minicnn.lab.source import sources_dir

    monkeypatch.setenv("MINICNN_LAB_SOURCES", str(tmp_path))
    (tmp_path / "lab1_conv_forward.py").write_text("# %%\n", encoding="utf-8")
    assert sources_dir() == tmp_path
