"""Item-quality checks on the assessment pool, as pure functions over the validated :class:`Bank`.

``bank.py`` checks that the bank is well formed; this module checks that its graded items measure
what they claim to: that a reader who sees only the options cannot pick the best one (by wording,
by resemblance to what the practice pool rewarded, or by length), that guessing earns little, and
that every topic has enough items and every claim enough of them. ``clientcraft validate`` prints
the figures and turns each failed check into ``path:line: id: what is wrong (what to do)`` lines.

The statistical checks compare a cue-following strategy's hits with what blind guessing gets: each
item ``i`` is a Bernoulli trial with chance ``1/options_i`` under "no cue", so the number of hits
follows a Poisson-binomial law and the check fails when the observed hits are that law's upper
:data:`SIGNIFICANCE` tail. A significance test rather than a fixed margin adapts to the pool's
size: 10 hits of 20 items (50 %) pass, 30 of 80 (37.5 %) fail. At 1 % per test the three tests
together false-alarm on at most about 3 % of banks whose options carry no cue at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np

from clientcraft.bank import Bank, Scenario, Where

NAMED_TOPICS = ("trust", "professional-distance", "mutual-commitment", "firing-clients")
MIN_ITEMS_NAMED = 12  # assessment items for the four themes the course is named after
MIN_ITEMS_OTHER = 8  # assessment items for every other topic
ASSESSMENT_OPTIONS = 4
MAX_FLOOR = 0.25  # pool mean of the guessing floor (mean credit of a random option)
MIN_ASSESSING_ITEMS = 2  # assessment items per assessed claim
MIN_PRACTICE_ITEMS = 1  # practice scenarios per assessed claim
# One-sided, per test: hits this unlikely by guessing mean the options carry a cue.
SIGNIFICANCE = 0.01
MAX_LENGTH_RATIO = 1.6  # longest option / shortest option, in words
SIMILAR_FROM = 0.2  # TF-IDF cosine to a practice key from which a keyed pick is a reworded reuse

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing a course author should fix, at a place in the bank."""

    where: Where
    subject: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.subject}: {self.what} ({self.fix})"


@dataclass(frozen=True)
class Check:
    """One quality check: whether it passed, its figures (for ``--json``), a one-line summary and
    the problems that make it fail (empty when it passed)."""

    name: str
    title: str
    passed: bool
    summary: str
    figures: dict[str, Any]
    problems: tuple[Problem, ...] = field(default=())
    detail: str = ""


@dataclass(frozen=True)
class QualityReport:
    """Every check of :func:`check_bank`, in a fixed order."""

    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for c in self.checks for p in c.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "checks": {
                c.name: {
                    "passed": c.passed,
                    "summary": c.summary,
                    **c.figures,
                    "problems": [str(p) for p in c.problems],
                }
                for c in self.checks
            },
        }


# --------------------------------------------------------------------------------------------
# Small pieces
# --------------------------------------------------------------------------------------------


@cache
def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words and their bigrams (``"on time"``): the features the text models see."""
    words = _TOKEN.findall(text.lower())
    return (*words, *(f"{a} {b}" for a, b in pairwise(words)))


def word_count(text: str) -> int:
    return len(text.split())


def guessing_floor(scenario: Scenario) -> float:
    """The expected credit of an option picked at random: the mean credit of the options."""
    return sum(o.credit for o in scenario.options) / len(scenario.options)


def chance(scenario: Scenario) -> float:
    """The chance that a blind pick is the best option."""
    return 1 / len(scenario.options)


def at_least(hits: int, probabilities: Sequence[float]) -> float:
    """P(at least ``hits`` successes) for independent trials with these success probabilities
    (the Poisson-binomial upper tail, computed exactly by dynamic programming)."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return min(1.0, sum(dist[max(0, hits) :]))


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _topic_where(bank: Bank, topic: str) -> Where:
    """Where a topic's items are added: its scenario file, else topics.yml."""
    path = bank.root / f"{topic}.yml"
    return Where(path if path.is_file() else bank.root / "topics.yml", 1)


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------


def check_counts(bank: Bank) -> Check:
    """At least :data:`MIN_ITEMS_NAMED` assessment items for each named topic, and
    :data:`MIN_ITEMS_OTHER` for every other topic (enough for a quiz and parallel variants)."""
    figures: dict[str, dict[str, int]] = {}
    problems = []
    for topic in bank.topics:
        need = MIN_ITEMS_NAMED if topic.id in NAMED_TOPICS else MIN_ITEMS_OTHER
        have = len(bank.pool("assessment", topic.id))
        figures[topic.id] = {"assessment": have, "required": need}
        if have < need:
            problems.append(
                Problem(
                    _topic_where(bank, topic.id),
                    topic.id,
                    f"{have} assessment item(s), {need} required",
                    f"write {need - have} more with 'pool: assessment'",
                )
            )
    short = len(problems)
    summary = (
        f"{len(bank.topics) - short} of {len(bank.topics)} topics have enough assessment items"
    )
    return Check(
        "counts",
        "Assessment items per topic",
        not problems,
        summary,
        {"per_topic": figures},
        tuple(problems),
    )


def check_options(bank: Bank) -> Check:
    """Every assessment item has exactly :data:`ASSESSMENT_OPTIONS` options, so chance and the
    guessing floor are the same for every item."""
    pool = bank.pool("assessment")
    problems = tuple(
        Problem(
            s.where,
            s.id,
            f"{len(s.options)} options; assessment items have exactly {ASSESSMENT_OPTIONS}",
            f"give it {ASSESSMENT_OPTIONS} options, each a plausible judgment call",
        )
        for s in pool
        if len(s.options) != ASSESSMENT_OPTIONS
    )
    summary = f"{len(pool) - len(problems)} of {len(pool)} items have {ASSESSMENT_OPTIONS} options"
    figures = {"items": len(pool), "with_wrong_option_count": len(problems)}
    return Check("options", "Options per item", not problems, summary, figures, problems)


def check_floor(bank: Bank) -> Check:
    """The guessing floor (mean credit of a random option) averages at most :data:`MAX_FLOOR`
    over the assessment pool; when it does not, every item above it is listed."""
    pool = bank.pool("assessment")
    floors = {s.id: guessing_floor(s) for s in pool}
    mean = sum(floors.values()) / len(floors) if floors else 0.0
    passed = mean <= MAX_FLOOR + 1e-9
    problems: tuple[Problem, ...] = ()
    if not passed:
        problems = tuple(
            Problem(
                s.where,
                s.id,
                f"guessing floor {floors[s.id]:.2f} (a random option earns that on average; the "
                f"pool's mean {mean:.2f} is above {MAX_FLOOR})",
                "score assessment items right/wrong: credit 0 for every option but the best; keep "
                "partial credit for the practice pool",
            )
            for s in pool
            if floors[s.id] > MAX_FLOOR + 1e-9
        )
    by_topic = {
        t.id: round(sum(floors[s.id] for s in items) / len(items), 4)
        for t in bank.topics
        if (items := bank.pool("assessment", t.id))
    }
    figures = {
        "mean": round(mean, 4),
        "limit": MAX_FLOOR,
        "per_topic": by_topic,
        "per_item": {k: round(v, 4) for k, v in floors.items()},
    }
    summary = f"mean {mean:.2f} per item (limit {MAX_FLOOR})"
    return Check("floor", "Guessing floor", passed, summary, figures, problems)


def check_coverage(bank: Bank) -> Check:
    """Every claim not marked ``assess: false`` is assessed by at least
    :data:`MIN_ASSESSING_ITEMS` assessment items and practised by at least
    :data:`MIN_PRACTICE_ITEMS` practice scenario; no assessment item tests an exempt claim."""
    assessing = Counter(c for s in bank.pool("assessment") for c in s.claims)
    practising = Counter(c for s in bank.pool("practice") for c in s.claims)
    problems = []
    for claim in bank.claims:
        if not claim.assess:
            if assessing[claim.id]:
                items = [s.id for s in bank.pool("assessment") if claim.id in s.claims]
                problems.append(
                    Problem(
                        claim.where,
                        claim.id,
                        f"marked 'assess: false' but assessed by {', '.join(items)}",
                        "drop 'assess: false' and 'why', or take the claim off those items",
                    )
                )
            continue
        if assessing[claim.id] < MIN_ASSESSING_ITEMS:
            problems.append(
                Problem(
                    claim.where,
                    claim.id,
                    f"assessed by {assessing[claim.id]} assessment item(s), "
                    f"{MIN_ASSESSING_ITEMS} required",
                    "list it in the 'claims' of more assessment items, or mark it 'assess: false' "
                    "with a 'why' if it is background rather than a decision",
                )
            )
        if practising[claim.id] < MIN_PRACTICE_ITEMS:
            problems.append(
                Problem(
                    claim.where,
                    claim.id,
                    "no practice scenario exercises it, so learners are assessed on it untaught",
                    "list it in the 'claims' of a practice scenario",
                )
            )
    assessed = [c for c in bank.claims if c.assess]
    figures = {
        "claims": len(bank.claims),
        "exempt": len(bank.claims) - len(assessed),
        "assessed_enough": sum(assessing[c.id] >= MIN_ASSESSING_ITEMS for c in assessed),
        "practised": sum(practising[c.id] >= MIN_PRACTICE_ITEMS for c in assessed),
        "to_assess": len(assessed),
        "assessment_items_per_claim": {c.id: assessing[c.id] for c in bank.claims},
        "practice_items_per_claim": {c.id: practising[c.id] for c in bank.claims},
    }
    summary = (
        f"{figures['assessed_enough']} of {len(assessed)} claims assessed by >= "
        f"{MIN_ASSESSING_ITEMS} items, {figures['practised']} practised "
        f"({figures['exempt']} exempt)"
    )
    return Check("coverage", "Claim coverage", not problems, summary, figures, tuple(problems))


def _above_chance(hits: Sequence[bool], pool: Sequence[Scenario]) -> tuple[float, float, float]:
    """(hit rate, chance rate, one-sided p-value of at least that many hits by guessing)."""
    if not pool:
        return 0.0, 0.0, 1.0
    chances = [chance(s) for s in pool]
    return sum(hits) / len(pool), sum(chances) / len(pool), at_least(sum(hits), chances)


def _below_chance(hits: Sequence[bool], pool: Sequence[Scenario]) -> float:
    """One-sided p-value of at most that many hits by guessing. A strategy that finds the key far
    less often than chance is a cue too: avoiding its pick raises a learner's odds."""
    if not pool:
        return 1.0
    return 1 - at_least(sum(hits) + 1, [chance(s) for s in pool])


class _NaiveBayes:
    """Multinomial naive Bayes, best option versus the others, on option texts alone.

    Counted once over every option of the bank; :meth:`scores` leaves one scenario out by
    discounting its own counts, which is exactly training on all the others. Words the training
    texts never use are ignored (as a vectorizer fitted on them would), so they cannot favour
    either class. Laplace smoothing (add one).
    """

    def __init__(self, scenarios: Iterable[Scenario]):
        self.best: Counter[str] = Counter()
        self.other: Counter[str] = Counter()
        for s in scenarios:
            for o in s.options:
                (self.best if o.credit == 1 else self.other).update(tokens(o.text))
        self.vocab = len(self.best.keys() | self.other.keys())
        self.n_best, self.n_other = self.best.total(), self.other.total()

    def scores(self, scenario: Scenario, held_out: Sequence[Scenario] = ()) -> list[float]:
        """Log-odds of "best" for each option of ``scenario``, trained on every scenario but it
        and ``held_out`` (its slot-mates: parallel forms a learner never sees the key of)."""
        texts = [tokens(o.text) for o in scenario.options]
        own_best: Counter[str] = Counter()
        own_other: Counter[str] = Counter()
        group = [scenario, *(m for m in held_out if m.id != scenario.id)]
        for member in group:
            for o in member.options:
                (own_best if o.credit == 1 else own_other).update(tokens(o.text))

        def left(token: str) -> tuple[int, int]:
            return self.best[token] - own_best[token], self.other[token] - own_other[token]

        vocab = self.vocab - sum(1 for t in own_best.keys() | own_other.keys() if left(t) == (0, 0))
        log_best = math.log(self.n_best - own_best.total() + vocab)
        log_other = math.log(self.n_other - own_other.total() + vocab)
        result = []
        for words in texts:
            score = 0.0
            for token in words:
                best, other = left(token)
                if best or other:
                    score += math.log(best + 1) - log_best - math.log(other + 1) + log_other
            result.append(score)
        return result

    def cue_words(self, count: int = 8, seen: int = 4) -> tuple[list[str], list[str]]:
        """The words and word pairs (used at least ``seen`` times) that most mark an option as the
        best, and as not the best, over the whole bank: what an author should balance."""
        vocab = self.vocab
        ratio = {
            t: math.log((self.best[t] + 1) / (self.n_best + vocab))
            - math.log((self.other[t] + 1) / (self.n_other + vocab))
            for t in self.best.keys() | self.other.keys()
            if self.best[t] + self.other[t] >= seen
        }
        ranked = sorted(ratio, key=lambda t: (ratio[t], t))
        return ranked[::-1][:count], ranked[:count]


def _pick(values: Sequence[float]) -> int:
    return max(range(len(values)), key=lambda i: values[i])


def _keyed(scenario: Scenario, index: int) -> bool:
    return scenario.options[index].credit == 1


def check_blind_key(bank: Bank) -> Check:
    """A model that sees only the option texts (multinomial naive Bayes on word unigrams and
    bigrams, best option versus the rest) picks the best option of each assessment item, trained
    on every other scenario of both pools except the item's slot-mates (parallel forms that may
    share their options by design; a learner draws one of them and never sees the others' key).
    It must find the key neither significantly more nor less often than chance."""
    model = _NaiveBayes(bank.scenarios)
    pool = bank.pool("assessment")
    mates = {s.id: [m for m in pool if s.slot and m.slot == s.slot] for s in pool}
    picks = {s.id: _pick(model.scores(s, mates[s.id])) for s in pool}
    hits = [_keyed(s, picks[s.id]) for s in pool]
    rate, base, p = _above_chance(hits, pool)
    p_low = _below_chance(hits, pool)
    practice = bank.pool("practice")
    practice_hits = [_keyed(s, _pick(model.scores(s))) for s in practice]
    passed = p >= SIGNIFICANCE and p_low >= SIGNIFICANCE
    problems: tuple[Problem, ...] = ()
    if p_low < SIGNIFICANCE:
        problems = (
            Problem(
                pool[0].where,
                "assessment pool",
                f"a model that reads only the options picks the key in {_pct(rate)} of items, far "
                f"below chance ({_pct(base)}, p = {p_low:.3f}): the wording the bank rewards marks "
                "wrong options, so avoiding it finds the key",
                "let some keys use the wording the practice pool's keys use",
            ),
        )
    elif not passed:
        problems = tuple(
            Problem(
                s.where,
                s.id,
                f"a model that reads only the options picks the key ({s.best.key}) without the "
                f"situation (it does so on {_pct(rate)} of the pool, chance {_pct(base)}, "
                f"p = {p:.3f})",
                "rewrite the key or the distractors so no wording marks the best option; reuse "
                "this key's kind of wording in distractors elsewhere",
            )
            for s, hit in zip(pool, hits, strict=True)
            if hit
        )
    figures = {
        "model": "multinomial naive Bayes, unigrams + bigrams, leave-one-slot-out",
        "items": len(pool),
        "hits": sum(hits),
        "hit_rate": round(rate, 4),
        "chance": round(base, 4),
        "p_value": round(p, 4),
        "p_value_below": round(p_low, 4),
        "significance": SIGNIFICANCE,
        "practice_hit_rate": round(sum(practice_hits) / len(practice), 4) if practice else None,
        "keyed_items": [s.id for s, hit in zip(pool, hits, strict=True) if hit],
    }
    key_words, other_words = model.cue_words()
    figures["key_words"], figures["distractor_words"] = key_words, other_words
    detail = (
        ""
        if passed
        else "words that mark the key: "
        + ", ".join(f"'{w}'" for w in key_words)
        + "; words that mark a wrong option: "
        + ", ".join(f"'{w}'" for w in other_words)
    )
    summary = (
        f"naive Bayes on option texts finds the key in {sum(hits)}/{len(pool)} items ({_pct(rate)}), "
        f"chance {_pct(base)}, p = {p:.2f}"
    )
    return Check("blind_key", "Blind key", passed, summary, figures, problems, detail)


class _TfIdf:
    """TF-IDF vectors (smoothed idf, L2-normalised) over every option text of the bank."""

    def __init__(self, texts: Sequence[str]):
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(tokens(text)))
        n = len(texts)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(tokens(text))
        vec = {t: c * self.idf.get(t, 0.0) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def most_similar(self, texts: Sequence[str], references: Sequence[str]) -> np.ndarray:
        """For each of ``texts``, the highest cosine similarity to any of ``references``."""
        refs = [self.vector(r) for r in references]
        columns = {t: j for j, t in enumerate(sorted({t for r in refs for t in r}))}
        ref_matrix = np.zeros((len(refs), len(columns)))
        for i, vec in enumerate(refs):
            for t, v in vec.items():
                ref_matrix[i, columns[t]] = v
        text_matrix = np.zeros((len(texts), len(columns)))
        for i, text in enumerate(texts):
            for t, v in self.vector(text).items():
                if t in columns:
                    text_matrix[i, columns[t]] = v
        result: np.ndarray = (text_matrix @ ref_matrix.T).max(axis=1)
        return result


def check_practice_similarity(bank: Bank) -> Check:
    """Pick, in each assessment item, the option most like any practice key of the same topic
    (TF-IDF cosine). If that strategy finds the key more often than chance, learners pass by
    recognising practice answers rather than by judging the situation. Items whose key is the
    pick with a similarity of :data:`SIMILAR_FROM` or more are listed either way."""
    tfidf = _TfIdf([o.text for s in bank.scenarios for o in s.options])
    checked: list[Scenario] = []
    picks: list[tuple[int, float]] = []
    for topic in bank.topics:
        keys = [s.best.text for s in bank.pool("practice", topic.id)]
        items = bank.pool("assessment", topic.id)
        if not keys or not items:
            continue
        sims = tfidf.most_similar([o.text for s in items for o in s.options], keys)
        start = 0
        for s in items:
            own = [float(x) for x in sims[start : start + len(s.options)]]
            start += len(s.options)
            checked.append(s)
            picks.append((_pick(own), max(own)))
    hits = [_keyed(s, i) for s, (i, _) in zip(checked, picks, strict=True)]
    rate, base, p = _above_chance(hits, checked)
    p_low = _below_chance(hits, checked)
    pick_credit = [s.options[i].credit for s, (i, _) in zip(checked, picks, strict=True)]
    random_credit = [guessing_floor(s) for s in checked]
    similar = [
        (s, sim)
        for s, (i, sim), hit in zip(checked, picks, hits, strict=True)
        if hit and sim >= SIMILAR_FROM
    ]
    problems = [
        Problem(
            s.where,
            s.id,
            f"its key ({s.best.key}) is the option most like a practice key of the topic "
            f"(cosine {sim:.2f}), so recognising practice answers finds it",
            "test the claim in a contrasting case: make the practice-like action a distractor here, "
            "or word the key unlike the practice answers",
        )
        for s, sim in similar
    ]
    passed = p >= SIGNIFICANCE and p_low >= SIGNIFICANCE and not problems
    listed = {s.id for s, _ in similar}
    if p_low < SIGNIFICANCE:
        problems.append(
            Problem(
                checked[0].where,
                "assessment pool",
                f"the option most like a practice key is the key in only {_pct(rate)} of items, "
                f"far below chance ({_pct(base)}, p = {p_low:.3f}): avoiding what practice "
                "rewarded finds the key",
                "let some keys be the practice pool's action in a new setting, where the "
                "situation calls for it",
            )
        )
    if p < SIGNIFICANCE:
        problems += [
            Problem(
                s.where,
                s.id,
                f"its key ({s.best.key}) is the option most like a practice key; across the pool "
                f"that finds the key in {_pct(rate)} of items, chance {_pct(base)} (p = {p:.3f})",
                "make the action the practice pool rewarded a distractor in some assessment items",
            )
            for s, hit in zip(checked, hits, strict=True)
            if hit and s.id not in listed
        ]
    n = len(checked)
    figures = {
        "items": n,
        "pick_mean_credit": round(sum(pick_credit) / n, 4) if n else None,
        "random_mean_credit": round(sum(random_credit) / n, 4) if n else None,
        "pick_is_key": sum(hits),
        "pick_is_key_rate": round(rate, 4),
        "chance": round(base, 4),
        "p_value": round(p, 4),
        "p_value_below": round(p_low, 4),
        "similar_from": SIMILAR_FROM,
        "similar_keys": [s.id for s, _ in similar],
    }
    summary = (
        f"most-practice-like option earns {figures['pick_mean_credit'] or 0:.2f} per item vs "
        f"{figures['random_mean_credit'] or 0:.2f} at random; it is the key in "
        f"{sum(hits)}/{n} ({_pct(rate)}, chance {_pct(base)}, p = {p:.2f}); "
        f"{len(similar)} key(s) at cosine >= {SIMILAR_FROM}"
    )
    return Check(
        "practice_similarity", "Practice similarity", passed, summary, figures, tuple(problems)
    )


def check_lengths(bank: Bank) -> Check:
    """Options of similar length: longest / shortest (in words) at most :data:`MAX_LENGTH_RATIO`
    per item, and the key the strictly longest option neither more nor less often than chance.
    Chance counts ties: an item whose longest length is shared has no strictly longest option."""
    pool = bank.pool("assessment")
    ratios: dict[str, float] = {}
    problems = []
    longest_hits = []
    chances = []
    for s in pool:
        words = [word_count(o.text) for o in s.options]
        ratios[s.id] = max(words) / max(1, min(words))
        key_words = word_count(s.best.text)
        longest_hits.append(sum(w >= key_words for w in words) == 1)
        chances.append(1 / len(words) if words.count(max(words)) == 1 else 0.0)
        if ratios[s.id] > MAX_LENGTH_RATIO:
            problems.append(
                Problem(
                    s.where,
                    s.id,
                    f"options run from {min(words)} to {max(words)} words (ratio "
                    f"{ratios[s.id]:.1f}, limit {MAX_LENGTH_RATIO})",
                    "bring the options to a similar length: trim the long one or say more in the "
                    "short ones",
                )
            )
    n = max(1, len(pool))
    rate, base = sum(longest_hits) / n, sum(chances) / n
    p = at_least(sum(longest_hits), chances)
    p_low = 1 - at_least(sum(longest_hits) + 1, chances)
    if p_low < SIGNIFICANCE:
        problems.append(
            Problem(
                pool[0].where,
                "assessment pool",
                f"the key is the longest option in only {_pct(rate)} of items, far below chance "
                f"({_pct(base)}, p = {p_low:.3f}): ruling out the longest option finds the key",
                "let some keys be the longest option",
            )
        )
    if p < SIGNIFICANCE:
        problems += [
            Problem(
                s.where,
                s.id,
                f"its key ({s.best.key}) is the longest option; across the pool the key is the "
                f"longest in {_pct(rate)} of items, chance {_pct(base)} (p = {p:.3f})",
                "shorten this key or lengthen a distractor",
            )
            for s, hit in zip(pool, longest_hits, strict=True)
            if hit
        ]
    mean_ratio = sum(ratios.values()) / len(ratios) if ratios else 0.0
    figures = {
        "max_ratio": MAX_LENGTH_RATIO,
        "mean_ratio": round(mean_ratio, 4),
        "largest_ratio": round(max(ratios.values(), default=0.0), 4),
        "over_limit": sum(r > MAX_LENGTH_RATIO for r in ratios.values()),
        "key_longest": sum(longest_hits),
        "key_longest_rate": round(rate, 4),
        "chance": round(base, 4),
        "p_value": round(p, 4),
        "p_value_below": round(p_low, 4),
        "per_item": {k: round(v, 4) for k, v in ratios.items()},
    }
    summary = (
        f"longest/shortest mean {mean_ratio:.2f}, {figures['over_limit']} item(s) above "
        f"{MAX_LENGTH_RATIO}; key longest in {sum(longest_hits)}/{len(pool)} ({_pct(rate)}, "
        f"chance {_pct(base)}, p = {p:.2f})"
    )
    return Check("lengths", "Option lengths", not problems, summary, figures, tuple(problems))


CHECKS: tuple[Callable[[Bank], Check], ...] = (
    check_counts,
    check_coverage,
    check_options,
    check_floor,
    check_blind_key,
    check_practice_similarity,
    check_lengths,
)


def check_bank(bank: Bank) -> QualityReport:
    """Run every item-quality check on ``bank``."""
    return QualityReport(tuple(check(bank) for check in CHECKS))
