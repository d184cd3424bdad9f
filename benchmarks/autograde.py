"""Autograde speed: stock nbgrader (a kernel runs assert-style test cells) against GradeChoices.

In one run: builds courses from the bank with ``clientcraft nbgrader-course``: ours with per-learner
variants (the default), and a stock-style copy of the fixed form whose test cells execute an
equivalent assert + credit lookup under nbgrader's Execute step (stock nbgrader has no variants);
grades N submissions in both, then M submissions with ours, and prints the per-submission times and
the ratio. Every score is checked against the bank's credits (ours: in each learner's own variant),
so a fast wrong grader cannot pass. Run: ``python -m benchmarks.autograde [--n 50] [--many 500] [--assignment final]``.

A submission's time is the command's time beyond its fixed cost (start-up, config, finding the
submissions), measured by running the same command again once everything is graded; the ratio of
whole commands, which shrinks towards that fixed cost for small N, is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from clientcraft.bank import load_bank
from clientcraft.grading import BEGIN_KEY, END_KEY, read_key, split_key
from tests.support.nbgrader_cohort import (
    add_students,
    autograde_in_parallel,
    expected_scores,
    exported_scores,
    learner_questions,
    make_course,
    random_answers,
    release,
    run_nbgrader,
    submit,
)
from tests.support.paths import REPO


def stock_test_source(source: str) -> str:
    """A stock nbgrader test cell equivalent to our key: assert a valid letter, output the credit."""
    visible, _ = split_key(source)
    key = read_key(source)
    credit = {o.key: o.credit for o in key.options}
    return (
        f"{visible}\n{BEGIN_KEY}\n_credit = {json.dumps(credit)}\n"
        f"assert isinstance({key.question}, str) and {key.question}.strip().upper() in _credit\n"
        f"_credit[{key.question}.strip().upper()]\n{END_KEY}"
    )


def make_stock_course(ours: Path, dest: Path) -> Path:
    """Copy our course's source notebooks with executable test cells and nbgrader's default
    autograde pipeline (Execute)."""
    for nb_path in sorted((ours / "source").glob("*/*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                cell["source"] = stock_test_source("".join(cell["source"]))
        out = dest / "source" / nb_path.parent.name / nb_path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    (dest / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.ClearSolutions.code_stub = {"python": ""}\n',
        encoding="utf-8",
    )
    return dest


def make_cohort(
    course: Path, assignment: str, ids: list[str], rng: random.Random
) -> dict[str, dict[str, str]]:
    """Random answers of each learner to their own variant of ``assignment``."""
    release(course, assignment)
    return {
        s: random_answers(
            rng, {q: valid for q, (_, valid) in learner_questions(course, assignment, s).items()}
        )
        for s in ids
    }


def prepare(course: Path, assignment: str, cohort: dict[str, dict[str, str]], label: str) -> None:
    release(course, assignment)
    add_students(course, list(cohort))
    for student, answers in tqdm(cohort.items(), desc=f"submitting to {label}", unit="sub"):
        submit(course, student, assignment, answers)


def autograde(course: Path, assignment: str, jobs: int) -> float:
    """Wall time of ``nbgrader autograde`` over all submissions, split over ``jobs`` processes by
    the last digit of the student id (nbgrader's own ``--student`` glob)."""
    globs = ["*[" + "".join(str(d) for d in range(10) if d % jobs == j) + "]" for j in range(jobs)]
    start = time.perf_counter()
    autograde_in_parallel(course, assignment, globs)
    return time.perf_counter() - start


def grader_only(course: Path, assignment: str, cohort: dict[str, dict[str, str]]) -> float:
    """Seconds GradeChoices alone needs for ``cohort`` (in process, no nbgrader pipeline): the part of
    autograde this project replaces; the rest is nbgrader's own sanitizing and gradebook work."""
    import copy

    import nbformat

    from clientcraft.grading import GradeChoices

    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    notebooks = []
    for answers in cohort.values():
        nb = copy.deepcopy(source)
        for cell in nb.cells:
            question = cell.metadata["nbgrader"]["grade_id"].removeprefix("answer-")
            if cell.metadata["nbgrader"].get("solution") and question in answers:
                cell.source = f"{question} = {answers[question]}"
        notebooks.append(nb)
    grader = GradeChoices()
    start = time.perf_counter()
    for student, nb in zip(cohort, notebooks, strict=True):
        grader.preprocess(nb, {"nbgrader": {"student": student}})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="submissions graded by both (default 50)")
    parser.add_argument("--many", type=int, default=500, help="then graded by ours (default 500)")
    parser.add_argument("--assignment", default="final")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="parallel nbgrader processes for the large run (default: cores)",
    )
    parser.add_argument("--bank", type=Path, default=REPO / "exercises")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="clientcraft-bench-") as tmp_name:
        tmp = Path(tmp_name)
        ours = make_course(tmp, args.bank, "ours")
        fixed = make_course(tmp, args.bank, "fixed", variants=False)
        stock = make_stock_course(fixed, tmp / "stock")
        many = make_course(tmp, args.bank, "many")
        rng = random.Random(7)
        ids = [f"s{i:04d}" for i in range(1, args.n + 1)]
        cohort = make_cohort(ours, args.assignment, ids, rng)
        stock_cohort = make_cohort(fixed, args.assignment, ids, rng)
        big_ids = [f"s{i:04d}" for i in range(1, args.many + 1)]
        big = make_cohort(many, args.assignment, big_ids, rng)
        prepare(ours, args.assignment, cohort, "ours")
        prepare(stock, args.assignment, stock_cohort, "stock")
        prepare(fixed, args.assignment, stock_cohort, "ours, fixed form")
        prepare(many, args.assignment, big, "ours (large run)")

        count = len(learner_questions(ours, args.assignment, ids[0]))
        print(
            f"assignment {args.assignment}: {count} questions, per-learner variants on; "
            f"{os.cpu_count()} cores"
        )
        t_stock = autograde(stock, args.assignment, 1)
        t_ours = autograde(ours, args.assignment, 1)
        t_fixed = autograde(fixed, args.assignment, 1)
        # Everything is graded now, so a second run skips every submission: its time is the fixed
        # cost of one nbgrader command (start-up, config, finding the submissions).
        fixed_stock = autograde(stock, args.assignment, 1)
        fixed_ours = autograde(ours, args.assignment, 1)
        fixed_fixed = autograde(fixed, args.assignment, 1)
        t_many = autograde(many, args.assignment, args.jobs)
        t_grader = grader_only(ours, args.assignment, big)
        for course in (ours, stock, many, fixed):
            run_nbgrader(course, "export")
        bank = load_bank(args.bank)
        right = exported_scores(ours, args.assignment) == expected_scores(
            ours, bank, args.assignment, cohort
        )
        right = right and exported_scores(fixed, args.assignment) == expected_scores(
            fixed, bank, args.assignment, stock_cohort
        )
        right_many = exported_scores(many, args.assignment) == expected_scores(
            many, bank, args.assignment, big
        )
        stock_scores = exported_scores(stock, args.assignment)
        deserved = expected_scores(fixed, bank, args.assignment, stock_cohort)
        undeserved = sum(stock_scores[s] > deserved[s] for s in stock_cohort)
        per_stock = (t_stock - fixed_stock) / args.n * 1000
        per_ours = (t_ours - fixed_ours) / args.n * 1000
        per_fixed = (t_fixed - fixed_fixed) / args.n * 1000
        print(
            f"stock nbgrader (Execute), 1 process: {args.n} submissions in {t_stock:5.1f} s "
            f"(of which {fixed_stock:.1f} s is the command's fixed cost) = {per_stock:5.0f} ms/submission"
        )
        print(
            f"clientcraft,              1 process: {args.n} submissions in {t_ours:5.1f} s "
            f"(of which {fixed_ours:.1f} s is the command's fixed cost) = {per_ours:5.0f} ms/submission"
        )
        print(
            f"clientcraft, fixed form,  1 process: {args.n} submissions in {t_fixed:5.1f} s "
            f"(of which {fixed_fixed:.1f} s is the command's fixed cost) = {per_fixed:5.0f} ms/submission"
        )
        print(
            f"ratio per submission, stock / ours: {per_stock / per_ours:.1f}x (target >= 10x); "
            f"whole commands of {args.n}: {t_stock / t_ours:.1f}x"
        )
        print(
            f"clientcraft, {args.jobs} process(es): {args.many} submissions in {t_many:.1f} s "
            f"(target < 60 s)"
        )
        print(
            f"ours equal the bank's credits for every learner: {right and right_many}; stock gave "
            f'{undeserved} of {args.n} learners points for code answers (e.g. str("A"))'
        )
        print(
            f"GradeChoices alone (no nbgrader pipeline): {args.many} notebooks in {t_grader:.2f} s = "
            f"{t_grader / args.many * 1000:.1f} ms/submission"
        )
        if not (right and right_many):
            raise SystemExit("clientcraft scores differ from the bank's credits")


if __name__ == "__main__":
    main()
