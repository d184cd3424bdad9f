"""Report speed on a large cohort: ``clientcraft report`` for N learners (default 500) on every
assignment of the shipped bank's course (a quiz per topic plus the final).

The cohort goes through nbgrader's real pipeline: ``clientcraft nbgrader-course``, ``nbgrader
generate_assignment``, ``nbgrader db student import``, submissions laid out as ``nbgrader collect``
does, and ``nbgrader autograde`` with the clientcraft grader (GradeChoices, no kernel). Answers follow
a simple ability model (each learner answers best with probability = ability, else any other option,
sometimes blank or invalid), so the report has real spread. Building the cohort is timed separately
and can be reused with ``--course DIR`` (built there the first time).

Prints the time of each report phase (reading the gradebook and notebooks, statistics, charts,
HTML + CSV), the whole ``build_report`` call, peak memory and output sizes.
Run: ``python -m benchmarks.report [--learners 500] [--course DIR] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from pathlib import Path

from clientcraft.bank import load_bank
from clientcraft.render.nbgrader import course_assignments
from clientcraft.report import build_report, plots
from clientcraft.report.analysis import analyse
from clientcraft.report.gradebook import read_course
from tests.support.nbgrader_cohort import (
    INVALID,
    add_students,
    make_course,
    questions,
    release,
    run_nbgrader,
    submit,
)
from tests.support.paths import REPO


def answers_for(
    rng: random.Random, ability: float, letters: dict[str, str], best: dict[str, str]
) -> dict[str, str]:
    """One learner's answer literals: best with probability ``ability``, else another option;
    3 % blank, 2 % invalid."""
    answers = {}
    for question, valid in letters.items():
        roll = rng.random()
        if roll < 0.03:
            continue
        if roll < 0.05:
            answers[question] = rng.choice(INVALID)
        elif rng.random() < ability:
            answers[question] = json.dumps(best[question])
        else:
            answers[question] = json.dumps(rng.choice([k for k in valid if k != best[question]]))
    return answers


def build_cohort(root: Path, learners: int, seed: int) -> Path:
    """A course under ``root`` with every assignment submitted by ``learners`` and autograded."""
    bank = load_bank(REPO / "exercises")
    rng = random.Random(seed)
    course = make_course(root, REPO / "exercises")
    students = [f"learner{i:04d}" for i in range(1, learners + 1)]
    add_students(course, students)
    ability = {s: min(0.97, max(0.05, rng.gauss(0.62, 0.2))) for s in students}
    for assignment in course_assignments(bank):
        release(course, assignment)
        found = questions(course, assignment)
        letters = {q: valid for q, (_, valid) in found.items()}
        best = {q: bank.scenario(sid).best.key for q, (sid, _) in found.items()}
        for student in students:
            submit(course, student, assignment, answers_for(rng, ability[student], letters, best))
        started = time.perf_counter()
        run_nbgrader(course, "autograde", assignment)
        took = time.perf_counter() - started
        print(
            f"  autograde {assignment}: {learners} submissions in {took:.1f} s "
            f"({1000 * took / learners:.0f} ms each)",
            flush=True,
        )
    return course


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument(
        "--course", type=Path, help="reuse (or build once) the cohort's course here"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    root = args.course.parent if args.course else Path(tempfile.mkdtemp(prefix="report-bench-"))
    course = args.course or root / "course"
    if not (course / "gradebook.db").exists():
        print(f"building a {args.learners}-learner cohort in {course} (nbgrader autograde)...")
        started = time.perf_counter()
        course = build_cohort(root, args.learners, args.seed)
        if args.course and course != args.course:
            course.rename(args.course)
            course = args.course
        print(f"cohort built in {time.perf_counter() - started:.0f} s")
    bank = load_bank(REPO / "exercises")

    phases = {}
    started = time.perf_counter()
    cohort, _ = read_course(course, bank)
    phases["read gradebook + autograded notebooks"] = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyse(cohort)
    phases["statistics"] = time.perf_counter() - started
    started = time.perf_counter()
    plots.score_histograms(analysis.assignments), plots.topic_histograms(analysis)
    plots.item_map(analysis.items)
    phases["charts"] = time.perf_counter() - started

    out = root / "bench-report"
    started = time.perf_counter()
    report = build_report(course, bank, out=out)
    total = time.perf_counter() - started

    submissions = sum(len(per) for per in cohort.scores.values())
    print(
        f"\ncohort: {len(cohort.students)} learners, {len(cohort.scores)} assignments, "
        f"{len(cohort.items)} questions, {submissions} submissions"
    )
    for name, seconds in phases.items():
        print(f"  {name:<40} {seconds:6.2f} s")
    print(
        f"  {'build_report (all of it, end to end)':<40} {total:6.2f} s "
        f"({1000 * total / submissions:.1f} ms per submission)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB")
    for path in (report.html, *report.csv):
        print(f"  {path.name:<14} {path.stat().st_size / 1024:8.0f} KiB")
    print(f"report: {report.html}")


if __name__ == "__main__":
    main()
