"""Load on the cohort exchange: N learners submit at once, then the instructor collects and grades.

Sets up the single-machine cohort as the guide does (``tests/hub_support.prepare_course``: one
Unix account per learner, the hardened exchange, the instructor's course with the roster), releases
``quiz-trust``, lets every learner fetch it and answer, then starts all N ``nbgrader submit``
commands at the same moment, each as its own account with the learner's server configuration
(clientcraft's private submit). Then the instructor runs ``nbgrader collect`` (clientcraft's
owner-checked collect) and ``nbgrader autograde``. Prints submit latency p50/p95, collect and
autograde time, and the errors: failed commands, submissions not collected, and scores that differ
from the bank's credits (all must be 0).

The learners' servers themselves are not started: N JupyterLab servers do not fit on 2 cores.
The exchange traffic is the same, because the Assignments tab's Submit button runs this same
nbgrader submit code in the learner's server.

Bounded: N learners (default 100, at most 200), each command with a 600 s timeout; local files
and processes only, no network. Needs root (it makes and removes the accounts). Run:

    python benchmarks/hub_load.py [--learners 100]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from clientcraft.bank import load_bank  # noqa: E402
from hub_support import COURSE_ID, as_user, home_of, prepare_course  # noqa: E402
from nbgrader_cohort import expected_scores, exported_scores, questions  # noqa: E402

QUIZ = "quiz-trust"
MAX_LEARNERS = 200


def answer(learner: str, chosen: dict[str, str]) -> None:
    """Write the learner's letters into their fetched notebook (in place: it stays theirs)."""
    path = home_of(learner) / QUIZ / f"{QUIZ}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("answer-") and grade_id[7:] in chosen:
            cell["source"] = f"{grade_id[7:]} = {chosen[grade_id[7:]]}"
    path.write_text(json.dumps(nb), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    args = parser.parse_args()
    n = min(args.learners, MAX_LEARNERS)

    start = time.perf_counter()
    setup = prepare_course(n, "load", prefix="b")
    print(f"set-up ({n} accounts, exchange, course, roster): {time.perf_counter() - start:.1f} s")
    try:
        teach, learner_env = setup.instructor, setup.role_env("learner")
        teacher_env = setup.role_env("instructor")
        as_user(teach, "nbgrader", "generate_assignment", QUIZ, cwd=setup.course, **teacher_env)
        as_user(teach, "nbgrader", "release_assignment", QUIZ, cwd=setup.course, **teacher_env)
        rng = random.Random(14)
        letters = {q: valid for q, (_, valid) in questions(setup.course, QUIZ).items()}
        answers = {
            learner: {q: json.dumps(rng.choice(valid)) for q, valid in letters.items()}
            for learner in setup.learners
        }

        def fetch_and_answer(learner: str) -> None:
            as_user(learner, "nbgrader", "fetch_assignment", QUIZ, **learner_env)
            answer(learner, answers[learner])

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(fetch_and_answer, setup.learners))
        print(f"fetch + answer ({n} learners, 16 at a time): {time.perf_counter() - start:.1f} s")

        def submit(learner: str) -> tuple[float, int, str]:
            began = time.perf_counter()
            proc = as_user(learner, "nbgrader", "submit", QUIZ, check=False, **learner_env)
            return time.perf_counter() - began, proc.returncode, proc.stderr[-500:]

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(submit, setup.learners))
        wall = time.perf_counter() - start
        latencies = sorted(r[0] for r in results)
        failed = [(learner, r) for learner, r in zip(setup.learners, results, strict=True) if r[1]]
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"submit, {n} at once: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s, all done in {wall:.1f} s"
        )

        start = time.perf_counter()
        as_user(teach, "nbgrader", "collect", QUIZ, cwd=setup.course, **teacher_env)
        collect = time.perf_counter() - start
        collected = len(list((setup.course / "submitted").glob(f"*/{QUIZ}/{QUIZ}.ipynb")))
        print(f"collect: {collect:.1f} s ({collected} submissions)")

        start = time.perf_counter()
        as_user(teach, "nbgrader", "autograde", QUIZ, cwd=setup.course, **teacher_env)
        autograde = time.perf_counter() - start
        print(f"autograde: {autograde:.1f} s ({autograde / max(collected, 1):.3f} s a submission)")

        as_user(teach, "nbgrader", "export", cwd=setup.course, **teacher_env)
        scores = exported_scores(setup.course, QUIZ)
        expected = expected_scores(setup.course, load_bank(REPO / "exercises"), QUIZ, answers)
        wrong = [s for s in expected if scores.get(s) != expected[s]]
        errors = len(failed) + (n - collected) + len(wrong)
        print(
            f"errors: {errors} (submit failures {len(failed)}, not collected {n - collected}, "
            f"scores differing from the bank {len(wrong)}); course id {COURSE_ID}"
        )
        for learner, (_, code, stderr) in failed[:5]:
            print(f"  {learner}: exit {code}: {stderr}", file=sys.stderr)
        return 1 if errors else 0
    finally:
        setup.close()


if __name__ == "__main__":
    sys.exit(main())
