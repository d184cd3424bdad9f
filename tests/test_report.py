"""Tests of ``clientcraft report``: the statistics on hand-computed data, the report built from a
simulated cohort run through nbgrader's real pipeline, bad input, and the page in real Chromium."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

from clientcraft.bank import Topic
from clientcraft.cli import main
from clientcraft.report.analysis import (
    BLANK,
    DEAD_DISTRACTOR,
    INVALID,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    Answer,
    Cohort,
    Item,
    analyse,
    facility,
    item_flags,
    option_stats,
    point_biserial,
    upper_lower_discrimination,
)
from clientcraft.report.reliability import (
    cronbach_alpha,
    pass_mark,
    reliability_stats,
    standard_error,
)
from tests.support.browser import launch
from tests.support.nbgrader_cohort import add_students, make_course, release, run_nbgrader, submit
from tests.support.paths import point_seeds_at_fixtures

# --------------------------------------------------------------------------------------------
# Statistics on hand-computed data
# --------------------------------------------------------------------------------------------


def test_facility_is_the_mean_credit():
    assert facility([1, 0, 0.5, 0.25]) == pytest.approx(0.4375)
    assert math.isnan(facility([]))


def test_upper_lower_takes_27_percent_groups_by_total():
    # 10 learners: groups of round(2.7) = 3. Top totals 10, 9, 8 -> credits 1, 1, 0 (mean 2/3);
    # bottom totals 1, 2, 3 -> credits 0, 1, 0 (mean 1/3).
    totals = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    credits = [1, 1, 0, 1, 1, 0, 0, 0, 1, 0]
    assert upper_lower_discrimination(credits, totals) == pytest.approx(1 / 3)


def test_upper_lower_is_negative_when_weak_learners_do_better():
    totals = [5, 4, 3, 2, 1]  # groups of round(1.35) = 1
    assert upper_lower_discrimination([0, 1, 1, 1, 1], totals) == pytest.approx(-1)


def test_upper_lower_shares_the_cut_off_among_tied_learners():
    # 4 learners, groups of 1; two tied at the top (credits 1 and 0) and two at the bottom
    # (credits 1 and 0): each group's mean is 0.5 whatever order they are listed in.
    assert upper_lower_discrimination([1, 0, 1, 0], [3, 3, 1, 1]) == pytest.approx(0)
    assert upper_lower_discrimination([0, 1, 0, 1], [3, 3, 1, 1]) == pytest.approx(0)
    assert upper_lower_discrimination([1, 1, 0, 0], [3, 3, 1, 1]) == pytest.approx(1)


def test_upper_lower_needs_two_learners():
    assert math.isnan(upper_lower_discrimination([1], [1]))


def test_point_biserial_is_the_item_rest_correlation():
    # credit deviations +-.5, rest deviations 1, -1, 0, 0: r = 1 / sqrt(1 * 2)
    assert point_biserial([1, 0, 1, 0], [3, 1, 2, 2]) == pytest.approx(1 / math.sqrt(2))
    assert point_biserial([0, 1, 0, 1], [3, 1, 2, 2]) == pytest.approx(-1 / math.sqrt(2))
    assert math.isnan(point_biserial([1, 1, 1], [1, 2, 3]))


def test_option_stats_count_blank_and_invalid_answers():
    stats = option_stats(["A", "A", "B", BLANK, "Z", INVALID], ("A", "B", "C"), (1, 0.5, 0))
    table = {o.key: (o.credit, o.count, o.share) for o in stats}
    assert table == {
        "A": (1, 2, pytest.approx(2 / 6)),
        "B": (0.5, 1, pytest.approx(1 / 6)),
        "C": (0, 0, 0),
        BLANK: (None, 1, pytest.approx(1 / 6)),
        INVALID: (None, 2, pytest.approx(2 / 6)),
    }
    assert [o.key for o in stats if o.is_dead] == ["C"]


def test_flags_follow_the_thresholds():
    options = option_stats(["A"] * 19 + ["B"], ("A", "B"), (1, 0))  # B: 5 % is not dead
    assert item_flags(0.9, 0.1, options) == ()
    assert item_flags(0.91, 0.1, options) == (TOO_EASY,)
    assert item_flags(0.19, 0.1, options) == (TOO_HARD,)
    assert item_flags(0.2, 0, options) == ()
    assert item_flags(0.5, -0.01, options) == (NEGATIVE_DISCRIMINATION,)
    dead = option_stats(["A"] * 20, ("A", "B"), (1, 0))
    assert item_flags(0.95, math.nan, dead) == (DEAD_DISTRACTOR, TOO_EASY)
    assert item_flags(0.1, -0.5, dead) == (DEAD_DISTRACTOR, NEGATIVE_DISCRIMINATION, TOO_HARD)


def test_analyse_computes_mastery_per_topic_across_assignments():
    topics = (Topic("t1", "Topic one", ""), Topic("t2", "Topic two", ""))
    items = (
        Item("quiz", "q01", "s1", "t1", ("A", "B"), (1, 0), 1.0),
        Item("quiz", "q02", "s2", "t2", ("A", "B"), (0, 1), 1.0),
        Item("final", "q01", "s3", "t1", ("A", "B", "C"), (1, 0.5, 0), 2.0),
    )
    answers = {
        ("quiz", "q01", "s1"): {"ann": Answer(1, "A"), "bob": Answer(0, "B")},
        ("quiz", "q02", "s2"): {"ann": Answer(1, "B"), "bob": Answer(0, BLANK)},
        ("final", "q01", "s3"): {"ann": Answer(0.5, "B")},
    }
    scores = {"quiz": {"ann": (2.0, 2.0), "bob": (0.0, 2.0)}, "final": {"ann": (1.0, 2.0)}}
    result = analyse(Cohort("c", items, answers, scores, topics))
    mastery = {
        (learner.student, t.topic.id): (t.mastery, t.questions)
        for learner in result.learners
        for t in learner.topics
    }
    assert mastery == {
        ("ann", "t1"): (0.75, 2),
        ("ann", "t2"): (1.0, 1),
        ("bob", "t1"): (0.0, 1),
        ("bob", "t2"): (0.0, 1),
    }
    assert [t.id for t in result.learners[1].review] == ["t1", "t2"]
    assert [s.percents for s in result.assignments] == [(100.0, 0.0), (50.0,)]
    first = result.items[0]
    assert (first.facility, first.discrimination, first.n) == (0.5, 1.0, 2)


def test_kr20_of_a_right_wrong_matrix():
    # 4 learners x 3 right/wrong questions. Item facilities 3/4, 2/4, 1/4 -> p(1 - p) = 3/16,
    # 4/16, 3/16, sum 10/16. Totals 3, 2, 1, 0: mean 1.5, population variance
    # (1.5^2 + 0.5^2 + 0.5^2 + 1.5^2) / 4 = 1.25. KR-20 = 3/2 * (1 - 0.625 / 1.25) = 0.75.
    matrix = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]
    assert cronbach_alpha(matrix) == pytest.approx(0.75)
    four = [(1, 0, 0, 0)] * 3  # right/wrong, 4 options: a random option earns 0.25
    stats = reliability_stats("quiz", matrix, [1, 1, 1], four)
    assert stats.reliability_name == "KR-20"
    # sample SD of 3, 2, 1, 0 = sqrt(5 / 3); SEM = SD * sqrt(1 - 0.75) = SD / 2
    assert stats.sd == pytest.approx(math.sqrt(5 / 3))
    assert stats.sem == pytest.approx(math.sqrt(5 / 3) / 2)
    # guessing: 3 * 0.25 = 0.75 points; pass mark 0.75 + 0.6 * (3 - 0.75) = 2.1
    assert (stats.guess, stats.maximum) == (0.75, 3.0)
    assert stats.pass_mark == pytest.approx(2.1)
    assert stats.borderline == 1  # only the total 2 is within 0.65 of 2.1


def test_reliability_edge_cases():
    assert math.isnan(cronbach_alpha([[1, 0]]))  # one learner
    assert math.isnan(cronbach_alpha([[1], [0]]))  # one question
    assert math.isnan(cronbach_alpha([[1, 0], [0, 1]]))  # every total the same
    # items that disagree: alpha below 0, and the SEM is then the whole SD
    assert cronbach_alpha([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]]) < 0
    assert standard_error(2.0, -0.5) == 2.0
    assert standard_error(2.0, 0.75) == 1.0
    assert pass_mark(1.0, 2.0) == pytest.approx(1.6)
    partial = reliability_stats("q", [[1, 0.5], [0, 0]], [1, 1], [(1, 0.5, 0), (1, 0)])
    assert partial.reliability_name == "Cronbach's alpha"
    assert partial.guess == pytest.approx(0.5 + 0.5)


# --------------------------------------------------------------------------------------------
# A cohort with known properties, through nbgrader's real pipeline
# --------------------------------------------------------------------------------------------

TRUST = {
    "article": "000_97ec9dda253dc4af.txt",
    "section": "Building client trust",
    "claim": "trust-lost-by-delivering-less",
}
COMPOSURE = {
    "article": "001_30ac93c0b7e37939.txt",
    "section": "Keep it together",
    "claim": "composure-just-business",
}


def _scenario(sid: str, topic: str, source: dict, credits: tuple[float, ...]) -> str:
    options = "".join(
        f"    - {{key: {chr(65 + i)}, text: Option {chr(65 + i)} of {sid}., credit: {c}, "
        f"feedback: Feedback {chr(65 + i)}.}}\n"
        for i, c in enumerate(credits)
    )
    return (
        f"- id: {sid}\n  topic: {topic}\n  pool: assessment\n"
        f"  source: {{article: {source['article']}, section: {source['section']}}}\n"
        f"  claims: [{source['claim']}]\n  situation: A client situation for {sid}.\n"
        f"  question: What do you do?\n  options:\n{options}  takeaway: The lesson of {sid}.\n"
    )


# quiz-trust: q01 very easy, q02 negative discrimination, q03 a dead distractor (D), q04 too hard.
# quiz-composure: q01 discriminates cleanly, q02 easy. The final (2 per topic) stays unsubmitted.
REPORT_SCENARIOS = [
    ("rt-easy", "trust", TRUST, (1, 0)),
    ("rt-backwards", "trust", TRUST, (1, 0.5, 0)),
    ("rt-dead-option", "trust", TRUST, (0, 1, 0.25, 0)),
    ("rt-hard", "trust", TRUST, (0, 1, 0)),
    ("rc-split", "composure", COMPOSURE, (0, 1)),
    ("rc-calm", "composure", COMPOSURE, (1, 0.5, 0)),
]
LEARNERS = [f"s{i:02d}" for i in range(1, 21)]


def _pick(student: str, ranges: dict[str, str]) -> str:
    """The answer literal for a learner from ``{"01-06": '"C"', ...}`` (inclusive number ranges);
    a learner in no range leaves the question as released (blank)."""
    number = int(student[1:])
    for span, literal in ranges.items():
        low, _, high = span.partition("-")
        if int(low) <= number <= int(high or low):
            return literal
    return ""


TRUST_ANSWERS = {
    "q01": {"01-19": '"A"', "20": '"b"'},
    "q02": {"01-06": '"C"', "07-10": '" B "', "11-20": '"A"'},
    "q03": {"01-09": '"B"', "10-14": '"C"', "15-18": '"A"', "20": '"Z"'},  # s19 blank
    "q04": {"01-03": '"B"', "04-12": '"A"', "13-20": '"C"'},
}
COMPOSURE_ANSWERS = {
    "q01": {"01-10": '"B"', "11-20": '"A"'},
    "q02": {"01-19": '"A"', "20": 'open("gradebook.db").read()'},
}


def _answers(plan: dict[str, dict[str, str]], student: str) -> dict[str, str]:
    return {q: literal for q, ranges in plan.items() if (literal := _pick(student, ranges))}


def _report_bank(
    root: Path,
    repo: Path,
    drop: str | None = None,
    credits: dict[str, tuple[float, ...]] | None = None,
) -> Path:
    """The shipped topics, claims and sources with only REPORT_SCENARIOS (less ``drop``, and with
    the option credits of some scenarios replaced by ``credits``)."""
    bank_dir = root / "exercises"
    shutil.copytree(repo / "exercises", bank_dir, ignore=shutil.ignore_patterns("*.md"))
    for path in bank_dir.glob("*.yml"):
        if path.name not in ("topics.yml", "claims.yml", "sources.yml"):
            path.unlink()
    point_seeds_at_fixtures(bank_dir / "sources.yml")
    changed = credits or {}
    (bank_dir / "report.yml").write_text(
        "".join(
            _scenario(sid, topic, source, changed.get(sid, given))
            for sid, topic, source, given in REPORT_SCENARIOS
            if sid != drop
        ),
        encoding="utf-8",
    )
    return bank_dir


@pytest.fixture(scope="module")
def cohort_course(tmp_path_factory, repo_root) -> tuple[Path, Path]:
    """A real nbgrader course: quiz-trust and quiz-composure submitted by 20 learners with the
    answers above and autograded by nbgrader; final generated but not submitted.
    Returns (course folder, bank folder)."""
    root = tmp_path_factory.mktemp("report")
    bank_dir = _report_bank(root, repo_root)
    course = make_course(root, bank_dir, variants=False)
    add_students(course, LEARNERS)
    for assignment, plan in (("quiz-trust", TRUST_ANSWERS), ("quiz-composure", COMPOSURE_ANSWERS)):
        release(course, assignment)
        for student in LEARNERS:
            submit(course, student, assignment, _answers(plan, student))
        run_nbgrader(course, "autograde", assignment)
    release(course, "final")
    return course, bank_dir


@pytest.fixture(scope="module")
def report_dir(cohort_course, tmp_path_factory) -> Path:
    course, bank_dir = cohort_course
    out = tmp_path_factory.mktemp("out")
    assert (
        main(
            [
                "report",
                str(course),
                "--bank",
                str(bank_dir),
                "--out",
                str(out),
                "--book-url",
                "https://example.org/book/",
            ]
        )
        == 0
    )
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _items(out: Path) -> dict[str, dict[str, str]]:
    return {f"{r['assignment']}/{r['question']}": r for r in _rows(out / "items.csv")}


@pytest.mark.slow
def test_report_writes_one_html_page_and_five_csv_files(report_dir):
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "assignments.csv",
        "items.csv",
        "learners.csv",
        "options.csv",
        "report.html",
        "scores.csv",
    ]


@pytest.mark.slow
def test_item_facility_and_flags_match_the_designed_cohort(report_dir):
    items = _items(report_dir)
    assert list(items) == [
        "quiz-trust/q01",
        "quiz-trust/q02",
        "quiz-trust/q03",
        "quiz-trust/q04",
        "quiz-composure/q01",
        "quiz-composure/q02",
    ]
    expected = {  # facility = mean credit of the 20 answers
        "quiz-trust/q01": (19 / 20, "too easy"),
        "quiz-trust/q02": ((10 * 1 + 4 * 0.5) / 20, "negative discrimination"),
        "quiz-trust/q03": ((9 * 1 + 5 * 0.25) / 20, "dead distractor"),
        "quiz-trust/q04": (3 / 20, "too hard"),
        "quiz-composure/q01": (10 / 20, ""),
        "quiz-composure/q02": (19 / 20, "dead distractor; too easy"),  # B, C: nobody
    }
    for label, (fac, flags) in expected.items():
        row = items[label]
        assert float(row["facility"]) == pytest.approx(fac, abs=1e-4), label
        assert row["flags"] == flags, label
        assert row["answers"] == "20"
    assert items["quiz-trust/q03"]["scenario"] == "rt-dead-option"
    assert items["quiz-composure/q01"]["topic"] == "composure"


@pytest.mark.slow
def test_random_guess_figure_beside_facility(report_dir):
    items = _items(report_dir)
    expected = {  # mean credit of the options
        "quiz-trust/q01": (1 + 0) / 2,
        "quiz-trust/q02": (1 + 0.5 + 0) / 3,
        "quiz-trust/q03": (0 + 1 + 0.25 + 0) / 4,
        "quiz-trust/q04": (0 + 1 + 0) / 3,
        "quiz-composure/q01": (0 + 1) / 2,
        "quiz-composure/q02": (1 + 0.5 + 0) / 3,
    }
    for label, guess in expected.items():
        assert float(items[label]["guessing_floor"]) == pytest.approx(guess, abs=1e-4), label
    header = next(csv.reader((report_dir / "items.csv").open(encoding="utf-8")))
    assert header.index("guessing_floor") == header.index("facility") + 1


@pytest.mark.slow
def test_reliability_sem_and_pass_mark_match_the_designed_cohort(report_dir):
    rows = {r["assignment"]: r for r in _rows(report_dir / "assignments.csv")}
    assert list(rows) == ["quiz-trust", "quiz-composure"]  # the final has no submissions

    # quiz-composure, 20 learners. q01: s01-s10 right (1), s11-s20 wrong (0): p = 1/2, variance
    # 1/4. q02: s01-s19 right, s20 invalid (0): variance 0.95 * 0.05 = 0.0475.
    # Totals: s01-s10 2, s11-s19 1, s20 0. Mean 29/20 = 1.45; mean square (10*4 + 9*1)/20 = 2.45;
    # variance 2.45 - 1.45^2 = 0.3475.
    alpha = 2 / (2 - 1) * (1 - (0.25 + 0.0475) / 0.3475)  # = 0.2878
    sd = math.sqrt(0.3475 * 20 / 19)  # sample SD of the totals
    sem = sd * math.sqrt(1 - alpha)  # = 0.51
    composure = rows["quiz-composure"]
    assert float(composure["reliability"]) == pytest.approx(alpha, abs=1e-4)
    assert composure["reliability_measure"] == "Cronbach's alpha"  # q02 has a 0.5 option
    assert float(composure["sd"]) == pytest.approx(sd, abs=1e-4)
    assert float(composure["sem"]) == pytest.approx(sem, abs=1e-4)
    # guessing: q01 (0 + 1) / 2 + q02 (1 + 0.5 + 0) / 3 = 1.0 of 2; pass 1 + 0.6 * (2 - 1) = 1.6
    assert float(composure["guess_score"]) == pytest.approx(1.0)
    assert float(composure["pass_mark"]) == pytest.approx(1.6)
    assert float(composure["pass_percent"]) == pytest.approx(80.0)
    assert composure["borderline"] == "10"  # the ten totals of 2 are within 0.51 of 1.6

    # quiz-trust. Item variances (population):
    #   q01 19 of 20 right: 0.95 * 0.05 = 0.0475
    #   q02 6 x 0, 4 x 0.5, 10 x 1: mean 0.6, mean square (4 * 0.25 + 10) / 20 = 0.55 -> 0.19
    #   q03 9 x 1, 5 x 0.25, 6 x 0: mean 0.5125, mean square (9 + 5 * 0.0625) / 20 = 0.465625
    #       -> 0.465625 - 0.5125^2 = 0.20296875
    #   q04 3 of 20 right: 0.15 * 0.85 = 0.1275
    item_variances = 0.0475 + 0.19 + 0.20296875 + 0.1275
    # Totals: 3 x 3.0, 3 x 2.5, 4 x 2.25, 8 x 2.0, 1 x 1.75, 1 x 1.0 -> mean 44.25 / 20 = 2.2125,
    # mean square (27 + 18.75 + 20.25 + 32 + 3.0625 + 1) / 20 = 5.103125, variance 0.20796875.
    total_variance = 5.103125 - 2.2125**2
    alpha = 4 / 3 * (1 - item_variances / total_variance)  # = -2.31: q02 runs backwards
    trust = rows["quiz-trust"]
    assert float(trust["reliability"]) == pytest.approx(alpha, abs=1e-4)
    sd = math.sqrt(total_variance * 20 / 19)
    assert float(trust["sem"]) == pytest.approx(sd, abs=1e-4)  # alpha <= 0: all of the SD
    guess = 1 / 2 + 1.5 / 3 + 1.25 / 4 + 1 / 3
    assert float(trust["guess_score"]) == pytest.approx(guess, abs=1e-4)
    assert float(trust["pass_mark"]) == pytest.approx(guess + 0.6 * (4 - guess), abs=1e-4)
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for term in ("Reliability (KR-20 / Cronbach", "SD and SEM", "Random-guess score"):
        assert term in html
    assert "Suggested pass mark" in html and "Test statistics per assignment" in html


@pytest.mark.slow
def test_discrimination_sign_and_value(report_dir):
    items = _items(report_dir)
    # Totals on quiz-trust: s01-s03 3.0; s07-s09 2.5; s11-s14 2.25; s04-s06 and s15-s19 2.0;
    # s10 1.75; s20 1.0. Groups of round(0.27 * 20) = 5: top = s01-s03 + 2 of the three tied at
    # 2.5; bottom = s20, s10 + 3 of the eight tied at 2.0 (s04-s06 chose C = 0 on q02, s15-s19 A = 1).
    # q02: top mean (0 * 3 + 0.5 * 2) / 5 = 0.2; bottom (1 + 0.5 + 3/8 * 5) / 5 = 0.675.
    assert float(items["quiz-trust/q02"]["discrimination"]) == pytest.approx(0.2 - 0.675, abs=1e-4)
    assert float(items["quiz-trust/q02"]["point_biserial"]) < 0
    # q04 (only s01-s03 right): top 3/5, bottom 0.
    assert float(items["quiz-trust/q04"]["discrimination"]) == pytest.approx(0.6, abs=1e-4)
    # composure q01 splits the cohort at its own total: top 5 all right, bottom 5 all wrong.
    assert float(items["quiz-composure/q01"]["discrimination"]) == pytest.approx(1.0, abs=1e-4)
    for label, row in items.items():
        assert row["negative_discrimination"] == str(int(label == "quiz-trust/q02")), label


@pytest.mark.slow
def test_option_counts_include_blank_and_invalid_answers(report_dir):
    counts = {
        (r["assignment"], r["question"], r["option"]): (int(r["count"]), r["credit"], r["best"])
        for r in _rows(report_dir / "options.csv")
    }
    q03 = {
        option: counts[("quiz-trust", "q03", option)]
        for option in ("A", "B", "C", "D", "(blank)", "(invalid)")
    }
    assert q03 == {
        "A": (4, "0.0000", "0"),
        "B": (9, "1.0000", "1"),
        "C": (5, "0.2500", "0"),
        "D": (0, "0.0000", "0"),
        "(blank)": (1, "", "0"),
        "(invalid)": (1, "", "0"),
    }
    assert counts[("quiz-trust", "q02", "B")][0] == 4  # " B " counts as B, as the grader reads it
    assert counts[("quiz-trust", "q01", "B")][0] == 1  # lower case "b" too
    assert counts[("quiz-composure", "q02", "(invalid)")][0] == 1  # code is never a choice
    shares = {
        r["option"]: float(r["share"])
        for r in _rows(report_dir / "options.csv")
        if (r["assignment"], r["question"]) == ("quiz-trust", "q01")
    }
    assert shares["B"] == pytest.approx(0.05)  # exactly 5 %: not a dead distractor


@pytest.mark.slow
def test_learner_mastery_and_review_links(report_dir):
    rows = {(r["student"], r["topic"]): r for r in _rows(report_dir / "learners.csv")}
    assert len(rows) == 20 * 2
    expected = {
        ("s01", "trust"): 0.75,
        ("s07", "trust"): 2.5 / 4,
        ("s10", "trust"): 1.75 / 4,
        ("s15", "trust"): 0.5,
        ("s20", "trust"): 0.25,
        ("s01", "composure"): 1.0,
        ("s11", "composure"): 0.5,
        ("s20", "composure"): 0.0,
    }
    for key, mastery in expected.items():
        row = rows[key]
        assert float(row["mastery"]) == pytest.approx(mastery, abs=1e-4), key
        review = mastery < 0.6
        assert row["review"] == str(int(review)), key
        topic = key[1]
        assert row["review_page"] == (
            f"https://example.org/book/modules/{topic}.html" if review else ""
        ), key
    assert rows[("s10", "trust")]["questions"] == "4"
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert (
        '<a href="https://example.org/book/modules/composure.html">Composure and respect</a>'
        in html
    )


@pytest.mark.slow
def test_scores_come_from_the_gradebook(report_dir):
    scores = {(r["student"], r["assignment"]): r for r in _rows(report_dir / "scores.csv")}
    assert len(scores) == 40
    assert float(scores[("s01", "quiz-trust")]["score"]) == 3.0
    assert float(scores[("s10", "quiz-trust")]["percent"]) == pytest.approx(1.75 / 4 * 100)
    assert float(scores[("s20", "quiz-composure")]["score"]) == 0.0
    assert scores[("s20", "quiz-composure")]["max_score"] == "2.0000"


@pytest.mark.slow
def test_one_assignment_only_and_unsubmitted_ones_are_named(cohort_course, tmp_path, capsys):
    course, bank_dir = cohort_course
    assert (
        main(["report", str(course), "--bank", str(bank_dir), "--out", str(tmp_path / "all")]) == 0
    )
    assert "warning: final: no submissions yet" in capsys.readouterr().err
    assert (
        main(
            [
                "report",
                str(course),
                "--bank",
                str(bank_dir),
                "--assignment",
                "quiz-composure",
                "--out",
                str(tmp_path / "one"),
            ]
        )
        == 0
    )
    assert {r["assignment"] for r in _rows(tmp_path / "one" / "items.csv")} == {"quiz-composure"}
    learners = {r["student"]: r for r in _rows(tmp_path / "one" / "learners.csv")}
    assert {r["topic"] for r in learners.values()} == {"composure"}
    assert learners["s20"]["review_page"] == "modules/composure"  # no --book-url: the page name
    html = (tmp_path / "one" / "report.html").read_text(encoding="utf-8")
    assert 'Composure and respect <span class="ok">(modules/composure)</span>' in html


@pytest.mark.slow
def test_default_output_folder_is_inside_the_course(cohort_course, capsys):
    course, bank_dir = cohort_course
    assert main(["report", str(course), "--bank", str(bank_dir)]) == 0
    assert f"wrote {course / 'reports' / 'report.html'}" in capsys.readouterr().out
    assert (course / "reports" / "items.csv").is_file()


# --------------------------------------------------------------------------------------------
# The page in Debian's headless Chromium
# --------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_report_page_renders_offline_in_chromium(report_dir, repo_root, width):
    """Opens report.html from disk: every chart decodes, nothing but the file (and its data: URIs)
    is requested, axe-core finds no serious problem; writes artifacts/screenshots/report*.png."""
    from playwright.sync_api import sync_playwright

    axe = repo_root / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
    assert axe.is_file(), "run: npm ci --prefix tests/browser"
    shots = repo_root / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900})
            requested: list[str] = []
            context.on("request", lambda request: requested.append(request.url))
            page = context.new_page()
            page.goto((report_dir / "report.html").as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt.length])"
            )
            assert len(images) == 3
            assert all(complete and natural > 0 and alt > 40 for complete, natural, alt in images)
            assert page.get_attribute("html", "lang") == "en"
            assert page.locator("h1").count() == 1 and page.locator("h2").count() == 6
            headers = page.eval_on_selector_all("th", "ths => ths.filter(t => !t.scope).length")
            assert headers == 0
            assert not [url for url in requested if not url.startswith(("file:", "data:"))]
            page.screenshot(
                path=str(shots / ("report.png" if width == 1280 else f"report-{width}.png")),
                full_page=True,
            )
            page.add_script_tag(path=str(axe))
            result = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})"
            )
            serious = [
                f"{v['id']}: {v['help']} -> {v['nodes'][0]['target']}"
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not serious, "\n".join(serious)
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def _report(capsys, *args: str) -> tuple[int, str]:
    status = main(["report", *args])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("present", [(), ("nbgrader_config.py",), ("gradebook.db",)])
def test_a_folder_that_is_not_a_course_is_refused(tmp_path, capsys, repo_root, present):
    for name in present:
        (tmp_path / name).write_text("", encoding="utf-8")
    status, err = _report(capsys, str(tmp_path), "--bank", str(repo_root / "exercises"))
    assert status == 1
    assert f"{tmp_path}: not an nbgrader course" in err
    for name in {"nbgrader_config.py", "gradebook.db"} - set(present):
        assert f"no {name}" in err
    assert "clientcraft nbgrader-course" in err
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_an_unknown_assignment_is_refused_with_a_suggestion(cohort_course, capsys):
    course, bank_dir = cohort_course
    status, err = _report(capsys, str(course), "--bank", str(bank_dir), "--assignment", "quiz-trst")
    assert status == 1
    assert "no assignment 'quiz-trst' in the gradebook (did you mean 'quiz-trust'?" in err
    assert "quiz-composure" in err and "final" in err


@pytest.mark.slow
def test_an_assignment_without_submissions_is_refused(cohort_course, capsys):
    course, bank_dir = cohort_course
    status, err = _report(capsys, str(course), "--bank", str(bank_dir), "--assignment", "final")
    assert status == 1
    assert f"{course / 'gradebook.db'}: no submissions of final" in err
    assert "nbgrader autograde final" in err


@pytest.mark.slow
def test_a_scenario_missing_from_the_bank_is_named(cohort_course, tmp_path, repo_root, capsys):
    course, _ = cohort_course
    other = _report_bank(tmp_path, repo_root, drop="rt-dead-option")
    status, err = _report(capsys, str(course), "--bank", str(other), "--out", str(tmp_path / "out"))
    assert status == 1
    source = course / "source" / "quiz-trust" / "quiz-trust.ipynb"
    assert f"{source}: quiz-trust/q03: scenario 'rt-dead-option' is not in the bank {other}" in err
    assert "--bank" in err
    assert not (tmp_path / "out").exists()


def test_a_gradebook_nbgrader_cannot_read_is_refused(tmp_path, capsys, repo_root):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    (tmp_path / "gradebook.db").write_bytes(b"this is not a database" * 100)
    status, err = _report(capsys, str(tmp_path), "--bank", str(repo_root / "exercises"))
    assert status == 1
    assert f"{tmp_path / 'gradebook.db'}: cannot read the gradebook" in err
    assert (tmp_path / "gradebook.db").read_bytes() == b"this is not a database" * 100


def test_a_config_that_fails_to_run_is_named(tmp_path, capsys, repo_root):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Oops = undefined_name\n", encoding="utf-8"
    )
    (tmp_path / "gradebook.db").write_bytes(b"")
    status, err = _report(capsys, str(tmp_path), "--bank", str(repo_root / "exercises"))
    assert status == 1
    assert f"{tmp_path / 'nbgrader_config.py'}: fails to run" in err and "undefined_name" in err


@pytest.mark.slow
def test_a_broken_autograded_notebook_is_named(cohort_course, tmp_path, capsys):
    course, bank_dir = cohort_course
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    broken = copy / "autograded" / "s07" / "quiz-trust" / "quiz-trust.ipynb"
    broken.write_text("{ not json", encoding="utf-8")
    status, err = _report(capsys, str(copy), "--bank", str(bank_dir))
    assert status == 1
    assert f"{broken}: not a readable notebook" in err
    assert "nbgrader autograde" in err
    broken.unlink()
    status, err = _report(capsys, str(copy), "--bank", str(bank_dir))
    assert status == 1
    assert f"{broken}: autograded notebook missing" in err
    assert "nbgrader autograde quiz-trust --student s07 --force" in err


@pytest.mark.slow
def test_a_scenario_changed_since_grading_keeps_the_graded_key(
    cohort_course, tmp_path, repo_root, capsys
):
    course, _ = cohort_course
    changed = _report_bank(tmp_path, repo_root, credits={"rt-easy": (1, 0.5)})
    status = main(["report", str(course), "--bank", str(changed), "--out", str(tmp_path / "out")])
    assert status == 0
    err = capsys.readouterr().err
    assert "quiz-trust/q01: scenario 'rt-easy' changed in the bank since the course was made" in err
    credit = {
        r["option"]: r["credit"]
        for r in _rows(tmp_path / "out" / "options.csv")
        if (r["assignment"], r["question"]) == ("quiz-trust", "q01")
    }
    assert credit["B"] == "0.0000"
