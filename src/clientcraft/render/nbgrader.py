"""Render the graded assessments as a standard nbgrader course directory.

One quiz per topic (``source/quiz-<topic-id>/``, that topic's whole assessment pool) and a ``final``
with a balanced selection of every topic's items (:mod:`clientcraft.render.selection`), plus an
``nbgrader_config.py`` that grades them with :class:`clientcraft.grading.GradeChoices` instead of
running learner code. Notebooks are a pure, byte-stable function of the bank, so an unchanged bank
rewrites nothing. Updating a course in use never touches learners' work (``submitted/``,
``autograded/``, ``feedback/``, the gradebook), refuses to change an assignment that was already
released unless forced, and never overwrites an instructor's own ``nbgrader_config.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from clientcraft.bank import Bank, Scenario
from clientcraft.errors import ClientcraftError
from clientcraft.grading import AnswerKey, KeyOption, answer_line, key_source
from clientcraft.render.selection import final_items

FINAL = "final"
POINTS = 1
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CONFIG_NAME = "nbgrader_config.py"
CONFIG_MARKER = "# clientcraft-generated sha256:"
BACKUP_DIR = "clientcraft-backup"
LEARNER_DIRS = ("submitted", "autograded", "feedback")

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
        "# Check each notebook against the notebook format once, after all the steps above, rather\n"
        "# than after every step (nbconvert's own setting; a broken notebook still fails).",
        "c.Exporter.optimistic_validation = True",
    ),
)

# Settings a course works without (a choice, or speed only): never reported as missing.
OPTIONAL_SETTINGS = ("c.GradeChoices.", "c.Exporter.")

# Our gradebook steps and the stock nbgrader steps they replace with identical results.
SAME_AS_STOCK = {
    "clientcraft.gradebook_writes.SaveGradesOnce": "nbgrader.preprocessors.SaveAutoGrades",
    "clientcraft.gradebook_writes.OverwriteCellsOnce": "nbgrader.preprocessors.OverwriteCells",
    "clientcraft.gradebook_writes.OverwriteKernelspecOnce": "nbgrader.preprocessors.OverwriteKernelspec",
    "clientcraft.gradebook_writes.AssignLatePenaltiesOnce": "nbgrader.preprocessors.AssignLatePenalties",
}


def quiz_name(topic_id: str) -> str:
    return f"quiz-{topic_id}"


def question_name(index: int) -> str:
    """``q01``, ``q02``... (1-based)."""
    return f"q{index:02d}"


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
        f"answer-{name}",
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
        cell.metadata["clientcraft"] = question
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
but a single letter in quotes scores 0. Then run the last cell to check that every answer is a
valid letter (it does not tell you whether any answer is right), save, and submit."""


def _question_text(bank: Bank, scenario: Scenario, number: int, with_topic: bool) -> str:
    article = bank.article(scenario.source.article)
    topic = f" · {bank.topic(scenario.topic).title}" if with_topic else ""
    options = "\n".join(f"- **{o.key}.** {o.text}" for o in scenario.options)
    return (
        f"## Question {number}{topic}\n\n"
        f"*Source: {article.english_title} ({article.language} article), section "
        f"\u201c{scenario.source.section}\u201d.*\n\n"
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
            "instructions",
            _header(title, scenarios),
            _meta("instructions", locked=True),
        )
    ]
    valid: dict[str, str] = {}
    for number, scenario in enumerate(scenarios, start=1):
        q = question_name(number)
        tag = {"scenario": scenario.id, "question": q}
        valid[q] = "".join(scenario.keys)
        visible = (
            f"# {q} is graded from the letter in the cell above; running this cell does nothing."
        )
        cells += [
            _cell(
                "markdown",
                f"{q}-question",
                _question_text(bank, scenario, number, name == FINAL),
                _meta(f"question-{q}", locked=True),
                tag,
            ),
            _cell(
                "code",
                f"{q}-answer",
                f"{answer_line(q)}\n### BEGIN SOLUTION\n### END SOLUTION",
                _meta(f"answer-{q}", solution=True),
                tag,
            ),
            _cell(
                "code",
                f"{q}-test",
                key_source(answer_key(scenario, q), visible),
                _meta(q, grade=True, locked=True),
                tag,
            ),
        ]
    cells.append(
        _cell("code", "check-answers", _check_source(valid), _meta("check-answers", locked=True))
    )
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "clientcraft": {
            "assignment": name,
            "cells_sha256": _cells_hash(cells),
            "generated_by": "clientcraft nbgrader-course",
        },
    }
    return nb


def _cells_hash(cells: list) -> str:
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def _edited_by_hand(old: bytes) -> bool:
    """Whether a source notebook's cells differ from what clientcraft generated (or it is no
    notebook of ours at all)."""
    try:
        nb = json.loads(old)
        return nb["metadata"]["clientcraft"]["cells_sha256"] != _cells_hash(nb["cells"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return True


def notebook_bytes(nb: NotebookNode) -> bytes:
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def config_text() -> str:
    """The generated ``nbgrader_config.py``; its last line is a hash of the rest, so a later run can
    tell whether an instructor edited it."""
    body = (
        "# Generated by `clientcraft nbgrader-course`. Edit freely: once edited, clientcraft never\n"
        "# rewrites this file (it tells you what to add instead).\n"
        "c = get_config()  # noqa: F821 (provided by nbgrader)\n\n"
        + "".join(f"{comment}\n{code}\n" for comment, code in SETTINGS)
    )
    return f"{body}{CONFIG_MARKER} {hashlib.sha256(body.encode()).hexdigest()}\n"


def _is_our_config(text: str) -> bool:
    body, _, last = text.rstrip("\n").rpartition("\n")
    if not last.startswith(CONFIG_MARKER):
        return False
    return last[len(CONFIG_MARKER) :].strip() == hashlib.sha256((body + "\n").encode()).hexdigest()


def _missing_settings(text: str) -> list[str]:
    """The settings the quizzes need that an instructor's config lacks (whitespace aside), as code
    to add; absent :data:`OPTIONAL_SETTINGS` are fine, and so is any of nbgrader's stock steps in
    place of its faster :data:`SAME_AS_STOCK` equivalent (they grade the same)."""

    def canonical(code: str) -> str:
        squeezed = "".join(code.split())
        for ours, stock in SAME_AS_STOCK.items():
            squeezed = squeezed.replace(ours, stock)
        return squeezed

    config = canonical(text)
    return [
        code
        for _, code in SETTINGS
        if canonical(code) not in config and not code.startswith(OPTIONAL_SETTINGS)
    ]


def _released(course: Path, assignment: str) -> str | None:
    """Why ``assignment`` counts as released (learners may have it), or None if it does not."""
    if (course / "release" / assignment).exists():
        return f"release/{assignment}/ exists"
    for folder in LEARNER_DIRS:
        if any((course / folder).glob(f"*/{assignment}")):
            return f"{folder}/ holds learners' copies of it"
    db = course / "gradebook.db"
    if db.exists() and _in_gradebook(db, assignment):
        return "the gradebook has it (generate_assignment was run)"
    return None


def _in_gradebook(db: Path, assignment: str) -> bool:
    """Whether the gradebook lists ``assignment``; read-only, and True when it cannot be read."""
    from nbgrader.api import Gradebook, MissingEntry

    url = f"sqlite:///file:{db.resolve()}?mode=ro&uri=true"
    try:
        with Gradebook(url, course_id="") as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        return False
    except Exception:  # noqa: BLE001 - an unreadable gradebook must count as "in use"
        return True
    return True


def _questions(nb_json: dict) -> dict[str, tuple[str, str]]:
    """``{question: (scenario id, canonical JSON of its cells)}`` of a source notebook."""
    found: dict[str, list] = {}
    scenario: dict[str, str] = {}
    for cell in nb_json.get("cells", []):
        tag = cell.get("metadata", {}).get("clientcraft")
        if isinstance(tag, dict) and "question" in tag:
            found.setdefault(tag["question"], []).append(cell)
            scenario[tag["question"]] = str(tag.get("scenario"))
    return {q: (scenario[q], json.dumps(cells, sort_keys=True)) for q, cells in found.items()}


def describe_change(old: bytes, new: bytes) -> str:
    """What regenerating would change in an assignment, in words an instructor can check."""
    try:
        before = _questions(json.loads(old))
    except (ValueError, UnicodeDecodeError):
        return "the existing notebook is not valid JSON and would be replaced"
    after = _questions(json.loads(new))
    changes = []
    for q in sorted(set(before) | set(after)):
        if q not in after:
            changes.append(f"{q} ({before[q][0]}) removed")
        elif q not in before:
            changes.append(f"{q} ({after[q][0]}) added")
        elif before[q][0] != after[q][0]:
            changes.append(f"{q} becomes {after[q][0]} (was {before[q][0]})")
        elif before[q][1] != after[q][1]:
            changes.append(f"{q} ({after[q][0]}) text or answer key changed")
    return "; ".join(changes) or "the instructions or notebook layout changed"


@dataclass
class CourseUpdate:
    """What one ``nbgrader-course`` run did: files written, left unchanged, notes for the user."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _back_up(course: Path, path: Path) -> Path:
    """Move a file about to be replaced to ``clientcraft-backup/`` (outside every assignment, so it is
    never released)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = course / BACKUP_DIR / stamp / path.relative_to(course)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, dest)
    return dest


def update_course(course: Path, bank: Bank, force: bool = False) -> CourseUpdate:
    """Create or update the nbgrader course at ``course`` from ``bank``; see the module docstring.

    All checks run before anything is written, so a refusal leaves the course exactly as it was.
    """
    course = Path(course)
    if course.exists() and not course.is_dir():
        raise ClientcraftError(f"{course}: exists and is not a folder (give a course folder)")
    result = CourseUpdate()
    plans: list[tuple[str, Path, bytes, bool]] = []
    refusals: list[str] = []
    for name, scenarios in course_assignments(bank).items():
        path = course / "source" / name / f"{name}.ipynb"
        data = notebook_bytes(assessment_notebook(bank, name, scenarios))
        old = path.read_bytes() if path.exists() else None
        if old == data:
            result.unchanged.append(str(path.relative_to(course)))
            continue
        why = _released(course, name)
        if why and not force:
            refusals.append(
                f"{path}: assignment '{name}' is already released ({why}); this run would change it: "
                f"{describe_change(old or b'{}', data)}. Nothing was written. Pass --force to update "
                f"it anyway, then run `nbgrader generate_assignment {name} --force`."
            )
        elif old is not None and _edited_by_hand(old) and not force:
            refusals.append(
                f"{path}: assignment '{name}' was edited by hand since clientcraft wrote it; this run "
                f"would replace it: {describe_change(old, data)}. Nothing was written. Pass --force to "
                f"replace it (the edited notebook is kept under {BACKUP_DIR}/)."
            )
        plans.append(
            (name, path, data, old is not None and (why is not None or _edited_by_hand(old)))
        )
    if refusals:
        raise ClientcraftError(refusals)
    if not bank.pool("assessment"):
        result.notes.append(
            f"{bank.root}: the bank has no assessment scenarios, so there is nothing "
            "to grade (add scenarios with 'pool: assessment')"
        )
    for name, path, data, keep_old in plans:
        if keep_old:
            result.notes.append(
                f"{name}: previous notebook kept as {_back_up(course, path).relative_to(course)}"
            )
        _write(path, data)
        result.written.append(str(path.relative_to(course)))
    _update_config(course, result)
    return result


def _update_config(course: Path, result: CourseUpdate) -> None:
    path = course / CONFIG_NAME
    text = config_text()
    if not path.exists():
        _write(path, text.encode())
        result.written.append(CONFIG_NAME)
        return
    current = path.read_text(encoding="utf-8", errors="replace")
    if current == text:
        result.unchanged.append(CONFIG_NAME)
    elif _is_our_config(current):
        _write(path, text.encode())
        result.written.append(CONFIG_NAME)
    else:
        missing = _missing_settings(current)
        if missing:
            result.notes.append(
                f"{path}: edited by hand, so it was left alone; add these settings to it "
                "so the quizzes are graded without running learner code:\n" + "\n".join(missing)
            )
        else:
            result.unchanged.append(CONFIG_NAME)
