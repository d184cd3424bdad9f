"""Tampered submissions through nbgrader's real CLI: none earns an undeserved point, none changes
another learner's grade, and none is modified on disk by grading.

The course has per-learner variants (the default), so every tampered learner's best and worst
letters are their own; the variant attacks (an edited first cell showing another variant, another
learner's id in metadata, a forged variant key) are graded against the submitting learner's own
variant, and deserve what their letters are worth there."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clientcraft.bank import load_bank
from clientcraft.grading import AnswerKey, KeyOption, PoolItem, PoolKey, key_source
from tests.support.nbgrader_cohort import (
    REPO,
    add_students,
    bank_keys,
    expected_scores,
    exported_scores,
    learner_questions,
    literal_letter,
    make_course,
    release,
    run_nbgrader,
    simulate_cohort,
    submission_path,
)

pytestmark = pytest.mark.slow

ASSIGNMENT = "quiz-trust"
ALWAYS_EQUAL = (
    "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n\n{q} = AlwaysEqual()"
)


def cell(nb: dict, grade_id: str) -> dict:
    return next(
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def answer(nb: dict, q: str, source: str) -> None:
    cell(nb, f"answer-{q}")["source"] = source


def letters(bank, course, student) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Best and a zero-credit letter per question in ``student``'s variant, and the question names."""
    own = learner_questions(course, ASSIGNMENT, student)
    keys = bank_keys(course, ASSIGNMENT, student)
    credit = {
        q: {letter: bank.scenario(own[q][0]).option(key).credit for letter, key in keys[q].items()}
        for q in own
    }
    best = {q: next(k for k, c in per.items() if c == 1) for q, per in credit.items()}
    worst = {q: next(k for k, c in per.items() if c == 0) for q, per in credit.items()}
    return best, worst, sorted(own)


WORTH = "what its letters are worth in the learner's own variant"


def choose(nb: dict, picks: dict[str, str]) -> None:
    for q, letter in picks.items():
        answer(nb, q, f'{q} = "{letter}"')


def tampers(
    best: dict, worst: dict, qs: list[str], colleague: dict
) -> dict[str, tuple[Callable[[dict], object] | None, float | str]]:
    """Each tampered learner: how their notebook is changed, and the score they deserve (or
    :data:`WORTH`). ``colleague`` holds another learner's best letters."""
    q1, q2, q3 = qs[:3]

    def edit_show_cell(nb):
        """Another variant shown by editing the first cell (seed, student id), answered as shown."""
        show = cell(nb, "show-questions")
        show["source"] = (
            "".join(show["source"])
            .replace('os.environ.get("JUPYTERHUB_USER", "")', '"honest-001"')
            .replace('"seed": "', '"seed": "forged')
        )
        choose(nb, colleague)

    def colleague_id_in_metadata(nb):
        choose(nb, colleague)
        nb["metadata"]["clientcraft"]["student"] = "honest-001"
        nb["metadata"]["nbgrader"] = {"student": "honest-001", "student_id": "honest-001"}
        for c in nb["cells"]:
            c["metadata"].setdefault("clientcraft", {})["student"] = "honest-001"
            c["metadata"]["nbgrader"]["student"] = "honest-001"

    def forged_variant_key(nb):
        choose(nb, worst)
        items = (
            PoolItem("forged", "s", "s", "q", tuple(KeyOption(k, "x", 1.0, "f") for k in "ABCD")),
        )
        forged = PoolKey(q1, f"answer-{q1}", "Q", "seed", ASSIGNMENT, "forged", "", items)
        cell(nb, q1)["source"] = key_source(forged, "# forged")

    def edit_test(nb):
        choose(nb, worst)
        forged = AnswerKey(
            q1, f"answer-{q1}", "forged", tuple(KeyOption(k, "x", 1.0, "forged") for k in "ABCDE")
        )
        cell(nb, q1)["source"] = key_source(forged, f'{q1} = "{best[q1]}"\nassert True')
        cell(nb, q2)["source"] = "print('all good')"
        cell(nb, q2)["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
        cell(nb, q3)["outputs"] = [
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"text/plain": "1"},
            }
        ]

    def delete_test(nb):
        choose(nb, best)
        nb["cells"].remove(cell(nb, q1))

    def duplicate_test(nb):
        choose(nb, {q1: best[q1], q2: worst[q2], q3: worst[q3]})
        nb["cells"].append(copy.deepcopy(cell(nb, q1)))
        nb["cells"][-1]["id"] = "copy-of-test"

    def reorder_tests(nb):
        choose(nb, {q1: best[q1], q2: worst[q2], q3: worst[q3]})
        a, b, c = (nb["cells"].index(cell(nb, q)) for q in (q1, q2, q3))
        nb["cells"][a], nb["cells"][b], nb["cells"][c] = (
            nb["cells"][c],
            nb["cells"][a],
            nb["cells"][b],
        )

    def points(nb):
        choose(nb, best)
        cell(nb, q1)["metadata"]["nbgrader"]["points"] = 100
        cell(nb, q2)["metadata"]["nbgrader"]["points"] = 0.001

    def code_reads_key(nb):
        choose(nb, {q3: best[q3]})
        answer(nb, q1, f'{q1} = open("source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb").read()[0]')
        answer(
            nb,
            q2,
            f'import sqlite3\nsqlite3.connect("gradebook.db").execute('
            f'"update grade set auto_score = 99").connection.commit()\n'
            f'open("PWNED", "w").write("x")\n{q2} = "{best[q2]}"',
        )

    def always_equal(nb):
        for q in qs:
            answer(nb, q, ALWAYS_EQUAL.format(q=q))

    def infinite_loop(nb):
        choose(nb, {q2: best[q2], q3: worst[q3]})
        answer(nb, q1, f'while True:\n    pass\n{q1} = "{best[q1]}"')

    def huge_output(nb):
        choose(nb, best)
        cell(nb, f"answer-{q1}")["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": "x" * 10_000_000}
        ]

    def extra_grade_cell(nb):
        choose(nb, worst)
        extra = copy.deepcopy(cell(nb, q1))
        extra["id"] = "bonus"
        extra["source"] = "assert True"
        extra["metadata"]["nbgrader"].update(grade_id="bonus", points=10)
        nb["cells"].append(extra)

    def metadata_schema(nb):
        choose(nb, best)
        cell(nb, q1)["metadata"]["nbgrader"]["schema_version"] = 1
        cell(nb, q2)["metadata"]["nbgrader"] = {}
        cell(nb, f"answer-{q3}")["metadata"]["nbgrader"]["schema_version"] = 99

    def answer_as_test(nb):
        choose(nb, worst)
        cell(nb, f"answer-{q1}")["metadata"]["nbgrader"].update(grade=True, points=5)

    def test_as_answer(nb):
        choose(nb, {q1: worst[q1], q2: best[q2], q3: best[q3]})
        cell(nb, q1)["metadata"]["nbgrader"]["solution"] = True

    every = len(qs)  # what choosing the best option of every question deserves
    return {
        "t-edit-test": (edit_test, 0),
        "t-metadata-schema": (metadata_schema, every - 1),
        "t-answer-as-test": (answer_as_test, 0),
        "t-test-as-answer": (test_as_answer, 0),  # the broken notebook fails as a whole
        "t-delete-test": (delete_test, every - 1),
        "t-duplicate-test": (duplicate_test, 1),
        "t-reorder-tests": (reorder_tests, 1),
        "t-points": (points, every),
        "t-code-reads-key": (code_reads_key, 1),
        "t-always-equal": (always_equal, 0),
        "t-infinite-loop": (infinite_loop, 1),
        "t-huge-output": (huge_output, every),
        "t-extra-grade-cell": (extra_grade_cell, 0),
        "t-malformed": (None, 0),
        "t-edit-show-cell": (edit_show_cell, WORTH),
        "t-colleague-id": (colleague_id_in_metadata, WORTH),
        "t-forged-variant-key": (forged_variant_key, 0),
    }


def worth(course, bank, student, nb) -> float:
    """What the letters in ``nb``'s answer cells are worth in ``student``'s own variant."""
    answers = {}
    for c in nb["cells"]:
        grade_id = c["metadata"]["nbgrader"].get("grade_id", "")
        if grade_id.startswith("answer-"):
            answers[grade_id[7:]] = "".join(c["source"]).split(" = ", 1)[1]
    assert all(literal_letter(a) for a in answers.values())
    return expected_scores(course, bank, ASSIGNMENT, {student: answers})[student]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    """Honest learners graded first; then the tampered submissions graded in one autograde run."""
    tmp = tmp_path_factory.mktemp("tamper")
    course = make_course(tmp, REPO / "exercises")
    bank = load_bank(REPO / "exercises")
    release(course, ASSIGNMENT)
    honest = simulate_cohort(course, ASSIGNMENT, 8, seed=3, prefix="honest-")
    run_nbgrader(course, "autograde", ASSIGNMENT)
    run_nbgrader(course, "export")
    before = exported_scores(course, ASSIGNMENT)
    colleague, _, _ = letters(bank, course, "honest-001")
    released = json.loads(release(course, ASSIGNMENT).read_text(encoding="utf-8"))
    hashes = {}
    names = list(tampers({}, {}, ["q01", "q02", "q03"], {}))
    add_students(course, names)
    cases = {}
    for student in names:
        best, worst, qs = letters(bank, course, student)
        assert len(qs) >= 3
        mutate, deserved = tampers(best, worst, qs, colleague)[student]
        cases[student] = (mutate, deserved)
    for student, (mutate, deserved) in cases.items():
        path = submission_path(course, student, ASSIGNMENT)
        path.parent.mkdir(parents=True)
        (path.parent / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
        if mutate is None:
            path.write_text(json.dumps(released)[:-200], encoding="utf-8")
        else:
            nb = copy.deepcopy(released)
            mutate(nb)
            path.write_text(json.dumps(nb), encoding="utf-8")
            if deserved == WORTH:
                cases[student] = (mutate, worth(course, bank, student, nb))
        hashes[student] = sha(path)
    start = time.perf_counter()
    run = run_nbgrader(course, "autograde", ASSIGNMENT, check=False)
    elapsed = time.perf_counter() - start
    run_nbgrader(course, "export")
    return course, bank, honest, before, cases, hashes, run, elapsed


def test_no_tampered_submission_earns_an_undeserved_point(tampered):
    course, _, _, _, cases, _, _, _ = tampered
    scores = exported_scores(course, ASSIGNMENT)
    got = {student: scores.get(student, 0.0) for student in cases}
    assert got == {student: float(deserved) for student, (_, deserved) in cases.items()}


def test_every_max_score_stays_one_point_per_question(tampered):
    course, _, _, _, _, _, _, _ = tampered
    import csv

    with (course / "grades.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["assignment"] == ASSIGNMENT]
    count = len(learner_questions(course, ASSIGNMENT, "honest-001"))
    assert {float(r["max_score"]) for r in rows} == {float(count)}


def test_other_learners_grades_are_intact(tampered):
    course, bank, honest, before, _, _, _, _ = tampered
    after = exported_scores(course, ASSIGNMENT)
    assert (
        {s: after[s] for s in honest} == before == expected_scores(course, bank, ASSIGNMENT, honest)
    )


def test_submissions_are_unchanged_and_nothing_ran(tampered):
    course, _, _, _, cases, hashes, _, elapsed = tampered
    assert {s: sha(submission_path(course, s, ASSIGNMENT)) for s in cases} == hashes
    assert not list(course.rglob("PWNED"))
    assert elapsed < 120  # the infinite loop never ran


def test_outputs_are_cleared_and_malformed_json_is_reported(tampered):
    course, _, _, _, _, _, run, _ = tampered
    huge = course / "autograded" / "t-huge-output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert huge.stat().st_size < 1_000_000
    assert run.returncode != 0
    log = run.stdout + run.stderr
    assert "There was an error processing assignment 'quiz-trust' for student 't-malformed'" in log
