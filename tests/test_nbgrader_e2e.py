"""End to end through nbgrader's real CLI: a course from the shipped bank, a simulated cohort,
autograde, feedback and export; scores checked against the bank, released notebooks and feedback
checked for leaks, and a re-run of ``nbgrader-course`` on the course in use."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from clientcraft.bank import load_bank
from clientcraft.course import update_course
from clientcraft.errors import ClientcraftError
from clientcraft.grading import answer_line
from clientcraft.widgets import markdown_html
from tests.support.nbgrader_cohort import (
    autograde_in_parallel,
    copy_bank,
    expected_scores,
    exported_scores,
    literal_letter,
    make_course,
    questions,
    run_clientcraft,
    run_nbgrader,
    simulate_cohort,
)

pytestmark = pytest.mark.slow

COHORTS = {"final": (36, 11), "quiz-trust": (30, 12)}  # assignment: (learners, seed)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course from a copy of the shipped bank, every assignment released, two cohorts submitted,
    autograded (one by two processes at once), given feedback and exported."""
    tmp = tmp_path_factory.mktemp("e2e")
    bank_dir = copy_bank(tmp / "exercises")
    course = make_course(tmp, bank_dir, variants=False)
    run_nbgrader(course, "generate_assignment", "*")
    cohorts = {
        name: simulate_cohort(course, name, n, seed, prefix=f"{name[:5]}-")
        for name, (n, seed) in COHORTS.items()
    }
    run_nbgrader(course, "autograde", "quiz-trust")
    # Two processes on disjoint learners, as the instructor guide suggests for large cohorts.
    autograde_in_parallel(course, "final", ["*[02468]", "*[13579]"])
    for name in COHORTS:
        run_nbgrader(course, "generate_feedback", name)
    run_nbgrader(course, "export")
    return course, load_bank(bank_dir), cohorts


def test_every_exported_score_equals_the_banks_credits(graded):
    course, bank, cohorts = graded
    for name, cohort in cohorts.items():
        scores = exported_scores(course, name)
        assert len(scores) == COHORTS[name][0]
        assert scores == expected_scores(course, bank, name, cohort)
        assert len(set(scores.values())) > 3  # a spread of scores, not all equal
    kinds = {
        literal_letter(a) is None for c in cohorts.values() for s in c.values() for a in s.values()
    }
    assert kinds == {True, False}  # the cohort holds invalid answers too


def strings(node) -> list[str]:
    """Every string anywhere in a JSON value (sources, outputs, metadata keys and values)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (k, *strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def keys(node) -> list[str]:
    """Every mapping key anywhere in a JSON value."""
    if isinstance(node, dict):
        return [k for k, v in node.items() for k in (k, *keys(v))]
    if isinstance(node, list):
        return [k for v in node for k in keys(v)]
    return []


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_released_notebooks_hold_no_key(graded):
    course, bank, _ = graded
    released = sorted((course / "release").glob("*/*.ipynb"))
    assert len(released) == len(list((course / "source").glob("*/*.ipynb"))) >= 2
    feedback = {squeeze(o.feedback) for s in bank.pool("assessment") for o in s.options}
    for path in released:
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = squeeze(" ".join(strings(nb)))
        assert not [f for f in feedback if f in text], path
        for marker in ("CLIENTCRAFT_KEY", "HIDDEN TESTS", "BEGIN SOLUTION"):
            assert marker not in text, (path, marker)
        assert not {"credit", "feedback", "best", "options"} & set(keys(nb)), path
        for cell in nb["cells"]:
            assert not cell.get("outputs")
            grade_id = cell["metadata"]["nbgrader"]["grade_id"]
            if grade_id.startswith("answer-"):
                assert "".join(cell["source"]) == answer_line(grade_id[7:]) + "\n"
            meta = cell["metadata"]
            assert set(meta) <= {"nbgrader", "clientcraft", "deletable", "editable"}
            assert set(meta.get("clientcraft", {})) <= {"scenario", "question"}


def test_feedback_shows_the_choice_and_never_an_unchosen_best(graded):
    course, bank, cohorts = graded
    for name, cohort in cohorts.items():
        scenarios = {q: bank.scenario(s) for q, (s, _) in questions(course, name).items()}
        for student, answers in cohort.items():
            html = (course / "feedback" / student / name / f"{name}.html").read_text(
                encoding="utf-8"
            )
            text = squeeze(BeautifulSoup(html, "html.parser").get_text(" "))
            for marker in (
                "Traceback",
                "CLIENTCRAFT_KEY",
                "HIDDEN TESTS",
                "_credit",
                "The best option",
            ):
                assert marker not in text, (student, marker)
            chosen_of = {
                q: s.option(letter)
                if (letter := literal_letter(answers.get(q, "None"))) in s.keys
                else None
                for q, s in scenarios.items()
            }
            for q, scenario in scenarios.items():
                chosen = chosen_of[q]
                for option in scenario.options:
                    shown = squeeze(option.feedback) in text
                    assert shown == (option is chosen), (student, q, option.key)
                # The best option's text shows once in every question that offers it (slot-mates
                # share their options; Markdown rendered) and once more in the feedback of every
                # question where it was chosen (plain text, Markdown marks and all).
                best = scenario.best.text
                rendered = squeeze(BeautifulSoup(markdown_html(best), "html.parser").get_text(" "))
                raw = squeeze(best)
                seen = text.count(rendered) + (text.count(raw) if raw != rendered else 0)
                offered = sum(any(o.text == best for o in s.options) for s in scenarios.values())
                picked = sum(c is not None and c.text == best for c in chosen_of.values())
                assert seen == offered + picked, (student, q)
                if chosen:
                    points = f"{chosen.credit:g} of 1 point."
                    assert f"{q}: you chose {chosen.key}. {squeeze(chosen.text)}" in text
                    assert f"{squeeze(chosen.feedback)} {points}" in text
                else:
                    assert f"{q}: " in text and "0 of 1 point." in text


def test_reveal_best_in_the_config_names_the_best_option(graded):
    """``c.GradeChoices.reveal_best = True`` in nbgrader_config.py reaches the grader."""
    course, bank, cohorts = graded
    config = course / "nbgrader_config.py"
    original = config.read_text(encoding="utf-8")
    scenario = bank.scenario(questions(course, "quiz-trust")["q01"][0])
    student = next(
        s
        for s, answers in cohorts["quiz-trust"].items()
        if literal_letter(answers.get("q01", "None")) != scenario.best.key
    )
    try:
        config.write_text(
            original.replace("reveal_best = False", "reveal_best = True"), encoding="utf-8"
        )
        for step in ("autograde", "generate_feedback"):
            run_nbgrader(course, step, "quiz-trust", f"--student={student}", "--force")
    finally:
        config.write_text(original, encoding="utf-8")
    html = (course / "feedback" / student / "quiz-trust" / "quiz-trust.html").read_text(
        encoding="utf-8"
    )
    text = squeeze(BeautifulSoup(html, "html.parser").get_text(" "))
    assert f"The best option was {scenario.best.key}. {squeeze(scenario.best.text)}" in text
    run_nbgrader(course, "autograde", "quiz-trust", f"--student={student}", "--force")
    run_nbgrader(course, "generate_feedback", "quiz-trust", f"--student={student}", "--force")


def digest(course: Path) -> dict[str, str]:
    """sha256 of every file of learners' work and the gradebook."""
    files = [course / "gradebook.db"] + [
        p
        for d in ("submitted", "autograded", "feedback")
        for p in sorted((course / d).rglob("*"))
        if p.is_file()
    ]
    return {str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_rerunning_on_the_course_in_use_touches_no_learner_work(graded):
    course, bank, _ = graded
    bank_dir = bank.root
    before = digest(course)
    assert len(before) > 100
    sources = {p: p.read_bytes() for p in (course / "source").rglob("*.ipynb")}
    run_clientcraft("nbgrader-course", str(course), "--bank", str(bank_dir), cwd=course.parent)
    assert digest(course) == before
    assert {p: p.read_bytes() for p in sources} == sources

    trust = bank_dir / "trust.yml"
    text = trust.read_text(encoding="utf-8")
    scenario = bank.pool("assessment", "trust")[0]
    trust.write_text(
        text.replace(scenario.best.text, scenario.best.text + " Today."), encoding="utf-8"
    )
    refused = run_clientcraft(
        "nbgrader-course", str(course), "--bank", str(bank_dir), cwd=course.parent, check=False
    )
    assert refused.returncode == 1
    assert "assignment 'quiz-trust' is already released" in refused.stderr
    assert "assignment 'final' is already released" in refused.stderr
    assert "Pass --force" in refused.stderr
    assert digest(course) == before and {p: p.read_bytes() for p in sources} == sources

    run_clientcraft(
        "nbgrader-course", str(course), "--bank", str(bank_dir), "--force", cwd=course.parent
    )
    assert digest(course) == before
    quiz = course / "source" / "quiz-trust" / "quiz-trust.ipynb"
    assert "Today." in quiz.read_text(encoding="utf-8")
    assert (course / "clientcraft-backup").is_dir()


def test_the_gradebook_alone_marks_an_assignment_released(graded, tmp_path):
    """With release/ and learners' folders gone, the gradebook (opened read-only) still counts."""
    course, bank, _ = graded
    copy = tmp_path / "course"
    shutil.copytree(course / "source", copy / "source")
    shutil.copy2(course / "gradebook.db", copy / "gradebook.db")
    shutil.copy2(course / "nbgrader_config.py", copy / "nbgrader_config.py")
    before = hashlib.sha256((copy / "gradebook.db").read_bytes()).hexdigest()
    changed = tmp_path / "exercises"
    shutil.copytree(bank.root, changed)
    trust = changed / "trust.yml"
    scenario = bank.pool("assessment", "trust")[0]
    trust.write_text(
        trust.read_text(encoding="utf-8").replace(scenario.question, scenario.question + " Now?"),
        encoding="utf-8",
    )
    with pytest.raises(ClientcraftError) as refused:
        update_course(copy, load_bank(changed))
    assert "'quiz-trust' is already released (the gradebook has it" in str(refused.value)
    assert hashlib.sha256((copy / "gradebook.db").read_bytes()).hexdigest() == before
    assert not (copy / "release").exists()
