"""Labs for class: build them for students, check them in the notebook, grade them.

    python -m minicnn.lab list
    python -m minicnn.lab build --lang ko --out handout/
    python -m minicnn.lab grade lab2 student/lab2_conv_backward.ipynb --json report.json

Inside a lab notebook, the first code cell makes the check function::

    from minicnn.lab import checker
    check = checker("lab2", globals())
    ...
    check("conv2d_backward")   # passes quietly with a line, or says what is wrong

See docs/teaching.md.
"""

from __future__ import annotations

import numpy as np

from .catalog import LABS, Lab, find_lab
from .grade import PartResult, format_table, grade_file, judge_part, part_seed
from .messages import say, speaking, verdict
from .parts import StudentError
from .rules import blocking, reference_uses
from .sandbox import blocked_modules

__all__ = [
    "LABS",
    "Lab",
    "LabCheckFailed",
    "PartResult",
    "checker",
    "find_lab",
    "grade_file",
    "format_table",
]


class LabCheckFailed(AssertionError):
    """A check cell's part is wrong or unfinished (an AssertionError, as nbgrader expects)."""


def checker(lab: str, namespace: dict, lang: str = "en"):
    """A ``check(part)`` function for a lab notebook whose functions live in ``namespace``.

    ``check`` runs the part on the check cells' own cases (seed 0; grading draws
    others), in this process, under the grader's rule: a function that uses the
    modules the lab asks the student to write fails, saying what the lab provides
    instead. It prints one line when the part passes and raises LabCheckFailed
    saying what is wrong. ``check.lang`` is the notebook's language (the experiment
    cells label their figures in it).
    """
    the_lab = find_lab(lab)

    def check(part_name: str, seed: int = 0) -> None:
        part = the_lab.part(part_name)
        blocked = blocked_modules(the_lab, lang, alone=part.alone)
        found = reference_uses(part.defines, namespace, blocked)
        if found:
            function, module, message = found
            why = say("blocked.in_check", lang, function=function, module=module, message=message)
            raise LabCheckFailed(f"{part_name} [{verdict('error', lang)}]: {why}")
        cases = part.cases(np.random.default_rng(part_seed(seed, part)))
        outputs = []
        with blocking(blocked), speaking(lang):
            for case in cases:
                try:
                    outputs.append(part.run(namespace, part.sent(case)))
                except StudentError as err:
                    raise LabCheckFailed(
                        f"{part_name} [{verdict(err.verdict, lang)}]: {err}"
                    ) from None
        with speaking(lang):
            verdict_, message = judge_part(part, cases, outputs)
        if verdict_ != "passed":
            raise LabCheckFailed(f"{part_name} [{verdict(verdict_, lang)}]: {message}")
        n = len(cases)
        print(
            say(
                "passed.line",
                lang,
                part=part_name,
                cases=say("cases", lang, n=n, s="" if n == 1 else "s"),
                n=n,
                points=part.points,
                s="s" if part.points != 1 else "",
            )
        )
        if message != say("cases", lang, n=n, s="" if n == 1 else "s"):  # a scored part's
            print(f"  {message}")

    check.lang = lang  # type: ignore[attr-defined]
    return check
