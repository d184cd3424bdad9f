"""A cohort on a real JupyterHub (deploy/jupyterhub) with nbgrader's real exchange, end to end.

The hub, its proxy, the learners' and the instructor's servers all run for real on localhost, each
server as its own Unix account; the test drives them through the HTTP APIs that JupyterLab's
Assignments and Formgrader panels call, with each person's hub token. Then it checks that the
learners are kept apart, by the exchange and by the file system their servers can reach.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from clientcraft.bank import load_bank
from clientcraft.exchange import owner
from tests.support.browser import SCREENSHOTS, launch
from tests.support.hub import (
    COURSE_ID,
    REPO,
    Cohort,
    HubUnavailable,
    as_user,
    home_of,
    hub_unavailable,
    start_cohort,
)
from tests.support.nbgrader_cohort import bank_keys, expected_scores, learner_questions

pytestmark = [pytest.mark.hub, pytest.mark.slow]

QUIZ = "quiz-trust"
NOTEBOOK = f"{QUIZ}/{QUIZ}.ipynb"


@pytest.fixture(scope="module")
def cohort():
    try:
        cohort = start_cohort(learners=3)
    except HubUnavailable as exc:
        hub_unavailable(str(exc))
    yield cohort
    cohort.close()


def answer_notebook(nb: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """The fetched notebook with each answer cell set to ``qNN = <literal>``, as a learner types."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        question = grade_id.removeprefix("answer-")
        if grade_id.startswith("answer-") and question in answers:
            cell["source"] = f"{question} = {answers[question]}"
    return nb


def learner_answers(course: Path, learners: list[str]) -> dict[str, dict[str, str]]:
    """Three learners, each answering their own variant (per-learner items and option order, as
    the course is made by default), chosen so that their scores differ whatever items the draw
    gives them: the first takes every best option (full marks); the second, in lower case, the
    best on q01 and the highest-credit other option elsewhere (partial credit where the bank has
    it, and at least q01's point); the third leaves q01 blank, answers q02 with a letter that is
    no option and takes the lowest-credit option elsewhere (at most the second's score less one).
    """
    bank = load_bank(REPO / "exercises")
    plan: dict[str, dict[str, str]] = {}
    for n, learner in enumerate(learners):
        own = learner_questions(course, QUIZ, learner)
        letter_of = {
            q: {key: letter for letter, key in keys.items()}
            for q, keys in bank_keys(course, QUIZ, learner).items()
        }
        chosen = {}
        for q, (scenario_id, _) in own.items():
            scenario = bank.scenario(scenario_id)
            others = sorted(
                (o for o in scenario.options if o is not scenario.best), key=attrgetter("credit")
            )
            wanted = [scenario.best, scenario.best if q == "q01" else others[-1], others[0]][n]
            letter = letter_of[q][wanted.key]
            chosen[q] = json.dumps(letter.lower() if n == 1 else letter)
        plan[learner] = chosen
    third = plan[learners[2]]
    third["q01"] = "None"
    third["q02"] = '"Z"'
    return plan


@pytest.fixture(scope="module")
def graded(cohort: Cohort):
    """The whole road through the APIs: release, fetch, answer, validate, submit, collect,
    autograde, feedback, fetch feedback. Returns what each step answered."""
    teach = cohort.instructor
    cohort.start_server(teach)
    for step in ("assign", "release"):
        reply = cohort.ok(teach, "POST", f"formgrader/api/assignment/{QUIZ}/{step}")
        assert reply["success"], reply
    answers = learner_answers(cohort.course, cohort.learners)
    seen: dict[str, Any] = {"listed": {}, "validated": {}, "feedback": {}}
    course = {"course_id": COURSE_ID, "assignment_id": QUIZ}
    for learner, chosen in answers.items():
        cohort.start_server(learner)
        seen["listed"][learner] = cohort.ok(learner, "GET", f"assignments?course_id={COURSE_ID}")
        cohort.ok(learner, "POST", "assignments/fetch", json=course)
        model = cohort.ok(learner, "GET", f"api/contents/{NOTEBOOK}?content=1")
        nb = answer_notebook(model["content"], chosen)
        put = {"type": "notebook", "format": "json", "content": nb}
        cohort.ok(learner, "PUT", f"api/contents/{NOTEBOOK}", json=put)
        seen["validated"][learner] = cohort.ok(
            learner, "POST", "assignments/validate", json={"path": NOTEBOOK}
        )
        submitted = cohort.ok(learner, "POST", "assignments/submit", json=course)
        assert submitted["success"], submitted
        assert "submitted" in {a["status"] for a in submitted["value"]}, submitted
    reply = cohort.ok(teach, "POST", f"formgrader/api/assignment/{QUIZ}/collect")
    assert reply["success"], reply
    seen["collect_log"] = reply.get("log", "")
    for learner in cohort.learners:
        reply = cohort.ok(teach, "POST", f"formgrader/api/submission/{QUIZ}/{learner}/autograde")
        assert reply["success"], reply
        seen.setdefault("autograde_log", []).append(reply.get("log", ""))
    for step in ("generate_feedback", "release_feedback"):
        reply = cohort.ok(teach, "POST", f"formgrader/api/assignment/{QUIZ}/{step}")
        assert reply["success"], reply
    for learner in cohort.learners:
        cohort.ok(learner, "POST", "assignments/fetch_feedback", json=course)
        listing = cohort.ok(learner, "GET", f"api/contents/{QUIZ}/feedback")
        (stamp,) = listing["content"]
        html = cohort.ok(learner, "GET", f"api/contents/{stamp['path']}/{QUIZ}.html?content=1")
        seen["feedback"][learner] = html["content"]
    seen["submissions"] = cohort.ok(teach, "GET", f"formgrader/api/submissions/{QUIZ}")
    return answers, seen


def test_each_learner_sees_the_released_quiz(cohort, graded):
    _, seen = graded
    for listed in seen["listed"].values():
        released = [a for a in listed["value"] if a["status"] == "released"]
        assert [(a["course_id"], a["assignment_id"]) for a in released] == [(COURSE_ID, QUIZ)]


def test_scores_equal_the_banks_credits(cohort, graded):
    answers, seen = graded
    bank = load_bank(REPO / "exercises")
    expected = expected_scores(cohort.course, bank, QUIZ, answers)
    scores = {s["student"]: round(s["score"], 4) for s in seen["submissions"]}
    assert scores == expected
    assert len(set(scores.values())) == 3  # the answers are chosen so that the scores differ


def test_validate_names_blank_and_invalid_answers_only(cohort, graded):
    answers, seen = graded
    for learner, chosen in answers.items():
        reply = seen["validated"][learner]
        assert reply["success"], reply
        failed = reply["value"].get("failed", [])
        named = sorted(re.search(r'_check_answer\("(q\d+)"', f["source"]).group(1) for f in failed)
        invalid = sorted(q for q, literal in chosen.items() if literal in ("None", '"Z"'))
        assert named == invalid, learner
    bank = load_bank(REPO / "exercises")
    text = re.sub(r"\s+", " ", json.dumps(seen["validated"]))
    keys = {re.sub(r"\s+", " ", o.feedback) for s in bank.pool("assessment") for o in s.options}
    assert not [f for f in keys if f in text]  # Validate says nothing about right or wrong
    assert "CLIENTCRAFT_KEY" not in text


def test_each_learner_fetches_their_own_feedback(cohort, graded):
    """Each learner's feedback names the option they chose in their own variant, and only it."""
    answers, seen = graded
    bank = load_bank(REPO / "exercises")
    for learner, chosen in answers.items():
        own = learner_questions(cohort.course, QUIZ, learner)
        keys = bank_keys(cohort.course, QUIZ, learner)
        text = BeautifulSoup(seen["feedback"][learner], "html.parser").get_text(" ")
        text = re.sub(r"\s+", " ", text)
        for q, literal in chosen.items():
            letter = json.loads(literal).strip().upper() if literal.startswith('"') else None
            picked = keys[q].get(letter or "")
            for option in bank.scenario(own[q][0]).options:
                shown = re.sub(r"\s+", " ", option.feedback) in text
                assert shown == (option.key == picked), (learner, q, option.key)


def test_feedback_table_names_the_questions(cohort, graded):
    _, seen = graded
    html = next(iter(seen["feedback"].values()))
    toc = BeautifulSoup(html, "html.parser").select_one("#toc")
    labels = [a.get_text(" ", strip=True) for a in toc.select("a")]
    assert labels[:3] == ["Question 1", "Question 2", "Question 3"]
    assert "Test cell" not in toc.get_text()


def test_autograde_prints_no_checksum_noise(cohort, graded):
    _, seen = graded
    logs = "\n".join(seen["autograde_log"])
    assert "Attribute 'checksum'" not in logs
    assert "cheating attempt" not in seen["collect_log"]


# -- isolation ---------------------------------------------------------------------------------


def inbound_of(cohort: Cohort, learner: str) -> Path:
    """The learner's own submission folder in the exchange (made by their account)."""
    (path,) = [
        p
        for p in (cohort.exchange / COURSE_ID / "inbound").glob(f"{learner}+{QUIZ}+*")
        if owner(str(p)) == learner
    ]
    return path


def test_a_learner_cannot_list_the_inbound_or_feedback_folders(cohort, graded):
    a = cohort.learners[0]
    for folder in ("inbound", "feedback"):
        proc = as_user(a, "ls", str(cohort.exchange / COURSE_ID / folder), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, folder
    proc = as_user(a, "nbgrader", "list", "--inbound", f"--course={COURSE_ID}", check=False)
    assert "cchub-l002" not in proc.stdout + proc.stderr


def test_a_learner_cannot_read_anothers_submission_even_by_name(cohort, graded):
    a, b = cohort.learners[:2]
    theirs = inbound_of(cohort, b)
    for path in (theirs / f"{QUIZ}.ipynb", theirs / "submission_secret.txt"):
        assert path.exists()
        proc = as_user(a, "cat", str(path), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, path


def test_a_learner_cannot_overwrite_or_remove_anothers_submission(cohort, graded):
    a, b = cohort.learners[:2]
    theirs = inbound_of(cohort, b)
    before = (theirs / f"{QUIZ}.ipynb").read_bytes()
    attempts = [
        ["cp", "/etc/hostname", str(theirs / f"{QUIZ}.ipynb")],
        ["rm", "-rf", str(theirs)],
        ["mv", str(theirs), str(theirs) + "-gone"],
        ["touch", str(theirs / "extra.txt")],
    ]
    for cmd in attempts:
        assert as_user(a, *cmd, check=False).returncode != 0, cmd
    assert (theirs / f"{QUIZ}.ipynb").read_bytes() == before


def test_a_learner_cannot_reach_anothers_home_or_server(cohort, graded):
    a, b = cohort.learners[:2]
    home_b = Path(as_user(b, "pwd").stdout.strip())
    for path in (home_b, home_b / QUIZ / f"{QUIZ}.ipynb", home_b / QUIZ / "feedback"):
        proc = as_user(a, "ls", str(path), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, path
    reply = cohort.server(b, "GET", f"api/contents/{QUIZ}", as_user=a)
    assert reply.status_code in (302, 403, 404), reply.status_code
    assert "quiz-trust.ipynb" not in reply.text


def test_a_forged_submission_in_anothers_name_is_not_collected(cohort, graded):
    """Learner A submits with ``--student=B`` (nbgrader allows it); the instructor's collect
    refuses it and B's own submission stays the one that is graded."""
    a, b = cohort.learners[:2]
    home_a = Path(as_user(a, "pwd").stdout.strip())
    as_user(
        a, "nbgrader", "submit", QUIZ, f"--student={b}", cwd=home_a, **role_env(cohort, "learner")
    )
    forged = sorted((cohort.exchange / COURSE_ID / "inbound").glob(f"{b}+{QUIZ}+*"))
    assert len(forged) == 2
    submitted = cohort.course / "submitted" / b / QUIZ / f"{QUIZ}.ipynb"
    before = submitted.read_bytes()
    reply = cohort.ok(cohort.instructor, "POST", f"formgrader/api/assignment/{QUIZ}/collect")
    assert reply["success"], reply
    assert f"claims to be {b}'s submission" in reply["log"]
    assert submitted.read_bytes() == before


def test_a_learner_cannot_collect_or_release(cohort, graded):
    a = cohort.learners[0]
    assert cohort.server(a, "GET", "formgrader/api/assignments").status_code == 404
    assert cohort.server(a, "POST", f"formgrader/api/assignment/{QUIZ}/collect").status_code in (
        403,
        404,
    )
    outbound = cohort.exchange / COURSE_ID / "outbound"
    for cmd in (
        ["touch", str(outbound / QUIZ / "extra.ipynb")],
        ["mkdir", str(outbound / "quiz-fake")],
        ["rm", "-rf", str(outbound / QUIZ)],
    ):
        assert as_user(a, *cmd, check=False).returncode != 0, cmd
    proc = as_user(a, "nbgrader", "collect", QUIZ, check=False, **role_env(cohort, "learner"))
    assert proc.returncode != 0
    assert "You don't have read permissions" in proc.stdout + proc.stderr


# -- the guide's set-up and learner identity ---------------------------------------------------


def role_env(cohort: Cohort, role: str) -> dict[str, str]:
    return cohort.setup.role_env(role)


def test_the_exchange_is_laid_out_as_the_guide_says(cohort, graded):
    import grp
    import pwd

    expected = {
        cohort.exchange: ("root", 0o1777),
        cohort.exchange / COURSE_ID: (cohort.instructor, 0o755),
        cohort.exchange / COURSE_ID / "outbound": (cohort.instructor, 0o755),
        cohort.exchange / COURSE_ID / "inbound": (cohort.instructor, 0o3733),
        cohort.exchange / COURSE_ID / "feedback": (cohort.instructor, 0o711),
    }
    for path, (account, mode) in expected.items():
        info = path.stat()
        assert (pwd.getpwuid(info.st_uid).pw_name, info.st_mode & 0o7777) == (account, mode), path
    inbound_group = (cohort.exchange / COURSE_ID / "inbound").stat().st_gid
    assert grp.getgrgid(inbound_group).gr_name == cohort.instructor  # the instructor's own group
    for learner in cohort.learners:
        for item in [inbound_of(cohort, learner), *inbound_of(cohort, learner).iterdir()]:
            assert item.stat().st_gid == inbound_group, item
            assert item.stat().st_mode & 0o007 == 0, item  # nothing for other accounts
        assert home_mode(learner) == 0o700


def home_mode(name: str) -> int:
    return home_of(name).stat().st_mode & 0o777


def test_an_account_off_the_roster_is_neither_collected_nor_added(cohort, graded):
    """The instructor's own account is not on the roster: its submission is refused at collect,
    and autograde (``c.Autograde.create_student = False``) refuses to invent a learner."""
    teach = cohort.instructor
    home = Path(as_user(teach, "pwd").stdout.strip())
    as_user(teach, "nbgrader", "fetch_assignment", QUIZ, cwd=home, **role_env(cohort, "learner"))
    as_user(teach, "nbgrader", "submit", QUIZ, cwd=home, **role_env(cohort, "learner"))
    reply = cohort.ok(teach, "POST", f"formgrader/api/assignment/{QUIZ}/collect")
    assert f"{teach} is not on the course roster" in reply["log"]
    assert not (cohort.course / "submitted" / teach).exists()

    ghost = cohort.course / "submitted" / f"{teach}-ghost" / QUIZ
    as_user(teach, "mkdir", "-p", str(ghost))
    source = cohort.course / "submitted" / cohort.learners[0] / QUIZ
    as_user(teach, "cp", "-r", f"{source}/.", str(ghost))
    proc = as_user(
        teach,
        "nbgrader",
        "autograde",
        QUIZ,
        f"--student={teach}-ghost",
        cwd=cohort.course,
        check=False,
        **role_env(cohort, "instructor"),
    )
    as_user(teach, "rm", "-rf", str(ghost.parent))
    assert proc.returncode != 0
    assert f"No student with ID '{teach}-ghost' exists" in proc.stdout + proc.stderr
    students = cohort.ok(teach, "GET", "formgrader/api/students")
    assert f"{teach}-ghost" not in {s["id"] for s in students}


# -- a learner in Chromium ---------------------------------------------------------------------


@pytest.mark.browser
def test_a_learner_practises_in_jupyterlab_through_the_hub(cohort, graded):
    """Log in through the hub's form, open a practice notebook in JupyterLab, run it, pick an
    option, Check: the feedback shows and the answer is saved in the learner's own home."""
    from playwright.sync_api import expect, sync_playwright

    learner = cohort.learners[-1]
    password = "practise-" + learner
    subprocess.run(["chpasswd"], input=f"{learner}:{password}", text=True, check=True)
    bank = load_bank(REPO / "exercises")
    scenario = bank.pool("practice", "trust")[0]
    option = scenario.options[0]
    progress = home_of(learner) / ".clientcraft" / "progress.jsonl"
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{cohort.url}/hub/login")
            page.fill("input[name=username]", learner)
            page.fill("input[name=password]", password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{learner}/lab**", timeout=120_000)
            page.goto(f"{cohort.url}/user/{learner}/lab/tree/notebooks/01-trust.ipynb")
            # As a learner does, wait for the status bar to say the kernel is ready: JupyterLab
            # clears, not queues, a cell run before the notebook's session has its kernel.
            kernel = page.get_by_role("button", name=re.compile(r"\| Idle$"))
            expect(kernel).to_be_visible(timeout=120_000)
            cell = page.locator(".jp-CodeCell .jp-InputArea-editor").first
            cell.click(timeout=120_000)
            page.keyboard.press("Shift+Enter")
            expect(page.get_by_text(scenario.question.strip()).first).to_be_visible(timeout=120_000)
            page.locator(".widget-toggle-button", has_text=option.key).first.click()
            page.get_by_role("button", name="Check").first.click()
            expect(page.get_by_text(f"You chose {option.key}.").first).to_be_visible()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "hub-practice.png"))
        finally:
            browser.close()
    entries = [json.loads(line) for line in progress.read_text(encoding="utf-8").splitlines()]
    assert (entries[-1]["scenario"], entries[-1]["choice"]) == (scenario.id, option.key)
    assert progress.stat().st_uid == home_of(learner).stat().st_uid


def test_a_learner_cannot_fetch_or_overwrite_anothers_feedback(cohort, graded):
    """Feedback files are named by a secret only the submitting learner holds: asking the exchange
    for B's feedback gets A their own, and nobody but the instructor writes the feedback folder."""
    _, seen = graded
    a, b = cohort.learners[:2]
    home_a = Path(as_user(a, "pwd").stdout.strip())
    env = role_env(cohort, "learner")
    as_user(a, "rm", "-rf", str(home_a / QUIZ / "feedback"))
    as_user(a, "nbgrader", "fetch_feedback", QUIZ, f"--student={b}", cwd=home_a, **env)
    fetched = [p.read_text(encoding="utf-8") for p in (home_a / QUIZ / "feedback").rglob("*.html")]
    assert fetched == [seen["feedback"][a]] != [seen["feedback"][b]]
    released = cohort.exchange / COURSE_ID / "feedback"
    for cmd in (["touch", str(released / "forged.html")], ["rm", "-rf", str(released)]):
        assert as_user(a, *cmd, check=False).returncode != 0, cmd
