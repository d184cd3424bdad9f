"""The report's numbers as CSV files, for spreadsheets and scripts (one row per fact, long form)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from clientcraft.report.analysis import (
    DEAD_DISTRACTOR,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    Analysis,
    Cohort,
)

FLAG_COLUMNS = {
    DEAD_DISTRACTOR: "dead_distractor",
    NEGATIVE_DISCRIMINATION: "negative_discrimination",
    TOO_EASY: "too_easy",
    TOO_HARD: "too_hard",
}


def _number(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.4f}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def items_csv(analysis: Analysis) -> str:
    """One row per question: facility, discrimination, point-biserial and each flag."""
    header = [
        "assignment",
        "question",
        "scenario",
        "topic",
        "answers",
        "facility",
        "guessing_floor",
        "discrimination",
        "point_biserial",
        "flags",
        *FLAG_COLUMNS.values(),
    ]
    return _csv(
        header,
        (
            [
                s.item.assignment,
                s.item.question,
                s.item.scenario,
                s.item.topic,
                s.n,
                _number(s.facility),
                _number(s.item.guess),
                _number(s.discrimination),
                _number(s.point_biserial),
                "; ".join(s.flags),
                *(int(flag in s.flags) for flag in FLAG_COLUMNS),
            ]
            for s in analysis.items
        ),
    )


def assignments_csv(analysis: Analysis) -> str:
    """One row per assignment: reliability, SD, SEM, random-guess score and suggested pass mark
    (points; the pass mark also in percent of the maximum)."""
    header = [
        "assignment",
        "learners",
        "questions",
        "max_score",
        "mean",
        "sd",
        "reliability",
        "reliability_measure",
        "sem",
        "guess_score",
        "pass_mark",
        "pass_percent",
        "borderline",
    ]
    return _csv(
        header,
        (
            [
                s.name,
                s.learners,
                s.questions,
                _number(s.maximum),
                _number(s.mean),
                _number(s.sd),
                _number(s.alpha),
                s.reliability_name,
                _number(s.sem),
                _number(s.guess),
                _number(s.pass_mark),
                _number(100 * s.pass_mark / s.maximum if s.maximum else math.nan),
                s.borderline,
            ]
            for s in analysis.reliability
        ),
    )


def options_csv(analysis: Analysis) -> str:
    """One row per question and option (plus blank and invalid): credit, count and share."""
    header = ["assignment", "question", "scenario", "option", "credit", "best", "count", "share"]
    return _csv(
        header,
        (
            [
                s.item.assignment,
                s.item.question,
                s.item.scenario,
                o.key,
                _number(o.credit),
                int(o.credit is not None and o.credit == max(s.item.credits)),
                o.count,
                _number(o.share),
            ]
            for s in analysis.items
            for o in s.options
        ),
    )


def learners_csv(analysis: Analysis, book_url: str | None = None) -> str:
    """One row per learner and topic: mastery, how many questions it rests on, review or not."""
    header = ["student", "topic", "topic_title", "questions", "mastery", "review", "review_page"]
    rows = []
    for learner in analysis.learners:
        for t in learner.topics:
            page = (
                (t.topic.page(book_url) if book_url else t.topic.docname) if t.needs_review else ""
            )
            rows.append(
                [
                    learner.student,
                    t.topic.id,
                    t.topic.title,
                    t.questions,
                    _number(t.mastery),
                    int(t.needs_review),
                    page,
                ]
            )
    return _csv(header, rows)


def scores_csv(cohort: Cohort) -> str:
    """One row per learner and submitted assignment: score, maximum and percent."""
    header = ["student", "assignment", "score", "max_score", "percent"]
    return _csv(
        header,
        (
            [
                student,
                name,
                _number(score),
                _number(top),
                _number(100 * score / top if top else 0.0),
            ]
            for name, per in cohort.scores.items()
            for student, (score, top) in sorted(per.items())
        ),
    )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over, so readers never see half."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
