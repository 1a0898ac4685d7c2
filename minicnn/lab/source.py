"""Lab sources (jupytext percent format) -> student and solution notebooks, per language.

A lab is ONE plain-text file, ``labs/<stem>.py``, holding both languages::

    # %% [markdown] lang="ko"
    # ## 1. 출력 크기는 얼마인가?

    # %% [markdown] lang="en"
    # ## 1. What is the output size?

    # %%
    def conv_output_size(n, f, stride=1, padding=0):
        # [ko] TODO: (n - f + 2*padding) / stride + 1을 계산해 int로 반환하세요.
        # [en] TODO: compute (n - f + 2*padding) / stride + 1 and return it as an int.
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

    # %%
    check("conv_output_size")

    # %% [markdown] lang="ko" hint="conv_output_size"
    # <details><summary>힌트</summary> ... </details>

    # %% [markdown] lang="ko" question="q_stride3" points=2
    # **질문 1.** ...

    # %% [markdown] lang="ko" answer="q_stride3"
    # ### BEGIN SOLUTION
    # 모범 답안 ...
    # ### END SOLUTION

Building one language (``select_language``) keeps the markdown cells of that language
and those without ``lang`` (formulas only), and in code cells keeps the comment lines
marked ``# [<lang>] `` (without the marker) and drops those of the other language.
Code is written once. ``hint`` cells are collapsed ``<details>`` the student opens.
``question`` / ``answer`` pairs are written questions, graded by hand (nbgrader's
manually graded answer cells, ``points`` on the question): the solution build shows
the model answer, the student build "YOUR ANSWER HERE".

Solution code sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, as
nbgrader marks it. The student's notebook gets, in its place, a stub that raises
NotImplementedError with the ``# TODO`` comment lines just above the block. Cells
whose code is only ``check(...)`` calls are the check cells (skipped by the grader,
which tests the parts itself); cells tagged ``slow`` (training) are skipped too.

Where the sources are: the checkout's ``labs/`` folder (an instructor's clone, or an
editable install), with their solutions; ``MINICNN_LAB_SOURCES`` points elsewhere.
A wheel or sdist carries no solution: it ships ``minicnn/lab/handout``, the student
notebooks already built (kept equal to ``labs/`` by a test; ``write_handout``
rewrites them), and ``build`` there copies those.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
LANGUAGES = ("en", "ko")
STUDENT_ANSWER = "YOUR ANSWER HERE"  # nbgrader's stub for a written answer
# A comment line of one language inside a code cell: "    # [ko] TODO: ..." (the text
# may be empty: "# [ko]" keeps an empty comment line).
MARKER = re.compile(r"^(?P<indent>[ \t]*)# \[(?P<lang>\w+)\](?: (?P<text>.*))?$")
# The cell metadata of the single-source format; the built notebooks carry none of it.
FORMAT_KEYS = ("lang", "hint", "question", "answer", "points")
CHECK_CALL = re.compile(r"^check\(.*\)\s*$")
# The lines of an autograder test cell (see autograde.CELL): graded, never run by the grader.
AUTOGRADE_LINE = re.compile(
    r"^(import sys; \[sys\.modules\.pop\(m\) for m in list\(sys\.modules\) if "
    r"m\.startswith\('minicnn\.lab'\)\]|from minicnn\.lab\.autograde import grade; "
    r"grade\('\w+', '[\w.]+', globals\(\)(, lang=\"ko\")?\))$"
)
CHECKER_CALL = re.compile(r"(checker\(\s*[\"']\w+[\"']\s*,\s*globals\(\))\)")


HANDOUT = Path(__file__).resolve().parent / "handout"


def sources_dir() -> Path:
    """The folder holding the lab sources ``labN_<name>.py``, with their solutions."""
    override = os.environ.get("MINICNN_LAB_SOURCES")
    candidates = [Path(override)] if override else []
    candidates += [Path(__file__).resolve().parents[2] / "labs"]
    for path in candidates:
        if any(path.glob("lab[0-9]*_*.py")):
            return path
    raise FileNotFoundError(
        "the lab sources (with their solutions) are not here: looked in "
        + ", ".join(str(p) for p in candidates)
        + ". An installed minicnn carries the student notebooks only; build the "
        "solutions in a checkout of the course repository, or set MINICNN_LAB_SOURCES "
        "to its labs/ folder"
    )


def has_solutions() -> bool:
    """Are an instructor's lab sources (with solutions) here, not only the handout?"""
    try:
        sources_dir()
    except FileNotFoundError:
        return False
    return True


def handout_path(stem: str, lang: str) -> Path:
    """The shipped student notebook of a lab."""
    return HANDOUT / lang / f"{stem}.ipynb"


def write_handout() -> list[Path]:
    """Rebuild minicnn/lab/handout from labs/ (run after editing a lab):
    python -c "from minicnn.lab.source import write_handout; write_handout()"."""
    from .catalog import LABS

    written = []
    for lang in LANGUAGES:
        for lab in LABS.values():
            nb = build_notebook(source_path(lab.stem), lab, student=True, lang=lang)
            target = handout_path(lab.stem, lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(notebook_bytes(nb))
            written.append(target)
    return written


def notebook_bytes(nb) -> bytes:
    import nbformat

    return nbformat.writes(nb).encode("utf-8") + b"\n"


def source_path(stem: str) -> Path:
    """The one source of a lab, both languages and the solutions in it."""
    return sources_dir() / f"{stem}.py"


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    return lang


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise ImportError(
            "building labs needs jupytext and nbformat: pip install 'minicnn[lab]'"
        ) from None
    return jupytext


def read_source(path: Path):
    """The lab source as an nbformat notebook (both languages, solutions included)."""
    return _jupytext().reads(Path(path).read_text(encoding="utf-8"), fmt="py:percent")


def resolve_markers(source: str, lang: str, where: str = "the lab source") -> str:
    """A code cell in one language: the comment lines marked ``# [lang] `` lose their
    marker, those of the other language go, every other line stays."""
    out = []
    for line in source.splitlines():
        m = MARKER.match(line)
        if m is None:
            out.append(line)
            continue
        if m["lang"] not in LANGUAGES:
            raise ValueError(
                f"{where}: unknown language marker [{m['lang']}] in {line.strip()!r}: "
                f"mark a comment line with one of {', '.join(f'[{x}]' for x in LANGUAGES)}"
            )
        if m["lang"] == lang:
            out.append(f"{m['indent']}# {m['text']}" if m["text"] else f"{m['indent']}#")
    return "\n".join(out)


def select_language(nb, lang: str, where: str = "the lab source"):
    """The notebook of one language: its prose cells (and those without ``lang``), code
    cells with their comment lines resolved. Checks the written questions' pairing:
    each ``question`` cell is followed by its ``answer`` cell.

    The format's metadata stays on the cells (``build_notebook`` takes it off)."""
    check_language(lang)
    cells = []
    for cell in nb.cells:
        tag = cell.metadata.get("lang")
        if tag is not None and tag not in LANGUAGES:
            raise ValueError(f"{where}: a cell has lang={tag!r}; use one of {LANGUAGES}")
        if tag not in (None, lang):
            continue
        if cell.cell_type == "code":
            cell.source = resolve_markers(cell.source, lang, where)
        cells.append(cell)
    nb.cells = cells
    written_questions(nb, where)  # raises on a question without its answer
    return nb


def written_questions(nb, where: str = "the lab source") -> dict[str, int]:
    """{question id: points} of one language's notebook, in order, checking the format:
    a ``question="<id>" points=<n>`` cell, then the ``answer="<id>"`` cell with the model
    answer between BEGIN and END SOLUTION; ids unique."""
    found: dict[str, int] = {}
    cells = nb.cells
    for i, cell in enumerate(cells):
        qid, aid = cell.metadata.get("question"), cell.metadata.get("answer")
        if qid is not None:
            points = cell.metadata.get("points")
            if not isinstance(points, int) or isinstance(points, bool) or points < 1:
                raise ValueError(
                    f"{where}: question {qid!r} needs points=<a whole number of points> "
                    f"in its cell header, got {points!r}"
                )
            following = cells[i + 1] if i + 1 < len(cells) else None
            if following is None or following.metadata.get("answer") != qid:
                raise ValueError(
                    f"{where}: question {qid!r} must be followed by its answer cell "
                    f'(# %% [markdown] answer="{qid}")'
                )
            if qid in found:
                raise ValueError(f"{where}: two questions are called {qid!r}")
            found[qid] = points
        elif aid is not None:
            if aid not in found or cells[i - 1].metadata.get("question") != aid:
                raise ValueError(f"{where}: answer {aid!r} does not follow its question cell")
            if cell.cell_type != "markdown" or not re.search(
                rf"^{BEGIN}$.*^{END}$", cell.source, flags=re.S | re.M
            ):
                raise ValueError(
                    f"{where}: answer {aid!r} must be a markdown cell with the model "
                    f"answer between {BEGIN} and {END}"
                )
    return found


def model_answer(source: str) -> str:
    """The text between BEGIN and END SOLUTION of a written answer cell."""
    found = re.search(rf"^{BEGIN}$\n?(.*?)^{END}$", source, flags=re.S | re.M)
    if found is None:  # written_questions checked the format before
        raise ValueError(f"a written answer without {BEGIN} ... {END}: {source[:60]!r}")
    return found[1].strip()


def language_source(stem: str, lang: str) -> str:
    """One language of a lab as percent-format text, solutions included: what a student
    who solved the lab hands in as a .py (the tests plant mistakes in it)."""
    nb = select_language(read_source(source_path(stem)), lang, stem)
    for cell in nb.cells:
        for key in FORMAT_KEYS:
            cell.metadata.pop(key, None)
    return _jupytext().writes(nb, fmt="py:percent")


def is_check_cell(source: str) -> bool:
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(
        CHECK_CALL.match(ln.strip()) or AUTOGRADE_LINE.match(ln.strip()) for ln in lines
    )


def check_names(source: str) -> list[str]:
    """The part names a check cell grades: check("conv2d_naive") -> ["conv2d_naive"]."""
    return re.findall(r"""(?:check\(|grade\('\w+', )\s*["']([\w.]+)["']""", source)


def solution_blocks(source: str) -> list[str]:
    """The code between each BEGIN/END SOLUTION pair of the code cells (for tests: none
    may leak). A written answer's markers sit in markdown (``# ### BEGIN ...``): not here."""
    return re.findall(rf"^[ \t]*{BEGIN}\n(.*?)^[ \t]*{END}", source, flags=re.S | re.M)


def strip_solutions(source: str) -> str:
    """Replace each solution block by a stub raising NotImplementedError(the TODO text)."""
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip() != BEGIN:
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        todo = _todo_above(out)
        while i < len(lines) and lines[i].strip() != END:
            i += 1
        if i == len(lines):
            raise ValueError(f"{BEGIN} without {END}")
        out.append(f"{indent}raise NotImplementedError({todo!r})")
        i += 1  # past END
    return "\n".join(out)


def _todo_above(lines: list[str]) -> str:
    """The text of the '# TODO ...' comment lines right above a solution block."""
    text: list[str] = []
    for line in reversed(lines):
        s = line.strip()
        if not s.startswith("#"):
            break
        text.insert(0, s.lstrip("#").strip())
        if s.lstrip("#").strip().upper().startswith("TODO"):
            break
    joined = " ".join(text)
    return joined if joined.upper().startswith("TODO") else "TODO: write this part"


def code_without_comments(source: str) -> str:
    """A code cell's code with full-line comments removed."""
    return "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith("#")).strip()


def build_notebook(source_file: Path, lab, student: bool, lang: str):
    """The notebook of one lab in one language: the student's (stubs, "YOUR ANSWER HERE")
    or the solution (with nbgrader marks and the model answers).

    Its metadata names the lab and its language (``metadata.minicnn``): the grader
    answers in that language.
    """
    import nbformat

    from . import autograde

    nb = select_language(read_source(source_file), lang, Path(source_file).name)
    points = written_questions(nb)
    for number, cell in enumerate(nb.cells):
        cell.id = f"{lab.id}-{number}"  # the same notebook, byte for byte, on every build
        cell.metadata.pop("lines_to_next_cell", None)
        answer = cell.metadata.get("answer")
        for key in FORMAT_KEYS:
            cell.metadata.pop(key, None)
        if answer is not None:  # a written answer, graded by hand in nbgrader
            cell.source = STUDENT_ANSWER if student else model_answer(cell.source)
            cell.metadata["nbgrader"] = _nbgrader(answer, solution=True, points=points[answer])
            continue
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        has_solution = BEGIN in cell.source
        if lang == "ko":  # check cells answer in the notebook's language
            cell.source = CHECKER_CALL.sub(r'\1, lang="ko")', cell.source)
        if student:
            cell.source = strip_solutions(cell.source)
            continue
        if has_solution:
            match = re.search(r"^def (\w+)", cell.source, flags=re.M)
            grade_id = match.group(1) if match else f"cell{number}"
            cell.metadata["nbgrader"] = _nbgrader(grade_id, solution=True)
        elif is_check_cell(cell.source):
            names = check_names(cell.source)
            cell.source = autograde.cell_source(lab.id, names, lang)
            cell.metadata["nbgrader"] = _nbgrader(
                "check_" + "_".join(names),
                solution=False,
                points=sum(lab.part(n).points for n in names),
            )
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["minicnn"] = {"lab": lab.id, "lang": lang}
    nbformat.validate(nb)
    return nb


def _nbgrader(grade_id: str, solution: bool, points: int | None = None) -> dict:
    """nbgrader's cell marks: a solution cell (code to write, or a written answer when it
    has points: graded by hand) or an autograder test cell (points, locked)."""
    graded = points is not None
    meta = {
        "grade_id": grade_id,
        "solution": solution,
        "grade": graded,
        "locked": not solution,
        "task": False,
        "schema_version": 3,
    }
    if graded:
        meta["points"] = points
    return meta


def handout_questions(lab, lang: str) -> dict[str, int]:
    """{question id: points} of a lab's written questions, as its shipped student
    notebook marks them (the grader lists them; the instructor grades them)."""
    nb = read_notebook(handout_path(lab.stem, lang))
    return {
        meta["grade_id"]: meta["points"]
        for meta in (cell.metadata.get("nbgrader", {}) for cell in nb.cells)
        if meta.get("solution") and meta.get("grade")
    }


def read_notebook(path: Path):
    """A student's .ipynb or percent-format .py as an nbformat notebook."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import nbformat

        return nbformat.reads(text, as_version=4)
    return _jupytext().reads(text, fmt="py:percent")


def student_cells(path: Path) -> list[tuple[int, str, list[str]]]:
    """(cell number from 1, code, tags) of every code cell of a student's .ipynb or .py."""
    nb = read_notebook(path)
    return [
        (i + 1, cell.source, list(cell.metadata.get("tags", [])))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    ]
