"""python -m minicnn.lab grade-all: a class at once, one submission's trouble its own."""

from __future__ import annotations

import csv
import textwrap

import pytest

from minicnn.lab import find_lab
from minicnn.lab.__main__ import main
from minicnn.lab.grade import student_of
from minicnn.lab.source import handout_questions, language_source, strip_solutions

pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")


def test_lms_export_names_give_the_student(tmp_path):
    moodle = tmp_path / "Kim Minji_4521_assignsubmission_file_lab1_conv_forward.ipynb"
    canvas = tmp_path / "leejisoo_late_1234_5678_lab1_conv_forward.ipynb"
    folder = tmp_path / "Park Junho_77_assignsubmission_file_" / "lab1.ipynb"
    plain = tmp_path / "someone.py"
    assert student_of(moodle, tmp_path) == "Kim Minji"
    assert student_of(canvas, tmp_path) == "leejisoo"
    assert student_of(folder, tmp_path) == "Park Junho"
    assert student_of(plain, tmp_path) == "someone"


def test_a_crash_a_hang_and_a_memory_hog_cost_only_their_own_rows(tmp_path, capsys):
    solution = language_source("lab1_conv_forward", "en")
    folder = tmp_path / "export"
    folder.mkdir()

    def hand_in(student: str, text: str) -> None:
        path = folder / f"{student}_1_2_lab1_conv_forward.py"
        path.write_text(text, encoding="utf-8")

    def with_cell(code: str) -> str:
        return solution + "\n# %%\n" + textwrap.dedent(code)

    hand_in("honesta", solution)
    hand_in("honestb", solution)
    hand_in("untouched", strip_solutions(solution))
    hand_in("crashes", with_cell("import ctypes\nctypes.string_at(0)  # a segfault\n"))
    hand_in(
        "hangs",
        with_cell(
            """
            import signal

            def conv2d_naive(x, w, b, stride=1, padding=0):
                signal.setitimer(signal.ITIMER_REAL, 0)
                while True:
                    pass
            """
        ),
    )
    hand_in(
        "hogs",
        with_cell(
            """
            import numpy as np

            def zero_pad(x, p):
                hog = np.ones((1 << 30,))  # 8 GB, over the 1 GB limit
                return hog
            """
        ),
    )
    out = tmp_path / "grades.csv"
    args = ["grade-all", "lab1", str(folder), "--out", str(out), "--jobs", "2"]
    assert main([*args, "--time-limit", "6", "--memory-limit", "1024"]) == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    lab = find_lab("lab1")
    assert set(rows) == {"honesta", "honestb", "untouched", "crashes", "hangs", "hogs"}
    for student in ("honesta", "honestb"):
        assert int(rows[student]["total"]) == lab.points, rows[student]
    assert int(rows["untouched"]["total"]) == 0
    assert int(rows["crashes"]["total"]) == 0 and "error" in rows["crashes"]["problems"]
    # The hang costs conv2d_naive (6); the hog costs zero_pad (1) and conv2d_naive,
    # which pads with it.
    assert int(rows["hangs"]["total"]) == lab.points - 6
    assert rows["hangs"]["problems"] == "conv2d_naive: time limit"
    assert int(rows["hogs"]["total"]) == lab.points - 7
    assert rows["hogs"]["zero_pad"] == "0" and rows["hogs"]["conv_param_count"] == "1"
    printed = capsys.readouterr().out
    assert f"6 submissions -> {out}" in printed
    # the written questions: an empty column each for the instructor, and a line saying so
    written = handout_questions(lab, "en")
    assert written and all(rows["honesta"][qid] == "" for qid in written)
    assert "graded by the instructor" in printed and all(qid in printed for qid in written)
