"""Load on the cohort exchange: N learners submit at once, then the instructor collects and grades.

Sets up the single-machine cohort as the guide does (``tests/hub_support.prepare_course``: one
Unix account per learner, the hardened exchange, the instructor's course with the roster) and
releases ``quiz-trust``. Then one process per learner, running as that learner's account with
their server's configuration, does what the Assignments tab's buttons do in a learner's server:
nbgrader's own ``AssignmentList.fetch_assignment``, answers, and, when every learner is ready, all
N ``AssignmentList.submit_assignment`` calls at the same moment (clientcraft's private submit into
the shared exchange). Then the instructor runs ``nbgrader collect`` (clientcraft's owner-checked
collect) and ``nbgrader autograde``. Prints submit latency p50/p95, collect and autograde time, and
the errors: failed submits, submissions not collected, and scores that differ from the bank's
credits (all must be 0).

Full JupyterLab servers are not started (N of them do not fit on 2 cores): each learner process
holds what the server would have loaded, so the timed part is the exchange, not Python start-up.

Bounded: N learners (default 100, at most 200), a 900 s limit on each phase; local files and
processes only, no network. Needs root (it makes and removes the accounts). Run:

    python -m benchmarks.hub_load [--learners 100]
"""

from __future__ import annotations

import argparse
import json
import random
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from clientcraft.bank import load_bank
from tests.support.hub import COURSE_ID, as_user, home_of, prepare_course, user_env
from tests.support.nbgrader_cohort import expected_scores, exported_scores, questions
from tests.support.paths import REPO

QUIZ = "quiz-trust"
MAX_LEARNERS = 200


PHASE_LIMIT = 900

# One learner's server, reduced to what the Assignments tab calls: fetch, answer, then submit on "go".
WORKER = r"""
import json, sys, time
from pathlib import Path
from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

course, quiz, answers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
manager = AssignmentList()
manager.root_dir = str(Path.home())
manager.fetch_assignment(course, quiz)
path = Path.home() / quiz / f"{quiz}.ipynb"
nb = json.loads(path.read_text(encoding="utf-8"))
for cell in nb["cells"]:
    grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
    if grade_id.startswith("answer-") and grade_id[7:] in answers:
        cell["source"] = f"{grade_id[7:]} = {answers[grade_id[7:]]}"
path.write_text(json.dumps(nb), encoding="utf-8")
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
result = manager.submit_assignment(course, quiz)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "success": result["success"],
                  "error": str(result.get("value", ""))[-400:]}), flush=True)
"""


def start_worker(
    learner: str, env: dict[str, str], answers: dict[str, str]
) -> subprocess.Popen[str]:
    """The learner's process, as their account with their server's environment."""
    full = {**user_env(learner, home_of(learner)), **env}
    python = str(Path(full["PATH"].split(":")[0]) / "python")
    argv = ["runuser", "-u", learner, "--", "env", "-i", *(f"{k}={v}" for k, v in full.items())]
    return subprocess.Popen(
        [*argv, python, "-c", WORKER, COURSE_ID, QUIZ, json.dumps(answers)],
        cwd=home_of(learner),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def read_line(proc: subprocess.Popen[str], deadline: float) -> str:
    """The process's next line, or a TimeoutError once the phase's deadline has passed."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
    if not ready:
        raise TimeoutError("a learner process did not answer within the phase limit")
    return proc.stdout.readline().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    args = parser.parse_args()
    n = min(args.learners, MAX_LEARNERS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # still remove the accounts

    start = time.perf_counter()
    setup = prepare_course(n, "load", prefix="b")
    print(f"set-up ({n} accounts, exchange, course, roster): {time.perf_counter() - start:.1f} s")
    try:
        teach, learner_env = setup.instructor, setup.role_env("learner")
        teacher_env = setup.role_env("instructor")
        as_user(teach, "nbgrader", "generate_assignment", QUIZ, cwd=setup.course, **teacher_env)
        as_user(teach, "nbgrader", "release_assignment", QUIZ, cwd=setup.course, **teacher_env)
        rng = random.Random(14)  # the same answers every run
        letters = {q: valid for q, (_, valid) in questions(setup.course, QUIZ).items()}
        answers = {
            learner: {q: json.dumps(rng.choice(valid)) for q, valid in letters.items()}
            for learner in setup.learners
        }

        start = time.perf_counter()
        workers = {
            learner: start_worker(learner, learner_env, answers[learner])
            for learner in setup.learners
        }
        try:
            deadline = time.monotonic() + PHASE_LIMIT
            ready = [read_line(w, deadline) == "ready" for w in workers.values()]
            print(
                f"{sum(ready)} of {n} learners fetched and answered (their processes warm): "
                f"{time.perf_counter() - start:.1f} s"
            )
            start = time.perf_counter()
            for worker in workers.values():
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            deadline = time.monotonic() + PHASE_LIMIT
            results = {
                learner: json.loads(read_line(w, deadline) or '{"seconds": 0, "success": false}')
                for learner, w in workers.items()
            }
            wall = time.perf_counter() - start
        finally:
            for worker in workers.values():
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
        latencies = sorted(r["seconds"] for r in results.values())
        failed = {learner: r for learner, r in results.items() if not r["success"]}
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"submit, {n} at once: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s, all done in {wall:.1f} s"
        )

        start = time.perf_counter()  # the same command with nothing to collect: start-up alone
        as_user(teach, "nbgrader", "collect", "quiz-none", cwd=setup.course, **teacher_env)
        startup = time.perf_counter() - start
        start = time.perf_counter()
        as_user(teach, "nbgrader", "collect", QUIZ, cwd=setup.course, **teacher_env)
        collect = time.perf_counter() - start
        collected = len(list((setup.course / "submitted").glob(f"*/{QUIZ}/{QUIZ}.ipynb")))
        print(
            f"collect: {collect:.1f} s ({collected} submissions; the command with nothing to "
            f"collect takes {startup:.1f} s)"
        )

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
        for learner, result in list(failed.items())[:5]:
            print(f"  {learner}: {result.get('error', '')}", file=sys.stderr)
        return 1 if errors else 0
    finally:
        setup.close()


if __name__ == "__main__":
    sys.exit(main())
