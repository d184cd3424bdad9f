"""The report as one self-contained, accessible HTML page: inline CSS, charts as data-URI PNGs.

Nothing is fetched from anywhere (no scripts, fonts or style sheets), so the file opens from a
USB stick or an e-mail attachment the same as from the course server.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from html import escape

from clientcraft.bank import Topic
from clientcraft.report.analysis import (
    BLANK,
    DEAD_DISTRACTOR_BELOW,
    GROUP_FRACTION,
    INVALID,
    REVIEW_BELOW,
    TOO_EASY_ABOVE,
    TOO_HARD_BELOW,
    Analysis,
    ItemStats,
    LearnerStats,
)
from clientcraft.report.plots import Plot
from clientcraft.report.reliability import PASS_SHARE, ReliabilityStats

CSS = """
:root { --ink:#1f2937; --muted:#4b5563; --line:#d1d5db; --accent:#2563eb; --warn:#b91c1c;
        --warn-bg:#fee2e2; --ok-bg:#ecfdf5; --card:#f9fafb; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; line-height: 1.45; background: #fff; }
header, main, nav { max-width: 1180px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 1px solid var(--line); padding-bottom: .75rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid var(--accent);
     padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
h4 { font-size: .95rem; margin: 0 0 .3rem; }
p.meta { color: var(--muted); margin: 0; }
nav ul { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; list-style: none; padding: .6rem 0;
         margin: 0; }
a { color: var(--accent); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .8rem; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; }
.stat b { display: block; font-size: 1.6rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
         vertical-align: top; }
thead th { background: var(--card); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.low { background: var(--warn-bg); }
.flag { display: inline-block; background: var(--warn-bg); color: var(--warn); border-radius: 999px;
        padding: 0 .5rem; margin: 0 .2rem .15rem 0; font-size: .8rem; font-weight: 600;
        white-space: nowrap; }
.ok { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: .9rem; }
.item { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .8rem; background: #fff;
        overflow-x: auto; }
.item.flagged { border-color: var(--warn); }
.item p { margin: .1rem 0 .35rem; font-size: .85rem; color: var(--muted); }
.item table { width: 100%; margin: 0; }
.item td { white-space: nowrap; }
.bar { display: inline-block; height: .7rem; background: var(--accent); border-radius: 2px;
       vertical-align: middle; margin-right: .35rem; }
tr.best td:first-child { font-weight: 700; }
dl dt { font-weight: 600; margin-top: .6rem; }
dl dd { margin-left: 1.2rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }
footer { max-width: 1180px; margin: 2rem auto; padding: 0 1.25rem; color: var(--muted);
         font-size: .8rem; }
"""


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}%"


def _num(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:+.2f}"


def _flags(flags: Sequence[str]) -> str:
    if not flags:
        return '<span class="ok">no flags</span>'
    return "".join(f'<span class="flag">{escape(f)}</span>' for f in flags)


def _figure(plot: Plot, caption: str) -> str:
    data = base64.b64encode(plot.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" width="{plot.width}" '
        f'height="{plot.height}" alt="{escape(plot.alt)}"><figcaption>{escape(caption)}'
        "</figcaption></figure>"
    )


def _table(caption: str, headers: Sequence[tuple[str, bool]], rows: Iterable[str]) -> str:
    """A table with a caption and column headers; ``headers`` pairs text with 'is numeric'."""
    head = "".join(
        f'<th scope="col"{" class=num" if num else ""}>{escape(h)}</th>' for h, num in headers
    )
    return (
        f'<div class="scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def review_href(topic: Topic, book_url: str | None) -> str | None:
    """The address of a topic's book module page, when the book's address is known."""
    return topic.page(book_url) if book_url else None


def _review_links(learner: LearnerStats, book_url: str | None) -> str:
    if not learner.review:
        return '<span class="ok">nothing to review</span>'
    links = []
    for topic in learner.review:
        href = review_href(topic, book_url)
        title = escape(topic.title)
        links.append(
            f'<a href="{escape(href)}">{title}</a>'
            if href
            else f'{title} <span class="ok">({escape(topic.docname)})</span>'
        )
    return "; ".join(links)


def _summary(analysis: Analysis) -> str:
    flagged = sum(1 for s in analysis.items if s.flags)
    reviewing = sum(1 for learner in analysis.learners if learner.review)
    cards = [
        (len(analysis.learners), "learners"),
        (len(analysis.assignments), "assignments"),
        (len(analysis.items), "questions"),
        (flagged, "questions flagged"),
        (reviewing, "learners with a module to review"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="stat"><b>{value}</b>{escape(label)}</div>' for value, label in cards
        )
        + "</div>"
    )


def _score_rows(analysis: Analysis) -> Iterable[str]:
    for stats in analysis.assignments:
        low = min(stats.percents, default=math.nan)
        high = max(stats.percents, default=math.nan)
        yield (
            f'<tr><th scope="row">{escape(stats.name)}</th><td class="num">{stats.n}</td>'
            + "".join(
                f'<td class="num">{_pct(v / 100)}</td>'
                for v in (stats.mean, stats.median, low, high)
            )
            + "</tr>"
        )


def _points(value: float, maximum: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.2f}\u00a0({_pct(value / maximum) if maximum else '—'})"


def _plain(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def _reliability_rows(stats: Sequence[ReliabilityStats]) -> Iterable[str]:
    for s in stats:
        yield (
            f'<tr><th scope="row">{escape(s.name)}</th><td class="num">{s.learners}</td>'
            f'<td class="num">{s.questions}</td><td class="num">{_plain(s.alpha)}</td>'
            f"<td>{escape(s.reliability_name)}</td>"
            f'<td class="num">{_points(s.mean, s.maximum)}</td>'
            f'<td class="num">{_plain(s.sd)}</td><td class="num">{_plain(s.sem)}</td>'
            f'<td class="num">{_points(s.guess, s.maximum)}</td>'
            f'<td class="num">{_points(s.pass_mark, s.maximum)}</td>'
            f'<td class="num">{s.borderline}</td></tr>'
        )


def _topic_rows(analysis: Analysis) -> Iterable[str]:
    for index, topic in enumerate(analysis.topics):
        questions = sum(1 for s in analysis.items if s.item.topic == topic.id)
        marks = [learner.topics[index] for learner in analysis.learners]
        values = [m.mastery for m in marks if m.mastery is not None]
        mean = sum(values) / len(values) if values else math.nan
        below = sum(1 for m in marks if m.needs_review)
        yield (
            f'<tr><th scope="row">{escape(topic.title)}</th><td class="num">{questions}</td>'
            f'<td class="num">{len(values)}</td><td class="num">{_pct(mean)}</td>'
            f'<td class="num">{below}</td></tr>'
        )


def _item_rows(analysis: Analysis) -> Iterable[str]:
    for s in analysis.items:
        yield (
            f'<tr><th scope="row"><a href="#{_anchor(s)}">{escape(s.item.label)}</a></th>'
            f"<td>{escape(s.item.scenario)}</td><td>{escape(s.item.topic)}</td>"
            f'<td class="num">{s.n}</td><td class="num">{_pct(s.facility)}</td>'
            f'<td class="num">{_pct(s.item.guess)}</td>'
            f'<td class="num">{_num(s.discrimination)}</td>'
            f'<td class="num">{_num(s.point_biserial)}</td><td>{_flags(s.flags)}</td></tr>'
        )


def _anchor(stats: ItemStats) -> str:
    variant = f"-{stats.item.scenario}" if stats.item.variant else ""
    return f"item-{stats.item.assignment}-{stats.item.question}{variant}"


def _option_label(key: str) -> str:
    return {BLANK: "blank", INVALID: "invalid"}.get(key, key)


def _item_card(s: ItemStats) -> str:
    best = max(s.item.credits)
    rows = []
    for o in s.options:
        if o.credit is None and o.count == 0:
            continue
        is_best = o.credit == best
        width = 0 if math.isnan(o.share) else round(100 * o.share)
        label = (
            _option_label(o.key) + (" (best)" if is_best else "") + (" (dead)" if o.is_dead else "")
        )
        credit = "—" if o.credit is None else f"{o.credit:g}"
        rows.append(
            f"<tr{' class=best' if is_best else ''}><td>{escape(label)}</td>"
            f'<td class="num">{credit}</td><td class="num">{o.count}</td>'
            f'<td><span class="bar" style="width:{width * 0.5:.0f}px"></span>'
            f"{_pct(o.share)}</td></tr>"
        )
    head = (
        '<thead><tr><th scope="col">Option</th><th scope="col" class="num">Credit</th>'
        '<th scope="col" class="num">Chosen</th><th scope="col">Share</th></tr></thead>'
    )
    return (
        f'<article class="item{" flagged" if s.flags else ""}" id="{_anchor(s)}">'
        f"<h4>{escape(s.item.label)} · {escape(s.item.scenario)}</h4>"
        f"<p>facility {_pct(s.facility)} (random guess {_pct(s.item.guess)}) · "
        f"discrimination {_num(s.discrimination)} · "
        f"point-biserial {_num(s.point_biserial)} · {s.n} answers</p>"
        + (
            f"<p>Per-learner variants: drawn by {s.n} learners; options by their key in the bank "
            "(each learner saw them lettered in their own order).</p>"
            if s.item.variant
            else ""
        )
        + f"<p>{_flags(s.flags)}</p>"
        f'<table><caption class="visually-hidden">Options chosen for {escape(s.item.label)}'
        f"</caption>{head}<tbody>{''.join(rows)}</tbody></table></article>"
    )


def _learner_rows(analysis: Analysis, book_url: str | None) -> Iterable[str]:
    for learner in analysis.learners:
        cells = "".join(
            f'<td class="num{" low" if t.needs_review else ""}">{_pct(t.mastery)}</td>'
            for t in learner.topics
        )
        yield (
            f'<tr><th scope="row">{escape(learner.student)}</th>{cells}'
            f"<td>{_review_links(learner, book_url)}</td></tr>"
        )


def _method() -> str:
    terms = [
        (
            "Facility",
            "mean credit on the question (the share of its points the cohort earned). "
            f"Above {TOO_EASY_ABOVE:.0%} it is flagged too easy, below {TOO_HARD_BELOW:.0%} too hard.",
        ),
        (
            "Discrimination",
            f"mean credit of the top {GROUP_FRACTION:.0%} of learners by assignment "
            f"score minus that of the bottom {GROUP_FRACTION:.0%} (learners tied at the cut-off "
            "share the places). Ranges from −1 to +1; good questions reach +0.3 or more.",
        ),
        (
            "Negative discrimination",
            "flagged when the discrimination is below zero: the "
            "stronger learners did worse than the weaker ones, so check the keyed answer and the "
            "wording.",
        ),
        (
            "Point-biserial",
            "correlation of the question's credit with the rest of the "
            "assignment's score (the score without this question); shown, not flagged. On a short "
            "quiz one backwards question shifts every rest score, so read it next to the "
            "discrimination.",
        ),
        (
            "Dead distractor",
            f"a wrong or partial-credit option chosen by fewer than "
            f"{DEAD_DISTRACTOR_BELOW:.0%} of learners; it does not tempt anyone, so rewrite it.",
        ),
        ("Blank / invalid", "no answer, or an answer that is not one of the option letters."),
        (
            "Random guess (per question)",
            "the credit a learner earns on average by choosing an option at random: the mean "
            "credit of the options (25% for a right/wrong question with four options). Read the "
            "facility against it: a facility near the random-guess figure means the cohort "
            "did about as well as chance.",
        ),
        (
            "Reliability (KR-20 / Cronbach's alpha)",
            "how consistently the questions of an assignment rank the learners: 1 minus the sum "
            "of the question score variances over the variance of the totals, scaled by k/(k−1) "
            "for k questions. It is called KR-20 when every question is right/wrong. Around 0.7 "
            "or more is sound for a quiz, 0.8 or more for a final whose scores decide something; "
            "below 0.5 the total mostly reflects chance, and at or below 0 the questions disagree "
            "with each other (look for negatively discriminating questions). Short quizzes and "
            "small or very uniform cohorts give low values.",
        ),
        (
            "SD and SEM",
            "SD is the standard deviation of the learners' totals, in points. The standard "
            "error of measurement (SEM) is SD × √(1 − reliability): a learner's score could move "
            "by about one SEM either way on a parallel version of the test. When the reliability "
            "is 0 or below, the whole SD counts as error.",
        ),
        (
            "Random-guess score",
            "the sum of the questions' random-guess figures, in points: what a learner who "
            "knows nothing and guesses every question scores on average.",
        ),
        (
            "Suggested pass mark",
            f"the random-guess score plus {PASS_SHARE:.0%} of the distance from it to full "
            f"marks: the expected score of a learner who knows {PASS_SHARE:.0%} of the questions "
            "and guesses the rest. It asks for the same knowledge whatever guessing is worth on "
            "the assignment (a plain 60% pass would be half free on questions where a random "
            "option earns half the point). Learners within one SEM of it are counted: the test "
            "cannot tell their pass from their fail, so look at their answers before deciding.",
        ),
        (
            "Mastery",
            "a learner's mean credit on every question of a topic they answered; below "
            f"{REVIEW_BELOW:.0%} the topic's book module is listed to review.",
        ),
    ]
    return "<dl>" + "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in terms) + "</dl>"


def render_html(
    analysis: Analysis, plots: dict[str, Plot], generated: str, book_url: str | None = None
) -> str:
    """The full report page. ``plots`` holds ``scores``, ``topics`` and ``items`` charts."""
    sections = [
        ("summary", "At a glance", _summary(analysis)),
        (
            "scores",
            "Scores per assignment",
            _figure(plots["scores"], "Score distribution per assignment.")
            + _table(
                "Scores per assignment (percent of the maximum)",
                [
                    ("Assignment", False),
                    ("Learners", True),
                    ("Mean", True),
                    ("Median", True),
                    ("Lowest", True),
                    ("Highest", True),
                ],
                _score_rows(analysis),
            )
            + _table(
                "Test statistics per assignment (points, with percent of the maximum)",
                [
                    ("Assignment", False),
                    ("Learners", True),
                    ("Questions", True),
                    ("Reliability", True),
                    ("Measure", False),
                    ("Mean", True),
                    ("SD", True),
                    ("SEM", True),
                    ("Random-guess score", True),
                    ("Suggested pass mark", True),
                    ("Within 1 SEM of the pass mark", True),
                ],
                _reliability_rows(analysis.reliability),
            ),
        ),
        (
            "topics",
            "Mastery per topic",
            _figure(plots["topics"], "Mastery distribution per topic.")
            + _table(
                "Mastery per topic",
                [
                    ("Topic", False),
                    ("Questions", True),
                    ("Learners assessed", True),
                    ("Mean mastery", True),
                    (f"Learners below {REVIEW_BELOW:.0%}", True),
                ],
                _topic_rows(analysis),
            ),
        ),
        (
            "questions",
            "Questions",
            _figure(
                plots["items"], "Facility against discrimination; flagged questions are labelled."
            )
            + _table(
                "Item statistics",
                [
                    ("Question", False),
                    ("Scenario", False),
                    ("Topic", False),
                    ("Answers", True),
                    ("Facility", True),
                    ("Random guess", True),
                    ("Discrimination", True),
                    ("Point-biserial", True),
                    ("Flags", False),
                ],
                _item_rows(analysis),
            )
            + "<h3>Options chosen per question</h3>"
            + '<div class="grid">'
            + "".join(_item_card(s) for s in analysis.items)
            + "</div>",
        ),
        (
            "learners",
            "Learners",
            _table(
                "Mastery per learner and topic (cells below the review threshold are shaded)",
                [
                    ("Learner", False),
                    *((t.title, True) for t in analysis.topics),
                    ("Book modules to review", False),
                ],
                _learner_rows(analysis, book_url),
            ),
        ),
        ("method", "How to read this report", _method()),
    ]
    nav = "".join(f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}" aria-labelledby="{key}-h"><h2 id="{key}-h">'
        f"{escape(title)}</h2>{content}</section>"
        for key, title, content in sections
    )
    title = f"Instructor report: {analysis.course}"
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><h1>{escape(title)}</h1>"
        f'<p class="meta">Item analysis and learner mastery from the nbgrader gradebook · '
        f"generated {escape(generated)}</p></header>\n"
        f'<nav aria-label="Report sections"><ul>{nav}</ul></nav>\n<main>{body}</main>\n'
        "<footer>Made by <code>clientcraft report</code>. The CSV files next to this page hold "
        "the same numbers.</footer>\n</body>\n</html>\n"
    )
