"""Our gradebook steps (:data:`SAME_AS_STOCK`) leave exactly what nbgrader's stock steps leave: the
same gradebook rows (grades, comments, late penalties) and the same autograded notebooks, for the
same (partly tampered, partly late) submissions graded through nbgrader's real CLI in two copies of
one course. And the gradebook they share within a run never serves stale data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from nbconvert.exporters import NotebookExporter
from nbgrader.api import Gradebook

from clientcraft.bank import load_bank
from clientcraft.course import update_course
from clientcraft.gradebook_writes import OverwriteCellsOnce, SaveGradesOnce, run_gradebook
from clientcraft.naming import CONFIG_FILE as CONFIG_NAME
from clientcraft.render.nbgrader import SAME_AS_STOCK
from tests.support.nbgrader_cohort import (
    REPO,
    add_students,
    make_course,
    questions,
    release,
    run_nbgrader,
    simulate_cohort,
    submission_path,
    submit,
)

ASSIGNMENT = "final"  # 16 questions: room for every kind of tampering
DUE = "2026-01-20 12:00:00 UTC"  # the cohort submits on 2026-01-15
LATE = "2026-01-21 09:30:00.000000 UTC"


def cell(nb: dict, grade_id: str) -> dict:
    return next(
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def tamper(path: Path) -> None:
    """Every case OverwriteCells restores or drops: an edited locked cell, changed points, a changed
    cell type, an unlocked cell, a grade id the gradebook lacks, a deleted test cell; and a
    kernelspec of the learner's own, which OverwriteKernelspec replaces."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["kernelspec"] = {"display_name": "Mine", "language": "python", "name": "mine"}
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
    """Every grade and comment of every learner's notebook and its late penalty, as plain values."""
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            found[student] = (
                sorted(
                    (g.name, g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades
                ),
                sorted((c.name, c.auto_comment, c.manual_comment) for c in nb.comments),
                nb.late_submission_penalty,
            )
    return found


def set_manual_score(course: Path, student: str, question: str) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade(question, ASSIGNMENT, ASSIGNMENT, student).manual_score = 0.5
        gb.db.commit()


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Two copies of one course with the same submissions, autograded twice (the second time after
    a grader set a manual score): ``ours`` with the generated config, ``stock`` with nbgrader's own
    steps in place of every :data:`SAME_AS_STOCK` one. Late work scores zero in both, so the late
    penalty steps have work to do."""
    tmp = tmp_path_factory.mktemp("gradebook-writes")
    ours = make_course(tmp, REPO / "exercises", "ours", variants=False)
    with (ours / CONFIG_NAME).open("a", encoding="utf-8") as config:
        config.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')
    release(ours, ASSIGNMENT)
    run_nbgrader(ours, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    students = list(simulate_cohort(ours, ASSIGNMENT, 12, seed=11))
    add_students(ours, ["untouched", "tampered", "late"])
    submit(ours, "untouched", ASSIGNMENT, {})
    tamper(submit(ours, "tampered", ASSIGNMENT, {"q06": '"A"', "q07": '"B"'}))
    bank = load_bank(REPO / "exercises")
    best = {
        question: f'"{bank.scenario(scenario).best.key}"'
        for question, (scenario, _) in questions(ours, ASSIGNMENT).items()
    }
    submit(ours, "late", ASSIGNMENT, best, timestamp=LATE)
    students += ["untouched", "tampered", "late"]
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
    scores = {score for grades, *_ in mine.values() for _, score, _, _ in grades}
    assert {0.0, 1.0} <= scores  # real scores were saved, not just defaults
    (manual,) = [g for g in mine[students[0]][0] if g[0] == "q02"]
    assert manual[2:] == (0.5, True)  # a grader's score: flagged for review
    untouched = mine["untouched"][1]
    assert untouched and all(comment == "No response." for _, comment, _ in untouched)
    answered = dict((name, comment) for name, comment, _ in mine["tampered"][1])
    assert answered["answer-q06"] is None and answered["answer-q01"] == "No response."
    late_score = sum(score or 0 for _, score, _, _ in mine["late"][0])
    assert late_score == 16 and mine["late"][2] == late_score  # "zero": the penalty is the score
    assert {penalty for student, (_, _, penalty) in mine.items() if student != "late"} == {None}


@pytest.mark.slow
def test_autograded_notebooks_equal_stock(courses):
    ours, stock, students = courses
    for student in students:
        mine = (
            submission_path(ours, student, ASSIGNMENT).parents[3]
            / "autograded"
            / student
            / ASSIGNMENT
        )
        theirs = (
            submission_path(stock, student, ASSIGNMENT).parents[3]
            / "autograded"
            / student
            / ASSIGNMENT
        )
        assert (mine / f"{ASSIGNMENT}.ipynb").read_bytes() == (
            theirs / f"{ASSIGNMENT}.ipynb"
        ).read_bytes()
    tampered = json.loads(
        (ours / "autograded" / "tampered" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(
            encoding="utf-8"
        )
    )
    released = json.loads(release(ours, ASSIGNMENT).read_text(encoding="utf-8"))
    assert cell(tampered, "q02")["metadata"]["nbgrader"]["points"] == 1
    assert cell(tampered, "answer-q03")["cell_type"] == "code"
    assert (
        cell(tampered, "q01")["source"]
        == cell(released, "q01")["source"]
        != 'q01 = "A"\nassert True'
    )
    assert tampered["metadata"]["kernelspec"] == released["metadata"]["kernelspec"]


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
    # Some steps stock, some ours: e.g. a config edited from an older clientcraft's.
    mixed = text.replace(
        "nbgrader.preprocessors.SaveAutoGrades", "clientcraft.gradebook_writes.SaveGradesOnce"
    )
    config.write_text(mixed, encoding="utf-8")
    assert update_course(course, bank).notes == []
    config.write_text(
        mixed.replace('"clientcraft.gradebook_writes.SaveGradesOnce",', ""), encoding="utf-8"
    )
    (note,) = update_course(course, bank).notes
    assert '"clientcraft.gradebook_writes.SaveGradesOnce"' in note


def test_steps_of_one_run_share_a_gradebook_that_reads_what_others_committed(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    run, other_run = NotebookExporter(), NotebookExporter()
    save, overwrite = SaveGradesOnce(parent=run), OverwriteCellsOnce(parent=run)
    with run_gradebook(save, url) as gb:
        gb.add_student("ada")
        gb.db.commit()
        assert gb.find_student("ada").first_name is None
    with Gradebook(url) as nbgraders_own:
        nbgraders_own.update_or_create_student("ada", first_name="Ada")
    with run_gradebook(overwrite, url) as again:
        assert again is gb
        assert again.find_student("ada").first_name == "Ada"
    assert run_gradebook(SaveGradesOnce(parent=other_run), url) is not gb
    assert run_gradebook(SaveGradesOnce(), url) is not run_gradebook(SaveGradesOnce(), url)
