"""nbgrader names of the graded assessments, in one place.

Assignment names, question names, cell ids, grade ids and metadata keys are read back by the
grader, the course updater and the report; each of them imports its names from here, so a rename
cannot leave one of them behind.
"""

from __future__ import annotations

from collections.abc import Iterable

FINAL = "final"
QUIZ_PREFIX = "quiz-"
METADATA_KEY = "clientcraft"  # notebook and cell metadata written by clientcraft
CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"
CHECK_CELL = "check-answers"
CHECKS_HEADING_CELL = "checks-heading"  # variant notebooks: the answer checks follow it
ANSWER_CHECKER_CELL = "checker"  # defines the check each question's test cell runs
INSTRUCTIONS_CELL = "instructions"
SHOW_CELL = "show-questions"  # the learner's first cell with per-learner variants


QUESTION_ID = r"q\d{2,}"  # a pattern matching every question_name()


def quiz_name(topic_id: str) -> str:
    """The assignment that grades one topic: ``quiz-<topic-id>``."""
    return f"{QUIZ_PREFIX}{topic_id}"


def question_name(index: int) -> str:
    """``q01``, ``q02``... (1-based); also the grade id of the question's test cell."""
    return f"q{index:02d}"


def answer_grade_id(question: str) -> str:
    """The grade id of the cell where the learner writes the answer to ``question``."""
    return f"answer-{question}"


def question_grade_id(question: str) -> str:
    """The grade id of the locked cell that shows ``question``."""
    return f"question-{question}"


def cell_id(question: str, part: str) -> str:
    """The notebook cell id of one part (``question``, ``answer``, ``test``) of a question."""
    return f"{question}-{part}"


def course_order(topic_ids: Iterable[str]) -> dict[str, int]:
    """Rank of each assignment name: the topics' quizzes in course order, then the final."""
    rank = {quiz_name(t): i for i, t in enumerate(topic_ids)}
    rank[FINAL] = len(rank)
    return rank
