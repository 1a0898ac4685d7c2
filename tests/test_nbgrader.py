"""nbgrader for real: generate_assignment, autograde of submissions, generate_feedback.

The solution notebook `build` writes is an nbgrader source: solution cells marked,
check cells turned into graded test cells that import the grader afresh. A submission
that rebinds `check` (a route students took against the old grader) gets no points for
it; an honest one gets all.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from minicnn.lab import find_lab
from minicnn.lab.__main__ import main

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("nbgrader", reason="nbgrader is in the nbgrader and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

LAB = "lab4"  # four parts, quick to run


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course whose assignment is lab 4, released and submitted twice."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    env = os.environ.copy()
    # nbgrader runs `alembic` (its database migrations) from the interpreter's bin folder
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env["PATH"]])
    root = tmp_path_factory.mktemp("course")
    built = tmp_path_factory.mktemp("built")
    assert main(["build", "--lang", "ko", "--out", str(built), LAB]) == 0
    lab = find_lab(LAB)
    (root / "source" / LAB).mkdir(parents=True)
    shutil.copy(built / "solution" / f"{lab.stem}.ipynb", root / "source" / LAB)
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_assignments = [{"name": LAB}]
    config.CourseDirectory.db_students = [{"id": "honest"}, {"id": "cheat"}]
    config.ExecutePreprocessor.timeout = 300
    api = NbGraderAPI(config=config)
    assert api.generate_assignment(LAB)["success"], "generate_assignment failed"
    released = root / "release" / LAB / f"{lab.stem}.ipynb"
    solution = nbformat.read(built / "solution" / f"{lab.stem}.ipynb", as_version=4)

    def submit(student: str, edit) -> None:
        nb = nbformat.read(released, as_version=4)
        edit(nb)
        folder = root / "submitted" / student / LAB
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lab.stem}.ipynb")

    def answer(nb) -> None:  # the student writes the solution into the released notebook
        answers = {c.id: c.source for c in solution.cells}
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = answers[cell.id]

    def rebind_check(nb) -> None:  # the old grader's hole: every check cell "passes"
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        cell.source += (
            '\ncheck = lambda name, seed=0: print("✔ " + name)\n'
            "checker = lambda *a, **k: check\ngrade = check\n"
        )

    submit("honest", answer)
    submit("cheat", rebind_check)
    for student in ("honest", "cheat"):
        result = api.autograde(LAB, student)
        assert result["success"], result["log"]
        assert api.generate_feedback(LAB, student)["success"]
    os.environ.clear()
    os.environ.update(env)
    return api, root, lab


def scores(api, student: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url) as gb:
        return gb.find_submission(LAB, student).score


def test_an_honest_submission_gets_every_point(course):
    api, _, lab = course
    assert scores(api, "honest") == lab.points


def test_rebinding_check_gets_no_point(course):
    api, _, _ = course
    assert scores(api, "cheat") == 0


def test_feedback_is_written_in_the_labs_language(course):
    _, root, lab = course
    feedback = root / "feedback" / "cheat" / LAB / f"{lab.stem}.html"
    html = feedback.read_text(encoding="utf-8")
    assert "미구현" in html or "not implemented" in html


def test_the_written_questions_wait_for_the_instructor(course):
    """Manually graded answer cells do not break autograde: they are in the gradebook
    with their points, the honest answers waiting for the instructor's grade."""
    from nbgrader.api import Gradebook

    from minicnn.lab.source import handout_questions

    api, _, lab = course
    questions = handout_questions(lab, "ko")
    assert questions
    with Gradebook(api.coursedir.db_url) as gb:
        for qid, points in questions.items():
            grade = gb.find_grade(qid, lab.stem, LAB, "honest")
            assert grade.max_score == points
            assert grade.needs_manual_grade, f"{qid}: a written answer waits for the instructor"
            assert not gb.find_grade(qid, lab.stem, LAB, "cheat").score
