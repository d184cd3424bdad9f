"""The ``clientcraft`` command: each subcommand loads the bank and hands it to one renderer.

No course logic lives here; the words users see are in :data:`DESCRIPTION` and the argument help.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clientcraft.bank import POOLS, Bank, default_bank_dir, load_bank
from clientcraft.errors import ClientcraftError

DESCRIPTION = """\
Build and run the clientcraft course from its scenario bank (exercises/*.yml): check the bank,
build the book and the practice notebooks, set up the graded nbgrader quizzes, and report on a
cohort's results.

typical order:
  clientcraft validate                    check the bank after editing it
  clientcraft build                       book (book/_build/html) + practice notebooks (notebooks/)
  clientcraft nbgrader-course COURSE_DIR  graded quizzes, then nbgrader's own commands
  clientcraft variant COURSE_DIR QUIZ ID  what one learner sees (per-learner variants)
  clientcraft report COURSE_DIR           item analysis and mastery after nbgrader autograde
  clientcraft export FORMAT --out PATH    SCORM package or question bank for an LMS
"""


def _load(args: argparse.Namespace) -> Bank:
    bank = load_bank(args.bank or default_bank_dir())
    for warning in bank.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return bank


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the bank; print counts per topic and pool and the item-quality figures (a table, or
    JSON with ``--json``). Quality problems are warnings, or errors (exit 1) with ``--strict``."""
    from clientcraft.quality import check_bank

    bank = _load(args)
    counts = bank.counts()
    quality = check_bank(bank)
    if args.json:
        print(json.dumps({**counts, "quality": quality.as_json()}, indent=2))
    else:
        _print_counts(bank, counts)
        print("\nitem quality (assessment pool):")
        width = max(len(c.title) for c in quality.checks)
        for check in quality.checks:
            status = "ok" if check.passed else "FAIL"
            print(f"  {status:<4}  {check.title:<{width}}  {check.summary}")
            if check.detail:
                print(f"  {'':<4}  {'':<{width}}  {check.detail}")
    problems = [str(p) for p in quality.problems]
    if problems and args.strict:
        raise ClientcraftError(problems)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if problems and not args.json:
        print(f"{len(problems)} item-quality warning(s) on stderr; --strict fails on them")
    return 0


def _print_counts(bank: Bank, counts: dict[str, Any]) -> None:
    width = max(len("topic"), *(len(t) for t in counts["topics"]))
    print(f"{'topic':<{width}}  {'practice':>8}  {'assessment':>10}  {'total':>5}")
    for topic, per_pool in counts["topics"].items():
        print(
            f"{topic:<{width}}  {per_pool['practice']:>8}  {per_pool['assessment']:>10}  "
            f"{sum(per_pool.values()):>5}"
        )
    totals = {p: sum(c[p] for c in counts["topics"].values()) for p in POOLS}
    print(
        f"{'all':<{width}}  {totals['practice']:>8}  {totals['assessment']:>10}  {counts['total']:>5}"
    )
    used = len(bank.claims) - len(bank.unexercised_claims())
    print(f"claims exercised: {used} of {len(bank.claims)}")


def cmd_build(args: argparse.Namespace) -> int:
    """Write the practice notebooks into ``notebooks/`` next to the bank folder, then build the
    book into ``book/_build/html`` (only the notebooks with ``--notebooks``)."""
    from clientcraft.book import build_book, strict_by_default
    from clientcraft.render.notebooks import write_notebooks

    bank = _load(args)
    for path in write_notebooks(bank, bank.root.parent / "notebooks"):
        print(f"wrote {path}")
    if args.notebooks:
        return 0
    book_dir = args.book or bank.root.parent / "book"
    output = build_book(book_dir, strict=args.strict or strict_by_default(), bank_dir=bank.root)
    print(f"book: {output / 'index.html'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the instructor report (HTML + CSV) of an nbgrader course's gradebook."""
    from clientcraft.course import recorded_bank
    from clientcraft.report import build_report

    if args.bank is None and not (default_bank_dir() / "topics.yml").is_file():
        args.bank = recorded_bank(args.course)
    report = build_report(args.course, _load(args), args.assignment, args.out, args.book_url)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in (*report.csv, report.html):
        print(f"wrote {path}")
    return 0


def cmd_nbgrader_course(args: argparse.Namespace) -> int:
    """Create or update an nbgrader course (quizzes per topic + final) from the assessment pool."""
    from clientcraft.course import update_course

    result = update_course(args.course, _load(args), force=args.force, course_id=args.course_id)
    for path in result.written:
        print(f"wrote {args.course / path}")
    for path in result.unchanged:
        print(f"unchanged {args.course / path}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export to an LMS: a SCORM 1.2 package of the book, or a Moodle XML, GIFT or QTI 2.1 bank."""
    from clientcraft.export import export

    result = export(_load(args), args.format, args.out, args.pool, args.topic, args.book)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {args.out}: {result.summary}")
    return 0


def cmd_variant(args: argparse.Namespace) -> int:
    """Show what one learner sees in one assignment: their questions and lettered options."""
    from clientcraft.course import learner_keys, on_roster

    keys = learner_keys(args.course, args.assignment, args.student)
    if not on_roster(args.course, args.student):
        print(
            f"note: '{args.student}' is not on the roster of {args.course} (nbgrader db student "
            "list); shown is the variant that student id will see",
            file=sys.stderr,
        )
    questions: list[dict[str, Any]] = [
        {
            "question": key.question,
            "scenario": key.scenario,
            "options": [{"letter": o.key, "key": o.canonical, "text": o.text} for o in key.options],
        }
        for key in keys
    ]
    if args.json:
        print(
            json.dumps(
                {"student": args.student, "assignment": args.assignment, "questions": questions},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print(f"{args.assignment} as {args.student} sees it:")
    for question in questions:
        print(f"\n{question['question']}  {question['scenario']}")
        for option in question["options"]:
            print(f"  {option['letter']}. {option['text']}  (bank option {option['key']})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientcraft",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    bank_help = "the scenario bank folder (default: ./exercises or the nearest parent's)"

    validate = sub.add_parser("validate", help="check the scenario bank and show its counts")
    validate.add_argument("--bank", type=Path, help=bank_help)
    validate.add_argument(
        "--json", action="store_true", help="print the counts and quality figures as JSON"
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when an item-quality check fails (by default its problems are warnings)",
    )
    validate.set_defaults(func=cmd_validate)

    build = sub.add_parser("build", help="build the course from the bank")
    build.add_argument("--bank", type=Path, help=bank_help)
    build.add_argument(
        "--notebooks",
        action="store_true",
        help="only write the practice notebooks (notebooks/*.ipynb)",
    )
    build.add_argument(
        "--book", type=Path, help="the book folder (default: book/ next to the bank folder)"
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="fail the book build on any Sphinx warning (always on when CI is set)",
    )
    build.set_defaults(func=cmd_build)

    report = sub.add_parser(
        "report",
        help="item analysis and learner mastery from a course's "
        "nbgrader gradebook, as one HTML page and CSV files",
    )
    report.add_argument(
        "course",
        type=Path,
        metavar="COURSE_DIR",
        help="the nbgrader course folder (holds nbgrader_config.py, gradebook.db)",
    )
    report.add_argument("--assignment", help="report on this assignment only (default: all)")
    report.add_argument("--out", type=Path, help="output folder (default: COURSE_DIR/reports)")
    report.add_argument(
        "--bank",
        type=Path,
        help=bank_help + "; else the bank that built the course (recorded by nbgrader-course)",
    )
    report.add_argument(
        "--book-url",
        help="the published book's address; review lists then link "
        "each topic's module page (BOOK_URL/modules/<topic>.html)",
    )
    report.set_defaults(func=cmd_report)

    course = sub.add_parser(
        "nbgrader-course",
        help="create or update an nbgrader course: one quiz "
        "per topic (quiz-<topic-id>) and a final, graded without running code",
    )
    course.add_argument(
        "course", type=Path, metavar="COURSE_DIR", help="the nbgrader course folder"
    )
    course.add_argument("--bank", type=Path, help=bank_help)
    course.add_argument(
        "--course-id",
        help="the course's name in nbgrader's exchange, written to nbgrader_config.py as "
        "c.CourseDirectory.course_id (needed for release, fetch, submit and collect); "
        "recorded, so later runs keep it",
    )
    course.add_argument(
        "--force",
        action="store_true",
        help="also change assignments already "
        "released or edited by hand (the old notebooks are kept in clientcraft-backup/)",
    )
    course.set_defaults(func=cmd_nbgrader_course)

    export = sub.add_parser(
        "export",
        help="export to an LMS: scorm (SCORM 1.2 zip of the book), moodle-xml, gift or qti "
        "(QTI 2.1 zip) question banks",
    )
    export.add_argument("format", metavar="FORMAT", help="scorm, moodle-xml, gift or qti")
    export.add_argument("--out", type=Path, required=True, help="the file to write")
    export.add_argument(
        "--pool",
        default="practice",
        help="practice (default), assessment or all; files with assessments hold the answer key",
    )
    export.add_argument(
        "--topic", nargs="+", action="extend", metavar="ID", help="only these topics (default: all)"
    )
    export.add_argument("--bank", type=Path, help=bank_help)
    export.add_argument(
        "--book", type=Path, help="scorm: the book folder (default: book/ next to the bank folder)"
    )
    export.set_defaults(func=cmd_export)

    variant = sub.add_parser(
        "variant",
        help="what one learner sees in one assignment: their questions and options, lettered as "
        "in their notebook",
    )
    variant.add_argument("course", type=Path, metavar="COURSE_DIR", help="the nbgrader course")
    variant.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. quiz-trust or final")
    variant.add_argument("student", metavar="STUDENT_ID", help="the learner's nbgrader student id")
    variant.add_argument("--json", action="store_true", help="print it as JSON")
    variant.set_defaults(func=cmd_variant)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a :class:`ClientcraftError` becomes its message and exit status 1."""
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        status = handler(args)
        sys.stdout.flush()  # a closed pipe shows up here, not after main() returns
        return status
    except BrokenPipeError:
        # The reader went away (e.g. `clientcraft validate --json | head`): stop quietly with the
        # status of a process ended by SIGPIPE, as other Unix tools do, and keep Python from
        # complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except ClientcraftError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"clientcraft {args.command}: {len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
