"""python -m minicnn.lab list | build --lang ko|en --out DIR | grade LAB PATH [--json REPORT]
| grade-all LAB FOLDER --out grades.csv."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..atomic import atomic_write_bytes
from .catalog import LABS, find_lab, recommended_order
from .grade import (
    GRADING_SEED,
    SEED_ENV,
    InstallChanged,
    file_language,
    format_table,
    grade_all,
    grade_file,
    grading_seed,
    notes,
    report,
    write_csv,
    written_line,
)
from .messages import say
from .source import (
    LANGUAGES,
    build_notebook,
    handout_path,
    has_solutions,
    notebook_bytes,
    source_path,
)


def cmd_list(args) -> int:
    labs = recommended_order()
    print(say("list.order", args.lang, order=" → ".join(lab.id for lab in labs)))
    for lab in labs:
        parts = ", ".join(f"{p.name} ({p.points})" for p in lab.parts)
        print(
            say(
                "list.line",
                args.lang,
                id=lab.id,
                title=lab.title_in(args.lang),
                points=lab.points,
                lectures=lab.lectures_in(args.lang),
                parts=parts,
            )
        )
    return 0


def cmd_build(args) -> int:
    out = Path(args.out)
    labs = [find_lab(name) for name in args.labs] if args.labs else list(LABS.values())
    if not has_solutions():  # an installed wheel or sdist: the student notebooks only
        print(say("build.no_solutions", args.lang))
        for lab in labs:
            target = out / "student" / f"{lab.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, handout_path(lab.stem, args.lang).read_bytes())
            print(f"{lab.id}: {target}")
        return 0
    for lab in labs:
        src = source_path(lab.stem)
        for kind, student in (("student", True), ("solution", False)):
            nb = build_notebook(src, lab, student=student, lang=args.lang)
            target = out / kind / f"{lab.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, notebook_bytes(nb))
        print(f"{lab.id}: {out / 'student' / lab.stem}.ipynb and the solution")
    return 0


def lab_and_seed(args):
    """(lab, grading seed) from the command line, or None after saying what was wrong."""
    try:
        return find_lab(args.lab), grading_seed(args.seed)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return None


def cmd_grade(args) -> int:
    chosen = lab_and_seed(args)
    if chosen is None:
        return 2
    lab, seed = chosen
    path = Path(args.path)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return 2
    lang = args.lang or file_language(path)
    try:
        results = grade_file(
            lab,
            path,
            seed=seed,
            part_seconds=args.time_limit,
            memory_mb=args.memory_limit,
            lang=lang,
        )
    except InstallChanged as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    print(format_table(lab, results, lang=lang))
    for note in notes(lab, path):
        print(say("note", lang, text=note))
    if args.json:
        text = json.dumps(report(lab, path, results), indent=2, ensure_ascii=False)
        atomic_write_bytes(args.json, text.encode("utf-8") + b"\n")
    return 0 if all(r.passed for r in results) else 1


def cmd_grade_all(args) -> int:
    chosen = lab_and_seed(args)
    if chosen is None:
        return 2
    lab, seed = chosen
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: no folder {folder}", file=sys.stderr)
        return 2
    try:
        rows = grade_all(
            lab,
            folder,
            jobs=args.jobs,
            seed=seed,
            part_seconds=args.time_limit,
            memory_mb=args.memory_limit,
            lang=args.lang,
        )
    except InstallChanged as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    write_csv(rows, lab, args.out)
    for row in rows:
        print(f"{row['student']}: {row['total']}/{row['max']}")
    written = written_line(lab, args.lang or "en")
    if written:
        print(written)
    print(f"{len(rows)} submissions -> {args.out}")
    return 0


def add_limits(parser) -> None:
    """The options grade and grade-all share: seed, language, time and memory limits."""
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"draws the graded cases (default ${SEED_ENV}, else {GRADING_SEED}; "
        "the check cells use 0): pick your own and keep it",
    )
    parser.add_argument("--lang", choices=LANGUAGES, help="feedback language (default: the file's)")
    parser.add_argument(
        "--time-limit", type=float, default=20.0, metavar="S", help="seconds per part (20)"
    )
    parser.add_argument(
        "--memory-limit", type=int, default=2048, metavar="MB", help="memory per submission (2048)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m minicnn.lab", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="the labs and their graded parts")
    ls.add_argument("--lang", choices=LANGUAGES, default="en")
    ls.set_defaults(func=cmd_list)
    b = sub.add_parser("build", help="write DIR/student/*.ipynb and DIR/solution/*.ipynb")
    b.add_argument("--lang", choices=LANGUAGES, required=True)
    b.add_argument("--out", required=True, metavar="DIR")
    b.add_argument("labs", nargs="*", help="only these labs (default: all)")
    b.set_defaults(func=cmd_build)
    g = sub.add_parser("grade", help="grade a student's .ipynb or .py against minicnn")
    g.add_argument("lab", help="lab1 ... lab6 (or the file's name)")
    g.add_argument("path", help="the student's notebook (.ipynb) or percent-format .py")
    g.add_argument("--json", metavar="REPORT", help="also write an LMS-friendly JSON report")
    add_limits(g)
    g.set_defaults(func=cmd_grade)
    ga = sub.add_parser("grade-all", help="grade a folder of submissions into a CSV, in parallel")
    ga.add_argument("lab", help="lab1 ... lab6")
    ga.add_argument("folder", help="the submissions (an LMS export: one file per student)")
    ga.add_argument("--out", required=True, metavar="CSV", help="one row per submission")
    ga.add_argument("--jobs", type=int, default=None, help="at a time (default: the cores)")
    add_limits(ga)
    ga.set_defaults(func=cmd_grade_all)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
