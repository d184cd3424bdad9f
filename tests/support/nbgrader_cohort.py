"""Simulate a cohort through nbgrader's real command line, for the end-to-end, tamper and report tests.

A helper module, not a test module: it drives the installed ``clientcraft`` and ``nbgrader``
commands (subprocesses, cwd = the course, ``HOME`` pointed at a throw-away folder so no stray
nbgrader config applies) and lays out submissions the way ``nbgrader collect`` does.

Typical use::

    course = make_course(tmp_path, bank_dir)                  # clientcraft nbgrader-course
    release(course, "quiz-trust")                             # nbgrader generate_assignment
    answers = simulate_cohort(course, "quiz-trust", 30, seed=1)   # adds students, submits
    run_nbgrader(course, "autograde", "quiz-trust")
    run_nbgrader(course, "export")
    assert exported_scores(course, "quiz-trust") == expected_scores(course, bank, "quiz-trust", answers)

Answers are ``{question: answer_literal}``: the text after ``qNN = `` in the answer cell (``'"B"'``,
``'None'``, ``'open("key")'``...). :func:`expected_scores` scores them from the bank alone.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from clientcraft.bank import Bank
from tests.support.paths import REPO, point_seeds_at_fixtures

BIN = Path(sys.executable).parent
NBGRADER = BIN / "nbgrader"
CLIENTCRAFT = BIN / "clientcraft"
TIMESTAMP = "2026-01-15 10:00:00.000000 UTC"

Answers = Mapping[str, str]

# Answer literals that are never a valid choice, whatever the question (code, objects, calls...).
INVALID = (
    "None",
    '"Z"',
    '""',
    "1",
    '["A"]',
    '"A" if True else "B"',
    'open("gradebook.db").read()',
    '__import__("os").system("true")',
    'type("AlwaysEqual", (), {"__eq__": lambda s, o: True})()',
    '"A"; q99 = "B"',
    'str("A")',
    'f"A"',
)


def clean_env(home: Path) -> dict[str, str]:
    """The environment for nbgrader: our venv first on PATH and an empty HOME (no user config)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    env.update(
        HOME=str(home), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONDONTWRITEBYTECODE="1"
    )
    return env


def _home(course: Path) -> Path:
    return course.parent / f".{course.name}-home"


def _run(
    command: Path, args: tuple[str, ...], cwd: Path, home: Path, timeout: int, check: bool
) -> subprocess.CompletedProcess[str]:
    """``command <args>`` in ``cwd`` with a clean environment; raises with the output's tail on
    failure when ``check``."""
    proc = subprocess.run(
        [str(command), *args],
        cwd=cwd,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{command.name} {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def run_nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``nbgrader <args>`` with the course as cwd and a clean environment."""
    return _run(NBGRADER, args, course, _home(course), 1800, check)


def autograde_in_parallel(course: Path, assignment: str, student_globs: list[str]) -> None:
    """``nbgrader autograde`` as the instructor guide suggests for large cohorts: one process per
    glob of student ids, all at once, on the one gradebook; raises with a failed process's log."""
    logs = [course.parent / f"{course.name}-autograde-{i}.log" for i in range(len(student_globs))]
    procs = []
    for glob, log in zip(student_globs, logs, strict=False):
        with log.open("w", encoding="utf-8") as out:
            procs.append(
                subprocess.Popen(
                    [str(NBGRADER), "autograde", assignment, f"--student={glob}"],
                    cwd=course,
                    env=clean_env(_home(course)),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    codes = [proc.wait(timeout=1800) for proc in procs]
    for code, log in zip(codes, logs, strict=False):
        if code != 0:
            raise AssertionError(f"parallel autograde failed ({code}):\n{log.read_text()[-6000:]}")


def run_clientcraft(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``clientcraft <args>`` as an instructor would run it."""
    return _run(CLIENTCRAFT, args, cwd, cwd / ".home", 600, check)


def copy_bank(dest: Path) -> Path:
    """A writable copy of the shipped bank at ``dest`` (seed files checked against the fixture
    articles), for a course whose bank a test changes (as ``bank_copy`` in conftest, usable at any
    fixture scope)."""
    shutil.copytree(REPO / "exercises", dest, ignore=shutil.ignore_patterns("README.md"))
    point_seeds_at_fixtures(dest / "sources.yml")
    return dest


def make_course(tmp: Path, bank_dir: Path, name: str = "course", variants: bool = True) -> Path:
    """A fresh nbgrader course at ``tmp/name`` made by ``clientcraft nbgrader-course``: with
    per-learner variants (the default for new courses), or set to the fixed form in its
    ``nbgrader_config.py`` beforehand, as an instructor would (``variants=False``)."""
    course = tmp / name
    if not variants:
        from clientcraft.render.nbgrader import config_text

        course.mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(
            config_text().replace("c.Variants.enabled = True", "c.Variants.enabled = False"),
            encoding="utf-8",
        )
    run_clientcraft(
        "nbgrader-course", str(course), "--bank", str(Path(bank_dir).resolve()), cwd=tmp
    )
    return course


def release(course: Path, assignment: str) -> Path:
    """Run ``nbgrader generate_assignment`` (once) and return the released notebook."""
    released = course / "release" / assignment / f"{assignment}.ipynb"
    if not released.exists():
        run_nbgrader(course, "generate_assignment", assignment)
    return released


def add_students(course: Path, students: list[str]) -> None:
    """Register students in the gradebook in one ``nbgrader db student import``."""
    roster = course.parent / f".{course.name}-students.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for student in students:
            writer.writerow([student, "Learner", student, f"{student}@example.org"])
    run_nbgrader(course, "db", "student", "import", str(roster))


def learner_questions(course: Path, assignment: str, student: str) -> dict[str, tuple[str, str]]:
    """``{question: (scenario id, valid letters)}`` of one learner: their own variant in a course
    with variants (read with ``clientcraft.course.learner_keys``), else the released notebook's."""
    from clientcraft.course import learner_keys
    from clientcraft.grading import PoolKey, read_key

    source = course / "source" / assignment / f"{assignment}.ipynb"
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    if not any(isinstance(read_key("".join(c["source"])), PoolKey) for c in cells):
        return questions(course, assignment)
    return {
        key.question: (key.scenario, "".join(o.key for o in key.options))
        for key in learner_keys(course, assignment, student)
    }


def bank_keys(course: Path, assignment: str, student: str) -> dict[str, dict[str, str]]:
    """``{question: {learner's letter: the option's key in the bank}}`` of one learner."""
    from clientcraft.course import learner_keys

    return {
        key.question: {o.key: o.canonical for o in key.options}
        for key in learner_keys(course, assignment, student)
    }


def questions(course: Path, assignment: str) -> dict[str, tuple[str, str]]:
    """``{question: (scenario id, valid letters)}`` read from the released notebook's metadata (a
    course in the fixed form)."""
    nb = json.loads(release(course, assignment).read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str]] = {}
    for cell in nb["cells"]:
        tag = cell["metadata"].get("clientcraft")
        if tag and cell["metadata"]["nbgrader"]["grade_id"] == tag["question"]:
            found[tag["question"]] = (tag["scenario"], "")
    check = next(c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade_id"] == "check-answers")
    source = "".join(check["source"])
    letters = ast.literal_eval(source[source.index("{") : source.index("}") + 1])
    return {q: (scenario, letters[q]) for q, (scenario, _) in found.items()}


def submission_path(course: Path, student: str, assignment: str) -> Path:
    return course / "submitted" / student / assignment / f"{assignment}.ipynb"


def submit(
    course: Path, student: str, assignment: str, answers: Answers, timestamp: str = TIMESTAMP
) -> Path:
    """Lay out one learner's submission as ``nbgrader collect`` does: the released notebook with each
    answer cell set to ``qNN = <literal>`` (questions left out stay as released), plus timestamp.txt."""
    nb = json.loads(release(course, assignment).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        question = grade_id.removeprefix("answer-")
        if grade_id.startswith("answer-") and question in answers:
            cell["source"] = f"{question} = {answers[question]}"
    path = submission_path(course, student, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (path.parent / "timestamp.txt").write_text(timestamp, encoding="utf-8")
    return path


def random_answers(rng: random.Random, letters_by_question: Mapping[str, str]) -> dict[str, str]:
    """One learner: mostly valid letters (any case, stray spaces), some blanks, some invalid."""
    style = rng.random()
    answers: dict[str, str] = {}
    for question, letters in letters_by_question.items():
        roll = rng.random()
        if style < 0.08:  # handed in without answering
            continue
        if roll < 0.72:
            letter = rng.choice(letters)
            answers[question] = json.dumps(
                rng.choice([letter, letter.lower(), f" {letter} ", f"{letter.lower()}  "])
            )
        elif roll < 0.85:
            continue  # left blank (None as released)
        else:
            answers[question] = rng.choice(INVALID)
    return answers


def simulate_cohort(
    course: Path, assignment: str, n: int, seed: int, prefix: str = "learner"
) -> dict[str, dict[str, str]]:
    """Release ``assignment`` if needed, register ``n`` learners and submit seeded random answers for
    each (valid, blank, partial and invalid). Returns ``{student: {question: answer_literal}}``."""
    rng = random.Random(seed)
    release(course, assignment)
    students = [f"{prefix}{i:03d}" for i in range(1, n + 1)]
    add_students(course, students)
    cohort = {}
    for student in students:
        own = learner_questions(course, assignment, student)
        cohort[student] = random_answers(rng, {q: valid for q, (_, valid) in own.items()})
        submit(course, student, assignment, cohort[student])
    return cohort


def literal_letter(literal: str) -> str | None:
    """The letter an answer literal names if it is a plain string literal, else None (independent of
    clientcraft.grading: it evaluates the literal, the grader inspects the syntax tree)."""
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return None
    return value.strip().upper() if isinstance(value, str) else None


def expected_scores(
    course: Path, bank: Bank, assignment: str, cohort: Mapping[str, Answers]
) -> dict[str, float]:
    """Each learner's score from the bank's credits: the sum of the credits of the options chosen,
    each letter read in the learner's own variant (:func:`bank_keys`)."""
    scores = {}
    for student, answers in cohort.items():
        own = learner_questions(course, assignment, student)
        keys = bank_keys(course, assignment, student)
        total = 0.0
        for question, literal in answers.items():
            letter = literal_letter(literal)
            scenario = bank.scenario(own[question][0])
            if letter in keys[question]:
                total += scenario.option(keys[question][letter]).credit
        scores[student] = round(total, 4)
    return scores


def exported_scores(course: Path, assignment: str) -> dict[str, float]:
    """Scores per student of ``assignment`` from ``nbgrader export``'s grades.csv."""
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        return {
            row["student_id"]: round(float(row["score"]), 4)
            for row in csv.DictReader(handle)
            if row["assignment"] == assignment and row["timestamp"]
        }
