"""Whole-test statistics of an assignment, as Moodle's quiz statistics report them: reliability
(Cronbach's alpha, which is KR-20 when every question is right/wrong), the standard error of
measurement, the score random guessing earns and a pass mark that allows for it.

Plain data in, numbers out: no files, no nbgrader.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

PASS_SHARE = 0.6  # the share of the way from the random-guess score to full marks a pass needs


def guessing_floor(credits: Sequence[float]) -> float:
    """The expected credit of an option picked at random: the mean credit of the options."""
    return statistics.fmean(credits) if credits else math.nan


def cronbach_alpha(scores: Sequence[Sequence[float]]) -> float:
    """Cronbach's alpha of a learners x items score matrix: ``k / (k - 1) * (1 - sum of the item
    variances / variance of the totals)``. Population variances on both sides (the ratio is the
    same with sample variances). NaN with fewer than 2 items or 2 learners, or when every learner
    has the same total. Can be negative when items disagree with each other."""
    if len(scores) < 2 or not scores[0] or len(scores[0]) < 2:
        return math.nan
    k = len(scores[0])
    totals = [sum(row) for row in scores]
    total_var = statistics.pvariance(totals)
    if total_var == 0:
        return math.nan
    item_var = sum(statistics.pvariance([row[j] for row in scores]) for j in range(k))
    return k / (k - 1) * (1 - item_var / total_var)


def standard_error(sd: float, alpha: float) -> float:
    """The standard error of measurement, ``SD * sqrt(1 - alpha)``: how far a learner's score may
    stray from their "true" score by chance. With alpha at or below 0 the scores carry no reliable
    signal, so the whole SD is error."""
    if math.isnan(sd) or math.isnan(alpha):
        return math.nan
    return sd * math.sqrt(1 - max(0.0, min(1.0, alpha)))


def pass_mark(guess: float, maximum: float, share: float = PASS_SHARE) -> float:
    """The expected score of a learner who knows ``share`` of the questions and guesses the rest:
    ``guess + share * (maximum - guess)``. It asks for the same knowledge whatever the options'
    credits make random guessing worth."""
    return guess + share * (maximum - guess)


@dataclass(frozen=True)
class ReliabilityStats:
    """The whole-test statistics of one assignment, in points (``maximum`` is full marks)."""

    name: str
    learners: int
    questions: int
    maximum: float
    mean: float
    sd: float
    alpha: float
    right_wrong: bool
    sem: float
    guess: float
    pass_mark: float
    borderline: int

    @property
    def reliability_name(self) -> str:
        """KR-20 for right/wrong questions (it equals alpha there), else Cronbach's alpha."""
        return "KR-20" if self.right_wrong else "Cronbach's alpha"


def reliability_stats(
    name: str,
    scores: Sequence[Sequence[float]],
    max_scores: Sequence[float],
    credits: Sequence[Sequence[float]],
) -> ReliabilityStats:
    """Statistics of one assignment from its learners x questions score matrix (points), each
    question's maximum and each question's option credits. Totals are the sums of the question
    scores; the SD is the sample SD (n - 1). ``borderline`` counts learners within one SEM of the
    pass mark, whose pass or fail the test cannot tell apart from chance."""
    totals = [sum(row) for row in scores]
    maximum = float(sum(max_scores))
    sd = statistics.stdev(totals) if len(totals) > 1 else math.nan
    alpha = cronbach_alpha(scores)
    sem = standard_error(sd, alpha)
    guess = sum(guessing_floor(c) * m for c, m in zip(credits, max_scores, strict=True))
    mark = pass_mark(guess, maximum)
    return ReliabilityStats(
        name=name,
        learners=len(totals),
        questions=len(max_scores),
        maximum=maximum,
        mean=statistics.fmean(totals) if totals else math.nan,
        sd=sd,
        alpha=alpha,
        right_wrong=all(c in (0, 1) for option_credits in credits for c in option_credits),
        sem=sem,
        guess=guess,
        pass_mark=mark,
        borderline=0 if math.isnan(sem) else sum(abs(t - mark) <= sem for t in totals),
    )
