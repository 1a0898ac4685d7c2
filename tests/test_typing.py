"""mypy on a user's script: minicnn ships py.typed (PEP 561), so a script that does the
README's five tasks type-checks (mypy --strict) against minicnn's own hints, as an
installed package."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from test_readme_tasks import task_snippets

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,  # mypy reads minicnn and NumPy's stubs (half a minute)
    pytest.mark.skipif(
        importlib.util.find_spec("mypy") is None,
        reason="mypy is not installed: pip install -e '.[test]' (make test does)",
    ),
]


def test_mypy_is_clean_on_a_script_doing_the_five_tasks(tmp_path):
    script = tmp_path / "tasks.py"
    # what mypy thinks the model and the data are: minicnn's types, not Any
    probe = "\nreveal_type(model)\nreveal_type(mc.data.MNISTSample)\n"
    script.write_text("\n".join(task_snippets()) + probe, encoding="utf-8")
    # A venv in which minicnn is an installed package (found through a .pth file, as an
    # editable install is), so mypy reads its hints only if it has py.typed; NumPy and
    # the rest come from this interpreter.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "0_minicnn.pth").write_text(f"{ROOT}\n")
    (Path(purelib) / "1_borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")  # --strict alone, not the project's settings
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", str(python), "--no-incremental"]
        + ["--strict", "--config-file", str(config), str(script)],
        cwd=tmp_path,  # not the checkout: neither its pyproject.toml nor its minicnn/
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "py.typed" not in out and "Success: no issues found" in out
    assert 'Revealed type is "minicnn.model.Sequential"' in out
    assert 'Revealed type is "def (split: ' in out and "minicnn.data.mnist.MNISTSample" in out
