"""The report's numbers on cohorts small enough to compute by hand (written out below)."""

from __future__ import annotations

import math

import pytest

from clientcraft.bank import Topic
from clientcraft.report.analysis import Answer, Cohort, Item, analyse

TRUST = Topic("trust", "Earning and keeping trust", "summary")


def cohort(credits: dict[str, list[float]]) -> Cohort:
    """One quiz of right/wrong items on one topic; ``credits[student]`` in question order."""
    count = len(next(iter(credits.values())))
    items = tuple(
        Item("quiz-trust", f"q{n:02d}", f"s{n}", "trust", ("A", "B"), (1.0, 0.0), 1.0)
        for n in range(1, count + 1)
    )
    answers = {
        item.key: {
            student: Answer(row[i], "A" if row[i] == 1 else "B") for student, row in credits.items()
        }
        for i, item in enumerate(items)
    }
    scores = {"quiz-trust": {s: (sum(row), float(count)) for s, row in credits.items()}}
    return Cohort("test", items, answers, scores, (TRUST,))


def test_point_biserial_correlates_with_the_rest_score_not_the_total() -> None:
    # Totals 3, 2, 1, 0. For q01, credits c = 1, 1, 0, 0 and rest scores (total - c) = 2, 1, 1, 0.
    # Deviations from the means (0.5 and 1): c: +.5 +.5 -.5 -.5, rest: +1 0 0 -1.
    # Covariance sum = .5 + 0 + 0 + .5 = 1; sums of squares 1 and 2; r = 1 / sqrt(2) = 0.7071.
    # (Against the total 3, 2, 1, 0 it would be 2 / sqrt(5) = 0.8944.)
    result = analyse(
        cohort(
            {"s1": [1, 1, 1], "s2": [1, 0, 1], "s3": [0, 1, 0], "s4": [0, 0, 0]},
        )
    )
    q01 = result.items[0]
    assert q01.point_biserial == pytest.approx(1 / math.sqrt(2))
    assert q01.facility == pytest.approx(0.5)


def test_a_learner_at_exactly_the_review_threshold_is_not_sent_back() -> None:
    # Five questions on one topic: 3 of 5 right is 60 %, the threshold itself (review below 60 %);
    # 2 of 5 is 40 %.
    result = analyse(cohort({"at": [1, 1, 1, 0, 0], "below": [1, 1, 0, 0, 0]}))
    review = {learner.student: learner.review for learner in result.learners}
    mastery = {learner.student: learner.topics[0].mastery for learner in result.learners}
    assert mastery == {"at": pytest.approx(0.6), "below": pytest.approx(0.4)}
    assert review == {"at": (), "below": (TRUST,)}


def test_reliability_takes_each_learners_own_variant_of_a_question() -> None:
    """With variants, q01 has two items (two scenarios of one slot) and each learner answered the
    one they drew: the score matrix has one column per question, not per item.
    Learners a, b, c, d score q01 = 1, 1, 0, 0 (a and c drew s1a, b and d drew s1b) and
    q02 = 1, 1, 1, 0; totals 2, 2, 1, 0. Sample variances: q01 1/3, q02 1/4, totals 11/12.
    Alpha = 2/1 * (1 - (1/3 + 1/4) / (11/12)) = 2 * (1 - 7/11) = 8/11; SD = sqrt(11/12)."""
    q1 = [
        Item("final", "q01", sid, "trust", ("A", "B"), (1.0, 0.0), 1.0, True)
        for sid in ("s1a", "s1b")
    ]
    q2 = Item("final", "q02", "s2", "trust", ("A", "B"), (1.0, 0.0), 1.0)
    right, wrong = Answer(1.0, "A"), Answer(0.0, "B")
    answers = {
        q1[0].key: {"a": right, "c": wrong},
        q1[1].key: {"b": right, "d": wrong},
        q2.key: {"a": right, "b": right, "c": right, "d": wrong},
    }
    scores = {"final": {"a": (2.0, 2.0), "b": (2.0, 2.0), "c": (1.0, 2.0), "d": (0.0, 2.0)}}
    result = analyse(Cohort("test", (*q1, q2), answers, scores, (TRUST,)))
    (stats,) = result.reliability
    assert stats.questions == 2 and stats.maximum == 2
    assert stats.sd == pytest.approx(math.sqrt(11 / 12))
    assert stats.alpha == pytest.approx(8 / 11)
    assert stats.guess == pytest.approx(1.0)  # two questions of two options, right/wrong
