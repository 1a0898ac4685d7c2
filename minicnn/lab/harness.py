"""The student's side of grading: runs in its own process, started by ``grade``.

It receives the student's code cells through a pipe the grader opened, executes
them one by one (a syntax error or a crash costs only that cell; each cell and each
part has a time limit), then, part by part, receives the cases and sends back the
raw outputs of the student's functions on them. Every verdict is the grader's,
computed in *its* process: what this process prints, writes or exits with counts
for nothing, and a part it never answers scores 0.

This module, like everything the student's process loads, imports no reference:
only numpy, ``parts``, ``runs``, ``rules`` and ``wire``. Before the cells run, a
``rules.Blocker`` refuses the modules the lab asks the student to write.
"""

from __future__ import annotations

import re
import signal
import sys
import traceback

import numpy as np

from .messages import say
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
            found = say("cell.where", n=n, first=first_line(cells[n]), line=frame.lineno, text=text)
    return found


def describe(exc: BaseException, cells: dict[int, str]) -> str:
    notes = "".join(f". {note}" for note in getattr(exc, "__notes__", []))
    return f"{type(exc).__name__}: {exc}{where(exc, cells)}{notes}"


def run_cells(cells: list[tuple[int, str]], ns: dict, seconds: float) -> dict[int, str]:
    """Execute each cell in ns; return {cell number: what went wrong} for those that failed."""
    failed = {}
    for number, code in cells:
        try:
            compiled = compile(code, f"<cell {number}>", "exec")
        except SyntaxError as err:
            failed[number] = say("cell.syntax", n=number, line=err.lineno, msg=err.msg)
            continue
        try:
            _alarm(seconds)
            exec(compiled, ns)
        except TimeLimit:
            failed[number] = say("cell.time", n=number, seconds=seconds)
        except BaseException as err:  # noqa: BLE001 - the student's code may raise anything
            failed[number] = describe(err, dict(cells))
        finally:
            _cancel()
    return failed


def why_missing(name: str, cells: list[tuple[int, str]], failed: dict[int, str]) -> str | None:
    """If ``name`` is undefined because the cell defining it failed, say so."""
    for number, code in cells:
        if re.search(rf"^def {name}\b", code, flags=re.M) and number in failed:
            return say("cell.missing", name=name, why=failed[number])
    return None


def run_part(part, ns, cells, failed, cases: list[dict]) -> tuple[dict, dict]:
    """(status, outputs) of one part on the cases the grader sent."""
    for name in part.defines:
        if name not in ns:
            reason = why_missing(name, cells, failed)
            if reason:
                return {"verdict": "error", "message": reason}, {}
    outputs = {}
    for i, case in enumerate(cases):
        try:
            got = part.run(ns, case)
        except StudentError as err:
            label = "" if isinstance(err, NotImplementedPart) else case_label(i, case)
            return {"verdict": err.verdict, "message": f"{err}{label}"}, {}
        except RecursionError:
            return {"verdict": "error", "message": say("recursion")}, {}
        except Exception as err:  # noqa: BLE001
            return {
                "verdict": "error",
                "message": describe(err, dict(cells)) + case_label(i, case),
            }, {}
        for key, value in got.items():
            outputs[f"{i}/{key}"] = np.asarray(value)
    return {"verdict": "ran", "message": ""}, outputs


def run_alone(part, ns, cells, failed, cases, blocked: dict) -> tuple[dict, dict]:
    """``run_part`` for a part whose functions must not use ``blocked`` (modules the lab
    provides for its other parts): refused by name before, and by import while, it runs."""
    if not blocked:
        return run_part(part, ns, cells, failed, cases)
    from .rules import blocking, reference_uses

    found = reference_uses(part.defines, ns, blocked)
    if found:
        function, module, message = found
        why = say("blocked.in_check", function=function, module=module, message=message)
        return {"verdict": "error", "message": why}, {}
    with blocking(blocked):
        return run_part(part, ns, cells, failed, cases)


def case_label(i: int, case: dict) -> str:
    shapes = ", ".join(
        f"{k} {v.shape}" if isinstance(v, np.ndarray) else f"{k}={v}"
        for k, v in case.items()
        if not isinstance(v, dict) and not k.startswith("_")
    )
    return say("case", i=i + 1, shapes=shapes)


def run_job(fd_in: int, fd_out: int) -> int:
    """Serve the grader: run the cells it sends, then each part it asks for."""
    from . import wire
    from .messages import speaking
    from .rules import Blocker

    start, _ = wire.receive(fd_in)
    sys.meta_path.insert(0, Blocker(start["blocked"]))
    with speaking(start.get("lang", "en")):
        return _serve(start, fd_in, fd_out)


def _serve(start: dict, fd_in: int, fd_out: int) -> int:
    from . import runs, wire

    cells = [(int(n), code) for n, code in start["cells"]]
    ns = {"__name__": "__student__"}
    failed = run_cells(cells, ns, start["cell_seconds"])
    wire.send(fd_out, {"failed": {str(k): v for k, v in failed.items()}})
    while True:
        job, arrays = wire.receive(fd_in)
        if job.get("op") != "part":
            return 0
        part = PartSpec(job["name"], tuple(job["defines"]), getattr(runs, job["run"]))
        cases = [wire.decode(c, arrays) for c in job["cases"]]
        blocked = job.get("blocked") or {}
        try:
            _alarm(job["part_seconds"])
            status, outputs = run_alone(part, ns, cells, failed, cases, blocked)
        except TimeLimit:
            status, outputs = {"verdict": "time limit", "message": ""}, {}
        finally:
            _cancel()
        wire.send(fd_out, status, outputs)


class PartSpec:
    """What the student's process knows of a part: its name, functions and runner."""

    def __init__(self, name, defines, run):
        self.name, self.defines, self.run = name, defines, run


if __name__ == "__main__":
    sys.exit(run_job(int(sys.argv[1]), int(sys.argv[2])))
