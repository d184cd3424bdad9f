"""Instructor report: item analysis and learner mastery from an nbgrader course's gradebook.

``build_report`` reads the course (:mod:`.gradebook`), computes the numbers (:mod:`.analysis`),
draws the charts (:mod:`.plots`) and writes one self-contained HTML page (:mod:`.html`) plus CSV
files (:mod:`.tables`) into the output folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from clientcraft.bank import Bank
from clientcraft.errors import ClientcraftError
from clientcraft.report import plots, tables
from clientcraft.report.analysis import analyse
from clientcraft.report.gradebook import read_course
from clientcraft.report.html import render_html

REPORT_FILE = "report.html"


@dataclass(frozen=True)
class Report:
    """What ``build_report`` wrote, and what it left out (one warning line each)."""

    html: Path
    csv: tuple[Path, ...]
    warnings: tuple[str, ...]


def build_report(
    course: Path,
    bank: Bank,
    assignment: str | None = None,
    out: Path | None = None,
    book_url: str | None = None,
    progress: bool = True,
) -> Report:
    """Read the course's gradebook and autograded notebooks; write report.html and the CSV files."""
    course = Path(course)
    cohort, warnings = read_course(course, bank, assignment, progress)
    analysis = analyse(cohort)
    out = Path(out) if out is not None else course / "reports"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClientcraftError(
            f"{out}: cannot create the output folder: {exc} (pass --out with "
            "a folder you can write to)"
        ) from exc
    charts = {
        "scores": plots.score_histograms(analysis.assignments),
        "topics": plots.topic_histograms(analysis),
        "items": plots.item_map(analysis.items),
    }
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = {
        "assignments.csv": tables.assignments_csv(analysis),
        "items.csv": tables.items_csv(analysis),
        "options.csv": tables.options_csv(analysis),
        "learners.csv": tables.learners_csv(analysis, book_url),
        "scores.csv": tables.scores_csv(cohort),
        REPORT_FILE: render_html(analysis, charts, generated, book_url),
    }
    for name, text in files.items():
        tables.write_atomic(out / name, text)
    return Report(
        out / REPORT_FILE, tuple(out / n for n in files if n != REPORT_FILE), tuple(warnings)
    )
