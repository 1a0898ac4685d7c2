"""python -m minicnn.lab list / build: the labs in both languages, with and without solutions."""

from __future__ import annotations

import ast
import json
import re

import pytest

from minicnn.lab import LABS, LabCheckFailed, checker
from minicnn.lab.__main__ import main
from minicnn.lab.source import (
    BEGIN,
    LANGUAGES,
    build_notebook,
    code_without_comments,
    read_source,
    solution_blocks,
    source_path,
    strip_solutions,
)

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for lang in LANGUAGES:
        path = tmp_path_factory.mktemp(f"build_{lang}")
        assert main(["build", "--lang", lang, "--out", str(path)]) == 0
        out[lang] = path
    return out


def test_list_names_every_lab_and_part(capsys):
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert len(text.strip().splitlines()) == len(LABS)
    for lab in LABS.values():
        assert lab.id in text and lab.title in text
        for part in lab.parts:
            assert f"{part.name} ({part.points})" in text


def test_list_speaks_korean(capsys):
    assert main(["list", "--lang", "ko"]) == 0
    text = capsys.readouterr().out
    for lab in LABS.values():
        assert lab.title_ko in text
    assert "점; 관련 강의" in text


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
    source = source_path(lab.stem, lang).read_text(encoding="utf-8")
    blocks = solution_blocks(source)
    assert blocks, f"{lab.stem} has no solution blocks"
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
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
    solutions = [m for m in graded if m["solution"]]
    tests = [m for m in graded if m["grade"]]
    assert len(solutions) == sum(BEGIN in c.source for c in nb.cells)
    assert sum(m["points"] for m in tests) == lab.points
    assert len({m["grade_id"] for m in graded}) == len(graded), "grade ids must be unique"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_both_languages_have_the_same_code(lab):
    en, ko = (read_source(source_path(lab.stem, lang)) for lang in LANGUAGES)
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in ko.cells]
    for i, (a, b) in enumerate(zip(en.cells, ko.cells, strict=True)):
        if a.cell_type == "code":
            assert code_without_comments(a.source) == code_without_comments(b.source), (
                f"{lab.stem} code cell {i} differs between en and ko"
            )
            assert a.metadata.get("tags") == b.metadata.get("tags")
        else:
            assert HANGUL.search(b.source), f"{lab.stem} ko markdown cell {i} is not in Korean"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_every_part_has_a_check_cell_and_the_lectures_are_named(lang, lab):
    nb = read_source(source_path(lab.stem, lang))
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
            c.source for c in read_source(source_path(stem, "en")).cells if c.cell_type == "code"
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
                build_notebook(source_path(lab.stem, lang), lab, student=True, lang=lang)
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
    (tmp_path / "en").mkdir()
    assert sources_dir() == tmp_path
