"""Tests of ``clientcraft report``: the statistics on hand-computed data, the report built from a
simulated cohort run through nbgrader's real pipeline, bad input, and the page in real Chromium."""

from __future__ import annotations

import math

import pytest

from clientcraft.bank import Topic
from clientcraft.report.analysis import (BLANK, DEAD_DISTRACTOR, INVALID, NEGATIVE_DISCRIMINATION,
                                         TOO_EASY, TOO_HARD, Answer, Cohort, Item, analyse,
                                         facility, item_flags, option_stats, point_biserial,
                                         upper_lower_discrimination)

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
    assert table == {"A": (1, 2, pytest.approx(2 / 6)), "B": (0.5, 1, pytest.approx(1 / 6)),
                     "C": (0, 0, 0), BLANK: (None, 1, pytest.approx(1 / 6)),
                     INVALID: (None, 2, pytest.approx(2 / 6))}
    assert [o.key for o in stats if o.is_dead] == ["C"]


def test_flags_follow_the_thresholds():
    options = option_stats(["A"] * 19 + ["B"], ("A", "B"), (1, 0))  # B: 5 % is not dead
    assert item_flags(0.9, 0.1, 0.1, options) == ()
    assert item_flags(0.91, 0.1, 0.1, options) == (TOO_EASY,)
    assert item_flags(0.19, 0.1, 0.1, options) == (TOO_HARD,)
    assert item_flags(0.5, -0.01, 0.2, options) == (NEGATIVE_DISCRIMINATION,)
    assert item_flags(0.5, 0.2, -0.01, options) == (NEGATIVE_DISCRIMINATION,)
    dead = option_stats(["A"] * 20, ("A", "B"), (1, 0))
    assert item_flags(0.95, math.nan, math.nan, dead) == (DEAD_DISTRACTOR, TOO_EASY)


def test_analyse_computes_mastery_per_topic_across_assignments():
    topics = (Topic("t1", "Topic one", ""), Topic("t2", "Topic two", ""))
    items = (Item("quiz", "q01", "s1", "t1", ("A", "B"), (1, 0), 1.0),
             Item("quiz", "q02", "s2", "t2", ("A", "B"), (0, 1), 1.0),
             Item("final", "q01", "s3", "t1", ("A", "B", "C"), (1, 0.5, 0), 2.0))
    answers = {("quiz", "q01"): {"ann": Answer(1, "A"), "bob": Answer(0, "B")},
               ("quiz", "q02"): {"ann": Answer(1, "B"), "bob": Answer(0, BLANK)},
               ("final", "q01"): {"ann": Answer(0.5, "B")}}
    scores = {"quiz": {"ann": (2.0, 2.0), "bob": (0.0, 2.0)}, "final": {"ann": (1.0, 2.0)}}
    result = analyse(Cohort("c", items, answers, scores, topics))
    mastery = {(l.student, t.topic.id): (t.mastery, t.questions)
               for l in result.learners for t in l.topics}
    assert mastery == {("ann", "t1"): (0.75, 2), ("ann", "t2"): (1.0, 1),
                       ("bob", "t1"): (0.0, 1), ("bob", "t2"): (0.0, 1)}
    assert [t.id for t in result.learners[1].review] == ["t1", "t2"]
    assert [s.percents for s in result.assignments] == [(100.0, 0.0), (50.0,)]
    first = result.items[0]
    assert (first.facility, first.discrimination, first.n) == (0.5, 1.0, 2)
