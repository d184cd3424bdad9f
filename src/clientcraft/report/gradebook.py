"""Read an nbgrader course into a :class:`~clientcraft.report.analysis.Cohort`.

Scores come from the gradebook through ``nbgrader.api.Gradebook``; which option each learner chose
comes from their autograded notebook (the answer cell's literal, parsed the way the grader parses
it); which scenario each question asks comes from the answer keys of the assignment's source
notebook, looked up in the bank for its topic and option credits. In a course with per-learner
variants each learner's item and letters come from :func:`clientcraft.variants.variant` with their
nbgrader student id, as the grader drew them, and each letter is counted as the bank option it
showed, so letters never mix across variants.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from nbgrader.api import Grade, Gradebook, SubmittedAssignment, SubmittedNotebook
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload
from tqdm import tqdm
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

from clientcraft.bank import Bank
from clientcraft.errors import ClientcraftError
from clientcraft.grading import (
    AnswerKey,
    KeyOption,
    PoolKey,
    answer_line,
    parse_choice,
    read_key,
)
from clientcraft.naming import (
    CONFIG_FILE,
    GRADEBOOK_FILE,
    METADATA_KEY,
    answer_grade_id,
    course_order,
)
from clientcraft.report.analysis import BLANK, INVALID, Answer, Cohort, Item
from clientcraft.variants import variant

MAKE_COURSE = "make one with 'clientcraft nbgrader-course COURSE_DIR'"


def course_directory(course: Path) -> CourseDirectory:
    """nbgrader's view of the course folder, with the course's own ``nbgrader_config.py`` applied."""
    missing = [name for name in (CONFIG_FILE, GRADEBOOK_FILE) if not (course / name).is_file()]
    if not course.is_dir() or missing:
        what = "does not exist" if not course.is_dir() else f"has no {' and no '.join(missing)}"
        raise ClientcraftError(
            f"{course}: not an nbgrader course: the folder {what} (give the course folder that "
            f"holds {CONFIG_FILE} and {GRADEBOOK_FILE}, or {MAKE_COURSE} and autograde "
            "submissions first)"
        )
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()
    except ConfigFileNotFound as exc:
        raise ClientcraftError(f"{course / CONFIG_FILE}: cannot read it: {exc}") from exc
    except Exception as exc:  # the config file is Python code; any error in it is the user's to fix
        raise ClientcraftError(
            f"{course / CONFIG_FILE}: fails to run: {exc} (fix the file)"
        ) from exc
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course.resolve())
    return coursedir


def _cells(path: Path, fix: str) -> list[dict[str, Any]]:
    """The cells of a notebook file (plain JSON: validating thousands of notebooks is slow)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ClientcraftError(f"{path}: not a readable notebook: {exc} ({fix})") from exc


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _grade_id(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _questions(path: Path) -> dict[str, tuple[str, AnswerKey | PoolKey | None]]:
    """Question name -> (scenario id, or "" for a variant question; the answer key it was graded
    with), from the test cells' ``clientcraft`` metadata and hidden key."""
    found: dict[str, tuple[str, AnswerKey | PoolKey | None]] = {}
    for cell in _cells(path, f"restore it, or {MAKE_COURSE} again"):
        meta = cell.get("metadata", {}).get(METADATA_KEY, {})
        if not meta.get("question") or _grade_id(cell) != meta["question"]:
            continue
        key = read_key(_source(cell))
        if isinstance(key, PoolKey):
            found[meta["question"]] = ("", key)
        elif meta.get("scenario"):
            found[meta["question"]] = (meta["scenario"], key)
    return found


def _pools(coursedir: CourseDirectory, assignment: Any) -> dict[str, PoolKey]:
    """The variant questions of an assignment: question name -> its key (every item of the slot)."""
    pools = {}
    for notebook in assignment.notebooks:
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment.name)) / (
            f"{notebook.name}.ipynb"
        )
        if path.is_file():
            pools.update({q: k for q, (_, k) in _questions(path).items() if isinstance(k, PoolKey)})
    return pools


def _items(
    coursedir: CourseDirectory, assignment: Any, bank: Bank, warnings: list[str]
) -> list[Item]:
    """The clientcraft questions of one assignment, in notebook and question order.

    Options and credits come from the answer key the course was graded with; when the bank's
    scenario has changed since, a warning says so (the topic still comes from the bank).
    """
    items = []
    for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment.name)) / (
            f"{notebook.name}.ipynb"
        )
        if not path.is_file():
            raise ClientcraftError(
                f"{path}: source notebook of assignment '{assignment.name}' is "
                f"missing (restore it, or {MAKE_COURSE} again)"
            )
        questions = _questions(path)
        max_scores = {cell.name: cell.max_score for cell in notebook.grade_cells}
        for question, (scenario_id, key) in sorted(questions.items()):
            if question not in max_scores:
                raise ClientcraftError(
                    f"{path}: {assignment.name}/{question}: the gradebook has no grade cell "
                    f"'{question}' (run 'nbgrader generate_assignment {assignment.name}' again)"
                )
            drawn_from: list[tuple[str, tuple[KeyOption, ...] | None]]
            if isinstance(key, PoolKey):
                drawn_from = [(i.scenario, i.options) for i in key.items]
            else:
                drawn_from = [(scenario_id, key.options if key else None)]
            for sid, options in drawn_from:
                try:
                    scenario = bank.scenario(sid)
                except KeyError:
                    raise ClientcraftError(
                        f"{path}: {assignment.name}/{question}: scenario '{sid}' is not in the "
                        f"bank {bank.root} (pass --bank with the bank the course was made from, "
                        "or make the course again from this bank)"
                    ) from None
                credits = tuple((o.key, o.credit) for o in scenario.options)
                graded = tuple((o.key, o.credit) for o in options) if options else credits
                if graded != credits:
                    warnings.append(
                        f"{path}: {assignment.name}/{question}: scenario '{sid}' "
                        f"changed in the bank since the course was made; the report uses "
                        "the answer key the course was graded with"
                    )
                items.append(
                    Item(
                        assignment.name,
                        question,
                        scenario.id,
                        scenario.topic,
                        tuple(k for k, _ in graded),
                        tuple(c for _, c in graded),
                        float(max_scores[question]),
                        isinstance(key, PoolKey),
                    )
                )
    return items


@cache
def _blank_problems(name: str, keys: tuple[str, ...]) -> frozenset[str | None]:
    """The grader's reasons for an untouched or emptied answer cell: those answers count as blank."""
    return frozenset(parse_choice(source, name, keys).problem for source in (answer_line(name), ""))


def _choice(source: str, question: str, letters: tuple[str, ...]) -> str:
    """The letter a learner's answer cell chooses, parsed as the grader parses it; or blank (left
    as released, or emptied) or invalid (anything else that is not an option letter)."""
    choice = parse_choice(source, question, letters)
    if choice.key is not None:
        return choice.key
    return BLANK if choice.problem in _blank_problems(question, letters) else INVALID


def _choices(
    path: Path, items: list[Item], pools: dict[str, PoolKey], student: str
) -> dict[tuple[str, str, str], str]:
    """Item key -> the bank option chosen (or blank / invalid), for the items this learner answered
    in this notebook: in a variant question, the item they drew, their letter read as they saw it."""
    cells = _cells(path, "run nbgrader autograde again for this submission with --force")
    answers = {_grade_id(cell): _source(cell) for cell in cells if _grade_id(cell)}
    found = {}
    for item in items:
        source = answers.get(answer_grade_id(item.question))
        if not item.variant:
            if source is not None:
                found[item.key] = _choice(source, item.question, item.keys)
            continue
        drawn = variant(pools[item.question].pool, student)
        if drawn.scenario != item.scenario:
            continue
        letters = tuple(drawn.letter(k) for k in drawn.order)
        letter = BLANK if source is None else _choice(source, item.question, letters)
        found[item.key] = drawn.key(letter) if letter in letters else letter
    return found


def _course_order(bank: Bank) -> Callable[[Any], tuple[int, str]]:
    """Sort key for assignments: the topics' quizzes in course order, then the final, then others."""
    rank = course_order(t.id for t in bank.topics)
    return lambda a: (rank.get(a.name, len(rank)), a.name)


def _select(gradebook: Gradebook, name: str | None, course: Path, bank: Bank) -> list[Any]:
    """The assignments to report on: one by name, or every assignment of the gradebook."""
    assignments = sorted(gradebook.assignments, key=_course_order(bank))
    if name is None:
        if not assignments:
            raise ClientcraftError(
                f"{course / GRADEBOOK_FILE}: the gradebook has no assignments "
                "(run 'nbgrader generate_assignment' and autograde first)"
            )
        return assignments
    chosen = [a for a in assignments if a.name == name]
    if not chosen:
        names = [a.name for a in assignments]
        hint = difflib.get_close_matches(name, names, n=1)
        raise ClientcraftError(
            f"{course / GRADEBOOK_FILE}: no assignment '{name}' in the gradebook "
            + (f"(did you mean '{hint[0]}'? " if hint else "(")
            + f"known: {', '.join(names) or 'none'})"
        )
    return chosen


def _submissions(
    gradebook: Gradebook, assignment: Any
) -> Iterator[tuple[str, dict[str, float], float]]:
    """Each submission's student, question scores and total score, straight from the gradebook.

    The same objects ``assignment.submissions`` gives, loaded with their notebooks, grades and
    cells in a few queries instead of three per submission (ORM over nbgrader's models, no SQL).
    """
    query = (
        gradebook.db.query(SubmittedAssignment)
        .filter(SubmittedAssignment.assignment_id == assignment.id)
        .options(
            joinedload(SubmittedAssignment.student),
            selectinload(SubmittedAssignment.notebooks)
            .selectinload(SubmittedNotebook.grades)
            .joinedload(Grade.cell),
        )
    )
    for submission in query:
        scores = {
            grade.cell.name: float(grade.score)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }
        yield submission.student.id, scores, sum(scores.values())


def _read_assignment(
    coursedir: CourseDirectory, gradebook: Gradebook, chosen: Any, items: list[Item], bar: tqdm[Any]
) -> tuple[dict[tuple[str, str, str], dict[str, Answer]], dict[str, tuple[float, float]]]:
    """Every submission of one assignment: answers per item and (score, maximum) per learner."""
    answers: dict[tuple[str, str, str], dict[str, Answer]] = {item.key: {} for item in items}
    scores: dict[str, tuple[float, float]] = {}
    maximum = float(chosen.max_score)
    notebooks = sorted({n.name for n in chosen.notebooks})
    pools = _pools(coursedir, chosen)
    for student, per_question, score in _submissions(gradebook, chosen):
        folder = Path(coursedir.format_path(coursedir.autograded_directory, student, chosen.name))
        choices: dict[tuple[str, str, str], str] = {}
        for name in notebooks:
            path = folder / f"{name}.ipynb"
            if not path.is_file():
                raise ClientcraftError(
                    f"{path}: autograded notebook missing although the gradebook has a submission "
                    f"of {chosen.name} by {student} (run 'nbgrader autograde {chosen.name} "
                    f"--student {student} --force')"
                )
            choices.update(_choices(path, items, pools, student))
        for item in items:
            if item.variant and item.key not in choices:
                continue  # another item of the slot was this learner's
            points = per_question.get(item.question, 0.0)
            credit = points / item.max_score if item.max_score > 0 else 0.0
            answers[item.key][student] = Answer(credit, choices.get(item.key, BLANK))
        scores[student] = (score, maximum)
        bar.update(1)
    return answers, scores


def _read_only(db_url: str) -> str:
    """A SQLite gradebook URL opened read-only: the report never changes the gradebook."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and "?" not in db_url:
        return f"{prefix}file:{db_url[len(prefix) :]}?mode=ro&uri=true"
    return db_url


def read_course(
    course: Path, bank: Bank, assignment: str | None = None, progress: bool = True
) -> tuple[Cohort, list[str]]:
    """The cohort of a course (all assignments, or one) and warnings about what was left out."""
    course = Path(course)
    coursedir = course_directory(course)
    try:
        with Gradebook(_read_only(coursedir.db_url), coursedir.course_id) as gradebook:
            return _read_gradebook(course, coursedir, gradebook, bank, assignment, progress)
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        raise ClientcraftError(
            f"{course / GRADEBOOK_FILE}: cannot read the gradebook: {reason} (give a gradebook "
            "written by nbgrader 0.9; for an older one run 'nbgrader db upgrade' in the course "
            "folder)"
        ) from exc


def _read_gradebook(
    course: Path,
    coursedir: CourseDirectory,
    gradebook: Gradebook,
    bank: Bank,
    assignment: str | None,
    progress: bool,
) -> tuple[Cohort, list[str]]:
    selected = _select(gradebook, assignment, course, bank)
    total = sum(len(a.submissions) for a in selected)
    if total == 0:
        names = ", ".join(a.name for a in selected)
        raise ClientcraftError(
            f"{course / GRADEBOOK_FILE}: no submissions of {names} in the "
            "gradebook (collect the submissions and run 'nbgrader autograde "
            f"{selected[0].name}' first)"
        )
    warnings: list[str] = []
    items: list[Item] = []
    answers: dict[tuple[str, str, str], dict[str, Answer]] = {}
    scores: dict[str, dict[str, tuple[float, float]]] = {}
    with tqdm(
        total=total, desc="reading submissions", unit="submission", disable=not progress
    ) as bar:
        for chosen in selected:
            if not chosen.submissions:
                warnings.append(f"{chosen.name}: no submissions yet; left out of the report")
                continue
            own = _items(coursedir, chosen, bank, warnings)
            if not own:
                warnings.append(f"{chosen.name}: no clientcraft questions; left out of the report")
                bar.update(len(chosen.submissions))
                continue
            per_question, scores[chosen.name] = _read_assignment(
                coursedir, gradebook, chosen, own, bar
            )
            items.extend(own)
            answers.update(per_question)
    if not items:
        raise ClientcraftError(
            f"{course / 'source'}: no clientcraft questions in "
            f"{', '.join(a.name for a in selected)} (report on assignments made "
            "by 'clientcraft nbgrader-course')"
        )
    used = {i.topic for i in items}
    topics = tuple(t for t in bank.topics if t.id in used)
    return Cohort(course.resolve().name, tuple(items), answers, scores, topics), warnings
