"""Lab sources (jupytext percent format) -> student and solution notebooks.

A lab is one plain-text file per language, ``labs/<lang>/<stem>.py``::

    # %% [markdown]
    # Explanation, with the lecture's notation beside minicnn's.

    # %%
    def conv2d_naive(x, w, b, stride=1, padding=0):
        # TODO: one output pixel = one dot product of the kernel with a window.
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

    # %%
    check("conv2d_naive")

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
    """The folder holding ``en/`` and ``ko/`` lab sources, with their solutions."""
    override = os.environ.get("MINICNN_LAB_SOURCES")
    candidates = [Path(override)] if override else []
    candidates += [Path(__file__).resolve().parents[2] / "labs"]
    for path in candidates:
        if (path / "en").is_dir():
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
            nb = build_notebook(source_path(lab.stem, lang), lab, student=True, lang=lang)
            target = handout_path(lab.stem, lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(notebook_bytes(nb))
            written.append(target)
    return written


def notebook_bytes(nb) -> bytes:
    import nbformat

    return nbformat.writes(nb).encode("utf-8") + b"\n"


def source_path(stem: str, lang: str) -> Path:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    return sources_dir() / lang / f"{stem}.py"


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise ImportError(
            "building labs needs jupytext and nbformat: pip install 'minicnn[lab]'"
        ) from None
    return jupytext


def read_source(path: Path):
    """The lab source as an nbformat notebook (solutions included)."""
    return _jupytext().reads(Path(path).read_text(encoding="utf-8"), fmt="py:percent")


def is_check_cell(source: str) -> bool:
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(
        CHECK_CALL.match(ln.strip()) or AUTOGRADE_LINE.match(ln.strip()) for ln in lines
    )


def check_names(source: str) -> list[str]:
    """The part names a check cell grades: check("conv2d_naive") -> ["conv2d_naive"]."""
    return re.findall(r"""(?:check\(|grade\('\w+', )\s*["']([\w.]+)["']""", source)


def solution_blocks(source: str) -> list[str]:
    """The code between each BEGIN/END SOLUTION pair (for tests: none may leak)."""
    return re.findall(rf"{BEGIN}\n(.*?)^[ \t]*{END}", source, flags=re.S | re.M)


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
    """A code cell's code with full-line comments removed (they differ by language)."""
    return "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith("#")).strip()


def build_notebook(source_file: Path, lab, student: bool, lang: str | None = None):
    """The notebook of one lab: the student's (stubs) or the solution (with nbgrader marks).

    Its metadata names the lab and its language (``metadata.minicnn``): the grader
    answers in that language.
    """
    import nbformat

    from . import autograde

    nb = read_source(source_file)
    lang = lang or Path(source_file).parent.name
    for number, cell in enumerate(nb.cells):
        cell.id = f"{lab.id}-{number}"  # the same notebook, byte for byte, on every build
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        has_solution = BEGIN in cell.source
        if lang == "ko":  # check cells answer in the notebook's language
            cell.source = CHECKER_CALL.sub(r'\1, lang="ko")', cell.source)
        if student:
            cell.source = strip_solutions(cell.source)
            continue
        grade_id = None
        if has_solution:
            match = re.search(r"^def (\w+)", cell.source, flags=re.M)
            grade_id = match.group(1) if match else f"cell{nb.cells.index(cell)}"
            cell.metadata["nbgrader"] = _nbgrader(grade_id, solution=True)
        elif is_check_cell(cell.source):
            names = check_names(cell.source)
            points = sum(lab.part(n).points for n in names)
            cell.source = autograde.cell_source(lab.id, names, lang)
            cell.metadata["nbgrader"] = _nbgrader(
                "check_" + "_".join(names), solution=False, points=points
            )
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["minicnn"] = {"lab": lab.id, "lang": lang if lang in LANGUAGES else "en"}
    nbformat.validate(nb)
    return nb


def _nbgrader(grade_id: str, solution: bool, points: int = 0) -> dict:
    meta = {
        "grade_id": grade_id,
        "solution": solution,
        "grade": not solution,
        "locked": not solution,
        "task": False,
        "schema_version": 3,
    }
    if not solution:
        meta["points"] = points
    return meta


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
