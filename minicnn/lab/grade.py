"""Grade a student's lab: their code in a separate process, every verdict in this one.

    results = grade_file(find_lab("lab2"), "lab2_conv_backward.ipynb")

The grader draws each part's cases (from the instructor's grading seed, never the
check cells'), sends them through a pipe it owns to the student's process
(``harness``, in a view of minicnn without the reference: ``sandbox``), gets the raw
outputs back the same way and compares them here with minicnn's functions. Nothing
the student's process prints, writes or exits with counts; a part it does not
answer scores 0. A time limit per part (kept by this process) stops infinite loops:
the part that ran out is charged and a fresh process runs the parts still to do.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import sandbox, wire
from .catalog import Lab
from .messages import language_of, say, speaking
from .messages import verdict as verdict_word
from .parts import Part, StudentError, compare
from .source import handout_questions, is_check_cell, read_notebook, student_cells

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
    """(verdict, diagnostic) of the student's outputs on ``cases`` against the reference.
    A passing part's diagnostic is the number of cases, or what its judge measured (a
    trained network's scores)."""
    measured = []
    for i, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        try:
            # A scored part (a trained network) has no reference to run: its judge
            # scores the student's outputs against the case's hidden answers.
            expected = part.run(part.reference, case) if part.reference else {}
            if part.judge is not None:
                measured.append(part.judge(case, got, expected))
            else:
                compare(part, case, got, expected)
        except StudentError as err:
            from .harness import case_label

            return err.verdict, f"{err}{case_label(i, case)}"
    cases_said = say("cases", n=len(cases), s="" if len(cases) == 1 else "s")
    return "passed", "; ".join(m for m in measured if m) or cases_said


def _grading_cells(path: Path) -> list[tuple[int, str]]:
    return [
        (n, code)
        for n, code, tags in student_cells(path)
        if not is_check_cell(code) and not SKIP_TAGS & set(tags)
    ]


GRADING_SEED = 1  # the check cells draw from seed 0: grading never sees their cases
SEED_ENV = "MINICNN_GRADING_SEED"


def grading_seed(seed: int | None = None) -> int:
    """The seed of the graded cases: ``--seed``, else $MINICNN_GRADING_SEED, else 1.

    An instructor picks a seed of their own (and keeps it) so that no answer fitted to
    the check cells' cases, or to the default's, can pass; the check cells use 0.
    """
    if seed is not None:
        return int(seed)
    value = os.environ.get(SEED_ENV, "").strip()
    if value:
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{SEED_ENV} must be a whole number, got {value!r}") from None
    return GRADING_SEED


@dataclass(frozen=True)
class Limits:
    """What one submission may use: seconds per part and per cell, memory in MB."""

    part_seconds: float = 20.0
    cell_seconds: float = 60.0
    memory_mb: int = 2048


class InstallChanged(RuntimeError):
    """A submission changed minicnn's files (or the student's view of them)."""


def grade_file(
    lab: Lab,
    path: str | os.PathLike,
    seed: int | None = None,
    part_seconds: float = 20.0,
    cell_seconds: float = 60.0,
    memory_mb: int = 2048,
    lang: str | None = None,
) -> list[PartResult]:
    """Grade every part of ``lab`` in the student's file (.ipynb or .py).

    The student's code runs in a separate process (``harness``) that sees minicnn
    without the reference (``sandbox``); every verdict is made here. Raises
    InstallChanged if minicnn's files are not the same after the submission ran.
    """
    path = Path(path)
    seed = grading_seed(seed)
    lang = lang or file_language(path)
    limits = Limits(part_seconds, cell_seconds, memory_mb)
    try:
        cells = _grading_cells(path)
    except Exception as err:  # noqa: BLE001 - unreadable JSON, missing file, bad encoding
        why = say("unreadable", lang, name=path.name, why=f"{type(err).__name__}: {err}")
        return [PartResult(p.name, 0, p.points, "error", why) for p in lab.parts]
    cases = {p.name: p.cases(np.random.default_rng(part_seed(seed, p))) for p in lab.parts}
    view = student_view(lab, lang)
    before = sandbox.digest(sandbox.PACKAGE, view)
    statuses, outputs = _run_student(lab, cells, cases, limits, lang, view)
    different = sandbox.changed(before, sandbox.digest(sandbox.PACKAGE, view))
    if different:
        files = ", ".join(different[:3]) + (" ..." if len(different) > 3 else "")
        raise InstallChanged(say("install.changed", lang, name=path.name, files=files))
    with speaking(lang):
        return _judge(lab, cases, statuses, outputs, part_seconds)


def _judge(lab, cases, statuses, outputs, part_seconds) -> list[PartResult]:
    results = []
    for part in lab.parts:
        verdict, message = statuses[part.name]
        if verdict == "ran":
            got = _per_case(outputs[part.name], len(cases[part.name]))
            try:
                verdict, message = judge_part(part, cases[part.name], got)
            except Exception as err:  # noqa: BLE001 - outputs of any dtype may come back
                verdict, message = "wrong", say("outputs.bad", why=type(err).__name__)
        elif verdict == "time limit" and not message:
            message = say("part.time", seconds=part.time_limit(part_seconds))
        earned = part.points if verdict == "passed" else 0
        results.append(PartResult(part.name, earned, part.points, verdict, message))
    return results


def file_language(path: Path) -> str:
    """The language of a student's file: its notebook metadata, else its prose."""
    try:
        nb = read_notebook(path)
    except Exception:  # noqa: BLE001 - grade_file reports the unreadable file
        return "en"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return language_of(dict(nb.metadata), prose)


_VIEWS: dict[tuple[str, str], Path] = {}
_VIEWS_LOCK = threading.Lock()


def student_view(lab: Lab, lang: str) -> Path:
    """The lab's view of minicnn (built once per grading process, removed at exit)."""
    key = (lab.id, lang)
    with _VIEWS_LOCK:  # grade_all grades from several threads
        if key not in _VIEWS or not _VIEWS[key].is_dir():
            dest = Path(tempfile.mkdtemp(prefix=f"minicnn-view-{lab.id}-"))
            _VIEWS[key] = sandbox.build_view(lab, lang, dest)
            atexit.register(sandbox.remove_view, dest)
        return _VIEWS[key]


def notes(lab: Lab, path: str | os.PathLike) -> list[str]:
    """Things an instructor should look at that no test can judge: code that reaches
    for the grading machinery itself (the grader does not trust it either way)."""
    try:
        code = "\n".join(code for _, code in _grading_cells(Path(path)))
    except Exception:  # noqa: BLE001 - grade_file already reported the unreadable file
        return []
    found = sorted(set(TAMPERING.findall(code)))
    if found:
        return [
            f"the code touches {', '.join(found)}: read it, it may try to get around the "
            "grader (which runs it apart and judges only its outputs)"
        ]
    return []


TAMPERING = re.compile(
    r"\b(sys\.meta_path|sys\.modules|_getframe|gc\.get_objects|os\._exit|ctypes|"
    r"importlib|__import__|/proc/|site-packages|subprocess)\b"
)


def _per_case(arrays: dict[str, np.ndarray], n: int) -> list[dict]:
    cases: list[dict[str, np.ndarray]] = [{} for _ in range(n)]
    for key, value in arrays.items():
        i, _, name = key.partition("/")
        if i.isdigit() and int(i) < n:
            cases[int(i)][name] = value
    return cases


VERDICTS = {"ran", "wrong", "error", "not implemented", "time limit"}


def _status(header: dict) -> tuple[str, str]:
    """(verdict, message) the student's process claims: it can only lose points by it."""
    verdict, message = header.get("verdict"), header.get("message")
    if verdict not in VERDICTS:
        return "error", "the student's process answered something that is not an answer"
    return verdict, str(message)[:2000] if message else ""


def _run_student(lab, cells, cases, limits: Limits, lang: str, view: Path):
    """Run the student's process until every part has a status; restart it after a
    part kills it or runs out of time (that part is charged, the others go on)."""
    todo = [p for p in lab.parts]
    statuses: dict[str, tuple[str, str]] = {}
    outputs: dict[str, dict] = {}
    memory = limits.memory_mb
    while todo:
        with Child(view, limits) as child:
            cells_limit = min(limits.cell_seconds * len(cells), 300) + 30
            try:
                child.send(
                    {
                        "lang": lang,
                        "cells": cells,
                        "cell_seconds": limits.cell_seconds,
                        "blocked": sandbox.blocked_modules(lab, lang),
                    },
                    cells_limit,
                )
                child.receive(cells_limit)
            except wire.ChannelClosed as err:
                why = (
                    say("cells.time", lang, seconds=cells_limit)
                    if str(err) == "deadline"
                    else say("cells.crash", lang, memory=memory)
                )
                for part in todo:
                    statuses[part.name] = ("error", why)
                return statuses, outputs
            for part in list(todo):
                todo.remove(part)
                seconds = part.time_limit(limits.part_seconds)
                arrays: dict[str, np.ndarray] = {}
                job = {
                    "op": "part",
                    "name": part.name,
                    "run": part.run.__name__,
                    "defines": list(part.defines),
                    "cases": [
                        wire.encode(part.sent(c), arrays, str(i))
                        for i, c in enumerate(cases[part.name])
                    ],
                    "part_seconds": seconds,
                    # what this part's functions may not use besides the lab's blocked
                    # modules: all the lab provides, for a part the student writes alone
                    "blocked": sandbox.blocked_modules(lab, lang, alone=True) if part.alone else {},
                }
                try:
                    child.send(job, seconds + 10, arrays)
                    header, outputs[part.name] = child.receive(seconds + 10)
                except wire.ChannelClosed as err:
                    if str(err) == "deadline":
                        statuses[part.name] = ("time limit", "")
                    else:
                        statuses[part.name] = ("error", say("part.crash", lang, memory=memory))
                    break  # a fresh process for the parts still to do
                statuses[part.name] = _status(header)
            else:
                child.close()
    return statuses, outputs


class Child:
    """The student's process and the two pipes the grader owns to talk to it."""

    def __init__(self, view: Path, limits: Limits):
        self.view, self.limits = view, limits

    def __enter__(self) -> Child:
        self.work = Path(tempfile.mkdtemp(prefix="minicnn-work-"))
        self.uid = sandbox.student_uid() if sandbox.isolation() == "user" else None
        sandbox.prepare_work(self.work, self.uid)
        to_child, self.to_child = os.pipe()
        self.from_child, from_me = os.pipe()
        os.set_blocking(self.to_child, False)
        command = sandbox.child_command(
            self.view, self.work, to_child, from_me, self.limits.memory_mb
        )
        try:
            self.proc = subprocess.Popen(
                command,
                cwd=self.work,
                env=sandbox.child_env(self.work),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(to_child, from_me),
                start_new_session=True,
                **sandbox.run_as(self.uid),
            )
        finally:
            os.close(to_child)
            os.close(from_me)
        return self

    def send(self, header: dict, seconds: float, arrays=None) -> None:
        wire.send(self.to_child, header, arrays, time.monotonic() + seconds)

    def receive(self, seconds: float):
        return wire.receive(self.from_child, time.monotonic() + seconds)

    def close(self) -> None:
        try:
            self.send({"op": "end"}, 5)
        except wire.ChannelClosed:
            pass

    def __exit__(self, *exc) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        sandbox.kill_all_of(self.uid)
        os.close(self.to_child)
        os.close(self.from_child)
        shutil.rmtree(self.work, ignore_errors=True)


def format_table(lab: Lab, results: list[PartResult], width: int = 100, lang: str = "en") -> str:
    rows = [tuple(say(f"head.{k}", lang) for k in ("part", "points", "verdict", "diagnostic"))]
    rows += [
        (r.part, f"{r.points}/{r.max_points}", verdict_word(r.verdict, lang), r.diagnostic)
        for r in results
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{lab.id}: {lab.title_in(lang)}"]
    for i, (a, b, c, d) in enumerate(rows):
        lines.append(f"{a:<{w0}}  {b:>{w1}}  {c:<{w2}}  {d}")
        if i == 0:
            lines.append("-" * min(width, w0 + w1 + w2 + 16))
    total, best = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(say("total", lang, got=total, best=best))
    written = written_line(lab, lang)
    if written:
        lines.append(written)
    return "\n".join(lines)


def written_line(lab: Lab, lang: str) -> str:
    """The lab's written questions and their points, left to the instructor ("" if none)."""
    questions = handout_questions(lab, lang)
    if not questions:
        return ""
    items = ", ".join(f"{qid} ({points})" for qid, points in questions.items())
    return say("written", lang, items=items, points=sum(questions.values()))


def report(lab: Lab, path, results: list[PartResult], seed: int | None = None) -> dict:
    """A report an LMS can take: score, max_score, one entry per part, and notes."""
    from .. import __version__

    return {
        "notes": notes(lab, path),
        "isolation": sandbox.isolation(),
        "lab": lab.id,
        "title": lab.title,
        "file": str(path),
        "score": sum(r.points for r in results),
        "max_score": lab.points,
        "passed": all(r.passed for r in results),
        "parts": [asdict(r) for r in results],
        # graded by hand (nbgrader's manual grading), not in score and max_score
        "written": [
            {"question": qid, "points": points}
            for qid, points in handout_questions(lab, "en").items()
        ],
        "minicnn_version": __version__,
    }


# ---- a whole class at once

LMS_NAME = re.compile(
    r"^(?P<moodle>.+?)_\d+_assignsubmission_file_"  # Moodle: Full Name_123_assignsubmission_file_
    r"|^(?P<canvas>[a-z]+)_(?:late_)?\d+_\d+"  # Canvas: lastfirst_(late_)12345_67890_name
)


def student_of(path: Path, folder: Path) -> str:
    """The student a submission belongs to, from the names an LMS export gives files
    (or the folder holding them, as Moodle's per-student folders)."""
    for name in (path.name, *(p.name for p in path.relative_to(folder).parents if p.name)):
        m = LMS_NAME.match(name)
        if m:
            return m.group("moodle") or m.group("canvas")
    return path.relative_to(folder).with_suffix("").as_posix()


def submissions(folder: Path) -> list[Path]:
    """Every .ipynb and percent-format .py under ``folder`` (checkpoints left out)."""
    found = [
        p
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".ipynb", ".py") and p.is_file() and ".ipynb_checkpoints" not in p.parts
    ]
    return found


def grade_all(lab: Lab, folder, jobs: int | None = None, **kwargs) -> list[dict]:
    """One row per submission in ``folder``: each part's points, the total, the time.

    Submissions are graded in parallel (``jobs`` at a time, default: the cores), each
    in its own process with its own time and memory limits, so one that crashes,
    hangs or eats memory costs only its own row. InstallChanged stops everything.
    """
    from concurrent.futures import ThreadPoolExecutor

    folder = Path(folder)
    paths = submissions(folder)
    kwargs["seed"] = grading_seed(kwargs.get("seed"))

    def one(path: Path) -> dict:
        start = time.monotonic()
        results = grade_file(lab, path, **kwargs)
        row: dict = {"student": student_of(path, folder), "file": str(path.relative_to(folder))}
        row.update({r.part: r.points for r in results})
        row["total"] = sum(r.points for r in results)
        row["max"] = lab.points
        row["seconds"] = round(time.monotonic() - start, 1)
        row["problems"] = "; ".join(f"{r.part}: {r.verdict}" for r in results if not r.passed)
        return row

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        return list(pool.map(one, paths))


def write_csv(rows: list[dict], lab: Lab, out) -> None:
    import csv
    import io

    # the written questions' columns stay empty: the instructor grades them
    written = list(handout_questions(lab, "en"))
    columns = ["student", "file", *(p.name for p in lab.parts), "total", "max", "seconds"]
    columns += written
    buf = io.StringIO()
    writer = csv.DictWriter(buf, [*columns, "problems"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    from ..atomic import atomic_write_bytes

    atomic_write_bytes(out, buf.getvalue().encode("utf-8"))
