"""Render the graded assessments: nbgrader source notebooks and ``nbgrader_config.py``.

One quiz per topic (``quiz-<topic-id>``, that topic's whole assessment pool) and a ``final``
with a balanced selection of every topic's items (:mod:`clientcraft.render.selection`), as a fixed
form or with per-learner variants (:func:`variant_notebook`, one question per slot, see
:mod:`clientcraft.variants`), plus the text of an
``nbgrader_config.py`` that grades them with :class:`clientcraft.grading.GradeChoices` instead of
running learner code. Everything here is a pure, byte-stable function of the bank; deciding what to
write into a course folder (released? edited by hand? back up first) is :mod:`clientcraft.course`'s
job.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from clientcraft.bank import Bank, Scenario
from clientcraft.grading import (
    AnswerKey,
    KeyOption,
    PoolItem,
    PoolKey,
    answer_line,
    checker_call,
    checker_source,
    key_source,
)
from clientcraft.naming import (
    ANSWER_CHECKER_CELL,
    CHECK_CELL,
    CHECKS_HEADING_CELL,
    FINAL,
    INSTRUCTIONS_CELL,
    METADATA_KEY,
    SHOW_CELL,
    answer_grade_id,
    cell_id,
    question_grade_id,
    question_name,
    quiz_name,
)
from clientcraft.render.selection import final_items
from clientcraft.variants import KERNEL_FUNCTIONS, METHOD, Question

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
        "# Per-learner variants (courses made by clientcraft from this version on): each learner\n"
        "# draws one item per slot and sees the options in their own order, chosen from their\n"
        "# nbgrader student id. False: every learner gets the same fixed form. Change it before\n"
        "# releasing, then run `clientcraft nbgrader-course` again.",
        "c.Variants.enabled = True",
    ),
    (
        "# Check each notebook against the notebook format once, after all the steps above, rather\n"
        "# than after every step (nbconvert's own setting; a broken notebook still fails).",
        "c.Exporter.optimistic_validation = True",
    ),
)

# Settings a course works without (a choice, or speed only): never reported as missing.
OPTIONAL_SETTINGS = ("c.GradeChoices.", "c.Exporter.", "c.GenerateFeedback.", "c.Variants.")

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
) -> dict[str, Any]:
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
    kind: str,
    cell_id: str,
    source: str,
    nbgrader: dict[str, Any],
    question: dict[str, str] | None = None,
) -> NotebookNode:
    if kind == "markdown":
        cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
    else:
        cell = nbformat.v4.new_code_cell(source, id=cell_id)
    cell.metadata = {"nbgrader": nbgrader}
    if question:
        cell.metadata[METADATA_KEY] = question
    if nbgrader.get("locked"):
        cell.metadata.update({"deletable": False, "editable": False})
    return cell


def _answer_cell(question: str, tag: dict[str, str]) -> NotebookNode:
    """The cell where the learner writes ``qNN = "B"`` (its solution region stays empty)."""
    return _cell(
        "code",
        cell_id(question, "answer"),
        f"{answer_line(question)}\n### BEGIN SOLUTION\n### END SOLUTION",
        _meta(answer_grade_id(question), solution=True),
        tag,
    )


def _locked(kind: str, cell: str, source: str) -> NotebookNode:
    """A read-only cell whose grade id is its cell id: instructions, checker, checks."""
    return _cell(kind, cell, source, _meta(cell, locked=True))


def _assignment_title(bank: Bank, name: str, topic: str) -> str:
    return "Final assessment" if name == FINAL else f"Quiz: {bank.topic(topic).title}"


def _header(title: str, scenarios: tuple[Scenario, ...], count: int | None = None) -> str:
    """The instructions; ``count`` questions (default: one per scenario), partial credit
    mentioned only when one of ``scenarios`` gives it."""
    count = len(scenarios) if count is None else count
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
    title = _assignment_title(bank, name, scenarios[0].topic)
    cells = [
        _locked("markdown", INSTRUCTIONS_CELL, _header(title, scenarios)),
        _locked("code", ANSWER_CHECKER_CELL, checker_source()),
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
            _answer_cell(q, tag),
            _cell(
                "code",
                cell_id(q, "test"),
                key_source(answer_key(scenario, q), visible),
                _meta(q, grade=True, locked=True),
                tag,
            ),
        ]
    cells.append(_locked("code", CHECK_CELL, _check_source(valid)))
    return _notebook(name, cells)


def _notebook(name: str, cells: list[NotebookNode]) -> NotebookNode:
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


# --------------------------------------------------------------------------------------------
# Per-learner variants
# --------------------------------------------------------------------------------------------

NO_STUDENT_ID = (
    "**Your questions cannot be shown here.** Each learner gets their own questions, chosen by "
    "their student id, and this notebook finds that id only on the course's JupyterHub (your hub "
    "user name). Open the assignment there (fetch it in the *Assignments* tab, then open it). If "
    "you received this file another way, ask your instructor for your questions; do not answer "
    "someone else's."
)


def _source_line(bank: Bank, scenario: Scenario) -> str:
    article = bank.article(scenario.source.article)
    return (
        f"Source: {article.english_title} ({article.language} article), section "
        f"\u201c{scenario.source.section}\u201d."
    )


def _title(bank: Bank, name: str, question: Question, number: int) -> str:
    topic = f" · {bank.topic(question.slot.topic).title}" if name == FINAL else ""
    return f"Question {number}{topic}"


def pool_key(bank: Bank, name: str, question: Question, number: int, seed: str) -> PoolKey:
    """The instructor-only key of one variant question: every item of its slot, fully keyed."""
    return PoolKey(
        question.name,
        answer_grade_id(question.name),
        _title(bank, name, question, number),
        seed,
        name,
        question.slot.name,
        question.avoid,
        tuple(
            PoolItem(
                s.id,
                _source_line(bank, s),
                s.situation.strip(),
                s.question.strip(),
                tuple(KeyOption(o.key, o.text, o.credit, o.feedback) for o in s.options),
            )
            for s in question.slot.scenarios
        ),
    )


def _public(keys: list[PoolKey]) -> dict[str, Any]:
    """What the learner's notebook needs to show any learner's questions: the draw's parameters
    and the items' texts, never a credit or a feedback."""
    return {
        "method": METHOD,
        "seed": keys[0].seed,
        "assignment": keys[0].assignment,
        "questions": [
            {
                "question": k.question,
                "title": k.title,
                "slot": k.slot,
                "avoid": k.avoid,
                "items": [
                    {
                        "scenario": i.scenario,
                        "source": i.source,
                        "situation": i.situation,
                        "question": i.question,
                        "options": [[o.key, o.text] for o in i.options],
                    }
                    for i in k.items
                ],
            }
            for k in keys
        ],
    }


SHOW_CODE = """
def _your_questions(quiz, student):
    questions = {}
    for q in quiz["questions"]:
        items = {item["scenario"]: item for item in q["items"]}
        scenario = draw(quiz["seed"], quiz["assignment"], student, q["slot"], list(items), q["avoid"])
        item = items[scenario]
        keys = [key for key, _ in item["options"]]
        order = option_order(quiz["seed"], quiz["assignment"], student, scenario, keys)
        texts = dict(item["options"])
        questions[q["question"]] = (
            question_markdown(
                q["title"], item["source"], item["situation"], item["question"],
                [texts[key] for key in order],
            ),
            "".join(chr(ord("A") + i) for i in range(len(order))),
        )
    return questions


STUDENT = os.environ.get("JUPYTERHUB_USER", "").strip()
YOUR_QUESTIONS = _your_questions(QUIZ, STUDENT) if STUDENT else {}
VALID_LETTERS = {name: letters for name, (_, letters) in YOUR_QUESTIONS.items()}


def show_question(name):
    display(Markdown(YOUR_QUESTIONS[name][0] if STUDENT else NO_STUDENT_ID))


display(Markdown(
    f"Questions of **{STUDENT}**: each question appears under its heading below."
    if STUDENT else NO_STUDENT_ID
))
"""


def _show_source(keys: list[PoolKey]) -> str:
    """The learner's first cell: the draw's own code (:data:`KERNEL_FUNCTIONS`), the items' texts,
    and the student id as JupyterHub gives it, nbgrader's student id on a hub."""
    functions = "\n\n".join(inspect.getsource(f) for f in KERNEL_FUNCTIONS)
    public = _public(keys)
    # One line per question: notebook files store a cell's source line by line, and every line is
    # one more node nbgrader copies and encodes for each submission.
    questions = ",\n".join(json.dumps(q, ensure_ascii=False) for q in public.pop("questions"))
    data = json.dumps(public, ensure_ascii=False)[:-1] + f', "questions": [\n{questions}\n]}}'
    return (
        "# Run this cell first (or Run > Run All Cells): it shows your own questions below.\n"
        "# Each learner gets their own items and option order, chosen from their student id.\n"
        "# Editing this cell changes only what you see here, never how your answers are graded.\n"
        "import hashlib\nimport os\n\nfrom IPython.display import Markdown, display\n\n"
        f"{functions}\n\nNO_STUDENT_ID = {json.dumps(NO_STUDENT_ID, ensure_ascii=False)}\n"
        f"QUIZ = {data}\n\n{SHOW_CODE.strip()}"
    )


VARIANT_CHECK = """# Run this cell to check that every answer is a valid letter. It does not say whether any is right.
_problems = []
for _name, _letters in globals().get("VALID_LETTERS", {}).items():
    _value = globals().get(_name)
    if _value is None:
        _problems.append(f"{_name}: no answer yet (still None)")
    elif not isinstance(_value, str) or _value.strip().upper() not in _letters:
        _problems.append(f"{_name}: {_value!r} is not one of {', '.join(_letters)}")
if not globals().get("VALID_LETTERS"):
    print("Your questions are not shown yet: run the notebook's first cell, then this one.")
else:
    print("\\n".join(_problems) or "Every question has a valid letter. Save and submit.")
print('Write each answer as a plain letter in quotes, e.g. q01 = "B"; anything else scores 0.')"""


def _variant_header(title: str, questions: tuple[Question, ...]) -> str:
    items = tuple(s for q in questions for s in q.slot.scenarios)
    return (
        _header(title, items, len(questions))
        + """

**Your own questions:** every learner gets their own version of this assessment (other situations,
the options in another order), so letters from a colleague's notebook mean nothing in yours. Run
the notebook's first cell, or *Run > Run All Cells*, to show your questions."""
    )


def variant_notebook(
    bank: Bank, name: str, questions: tuple[Question, ...], seed: str
) -> NotebookNode:
    """The instructor's source notebook of an assignment with per-learner variants: the learners'
    first cell shows each learner their own questions; each test cell holds its slot's full key."""
    title = _assignment_title(bank, name, questions[0].slot.topic)
    keys = [pool_key(bank, name, q, n, seed) for n, q in enumerate(questions, start=1)]
    show = _locked("code", SHOW_CELL, _show_source(keys))
    show.metadata["jupyter"] = {"source_hidden": True}
    cells = [
        _locked("markdown", INSTRUCTIONS_CELL, _variant_header(title, questions)),
        show,
        _locked("code", ANSWER_CHECKER_CELL, checker_source()),
    ]
    # The checks come after every question: Run All shows all of a learner's questions (each is a
    # code cell here) before the first check of a blank answer stops it.
    tests: list[NotebookNode] = []
    for question, key in zip(questions, keys, strict=True):
        q = question.name
        tag = {"slot": question.slot.name, "question": q}
        letters = tuple(chr(ord("A") + i) for i in range(len(question.slot.scenarios[0].options)))
        cells += [
            _cell(
                "code",
                cell_id(q, "question"),
                f'show_question("{q}")',
                _meta(question_grade_id(q), locked=True),
                tag,
            ),
            _answer_cell(q, tag),
        ]
        tests.append(
            _cell(
                "code",
                cell_id(q, "test"),
                key_source(key, checker_call(q, letters)),
                _meta(q, grade=True, locked=True),
                tag,
            )
        )
    heading = "## Checks\n\nEach cell below checks that one answer is a single valid letter (Validate runs them too);\nnone says whether an answer is right."
    cells.append(_locked("markdown", CHECKS_HEADING_CELL, heading))
    cells += tests
    cells.append(_locked("code", CHECK_CELL, VARIANT_CHECK))
    return _notebook(name, cells)


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
