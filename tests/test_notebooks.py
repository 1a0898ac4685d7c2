"""The lesson notebooks run top to bottom, hold no outputs, and match their generator.

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
SLOW = {
    "03_train_lenet5.ipynb",  # trains LeNet-5 for ~4,500 images: half a minute
    "05_lecture_numbers.ipynb",  # builds the five VGGs and five ResNets: about a minute
}


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", NOTEBOOK_DIR / "make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_four_lessons_are_there():
    assert [p.name for p in NOTEBOOKS] == sorted(load_generator().NOTEBOOKS)
    assert len(NOTEBOOKS) >= 4  # the four lessons


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
    expected = generator.render(generator.NOTEBOOKS[path.name])
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} differs from make_notebooks.py; edit the generator and run "
        f"python examples/notebooks/make_notebooks.py"
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.name, marks=[pytest.mark.slow] if p.name in SLOW else [])
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
    if path.name in ("01_convolution_by_hand.ipynb", "03_train_lenet5.ipynb"):
        assert images > 0, f"{path.name} should draw its figures"
    assert list(tmp_path.iterdir()) == [], "a notebook left files behind"
