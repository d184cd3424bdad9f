"""Grade multiple-choice answers inside nbgrader's autograde step without running learner code.

Stock nbgrader grades by executing the submission in a kernel as the instructor: slow (a kernel per
submission), unsafe (learner code runs with the instructor's rights) and fooled by objects whose
``__eq__`` is always true. :class:`GradeChoices` replaces that Execute step. It reads each answer
cell as a literal with :mod:`ast` (never executes it) and each test cell's answer key (a Python
literal inside the hidden-tests region, restored from the gradebook by nbgrader's OverwriteCells, so
learner edits to test cells cannot matter), and writes the outcome as outputs that nbgrader's own
``determine_grade`` scores: nothing but a message for full credit, an ``execute_result`` holding the
points for partial credit, an error output for zero.

The key's format lives here, next to its reader: :func:`key_source` writes it, :func:`read_key`
reads it. A course with per-learner variants (:mod:`clientcraft.variants`) stores a
:class:`PoolKey` instead: every item of the question's slot with its key, and the draw's parameters;
the grader draws the submitting learner's item and option order from nbgrader's student id (never
from anything in the notebook) and grades their letter against that.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from clientcraft.formats import points as points_text
from clientcraft.naming import SHOW_CELL, question_grade_id
from clientcraft.variants import METHOD, Drawn, Pool, question_markdown, variant

BEGIN_KEY = "### BEGIN HIDDEN TESTS"
END_KEY = "### END HIDDEN TESTS"
KEY_NAME = "CLIENTCRAFT_KEY"
ANSWER_HINT = '# replace None with the letter of your choice, e.g. "B"'
MAX_ANSWER_CHARS = 2000


def answer_line(name: str) -> str:
    """The answer cell a learner receives: ``q01 = None  # replace None with ...``."""
    return f"{name} = None  {ANSWER_HINT}"


@dataclass(frozen=True)
class KeyOption:
    """One option as the key knows it: letter, text, credit (fraction of the points), feedback;
    in a learner's variant also its key in the bank (``bank_key``), which the letter may not be."""

    key: str
    text: str
    credit: float
    feedback: str
    bank_key: str = ""

    @property
    def canonical(self) -> str:
        """The option's key in the bank, whatever letter a learner sees it under."""
        return self.bank_key or self.key


@dataclass(frozen=True)
class AnswerKey:
    """The instructor-only key of one question: which variable and cell hold the answer, and the
    credit and feedback of every option."""

    question: str
    answer_cell: str
    scenario: str
    options: tuple[KeyOption, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    @property
    def best(self) -> KeyOption:
        return max(self.options, key=lambda o: o.credit)

    def option(self, key: str) -> KeyOption:
        return next(o for o in self.options if o.key == key)


@dataclass(frozen=True)
class PoolItem:
    """One item of a variant question's slot: what the learner reads, and its options' key."""

    scenario: str
    source: str
    situation: str
    question: str
    options: tuple[KeyOption, ...]


@dataclass(frozen=True)
class PoolKey:
    """The instructor-only key of a variant question: the draw's parameters and every item of the
    slot with each option's credit and feedback (options in bank order, keyed A, B, ...)."""

    question: str
    answer_cell: str
    title: str
    seed: str
    assignment: str
    slot: str
    avoid: str
    items: tuple[PoolItem, ...]

    @property
    def pool(self) -> Pool:
        return Pool(
            self.seed,
            self.assignment,
            self.question,
            self.slot,
            self.avoid,
            {item.scenario: tuple(o.key for o in item.options) for item in self.items},
        )

    def item(self, scenario: str) -> PoolItem:
        return next(i for i in self.items if i.scenario == scenario)

    def learner_key(self, student: str) -> tuple[AnswerKey, Drawn]:
        """``student``'s question: the key in their letters (their A is ``order[0]``), and the draw."""
        drawn = variant(self.pool, student)
        options = {o.key: o for o in self.item(drawn.scenario).options}
        lettered = tuple(
            KeyOption(
                drawn.letter(key),
                options[key].text,
                options[key].credit,
                options[key].feedback,
                key,
            )
            for key in drawn.order
        )
        return AnswerKey(self.question, self.answer_cell, drawn.scenario, lettered), drawn

    def markdown(self, drawn: Drawn) -> str:
        """The question as ``drawn``'s learner sees it."""
        item = self.item(drawn.scenario)
        texts = {o.key: o.text for o in item.options}
        return question_markdown(
            self.title, item.source, item.situation, item.question, [texts[k] for k in drawn.order]
        )


def _options_json(options: Sequence[KeyOption]) -> list[dict[str, Any]]:
    return [
        {"key": o.key, "text": o.text, "credit": o.credit, "feedback": o.feedback} for o in options
    ]


def key_source(key: AnswerKey | PoolKey, visible: str) -> str:
    """A test cell's source: ``visible`` (what learners see) and the key inside the hidden-tests
    region, which ``nbgrader generate_assignment`` strips from the released notebook."""
    body: dict[str, Any] = {"question": key.question, "answer_cell": key.answer_cell}
    if isinstance(key, AnswerKey):
        body.update(scenario=key.scenario, options=_options_json(key.options))
    else:
        body["variants"] = {
            "method": METHOD,
            "seed": key.seed,
            "assignment": key.assignment,
            "slot": key.slot,
            "avoid": key.avoid,
            "title": key.title,
        }
        body["items"] = [
            {
                "scenario": i.scenario,
                "source": i.source,
                "situation": i.situation,
                "question": i.question,
                "options": _options_json(i.options),
            }
            for i in key.items
        ]
    literal = json.dumps(body, indent=4, ensure_ascii=False)
    return f"{visible}\n{BEGIN_KEY}\n{KEY_NAME} = {literal}\n{END_KEY}"


def split_key(source: str) -> tuple[str, str | None]:
    """``(visible part, key region)`` of a test cell's source; the region is None if absent."""
    lines = source.split("\n")
    try:
        begin = next(i for i, line in enumerate(lines) if BEGIN_KEY in line)
        end = next(i for i in range(begin + 1, len(lines)) if END_KEY in lines[i])
    except StopIteration:
        return source, None
    visible = "\n".join(lines[:begin] + lines[end + 1 :])
    return visible, "\n".join(lines[begin + 1 : end])


def _read_options(options: Any) -> tuple[KeyOption, ...]:
    return tuple(
        KeyOption(str(o["key"]).upper(), str(o["text"]), float(o["credit"]), str(o["feedback"]))
        for o in options
    )


def _read_pool_key(body: dict[str, Any]) -> PoolKey | None:
    draw = body["variants"]
    if draw["method"] != METHOD:
        return None
    items = tuple(
        PoolItem(
            str(i["scenario"]),
            str(i["source"]),
            str(i["situation"]),
            str(i["question"]),
            _read_options(i["options"]),
        )
        for i in body["items"]
    )
    if not items or not all(i.options for i in items):
        return None
    return PoolKey(
        str(body["question"]),
        str(body["answer_cell"]),
        str(draw["title"]),
        str(draw["seed"]),
        str(draw["assignment"]),
        str(draw["slot"]),
        str(draw["avoid"]),
        items,
    )


@lru_cache(maxsize=256)
def read_key(source: str) -> AnswerKey | PoolKey | None:
    """The answer key in a test cell's source, read as a literal (never executed); None if the cell
    has no well-formed clientcraft key (or a variant key of a draw method this version lacks).
    Keys are immutable, so each distinct source is parsed once per process: every submission of
    an assignment restores the same test cells from the gradebook."""
    _, region = split_key(source)
    if region is None:
        return None
    try:
        tree = ast.parse(region)
        stmt = tree.body[0] if len(tree.body) == 1 else None
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == KEY_NAME
        ):
            return None
        body = ast.literal_eval(stmt.value)
        if "variants" in body:
            return _read_pool_key(body)
        options = _read_options(body["options"])
        if not options:
            return None
        return AnswerKey(
            str(body["question"]), str(body["answer_cell"]), str(body["scenario"]), options
        )
    except (
        SyntaxError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        MemoryError,
        RecursionError,
    ):
        return None


@dataclass(frozen=True)
class Choice:
    """What a learner's answer cell says: the chosen letter, or why there is none."""

    key: str | None
    problem: str | None = None


def parse_choice(source: str, name: str, keys: Sequence[str]) -> Choice:
    """Read ``name = "<letter>"`` from an answer cell's source without running it.

    Only a single assignment of a single string literal naming one of ``keys`` counts; case and
    surrounding spaces don't matter. Anything else (code, calls, objects, two statements, None, an
    unknown letter) is no choice, with a ``problem`` saying why in words a learner understands.
    """
    wanted = ", ".join(keys)
    form = f'write exactly {name} = "B" with one of the letters {wanted}'
    if len(source) > MAX_ANSWER_CHARS:
        return Choice(None, f"the answer cell is too long to be an answer ({form})")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return Choice(None, f"the answer cell is not valid Python ({form})")
    if not tree.body:
        return Choice(None, f"the answer cell is empty ({form})")
    if len(tree.body) > 1:
        return Choice(None, f"the answer cell holds more than one statement ({form})")
    stmt = tree.body[0]
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return Choice(None, f"the answer cell is not a plain assignment ({form})")
    if stmt.targets[0].id != name:
        return Choice(None, f"the answer cell assigns {stmt.targets[0].id}, not {name} ({form})")
    value = stmt.value
    if isinstance(value, ast.Constant) and value.value is None:
        return Choice(None, f"no answer given: {name} is still None ({form})")
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return Choice(None, f"{name} is not a letter in quotes ({form})")
    letter = value.value.strip().upper()
    if letter not in keys:
        shown = value.value if len(value.value) <= 20 else value.value[:20] + "..."
        return Choice(None, f"{shown!r} is not one of the options ({form})")
    return Choice(letter)


CHECKER_NAME = "_check_answer"


def checker_source() -> str:
    """A locked cell defining ``_check_answer(name, letters)``, which each question's test cell
    calls in the learner's kernel, as nbgrader's Validate button does for every test cell.

    It applies :func:`parse_choice`'s rules to the latest input that assigns ``name`` (IPython's
    ``In``), so Validate fails exactly the answers that would score 0 for their form (blank,
    invalid, code) and says nothing about whether a letter is right. Self-contained: learners'
    servers need not have clientcraft installed.
    """
    return f"""# Run this cell first. Each question's test cell calls the check it defines, and so does
# nbgrader's Validate button: it says whether an answer is one valid letter, never whether it is right.
import ast as _ast


def {CHECKER_NAME}(name, letters):
    form = f'write exactly {{name}} = "B" with one of the letters {{", ".join(letters)}}'
    for source in reversed(In[:-1]):  # noqa: F821 (IPython's input history)
        try:
            body = _ast.parse(source).body
        except (SyntaxError, ValueError):
            body = None
        if body is None and name in source:
            raise AssertionError(f"{{name}}: the answer cell is not valid Python ({{form}})")
        assigned = [
            t.id for s in body or [] if isinstance(s, _ast.Assign)
            for t in s.targets if isinstance(t, _ast.Name)
        ]
        if name in assigned:
            break
    else:
        raise AssertionError(f"{{name}}: no answer yet: run the cell under the question ({{form}})")
    value = body[0].value if len(body) == 1 and len(body[0].targets) == 1 else None
    if isinstance(value, _ast.Constant) and value.value is None:
        raise AssertionError(f"{{name}}: no answer yet, it is still None ({{form}})")
    if len(source) > {MAX_ANSWER_CHARS} or not (
        isinstance(value, _ast.Constant)
        and isinstance(value.value, str)
        and value.value.strip().upper() in tuple(letters)
    ):
        raise AssertionError(f"{{name}}: not a valid answer, it would score 0 ({{form}})")
    print(f"{{name}}: a valid letter (this check does not say whether it is right)")"""


def checker_call(name: str, letters: Sequence[str]) -> str:
    """A test cell's visible code: the check of one answer (see :func:`checker_source`)."""
    return (
        f"# {name} is graded from the letter in the cell above. This check (Validate runs it too)\n"
        "# says only whether that is one valid letter, never whether it is right.\n"
        f'{CHECKER_NAME}("{name}", "{"".join(letters)}")'
    )


def _stream(text: str) -> NotebookNode:
    return from_dict({"output_type": "stream", "name": "stdout", "text": text})


def _markdown(text: str) -> NotebookNode:
    return from_dict(
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": text}}
    )


def _partial(points: float) -> NotebookNode:
    return from_dict(
        {
            "output_type": "execute_result",
            "execution_count": None,
            "metadata": {},
            "data": {"text/plain": points_text(points)},
        }
    )


def _zero(message: str) -> NotebookNode:
    """An error output: nbgrader scores the cell 0 and the feedback shows only ``message``."""
    return from_dict(
        {
            "output_type": "error",
            "ename": "NoCredit",
            "evalue": "0 points",
            "traceback": message.split("\n"),
        }
    )


class GradeChoices(NbGraderPreprocessor):
    """Score every clientcraft test cell from its answer cell's literal letter and the answer key.

    Runs in place of nbgrader's Execute step (``Autograde.autograde_preprocessors``). Learner code is
    parsed, never run. Test cells of this notebook without a clientcraft key score 0 with a message
    (they would need a kernel), so nothing is ever awarded by default. A variant question is graded
    against the item and option order of the submitting learner (``resources["nbgrader"]["student"]``,
    nbgrader's student id), and its question cell gets that learner's question as its output, so the
    feedback shows what they answered.
    """

    reveal_best = Bool(
        False,
        help="Whether feedback also names the best option of each question. Off by default so an "
        "assessment can be reused with the next cohort. Takes effect at autograde.",
    ).tag(config=True)

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        self._answers = {
            cell.metadata.nbgrader["grade_id"]: cell
            for cell in nb.cells
            if utils.is_solution(cell) and "grade_id" in cell.metadata.nbgrader
        }
        self._shown = {
            cell.metadata.nbgrader["grade_id"]: cell
            for cell in nb.cells
            if cell.cell_type == "code"
            and "grade_id" in cell.metadata.get("nbgrader", {})
            and not utils.is_grade(cell)
            and not utils.is_solution(cell)
        }
        self._student = resources.get("nbgrader", {}).get("student")
        self._graded_variant = False
        nb, resources = super().preprocess(nb, resources)
        show = self._shown.get(SHOW_CELL)
        if self._graded_variant and show is not None:
            # The graded copy (and the feedback made from it) shows what the learner saw, not the
            # code and every learner's items that their kernel drew it from.
            show.source = "# This cell showed the learner's own questions; each appears below."
            show.outputs = [_markdown(f"Questions of **{self._student}**.")]
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        points = float(cell.metadata.nbgrader["points"])
        key = read_key(cell.source)
        grade_id = cell.metadata.nbgrader.get("grade_id", "?")
        if key is None:
            cell.outputs = [
                _zero(
                    f"{grade_id}: this test cell has no clientcraft answer key, so "
                    "it was not run; grade it by hand."
                )
            ]
            return cell, resources
        cell.source, _ = split_key(cell.source)
        if isinstance(key, PoolKey):
            key = self._learner_key(key)
        cell.outputs = self._outcome(key, self._answers.get(key.answer_cell), points)
        return cell, resources

    def _learner_key(self, key: PoolKey) -> AnswerKey:
        """The submitting learner's key of a variant question; shows their question in its cell."""
        if not self._student:
            raise ValueError(
                f"{key.question}: a variant question is graded for one learner, but nbgrader gave "
                "no student id (grade it with `nbgrader autograde`)"
            )
        learner, drawn = key.learner_key(self._student)
        self._graded_variant = True
        shown = self._shown.get(question_grade_id(key.question))
        if shown is not None:
            shown.outputs = [_markdown(key.markdown(drawn))]
        return learner

    def _outcome(
        self, key: AnswerKey, answer: Mapping[str, Any] | None, points: float
    ) -> list[NotebookNode]:
        """The outputs that make nbgrader record this question's score, with the learner's feedback."""
        total = f"of {points_text(points)} point{'s' if points != 1 else ''}"
        reveal = (
            f"\n\nThe best option was {key.best.key}. {key.best.text}" if self.reveal_best else ""
        )
        if answer is None:
            return [
                _zero(
                    f"{key.question}: the answer cell is missing from the notebook, so there "
                    f"is no answer.\n0 {total}.{reveal}"
                )
            ]
        choice = parse_choice(answer["source"], key.question, key.keys)
        if choice.key is None:
            return [_zero(f"{key.question}: {choice.problem}.\n0 {total}.{reveal}")]
        chosen = key.option(choice.key)
        score = round(chosen.credit * points, 4)
        message = (
            f"{key.question}: you chose {chosen.key}. {chosen.text}\n\n{chosen.feedback}\n\n"
            f"{points_text(score)} {total}.{reveal if chosen.key != key.best.key else ''}"
        )
        if score <= 0:
            return [_zero(message)]
        if score >= points:
            return [_stream(message + "\n")]
        return [_stream(message + "\n"), _partial(score)]
