"""The second-half lessons (notebooks 06-08) run top to bottom, draw their figures, hold
no outputs and match their generator, examples/notebooks/make_lesson_notebooks.py, in
English (06_x.ipynb) and Korean (06_x.ko.ipynb): one source, the code cells shared.

Each notebook asserts its own numbers (accuracies, IoU, parameter counts) in its cells,
so running it is the test. The transfer-learning lesson needs Fashion-MNIST on disk:
CI installs it (``apt-get install dataset-fashion-mnist`` in .ci/run, which sets
MINICNN_REQUIRE_FASHION=1 so that a missing copy fails there instead of skipping).
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


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_lesson_notebooks", NOTEBOOK_DIR / "make_lesson_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()
FILES = GENERATOR.files(GENERATOR.NOTEBOOKS)  # {name: (cells, language)}
LESSONS = sorted(FILES)


def test_every_lesson_is_committed():
    missing = [name for name in LESSONS if not (NOTEBOOK_DIR / name).exists()]
    assert not missing, f"run python examples/notebooks/make_lesson_notebooks.py: {missing}"


@pytest.mark.parametrize("name", LESSONS)
def test_matches_the_generator_without_outputs(name):
    path = NOTEBOOK_DIR / name
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert all(c.get("outputs", []) == [] for c in nb.cells), f"{name} has outputs"
    assert path.read_text(encoding="utf-8") == GENERATOR.render(*FILES[name]), (
        f"{name} differs from make_lesson_notebooks.py; edit the generator and rerun it"
    )


def fashion_mnist_or_skip():
    import minicnn as mc

    try:
        mc.data.FashionMNIST("test", download=False)
    except mc.data.DatasetNotFoundError:
        if os.environ.get("MINICNN_REQUIRE_FASHION") == "1":
            raise
        pytest.skip(
            "Fashion-MNIST is not on disk (the transfer lesson trains on it): "
            "apt-get install dataset-fashion-mnist, as CI does"
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_runs_top_to_bottom_and_draws(name, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
    pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")
    if name.startswith("06"):
        fashion_mnist_or_skip()
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    )
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, when a cell (or assert) fails
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    assert any("image/png" in out.get("data", {}) for out in outputs), f"{name} drew no figure"
    assert list(tmp_path.iterdir()) == [], "a notebook left files behind"
