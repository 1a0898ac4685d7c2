"""The README's "Five common tasks" run as written (epochs cut to 1), in one session,
in a temporary folder holding a photo-like my_seven.jpg."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from digit_photos import save_digit

README = Path(__file__).resolve().parents[1] / "README.md"
pytestmark = pytest.mark.slow  # trains LeNet-5 for an epoch on 4,000 digits


def task_snippets() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Five common tasks", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_five_tasks_run(tmp_path, monkeypatch):
    snippets = task_snippets()
    assert len(snippets) == 5
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    save_digit(tmp_path / "my_seven.jpg", 7, seed=4)
    namespace: dict = {}
    for code in snippets:
        exec(compile(code.replace("epochs=10", "epochs=1"), str(README), "exec"), namespace)
    assert (tmp_path / "runs" / "log.csv").read_text().count("\n") == 2  # header + 1 epoch
    for name in ("lenet.npz", "curves.png", "filters.png", "maps.png", "confusion.png"):
        assert (tmp_path / "runs" / name).stat().st_size > 0, name
    assert namespace["labels"].shape == (1,)
    assert int(np.argmax(namespace["scores"])) == 7  # the pretrained model reads the photo
