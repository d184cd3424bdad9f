"""Render the graded assessments: nbgrader source notebooks and ``nbgrader_config.py``.

One quiz per topic (``quiz-<topic-id>``, that topic's whole assessment pool) and a ``final``
with a balanced selection of every topic's items (:mod:`clientcraft.render.selection`), plus the text of an
``nbgrader_config.py`` that grades them with :class:`clientcraft.grading.GradeChoices` instead of
running learner code. Everything here is a pure, byte-stable function of the bank; deciding what to
write into a course folder (released? edited by hand? back up first) is :mod:`clientcraft.course`'s
job.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from clientcraft.bank import Bank, Scenario
from clientcraft.grading import (
    AnswerKey,
    KeyOption,
    answer_line,
    checker_call,
    checker_source,
    key_source,
)
from clientcraft.naming import (
    ANSWER_CHECKER_CELL,
    CHECK_CELL,
    FINAL,
    INSTRUCTIONS_CELL,
    METADATA_KEY,
    answer_grade_id,
    cell_id,
    question_grade_id,
    question_name,
    quiz_name,
)
from clientcraft.render.selection import final_items

POINTS = 1
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CONFIG_MARKER = "# clientcraft-generated sha256:"

SETTINGS = (
    (
        "# Grade the multiple-choice answers from the answer key without running learner code:\n"
        "# GradeChoices takes the place of nbgrader's Execute step; the stock list's closing\n"
        "# CheckCellMetadata is left out too (see below; GradeChoices changes no metadata).\n"
        "# SaveGradesOnce is nbgrader's SaveAutoGrades with one gradebook load and commit per\n"
        "# notebook instead of a query and a commit per cell (same scores and comments). The *Once\n"
        "# steps here and below share one gradebook connection per run instead of opening one each.",
        "c.Autograde.autograde_preprocessors = [\n"
        '    "clientcraft.grading.GradeChoices",\n'
        '    "nbgrader.preprocessors.IgnorePattern",\n'
        '    "nbconvert.preprocessors.ClearMetadataPreprocessor",\n'
        '    "nbgrader.preprocessors.LimitOutput",\n'
        '    "clientcraft.gradebook_writes.SaveGradesOnce",\n'
        '    "clientcraft.gradebook_writes.AssignLatePenaltiesOnce",\n'
        "]",
    ),
    (
        "# Sanitizing as stock nbgrader does, but without CheckCellMetadata: in nbgrader 0.9 one\n"
        "# learner's duplicated or outdated cell metadata makes it abort the whole autograde run (every\n"
        "# learner after them stays ungraded). The grade ids and points GradeChoices relies on are\n"
        "# restored from the gradebook by OverwriteCellsOnce (nbgrader's OverwriteCells, reading the\n"
        "# notebook's cells from the gradebook once); other bad metadata fails that learner alone.",
        "c.Autograde.sanitize_preprocessors = [\n"
        '    "nbgrader.preprocessors.ClearOutput",\n'
        '    "nbgrader.preprocessors.DeduplicateIds",\n'
        '    "clientcraft.gradebook_writes.OverwriteKernelspecOnce",\n'
        '    "clientcraft.gradebook_writes.OverwriteCellsOnce",\n'
        "]",
    ),
    (
        "# Answer cells hold an empty solution region, so learners receive `q01 = None  # ...` alone.",
        'c.ClearSolutions.code_stub = {"python": ""}',
    ),
    (
        "# True: feedback also names the best option of each question (then rerun autograde with\n"
        "# --force). Keep False to reuse the assessment with the next cohort.",
        "c.GradeChoices.reveal_best = False",
    ),
    (
        '# The feedback page names each question ("Question 1") where nbgrader says "Test cell".',
        'c.GenerateFeedback.exporter_class = "clientcraft.feedback.FeedbackExporter"',
    ),
    (
        "# Check each notebook against the notebook format once, after all the steps above, rather\n"
        "# than after every step (nbconvert's own setting; a broken notebook still fails).",
        "c.Exporter.optimistic_validation = True",
    ),
)

# Settings a course works without (a choice, or speed only): never reported as missing.
OPTIONAL_SETTINGS = ("c.GradeChoices.", "c.Exporter.", "c.GenerateFeedback.")

# Our gradebook steps and the stock nbgrader steps they replace with identical results.
SAME_AS_STOCK = {
    "clientcraft.gradebook_writes.SaveGradesOnce": "nbgrader.preprocessors.SaveAutoGrades",
    "clientcraft.gradebook_writes.OverwriteCellsOnce": "nbgrader.preprocessors.OverwriteCells",
    "clientcraft.gradebook_writes.OverwriteKernelspecOnce": "nbgrader.preprocessors.OverwriteKernelspec",
    "clientcraft.gradebook_writes.AssignLatePenaltiesOnce": "nbgrader.preprocessors.AssignLatePenalties",
}


def course_assignments(bank: Bank) -> dict[str, tuple[Scenario, ...]]:
    """Every assignment and its scenarios in question order: ``quiz-<topic>`` for each topic with
    assessment scenarios (course order), then ``final``."""
    quizzes = {quiz_name(t.id): bank.pool("assessment", t.id) for t in bank.topics}
    result = {name: pool for name, pool in quizzes.items() if pool}
    final = tuple(s for pool in result.values() for s in final_items(pool))
    if final:
        result[FINAL] = final
    return result


def answer_key(scenario: Scenario, name: str) -> AnswerKey:
    """The instructor-only key of one question (credit and feedback of each option)."""
    return AnswerKey(
        name,
        answer_grade_id(name),
        scenario.id,
        tuple(KeyOption(o.key, o.text, o.credit, o.feedback) for o in scenario.options),
    )


def _meta(
    grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = POINTS
    return meta


def _cell(
    kind: str, cell_id: str, source: str, nbgrader: dict, question: dict | None = None
) -> NotebookNode:
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source, id=cell_id)
    cell.metadata = {"nbgrader": nbgrader}
    if question:
        cell.metadata[METADATA_KEY] = question
    if nbgrader.get("locked"):
        cell.metadata.update({"deletable": False, "editable": False})
    return cell


def _header(title: str, scenarios: tuple[Scenario, ...]) -> str:
    count = len(scenarios)
    partial = any(0 < o.credit < 1 for s in scenarios for o in s.options)
    return f"""# {title}

{count} question{"s" if count != 1 else ""}, {POINTS} point each. Each describes a client situation
and offers lettered options; {"some options earn part of the point" if partial else "the best option earns the point"}.

**How to answer:** in the code cell under each question, replace `None` with the letter of the
option you choose, in quotes, for example `q01 = "B"`. Write nothing else in that cell: anything
but a single letter in quotes scores 0. Then click **Validate** (or run every cell): it lists every
answer that is missing or not a valid letter, and never tells you whether an answer is right.
Save, and submit."""


def _question_text(bank: Bank, scenario: Scenario, number: int, with_topic: bool) -> str:
    topic = f" · {bank.topic(scenario.topic).title}" if with_topic else ""
    options = "\n".join(f"- **{o.key}.** {o.text}" for o in scenario.options)
    return (
        f"## Question {number}{topic}\n\n"
        f"*Source: {bank.citation(scenario.source)}.*\n\n"
        f"{scenario.situation.strip()}\n\n**{scenario.question.strip()}**\n\n{options}"
    )


def _check_source(valid: dict[str, str]) -> str:
    table = json.dumps(valid, indent=4)
    return f"""# Run this cell to check that every answer is a valid letter. It does not say whether any is right.
VALID_LETTERS = {table}
_problems = []
for _name, _letters in VALID_LETTERS.items():
    _value = globals().get(_name)
    if _value is None:
        _problems.append(f"{{_name}}: no answer yet (still None)")
    elif not isinstance(_value, str) or _value.strip().upper() not in _letters:
        _problems.append(f"{{_name}}: {{_value!r}} is not one of {{', '.join(_letters)}}")
print("\\n".join(_problems) or "Every question has a valid letter. Save and submit.")
print('Write each answer as a plain letter in quotes, e.g. q01 = "B"; anything else scores 0.')"""


def assessment_notebook(bank: Bank, name: str, scenarios: tuple[Scenario, ...]) -> NotebookNode:
    """The instructor's source notebook of one assignment, with the answer keys in hidden tests."""
    title = "Final assessment" if name == FINAL else f"Quiz: {bank.topic(scenarios[0].topic).title}"
    cells = [
        _cell(
            "markdown",
            INSTRUCTIONS_CELL,
            _header(title, scenarios),
            _meta(INSTRUCTIONS_CELL, locked=True),
        ),
        _cell(
            "code",
            ANSWER_CHECKER_CELL,
            checker_source(),
            _meta(ANSWER_CHECKER_CELL, locked=True),
        ),
    ]
    valid: dict[str, str] = {}
    for number, scenario in enumerate(scenarios, start=1):
        q = question_name(number)
        tag = {"scenario": scenario.id, "question": q}
        valid[q] = "".join(scenario.keys)
        visible = checker_call(q, scenario.keys)
        cells += [
            _cell(
                "markdown",
                cell_id(q, "question"),
                _question_text(bank, scenario, number, name == FINAL),
                _meta(question_grade_id(q), locked=True),
                tag,
            ),
            _cell(
                "code",
                cell_id(q, "answer"),
                f"{answer_line(q)}\n### BEGIN SOLUTION\n### END SOLUTION",
                _meta(answer_grade_id(q), solution=True),
                tag,
            ),
            _cell(
                "code",
                cell_id(q, "test"),
                key_source(answer_key(scenario, q), visible),
                _meta(q, grade=True, locked=True),
                tag,
            ),
        ]
    cells.append(_cell("code", CHECK_CELL, _check_source(valid), _meta(CHECK_CELL, locked=True)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        METADATA_KEY: {
            "assignment": name,
            "cells_sha256": cells_hash(cells),
            "generated_by": "clientcraft nbgrader-course",
        },
    }
    return nb


def cells_hash(cells: list[Any]) -> str:
    """A hash of a notebook's cells, stored in its metadata to tell later whether it was edited."""
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def notebook_bytes(nb: NotebookNode) -> bytes:
    """A notebook as the bytes written to disk (stable for an unchanged notebook)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def course_id_setting(course_id: str) -> tuple[str, str]:
    """The setting that names the course in nbgrader's exchange (``--course-id``)."""
    return (
        "# The course's name in nbgrader's exchange: learners' servers need the same value (see\n"
        "# 'Running a cohort' in the README).",
        f"c.CourseDirectory.course_id = {course_id!r}",
    )


def config_settings(course_id: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every setting of the generated config: :data:`SETTINGS`, and the course id when given."""
    return SETTINGS + ((course_id_setting(course_id),) if course_id else ())


def config_text(course_id: str | None = None) -> str:
    """The generated ``nbgrader_config.py``; its last line is a hash of the rest, so a later run can
    tell whether an instructor edited it."""
    body = (
        "# Generated by `clientcraft nbgrader-course`. Edit freely: once edited, clientcraft never\n"
        "# rewrites this file (it tells you what to add instead).\n"
        "c = get_config()  # noqa: F821 (provided by nbgrader)\n\n"
        + "".join(f"{comment}\n{code}\n" for comment, code in config_settings(course_id))
    )
    return f"{body}{CONFIG_MARKER} {hashlib.sha256(body.encode()).hexdigest()}\n"
