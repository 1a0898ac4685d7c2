"""The solution notebooks of both languages run top to bottom in a fresh kernel.

Lab 5 trains LeNet-5: here for one epoch (MINICNN_LAB_EPOCHS=1, a minute or so);
the full 30 epochs, which must reach 97% (the notebook asserts it), are measured in
docs/teaching.md. Lab 5 trains on the MNIST sample that ships inside minicnn. Lab 9's
check cell trains its U-Net in full (its threshold is graded), about a minute.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from minicnn.lab import LABS
from minicnn.lab.__main__ import main
from minicnn.lab.source import LANGUAGES

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

ROOT = Path(__file__).resolve().parents[1]
SLOW = {"lab5", "lab9"}  # lab 9's check cell trains its U-Net: about a minute of one core


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for lang in LANGUAGES:
        path = tmp_path_factory.mktemp(f"run_{lang}")
        assert main(["build", "--lang", lang, "--out", str(path)]) == 0
        out[lang] = path
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "lab",
    [
        pytest.param(lab, id=lab.id, marks=[pytest.mark.slow] if lab.id in SLOW else [])
        for lab in LABS.values()
    ],
)
def test_solution_notebook_runs(built, lang, lab, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
    pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    )
    monkeypatch.setenv("MINICNN_LAB_EPOCHS", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    nb = nbformat.read(built[lang] / "solution" / f"{lab.stem}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    printed = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream"
    )
    for part in lab.parts:  # every check cell ran and passed
        word = "통과" if lang == "ko" else "passed"  # check cells speak the lab's language
        assert f"✔ {part.name}: {word}" in printed
    assert list(tmp_path.iterdir()) == [], "a notebook left files behind"
