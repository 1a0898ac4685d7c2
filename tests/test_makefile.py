"""The Makefile's choice of PyTorch build for the tests, run with a fake pip and a fake
nvidia-smi: the CPU build from PyTorch's index without an NVIDIA GPU, the registry's
wheel when that index cannot be reached or when there is a GPU."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def install_torch(tmp_path: Path, gpu: bool, index_reachable: bool) -> tuple[list[str], str]:
    """Run the Makefile's torch step; return the fake pip's calls (one line of arguments
    each) and what make printed."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".run-installed").touch()  # newer than setup.cfg: make skips that step
    calls = tmp_path / "pip-calls"
    # pip fails when asked for PyTorch's index and the index is "down"
    down = "" if index_reachable else 'case "$*" in *--index-url*) exit 1;; esac\n'
    pip = script(tmp_path / "pip", f'echo "$*" >> {calls}\n{down}exit 0\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # a machine with nvidia-smi but no GPU (or no driver) answers -L with an error
    script(bin_dir / "nvidia-smi", "exit 0\n" if gpu else "exit 9\n")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["make", "-s", "-C", str(ROOT), f"VENV={venv}", f"PIP={pip}", f"{venv}/.torch-installed"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (venv / ".torch-installed").exists()
    return calls.read_text().splitlines(), proc.stdout


def test_without_a_gpu_the_cpu_build_comes_from_pytorchs_index(tmp_path):
    calls, said = install_torch(tmp_path, gpu=False, index_reachable=True)
    assert len(calls) == 1
    assert f"--index-url {CPU_INDEX}" in calls[0] and "torch==2.13.0" in calls[0]
    assert "no NVIDIA GPU" in said


def test_an_unreachable_index_falls_back_to_the_registry(tmp_path):
    calls, said = install_torch(tmp_path, gpu=False, index_reachable=False)
    assert len(calls) == 2
    assert "--index-url" in calls[0]
    assert calls[1] == "install torch==2.13.0"  # the ordinary registry, no index given
    assert f"{CPU_INDEX} unreachable" in said


def test_with_a_gpu_the_registry_wheel_is_installed(tmp_path):
    calls, said = install_torch(tmp_path, gpu=True, index_reachable=True)
    assert calls == ["install torch==2.13.0"]
    assert "NVIDIA GPU found" in said


def test_the_test_extra_pins_the_same_torch_as_the_makefile():
    """The extra's pin and the Makefile's must agree, or pip would replace the CPU build."""
    makefile = (ROOT / "Makefile").read_text()
    setup = (ROOT / "setup.cfg").read_text()
    version = next(
        line.split(":=")[1].strip()
        for line in makefile.splitlines()
        if line.startswith("TORCH_VERSION")
    )
    assert f"torch=={version}" in setup
