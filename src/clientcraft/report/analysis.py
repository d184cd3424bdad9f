"""Item analysis and learner mastery on plain data: no files, no nbgrader, no plotting.

The reader (:mod:`clientcraft.report.gradebook`) turns a course into a :class:`Cohort`;
:func:`analyse` turns that into the numbers and flags the HTML page and the CSV files show.
Credits are fractions of a question's points (0..1), so questions of any weight compare.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clientcraft.bank import Topic
from clientcraft.report.reliability import ReliabilityStats, guessing_floor, reliability_stats

BLANK = "(blank)"
INVALID = "(invalid)"

GROUP_FRACTION = 0.27
DEAD_DISTRACTOR_BELOW = 0.05
TOO_EASY_ABOVE = 0.90
TOO_HARD_BELOW = 0.20
REVIEW_BELOW = 0.60

DEAD_DISTRACTOR = "dead distractor"
NEGATIVE_DISCRIMINATION = "negative discrimination"
TOO_EASY = "too easy"
TOO_HARD = "too hard"


@dataclass(frozen=True)
class Item:
    """One graded question of an assignment and the bank scenario it asks. With per-learner
    variants a question has one item per scenario of its slot (``variant``), each answered by the
    learners who drew it; its ``keys`` are the bank's option keys, whatever letters learners saw."""

    assignment: str
    question: str
    scenario: str
    topic: str
    keys: tuple[str, ...]
    credits: tuple[float, ...]
    max_score: float
    variant: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """Where its answers are in :attr:`Cohort.answers`."""
        return (self.assignment, self.question, self.scenario)

    @property
    def label(self) -> str:
        suffix = f" ({self.scenario})" if self.variant else ""
        return f"{self.assignment}/{self.question}{suffix}"

    @property
    def guess(self) -> float:
        """The credit a random option earns on average (the item's guessing floor, 0..1)."""
        return guessing_floor(self.credits)


@dataclass(frozen=True)
class Answer:
    """A learner's answer to one item: the credit earned (0..1) and the option chosen."""

    credit: float
    choice: str


@dataclass(frozen=True)
class Cohort:
    """Everything the analysis needs, keyed by plain strings.

    ``answers[item.key][student]`` and ``scores[assignment][student] = (score, max)`` hold only
    learners who submitted that assignment (and, for a variant item, drew it); an answer's
    ``choice`` is the bank's option key, never a learner's letter.
    """

    course: str
    items: tuple[Item, ...]
    answers: Mapping[tuple[str, str, str], Mapping[str, Answer]]
    scores: Mapping[str, Mapping[str, tuple[float, float]]]
    topics: tuple[Topic, ...]

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(sorted({s for per in self.scores.values() for s in per}))


@dataclass(frozen=True)
class OptionStat:
    """How often one option (or a blank / invalid answer) was chosen for an item."""

    key: str
    credit: float | None
    count: int
    share: float

    @property
    def is_distractor(self) -> bool:
        return self.credit is not None and self.credit < 1

    @property
    def is_dead(self) -> bool:
        """A distractor so few learners choose that it tempts nobody."""
        return self.is_distractor and self.share < DEAD_DISTRACTOR_BELOW


@dataclass(frozen=True)
class ItemStats:
    """Facility, discrimination, option use and flags of one item."""

    item: Item
    n: int
    facility: float
    discrimination: float
    point_biserial: float
    options: tuple[OptionStat, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TopicMastery:
    """A learner's mean credit on one topic's questions (None when none were answered)."""

    topic: Topic
    mastery: float | None
    questions: int

    @property
    def needs_review(self) -> bool:
        return self.mastery is not None and self.mastery < REVIEW_BELOW


@dataclass(frozen=True)
class LearnerStats:
    """One learner's mastery per topic and the topics whose book module they should review."""

    student: str
    topics: tuple[TopicMastery, ...]

    @property
    def review(self) -> tuple[Topic, ...]:
        return tuple(t.topic for t in self.topics if t.needs_review)


@dataclass(frozen=True)
class AssignmentStats:
    """The score distribution of one assignment, in percent of its maximum."""

    name: str
    percents: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.percents)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.percents) if self.percents else math.nan

    @property
    def median(self) -> float:
        return statistics.median(self.percents) if self.percents else math.nan


@dataclass(frozen=True)
class Analysis:
    """The whole report's numbers."""

    course: str
    assignments: tuple[AssignmentStats, ...]
    items: tuple[ItemStats, ...]
    learners: tuple[LearnerStats, ...]
    topics: tuple[Topic, ...]
    reliability: tuple[ReliabilityStats, ...] = ()


def facility(credits: Sequence[float]) -> float:
    """Mean credit: the share of the points the cohort earned on an item (NaN for no answers)."""
    return statistics.fmean(credits) if credits else math.nan


def _group_mean(credits: Sequence[float], totals: Sequence[float], size: float, top: bool) -> float:
    """Mean credit of the ``size`` learners with the highest (or lowest) totals.

    Learners tied on the cut-off total share the remaining places equally, so the result does not
    depend on the order the learners are listed in.
    """
    sign = -1 if top else 1
    order = sorted(range(len(totals)), key=lambda i: sign * totals[i])
    taken, weighted, i = 0.0, 0.0, 0
    while taken < size:
        tied = [j for j in order[i:] if totals[j] == totals[order[i]]]
        weight = min(1.0, (size - taken) / len(tied))
        weighted += weight * sum(credits[j] for j in tied)
        taken += weight * len(tied)
        i += len(tied)
    return weighted / size


def upper_lower_discrimination(
    credits: Sequence[float], totals: Sequence[float], fraction: float = GROUP_FRACTION
) -> float:
    """Mean credit of the top ``fraction`` of learners by total minus that of the bottom fraction.

    The group size is ``round(fraction * n)``, at least 1; NaN with fewer than two learners.
    """
    if len(credits) != len(totals):
        raise ValueError("credits and totals must have the same length")
    if len(credits) < 2:
        return math.nan
    size = max(1, round(fraction * len(credits)))
    return _group_mean(credits, totals, size, True) - _group_mean(credits, totals, size, False)


def point_biserial(credits: Sequence[float], rest: Sequence[float]) -> float:
    """Pearson correlation of item credit with the rest score (total without this item).

    For right/wrong items this is the point-biserial correlation; excluding the item from the
    total keeps short quizzes from correlating an item with itself. NaN when either side is
    constant.
    """
    if len(credits) != len(rest):
        raise ValueError("credits and rest scores must have the same length")
    if len(credits) < 2:
        return math.nan
    try:
        return statistics.correlation(credits, rest)
    except statistics.StatisticsError:
        return math.nan


def option_stats(
    choices: Sequence[str], keys: Sequence[str], credits: Sequence[float]
) -> tuple[OptionStat, ...]:
    """Count each option's choices plus blank and invalid answers, with shares of all answers."""
    n = len(choices)
    counts = {key: 0 for key in (*keys, BLANK, INVALID)}
    for choice in choices:
        counts[choice if choice in counts else INVALID] += 1
    credit_of: dict[str, float | None] = dict(zip(keys, credits, strict=False))
    return tuple(
        OptionStat(key, credit_of.get(key), count, count / n if n else math.nan)
        for key, count in counts.items()
    )


def item_flags(fac: float, discrimination: float, options: Sequence[OptionStat]) -> tuple[str, ...]:
    """The warnings an instructor should look at, in a fixed order.

    Negative discrimination is judged on the upper-lower index alone: on a quiz of a few questions
    one backwards question shifts every rest score, so the correlation of sound questions can dip
    below zero too; the index compares the learners the whole quiz ranks as strong and weak.
    """
    flags = []
    if any(o.is_dead for o in options):
        flags.append(DEAD_DISTRACTOR)
    if discrimination < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    if fac > TOO_EASY_ABOVE:
        flags.append(TOO_EASY)
    if fac < TOO_HARD_BELOW:
        flags.append(TOO_HARD)
    return tuple(flags)


def _item_stats(
    item: Item, answers: Mapping[str, Answer], totals: Mapping[str, float]
) -> ItemStats:
    students = sorted(answers)
    credits = [answers[s].credit for s in students]
    total = [totals[s] for s in students]
    rest = [t - c * item.max_score for t, c in zip(total, credits, strict=False)]
    fac = facility(credits)
    disc = upper_lower_discrimination(credits, total)
    r = point_biserial(credits, rest)
    options = option_stats([answers[s].choice for s in students], item.keys, item.credits)
    return ItemStats(item, len(students), fac, disc, r, options, item_flags(fac, disc, options))


def learner_mastery(cohort: Cohort, student: str) -> LearnerStats:
    """Mean credit per topic over every item of the cohort this learner answered."""
    per_topic: dict[str, list[float]] = {t.id: [] for t in cohort.topics}
    for item in cohort.items:
        answer = cohort.answers.get(item.key, {}).get(student)
        if answer is not None:
            per_topic[item.topic].append(answer.credit)
    return LearnerStats(
        student,
        tuple(
            TopicMastery(
                t,
                statistics.fmean(per_topic[t.id]) if per_topic[t.id] else None,
                len(per_topic[t.id]),
            )
            for t in cohort.topics
        ),
    )


def analyse(cohort: Cohort) -> Analysis:
    """Item statistics, score distributions and per-learner mastery for a whole cohort."""
    assignments = tuple(
        AssignmentStats(
            name,
            tuple(
                100 * score / top if top else 0.0 for score, top in (per[s] for s in sorted(per))
            ),
        )
        for name, per in cohort.scores.items()
    )
    items = []
    for item in cohort.items:
        answers = cohort.answers.get(item.key, {})
        totals = {student: score for student, (score, _) in cohort.scores[item.assignment].items()}
        items.append(_item_stats(item, answers, totals))
    learners = tuple(learner_mastery(cohort, s) for s in cohort.students)
    reliability = tuple(_reliability(cohort, name) for name in cohort.scores)
    return Analysis(cohort.course, assignments, tuple(items), learners, cohort.topics, reliability)


def _reliability(cohort: Cohort, assignment: str) -> ReliabilityStats:
    """Whole-test statistics of one assignment over the learners who submitted it, one column per
    question: with per-learner variants a question's score is the credit on whichever item of its
    slot the learner drew. A question a learner has no answer for scores 0; a question's guessing
    floor is the mean over its items (the same for right/wrong items of four options)."""
    items = [i for i in cohort.items if i.assignment == assignment]
    questions = sorted({i.question for i in items})
    per_question = {q: [i for i in items if i.question == q] for q in questions}
    students = sorted(cohort.scores[assignment])

    def score(student: str, question: str) -> float:
        for item in per_question[question]:
            answer = cohort.answers.get(item.key, {}).get(student)
            if answer is not None:
                return answer.credit * item.max_score
        return 0.0

    scores = [[score(s, q) for q in questions] for s in students]
    max_scores = [per_question[q][0].max_score for q in questions]
    credits = [[c for i in per_question[q] for c in i.credits] for q in questions]
    return reliability_stats(assignment, scores, max_scores, credits)
