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
        ("quiz-trust", item.question): {
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
