"""The student's side of grading: runs in its own process (python -m minicnn.lab.harness JOB).

It executes the student's code cells one by one (a syntax error or a crash costs only
that cell; each cell and each part has a time limit), then runs every requested part
on its cases and writes the outputs for the grader, which compares them with
minicnn's reference in *its* process. Nothing here sees the reference.

JOB is a folder holding job.json ({"lab", "cells": [[number, code], ...], "parts",
"seeds": {part: seed}, "cell_seconds", "part_seconds"}); results go to JOB/results/<part>.json and
.npz, and JOB/results/current names the part being run (so a hard kill is
attributed to it).
"""

from __future__ import annotations

import json
import re
import signal
import sys
import traceback
from pathlib import Path

import numpy as np

from .parts import NotImplementedPart, StudentError


class TimeLimit(BaseException):  # BaseException: a student's `except Exception` can't eat it
    pass


def _alarm(seconds: float):
    def handler(signum, frame):
        raise TimeLimit()

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _cancel():
    signal.setitimer(signal.ITIMER_REAL, 0)


def first_line(code: str) -> str:
    for line in code.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:60]
    return ""


def where(exc: BaseException, cells: dict[int, str]) -> str:
    """' (cell 7 `def f(...)`, line 3: `y = x @ w`)' for the student's deepest frame."""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        m = re.fullmatch(r"<cell (\d+)>", frame.filename)
        if m and int(m.group(1)) in cells:
            n = int(m.group(1))
            lines, lineno = cells[n].splitlines(), frame.lineno or 0
            text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
            found = f" (cell {n} `{first_line(cells[n])}`, line {frame.lineno}: `{text}`)"
    return found


def describe(exc: BaseException, cells: dict[int, str]) -> str:
    return f"{type(exc).__name__}: {exc}{where(exc, cells)}"


def run_cells(cells: list[tuple[int, str]], ns: dict, seconds: float) -> dict[int, str]:
    """Execute each cell in ns; return {cell number: what went wrong} for those that failed."""
    failed = {}
    for number, code in cells:
        try:
            compiled = compile(code, f"<cell {number}>", "exec")
        except SyntaxError as err:
            failed[number] = f"SyntaxError in cell {number}, line {err.lineno}: {err.msg}"
            continue
        try:
            _alarm(seconds)
            exec(compiled, ns)
        except TimeLimit:
            failed[number] = f"cell {number} ran longer than {seconds:g} s and was stopped"
        except BaseException as err:  # noqa: BLE001 - the student's code may raise anything
            failed[number] = describe(err, dict(cells))
        finally:
            _cancel()
    return failed


def why_missing(name: str, cells: list[tuple[int, str]], failed: dict[int, str]) -> str | None:
    """If ``name`` is undefined because the cell defining it failed, say so."""
    for number, code in cells:
        if re.search(rf"^def {name}\b", code, flags=re.M) and number in failed:
            return f"`{name}` was not defined because its cell failed: {failed[number]}"
    return None


def run_part(part, ns, cells, failed, seed: int) -> tuple[dict, dict]:
    """(status, outputs) of one part on all its cases."""
    for name in part.defines:
        if name not in ns:
            reason = why_missing(name, cells, failed)
            if reason:
                return {"verdict": "error", "message": reason}, {}
    rng = np.random.default_rng(seed)
    outputs = {}
    cases = part.cases(rng)
    for i, case in enumerate(cases):
        try:
            got = part.run(ns, case)
        except StudentError as err:
            label = "" if isinstance(err, NotImplementedPart) else case_label(i, case)
            return {"verdict": err.verdict, "message": f"{err}{label}"}, {}
        except RecursionError:
            return {"verdict": "error", "message": "RecursionError: a function calls itself"}, {}
        except Exception as err:  # noqa: BLE001
            return {
                "verdict": "error",
                "message": describe(err, dict(cells)) + case_label(i, case),
            }, {}
        for key, value in got.items():
            outputs[f"{i}/{key}"] = np.asarray(value)
    return {"verdict": "ran", "message": ""}, outputs


def case_label(i: int, case: dict) -> str:
    shapes = ", ".join(
        f"{k} {v.shape}" if isinstance(v, np.ndarray) else f"{k}={v}"
        for k, v in case.items()
        if not isinstance(v, dict)
    )
    return f" [case {i + 1}: {shapes}]"


def main(job_dir: str) -> int:
    from .catalog import find_lab

    job_path = Path(job_dir)
    job = json.loads((job_path / "job.json").read_text())
    results = job_path / "results"
    results.mkdir(exist_ok=True)
    lab = find_lab(job["lab"])
    cells = [(int(n), code) for n, code in job["cells"]]
    ns = {"__name__": "__student__"}
    failed = run_cells(cells, ns, job["cell_seconds"])
    (results / "cells.json").write_text(json.dumps({str(k): v for k, v in failed.items()}))
    for name in job["parts"]:
        part = lab.part(name)
        (results / "current").write_text(name)
        try:
            _alarm(job["part_seconds"])
            status, outputs = run_part(part, ns, cells, failed, job["seeds"][name])
        except TimeLimit:
            status, outputs = {"verdict": "time limit", "message": ""}, {}
        finally:
            _cancel()
        np.savez(results / f"{name}.npz", **outputs)
        (results / f"{name}.json").write_text(json.dumps(status))
    (results / "current").write_text("")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
