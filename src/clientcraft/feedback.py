"""The learners' feedback page (``nbgrader generate_feedback``) with the questions named.

nbgrader's feedback template labels every graded cell "Test cell" in the score table and "Grade
cell: q01" above it. :class:`FeedbackExporter` is nbgrader's HTML exporter with those labels
replaced by the question's name as the notebook shows it ("Question 1"); everything else is
nbgrader's page. Set in the course's ``nbgrader_config.py``::

    c.GenerateFeedback.exporter_class = "clientcraft.feedback.FeedbackExporter"
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters import HTMLExporter

from clientcraft.naming import QUESTION_ID

_TABLE = re.compile(rf'(<a href="#({QUESTION_ID})">)Test cell(</a>)')
_HEADING = re.compile(rf"Grade cell: <code>({QUESTION_ID})</code>")


def question_label(grade_id: str) -> str:
    """``q01`` -> ``Question 1``, the heading the question has in the notebook."""
    return f"Question {int(grade_id[1:])}"


def name_questions(html: str) -> str:
    """Feedback HTML with each question's "Test cell" / "Grade cell: qNN" label named."""
    html = _TABLE.sub(lambda m: f"{m[1]}{question_label(m[2])}{m[3]}", html)
    return _HEADING.sub(lambda m: question_label(m[1]), html)


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page (same template and settings) with the questions named."""

    def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[Any, Any]:
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return name_questions(output), resources
