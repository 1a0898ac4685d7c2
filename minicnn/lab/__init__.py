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
from .parts import StudentError

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


def checker(lab: str, namespace: dict):
    """A ``check(part)`` function for a lab notebook whose functions live in ``namespace``.

    ``check`` runs the part on the same random cases as the grader, in this process,
    prints one line when it passes and raises LabCheckFailed saying what is wrong.
    """
    the_lab = find_lab(lab)

    def check(part_name: str, seed: int = 0) -> None:
        part = the_lab.part(part_name)
        cases = part.cases(np.random.default_rng(part_seed(seed, part)))
        outputs = []
        for case in cases:
            try:
                outputs.append(part.run(namespace, case))
            except StudentError as err:
                raise LabCheckFailed(f"{part_name} [{err.verdict}]: {err}") from None
        verdict, message = judge_part(part, cases, outputs)
        if verdict != "passed":
            raise LabCheckFailed(f"{part_name} [{verdict}]: {message}")
        points = f"{part.points} point" + ("s" if part.points != 1 else "")
        print(f"✔ {part_name}: passed ({message}, {points})")

    return check
