"""SaveGradesOnce and OverwriteCellsOnce leave exactly what nbgrader's stock SaveAutoGrades and
OverwriteCells leave: the same gradebook rows and the same autograded notebooks, for the same
(partly tampered) submissions graded through nbgrader's real CLI in two copies of one course."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from clientcraft.render.nbgrader import CONFIG_NAME, SAME_AS_STOCK, update_course
from nbgrader_cohort import (
    REPO, add_students, make_course, release, run_nbgrader, simulate_cohort, submission_path, submit,
)

ASSIGNMENT = "final"  # 16 questions: room for every kind of tampering


def cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def tamper(path: Path) -> None:
    """Every case OverwriteCells restores or drops: an edited locked cell, changed points, a changed
    cell type, an unlocked cell, a grade id the gradebook lacks, a deleted test cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell(nb, "q01")["source"] = 'q01 = "A"\nassert True'
    cell(nb, "q02")["metadata"]["nbgrader"]["points"] = 100
    answer = cell(nb, "answer-q03")
    answer["cell_type"] = "markdown"
    del answer["outputs"], answer["execution_count"]
    cell(nb, "q04")["metadata"]["nbgrader"]["locked"] = False
    cell(nb, "question-q01")["metadata"]["nbgrader"]["grade_id"] = "bogus"
    nb["cells"].remove(cell(nb, "q05"))
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def rows(course: Path, students: list[str]) -> dict[str, tuple]:
    """Every grade and comment of every learner's notebook, as plain values."""
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            found[student] = (
                sorted((g.name, g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades),
                sorted((c.name, c.auto_comment, c.manual_comment) for c in nb.comments))
    return found


def set_manual_score(course: Path, student: str, question: str) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade(question, ASSIGNMENT, ASSIGNMENT, student).manual_score = 0.5
        gb.db.commit()


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Two copies of one course with the same submissions, autograded twice (the second time after
    a grader set a manual score): ``ours`` with the generated config, ``stock`` with nbgrader's own
    SaveAutoGrades and OverwriteCells in its place."""
    tmp = tmp_path_factory.mktemp("gradebook-writes")
    ours = make_course(tmp, REPO / "exercises", "ours")
    release(ours, ASSIGNMENT)
    students = list(simulate_cohort(ours, ASSIGNMENT, 12, seed=11))
    add_students(ours, ["untouched", "tampered"])
    submit(ours, "untouched", ASSIGNMENT, {})
    tamper(submit(ours, "tampered", ASSIGNMENT, {"q06": '"A"', "q07": '"B"'}))
    students += ["untouched", "tampered"]
    stock = tmp / "stock"
    shutil.copytree(ours, stock)
    config = (stock / CONFIG_NAME).read_text(encoding="utf-8")
    for faster, original in SAME_AS_STOCK.items():
        assert faster in config
        config = config.replace(faster, original)
    (stock / CONFIG_NAME).write_text(config, encoding="utf-8")
    for course in (ours, stock):
        run_nbgrader(course, "autograde", ASSIGNMENT)
        set_manual_score(course, students[0], "q02")
        run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    return ours, stock, students


@pytest.mark.slow
def test_gradebook_rows_equal_stock(courses):
    ours, stock, students = courses
    mine = rows(ours, students)
    assert mine == rows(stock, students)
    scores = {score for grades, _ in mine.values() for _, score, _, _ in grades}
    assert {0.0, 1.0} <= scores                       # real scores were saved, not just defaults
    (manual,) = [g for g in mine[students[0]][0] if g[0] == "q02"]
    assert manual[2:] == (0.5, True)                  # a grader's score: flagged for review
    untouched = mine["untouched"][1]
    assert untouched and all(comment == "No response." for _, comment, _ in untouched)
    answered = dict((name, comment) for name, comment, _ in mine["tampered"][1])
    assert answered["answer-q06"] is None and answered["answer-q01"] == "No response."


@pytest.mark.slow
def test_autograded_notebooks_equal_stock(courses):
    ours, stock, students = courses
    for student in students:
        mine = submission_path(ours, student, ASSIGNMENT).parents[3] / "autograded" / student / ASSIGNMENT
        theirs = submission_path(stock, student, ASSIGNMENT).parents[3] / "autograded" / student / ASSIGNMENT
        assert (mine / f"{ASSIGNMENT}.ipynb").read_bytes() == (theirs / f"{ASSIGNMENT}.ipynb").read_bytes()
    tampered = json.loads((ours / "autograded" / "tampered" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
                          .read_text(encoding="utf-8"))
    released = json.loads(release(ours, ASSIGNMENT).read_text(encoding="utf-8"))
    assert cell(tampered, "q02")["metadata"]["nbgrader"]["points"] == 1
    assert cell(tampered, "answer-q03")["cell_type"] == "code"
    assert cell(tampered, "q01")["source"] == cell(released, "q01")["source"] != 'q01 = "A"\nassert True'


def test_a_hand_edited_config_with_the_stock_steps_needs_nothing_added(tmp_path, bank):
    course = tmp_path / "course"
    update_course(course, bank)
    config = course / CONFIG_NAME
    text = config.read_text(encoding="utf-8")
    for faster, original in SAME_AS_STOCK.items():
        text = text.replace(faster, original)
    config.write_text(text, encoding="utf-8")
    assert update_course(course, bank).notes == []
    assert config.read_text(encoding="utf-8") == text
    config.write_text(text.replace('"nbgrader.preprocessors.SaveAutoGrades",', ""), encoding="utf-8")
    (note,) = update_course(course, bank).notes
    assert '"clientcraft.gradebook_writes.SaveGradesOnce"' in note
