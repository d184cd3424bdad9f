"""``clientcraft report`` on a cohort with per-learner variants, autograded by nbgrader: one row per
item (scenario) with how many learners drew it, options counted by their key in the bank whatever
letter each learner saw, and mastery per topic over whatever each learner drew; every figure equals
the value computed here by hand from the answer plan."""

from __future__ import annotations

import csv
import statistics

import pytest

from clientcraft.bank import load_bank
from clientcraft.report import build_report
from tests.support.nbgrader_cohort import (
    add_students,
    bank_keys,
    learner_questions,
    make_course,
    release,
    run_nbgrader,
    submit,
)
from tests.support.variants import make_slot_bank

pytestmark = pytest.mark.slow

LEARNERS = [f"v{i:02d}" for i in range(16)]
ASSIGNMENT = "quiz-trust"


def planned_key(student: str, question: str, keys: tuple[str, ...]) -> str | None:
    """The bank option each learner means to choose (None: left blank), varied by learner."""
    i = int(student[1:]) + int(question[1:])
    return None if i % 7 == 0 else keys[i % len(keys)]


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("variants-report")
    bank = load_bank(make_slot_bank(tmp / "bank"))
    course = make_course(tmp, bank.root)
    release(course, ASSIGNMENT)
    add_students(course, LEARNERS)
    plan = {}
    for student in LEARNERS:
        own = learner_questions(course, ASSIGNMENT, student)
        letter_of = {
            q: {k: letter for letter, k in m.items()}
            for q, m in bank_keys(course, ASSIGNMENT, student).items()
        }
        plan[student] = {}
        answers = {}
        for q, (scenario, _) in own.items():
            key = planned_key(student, q, bank.scenario(scenario).keys)
            plan[student][q] = (scenario, key)
            if key is not None:
                answers[q] = f'"{letter_of[q][key]}"'
        submit(course, student, ASSIGNMENT, answers)
    run_nbgrader(course, "autograde", ASSIGNMENT)
    build_report(course, bank, ASSIGNMENT, tmp / "out", progress=False)
    return tmp / "out", bank, plan


def rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_items_are_scenarios_with_their_counts_and_facility(reported):
    out, bank, plan = reported
    by_item: dict[tuple[str, str], list[float]] = {}
    for answers in plan.values():
        for q, (scenario, key) in answers.items():
            credit = bank.scenario(scenario).option(key).credit if key else 0.0
            by_item.setdefault((q, scenario), []).append(credit)
    got = {(r["question"], r["scenario"]): r for r in rows(out / "items.csv")}
    assert len(got) == 6  # 3 slots of 2 items: every item has a row
    for item, credits in by_item.items():
        assert int(got[item]["answers"]) == len(credits)
        assert float(got[item]["facility"]) == pytest.approx(statistics.fmean(credits), abs=1e-4)
    assert sum(int(r["answers"]) for r in got.values()) == 3 * len(LEARNERS)
    assert all(int(r["answers"]) > 0 for r in got.values())


def test_options_are_counted_by_their_bank_key(reported):
    out, bank, plan = reported
    expected: dict[tuple[str, str, str], int] = {}
    for answers in plan.values():
        for q, (scenario, key) in answers.items():
            label = key or "(blank)"
            expected[(q, scenario, label)] = expected.get((q, scenario, label), 0) + 1
    for r in rows(out / "options.csv"):
        count = expected.get((r["question"], r["scenario"], r["option"]), 0)
        assert int(r["count"]) == count, r
        if r["option"] in bank.scenario(r["scenario"]).keys:
            assert float(r["credit"]) == bank.scenario(r["scenario"]).option(r["option"]).credit


def test_mastery_is_over_what_each_learner_drew(reported):
    out, bank, plan = reported
    got = {r["student"]: r for r in rows(out / "learners.csv") if r["topic"] == "trust"}
    for student, answers in plan.items():
        credits = [
            bank.scenario(scenario).option(key).credit if key else 0.0
            for scenario, key in answers.values()
        ]
        assert int(got[student]["questions"]) == 3
        assert float(got[student]["mastery"]) == pytest.approx(statistics.fmean(credits), abs=1e-4)
