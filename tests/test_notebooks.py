"""The lesson notebooks run top to bottom, hold no outputs, and match their generator.

Every lesson exists in English (01_x.ipynb) and Korean (01_x.ko.ipynb), generated from one
source whose code cells are shared, so both are checked and both are run.

Each notebook is executed in a fresh kernel (nbclient, kernel "python3", which
jupyter_client resolves to this interpreter through ipykernel), with this checkout
on PYTHONPATH and a temporary working directory, so a notebook that rots fails here.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is in the test extra: pip install -e '.[test]'"
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "examples" / "notebooks"
# Lessons 06-08 have their own generator and test (tests/test_lesson_notebooks.py).
NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if p.name[:2] not in ("06", "07", "08"))
SLOW = {  # by lesson, in either language
    "03_train_lenet5",  # trains LeNet-5 for ~4,500 images: half a minute
    "05_lecture_numbers",  # builds the five VGGs and five ResNets: about a minute
}


def lesson(path: Path) -> str:
    """The lesson a notebook belongs to, whatever its language: 01_x.ko.ipynb -> 01_x."""
    return path.name.split(".")[0]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", NOTEBOOK_DIR / "make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lessons_are_there_in_both_languages():
    generator = load_generator()
    assert [p.name for p in NOTEBOOKS] == sorted(generator.files(generator.NOTEBOOKS))
    assert len(generator.NOTEBOOKS) >= 4  # the four lessons
    korean = {lesson(p) for p in NOTEBOOKS if p.name.endswith(".ko.ipynb")}
    assert korean == {lesson(p) for p in NOTEBOOKS}, "every lesson has a Korean notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_korean_lesson_shares_the_code(path):
    """The Korean lesson is the English one with Korean prose: the same code cells, in
    the same places, and markdown in Hangul."""
    if not path.name.endswith(".ko.ipynb"):
        return
    english = nbformat.read(path.with_name(lesson(path) + ".ipynb"), as_version=4)
    korean = nbformat.read(path, as_version=4)
    assert [c.cell_type for c in korean.cells] == [c.cell_type for c in english.cells]
    for en, ko in zip(english.cells, korean.cells, strict=True):
        if en.cell_type == "code":
            assert ko.source == en.source
        else:
            assert any("\uac00" <= ch <= "\ud7a3" for ch in ko.source), (
                f"no Korean in {ko.source!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs; clear them"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_matches_the_generator(path):
    generator = load_generator()
    cells, lang = generator.files(generator.NOTEBOOKS)[path.name]
    expected = generator.render(cells, lang)
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} differs from make_notebooks.py; edit the generator and run "
        f"python examples/notebooks/make_notebooks.py"
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.name, marks=[pytest.mark.slow] if lesson(p) in SLOW else [])
        for p in NOTEBOOKS
    ],
)
def test_runs_top_to_bottom(path, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
    pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    )
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    images = sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    if lesson(path) in ("01_convolution_by_hand", "03_train_lenet5"):
        assert images > 0, f"{path.name} should draw its figures"
    assert list(tmp_path.iterdir()) == [], "a notebook left files behind"
