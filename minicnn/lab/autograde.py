"""The autograder's test cells (nbgrader): each grades one part with a fresh import.

In an nbgrader course the solution notebook's check cells become graded test cells::

    import sys; [sys.modules.pop(m) for m in list(sys.modules) if m.startswith("minicnn.lab")]
    from minicnn.lab.autograde import grade; grade("lab1", "conv2d_naive", globals())

They trust no name the student's cells can rebind (``check``, ``checker``, the lab's
functions are looked up in the namespace but judged by a freshly imported grader),
draw the *grading* cases (``MINICNN_GRADING_SEED``, not the check cells' seed 0) and
keep the lab's rule (``rules``). A failed part raises AssertionError, which nbgrader
counts as 0 points.
"""

from __future__ import annotations

from . import checker
from .grade import grading_seed

CELL = (
    "import sys; [sys.modules.pop(m) for m in list(sys.modules) if m.startswith({prefix!r})]\n"
    "from minicnn.lab.autograde import grade; grade({lab!r}, {part!r}, globals(){lang})"
)


def cell_source(lab: str, parts: list[str], lang: str) -> str:
    """The source of an autograder test cell for ``parts`` of ``lab``."""
    extra = ', lang="ko"' if lang == "ko" else ""
    return "\n".join(
        CELL.format(prefix="minicnn.lab", lab=lab, part=part, lang=extra) for part in parts
    )


def grade(lab: str, part: str, namespace: dict, lang: str = "en") -> None:
    """Run ``part`` of ``lab`` on the grading cases; AssertionError if it is wrong."""
    checker(lab, namespace, lang)(part, seed=grading_seed())
