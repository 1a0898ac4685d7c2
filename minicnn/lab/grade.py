"""Grade a student's lab: their code in a separate process, minicnn's reference in this one.

    results = grade_file(find_lab("lab2"), "lab2_conv_backward.ipynb")

Each part is run by ``harness`` in a child process on a few random cases (the same
cases are drawn here from the same seed); the outputs come back as arrays (.npz,
never pickled) and are compared with minicnn's functions. A time limit per part
and per cell stops infinite loops; if the child must be killed, the part it was
running is charged and a fresh child runs the parts still to do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .catalog import Lab
from .parts import Part, StudentError, compare
from .source import is_check_cell, student_cells

SKIP_TAGS = {"slow", "skip-grading"}


@dataclass
class PartResult:
    part: str
    points: int
    max_points: int
    verdict: str  # passed, wrong, error, not implemented, time limit
    diagnostic: str

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"


def part_seed(seed: int, part: Part) -> int:
    """The same seed in the grader and in the student's process, different per part."""
    return (seed * 1_000_003 + zlib.crc32(part.name.encode())) % (2**32)


def judge_part(part: Part, cases: list[dict], outputs: list[dict]) -> tuple[str, str]:
    """(verdict, diagnostic) of the student's outputs on ``cases`` against the reference."""
    for i, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        try:
            expected = part.run(part.reference, case)
            if part.judge is not None:
                part.judge(case, got, expected)
            else:
                compare(part, case, got, expected)
        except StudentError as err:
            from .harness import case_label

            return err.verdict, f"{err}{case_label(i, case)}"
    return "passed", f"{len(cases)} cases"


def _grading_cells(path: Path) -> list[tuple[int, str]]:
    return [
        (n, code)
        for n, code, tags in student_cells(path)
        if not is_check_cell(code) and not SKIP_TAGS & set(tags)
    ]


def grade_file(
    lab: Lab,
    path: str | os.PathLike,
    seed: int = 0,
    part_seconds: float = 20.0,
    cell_seconds: float = 60.0,
) -> list[PartResult]:
    """Grade every part of ``lab`` in the student's file (.ipynb or .py)."""
    path = Path(path)
    try:
        cells = _grading_cells(path)
    except Exception as err:  # noqa: BLE001 - unreadable JSON, missing file, bad encoding
        why = f"could not read {path.name}: {type(err).__name__}: {err}"
        return [PartResult(p.name, 0, p.points, "error", why) for p in lab.parts]
    statuses, outputs = _run_student(lab, cells, seed, part_seconds, cell_seconds)
    results = []
    for part in lab.parts:
        status = statuses[part.name]
        verdict, message = status["verdict"], status["message"]
        if verdict == "ran":
            cases = part.cases(np.random.default_rng(part_seed(seed, part)))
            verdict, message = judge_part(part, cases, _per_case(outputs[part.name], len(cases)))
        elif verdict == "time limit" and not message:
            message = (
                f"stopped after {part_seconds:g} s (an infinite loop?); all the cases of this "
                "part must finish within that time"
            )
        earned = part.points if verdict == "passed" else 0
        results.append(PartResult(part.name, earned, part.points, verdict, message))
    return results


# Labs 1-5 ask the student to write what minicnn.functional already has.
REFERENCE_USE = re.compile(r"minicnn\.functional|mc\.functional|from minicnn import functional")
MAY_USE_REFERENCE = {"lab6"}  # uses minicnn's conv and ReLU pairs on purpose


def notes(lab: Lab, path: str | os.PathLike) -> list[str]:
    """Things an instructor should look at that no test can judge."""
    try:
        code = "\n".join(code for _, code in _grading_cells(Path(path)))
    except Exception:  # noqa: BLE001 - grade_file already reported the unreadable file
        return []
    if lab.id not in MAY_USE_REFERENCE and REFERENCE_USE.search(code):
        return [
            "the code uses minicnn.functional, the reference it is graded against: "
            "check that it does not call it in place of its own functions"
        ]
    return []


def _per_case(arrays: dict[str, np.ndarray], n: int) -> list[dict]:
    cases: list[dict[str, np.ndarray]] = [{} for _ in range(n)]
    for key, value in arrays.items():
        i, name = key.split("/", 1)
        if int(i) < n:
            cases[int(i)][name] = value
    return cases


def _run_student(lab, cells, seed, part_seconds, cell_seconds):
    """Run the harness until every part has a status; restart it after a hard kill."""
    todo = [p.name for p in lab.parts]
    statuses, outputs = {}, {}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(_import_path()))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    while todo:
        with tempfile.TemporaryDirectory(prefix="minicnn-grade-") as tmp:
            job = Path(tmp)
            (job / "job.json").write_text(
                json.dumps(
                    {
                        "lab": lab.id,
                        "cells": cells,
                        "parts": todo,
                        "seeds": {p.name: part_seed(seed, p) for p in lab.parts},
                        "cell_seconds": cell_seconds,
                        "part_seconds": part_seconds,
                    }
                )
            )
            limit = part_seconds * len(todo) + min(cell_seconds * len(cells), 300) + 30
            killed = False
            try:
                subprocess.run(
                    [sys.executable, "-m", "minicnn.lab.harness", str(job)],
                    cwd=tmp,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=limit,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                killed = True
            results = job / "results"
            done = []
            for name in todo:
                status_file = results / f"{name}.json"
                if status_file.is_file():
                    statuses[name] = json.loads(status_file.read_text())
                    with np.load(results / f"{name}.npz", allow_pickle=False) as data:
                        outputs[name] = {k: data[k] for k in data.files}
                    done.append(name)
            current = (results / "current").read_text() if (results / "current").is_file() else ""
            if current in todo and current not in done:
                how = "was stopped after the time limit" if killed else "crashed the process"
                statuses[current] = {
                    "verdict": "time limit" if killed else "error",
                    "message": f"testing this part {how} (an infinite loop, or a crash in C code)",
                }
                done.append(current)
            if not done:  # the cells themselves never finished: nothing can be tested
                why = (
                    f"the notebook's cells did not finish within {limit:g} s"
                    if killed
                    else "the grading process died while running the notebook's cells"
                )
                for name in todo:
                    statuses[name] = {"verdict": "error", "message": why}
                done = list(todo)
            todo = [n for n in todo if n not in done]
    return statuses, outputs


def _import_path() -> list[str]:
    """Where this minicnn comes from, first, so the child imports the same one."""
    root = str(Path(__file__).resolve().parents[2])
    return [root, *filter(None, [os.environ.get("PYTHONPATH")])]


def format_table(lab: Lab, results: list[PartResult], width: int = 100) -> str:
    rows = [("part", "points", "verdict", "diagnostic")]
    rows += [(r.part, f"{r.points}/{r.max_points}", r.verdict, r.diagnostic) for r in results]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{lab.id}: {lab.title}"]
    for i, (a, b, c, d) in enumerate(rows):
        lines.append(f"{a:<{w0}}  {b:>{w1}}  {c:<{w2}}  {d}")
        if i == 0:
            lines.append("-" * min(width, w0 + w1 + w2 + 16))
    total, best = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(f"total: {total}/{best}")
    return "\n".join(lines)


def report(lab: Lab, path, results: list[PartResult]) -> dict:
    """A report an LMS can take: score, max_score, one entry per part, and notes."""
    from .. import __version__

    return {
        "notes": notes(lab, path),
        "lab": lab.id,
        "title": lab.title,
        "file": str(path),
        "score": sum(r.points for r in results),
        "max_score": lab.points,
        "passed": all(r.passed for r in results),
        "parts": [asdict(r) for r in results],
        "minicnn_version": __version__,
    }
