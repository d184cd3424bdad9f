"""Practice scenarios as ipywidgets: one scenario (:class:`ScenarioPlayer`) or a module of them
(:class:`ModulePlayer`, with navigation, a running score, a progress bar and a closing summary).

Players only ever show practice scenarios; assessment scenarios are refused, so graded questions
cannot leak into the practice notebooks. Every checked answer is saved through
:class:`clientcraft.progress.ProgressStore`, so a learner who comes back sees what they already did.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from markdown_it import MarkdownIt

from clientcraft.bank import Bank, Option, Scenario, default_bank_dir, load_bank
from clientcraft.errors import ClientcraftError
from clientcraft.formats import credit_label, percent
from clientcraft.layout import DEFAULT_BOOK_URL
from clientcraft.progress import ProgressStore

_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_COLOURS = {"best": "#1b7f3b", "partial": "#b26b00", "wrong": "#b3261e"}


def markdown_html(text: str) -> str:
    """Bank markdown as HTML (raw HTML in the bank is escaped, not passed through)."""
    return str(_MARKDOWN.render(text))


def _inline(text: str) -> str:
    return str(_MARKDOWN.renderInline(text))


def _grade(credit: float) -> str:
    return "best" if credit == 1 else "partial" if credit > 0 else "wrong"


def require_practice(scenarios: Iterable[Scenario]) -> tuple[Scenario, ...]:
    """The scenarios, if all are practice ones; ClientcraftError naming each assessment one."""
    scenarios = tuple(scenarios)
    graded = [s for s in scenarios if s.pool != "practice"]
    if graded:
        raise ClientcraftError(
            [
                f"{s.where}: {s.id}: is an assessment scenario; practice players show practice "
                "scenarios only (pass bank.pool('practice'))"
                for s in graded
            ]
        )
    return scenarios


def source_html(scenario: Scenario, bank: Bank) -> str:
    """Which article and section a scenario is taught from, with the article's own heading."""
    section = bank.article(scenario.source.article).section(scenario.source.section)
    heading = f" (original heading: “{html.escape(section.heading)}”)" if section else ""
    return (
        "<p style='font-size:90%;color:#555'>Source: "
        f"{html.escape(bank.citation(scenario.source))}{heading}</p>"
    )


def notes_html(store: ProgressStore) -> str:
    """The progress store's problems as a visible warning box (empty when there are none)."""
    return "".join(
        f"<p style='border-left:4px solid {_COLOURS['partial']};padding-left:8px'>"
        f"<b>Note:</b> {html.escape(note)}</p>"
        for note in store.notes
    )


class ScenarioPlayer(widgets.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """One practice scenario: situation, options, Check, feedback with credit, Try again."""

    def __init__(
        self,
        scenario: Scenario,
        bank: Bank,
        *,
        progress: ProgressStore | None = None,
        on_check: Callable[[Scenario, Option], None] | None = None,
        show_notes: bool = True,
    ):
        (self.scenario,) = require_practice([scenario])
        self.progress = progress if progress is not None else ProgressStore()
        self.result: Option | None = None
        self._on_check = on_check
        self._show_notes = show_notes
        self.source = widgets.HTML(source_html(scenario, bank))
        self.situation = widgets.HTML(markdown_html(scenario.situation))
        self.question = widgets.HTML(f"<b>{_inline(scenario.question)}</b>")
        self.options = widgets.HTML(
            "".join(f"<p><b>{o.key}.</b> {_inline(o.text)}</p>" for o in scenario.options)
        )
        self.choice = widgets.ToggleButtons(
            options=list(scenario.keys),
            value=None,
            description="Your answer:",
            style={"description_width": "initial"},
        )
        self.check_button = widgets.Button(
            description="Check", button_style="primary", disabled=True, icon="check"
        )
        self.retry_button = widgets.Button(description="Try again", disabled=True, icon="refresh")
        self.feedback = widgets.HTML("")
        self.history = widgets.HTML(self._history_text())
        self.notes = widgets.HTML(notes_html(self.progress) if show_notes else "")
        self.choice.observe(self._chosen, names="value")
        self.check_button.on_click(self._check)
        self.retry_button.on_click(self._retry)
        super().__init__(
            children=[
                self.notes,
                self.source,
                self.situation,
                self.question,
                self.options,
                self.choice,
                widgets.HBox([self.check_button, self.retry_button]),
                self.feedback,
                self.history,
            ]
        )

    def _history_text(self) -> str:
        past = self.progress.history(self.scenario.id)
        if past is None:
            return "<p style='font-size:90%;color:#555'>Previously: not answered yet.</p>"
        plural = "attempt" if past.attempts == 1 else "attempts"
        return (
            f"<p style='font-size:90%;color:#555'>Previously: best {percent(past.best)}, "
            f"{past.attempts} {plural}</p>"
        )

    def _chosen(self, change: dict[str, Any]) -> None:
        self.check_button.disabled = change["new"] is None or self.result is not None

    def _check(self, _button: widgets.Button | None = None) -> None:
        """Show the chosen option's feedback, credit, consequence and the takeaway; save the answer."""
        if self.choice.value is None or self.result is not None:
            return
        option = self.scenario.option(self.choice.value)
        self.result = option
        self.progress.record(self.scenario, option.key, option.credit)
        if self._show_notes:
            self.notes.value = notes_html(self.progress)
        colour = _COLOURS[_grade(option.credit)]
        consequence = (
            f"<p><b>What happens next:</b> {_inline(option.consequence)}</p>"
            if option.consequence
            else ""
        )
        self.feedback.value = (
            f"<div style='border-left:4px solid {colour};padding-left:8px'>"
            f"<p><b>You chose {option.key}.</b> <b style='color:{colour}'>"
            f"{credit_label(option.credit)}</b></p>"
            f"<p>{_inline(option.feedback)}</p>{consequence}"
            f"<p><b>Takeaway:</b> {_inline(self.scenario.takeaway)}</p></div>"
        )
        self.choice.disabled = True
        self.check_button.disabled = True
        self.retry_button.disabled = False
        self.history.value = self._history_text()
        if self._on_check:
            self._on_check(self.scenario, option)

    def _retry(self, _button: widgets.Button | None = None) -> None:
        """Clear the answer and its feedback so the scenario can be answered afresh."""
        self.result = None
        self.feedback.value = ""
        self.choice.disabled = False
        self.choice.value = None
        self.check_button.disabled = True
        self.retry_button.disabled = True


class ModulePlayer(widgets.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """A list of practice scenarios one at a time, with Previous/Next, a running score (each
    scenario's first answer this session), a progress bar, and a summary per topic that links the
    book pages to review."""

    def __init__(
        self,
        scenarios: Iterable[Scenario],
        bank: Bank,
        *,
        progress: ProgressStore | None = None,
        book_url: str = DEFAULT_BOOK_URL,
    ):
        self.scenarios = require_practice(scenarios)
        self.bank = bank
        self.book_url = book_url.rstrip("/")
        self.progress = progress if progress is not None else ProgressStore()
        self.first_credit: dict[str, float] = {}
        self.players = [
            ScenarioPlayer(
                s, bank, progress=self.progress, on_check=self._checked, show_notes=False
            )
            for s in self.scenarios
        ]
        self.position = 0
        self.heading = widgets.HTML(f"<h3>{html.escape(self._title())}</h3>")
        self.notes = widgets.HTML(notes_html(self.progress))
        self.counter = widgets.HTML()
        self.progress_bar = widgets.IntProgress(
            value=0,
            min=0,
            max=max(len(self.players), 1),
            description="Answered:",
            style={"description_width": "initial"},
        )
        self.score = widgets.HTML()
        self.previous_button = widgets.Button(description="Previous", icon="arrow-left")
        self.next_button = widgets.Button(description="Next", icon="arrow-right")
        self.previous_button.on_click(lambda _b: self.show(self.position - 1))
        self.next_button.on_click(lambda _b: self.show(self.position + 1))
        self.summary = widgets.HTML()
        self.stage = widgets.Box(layout=widgets.Layout(display="block"))
        super().__init__(
            children=[
                self.heading,
                self.notes,
                widgets.HBox([self.progress_bar, self.score]),
                self.counter,
                self.stage,
                widgets.HBox([self.previous_button, self.next_button]),
            ]
        )
        self._update_score()
        self.show(0)

    def _title(self) -> str:
        topics = {s.topic for s in self.scenarios}
        if len(topics) == 1:
            return f"Practice: {self.bank.topic(topics.pop()).title}"
        return f"Practice: {len(self.scenarios)} scenarios"

    def show(self, position: int) -> None:
        """Show scenario ``position`` (0-based); ``len(scenarios)`` shows the summary."""
        last = len(self.players)
        self.position = min(max(position, 0), last)
        self.previous_button.disabled = self.position == 0
        self.next_button.disabled = self.position >= last
        self.next_button.description = "Finish" if self.position == last - 1 else "Next"
        if not self.players:
            self.counter.value = "<p>There are no practice scenarios here yet.</p>"
            self.stage.children = []
        elif self.position == last:
            self.counter.value = "<p><b>Summary</b></p>"
            self.summary.value = self.summary_html()
            self.stage.children = [self.summary]
        else:
            self.counter.value = f"<p><b>Scenario {self.position + 1} of {last}</b></p>"
            self.stage.children = [self.players[self.position]]

    def _checked(self, scenario: Scenario, option: Option) -> None:
        self.first_credit.setdefault(scenario.id, option.credit)
        self.notes.value = notes_html(self.progress)
        self._update_score()

    def _update_score(self) -> None:
        total = math.fsum(self.first_credit.values())
        self.progress_bar.value = len(self.first_credit)
        self.score.value = (
            f"<p>&nbsp;Score: {total:g} of {len(self.players)} "
            f"({percent(total / len(self.players)) if self.players else '0 %'}), "
            "counting your first answer to each scenario</p>"
        )

    def review_url(self, topic_id: str) -> str:
        """The book page that teaches a topic, under this player's book base URL."""
        return f"{self.book_url}/{self.bank.topic(topic_id).docname}.html"

    def summary_html(self) -> str:
        """Per topic: answered, score (first answers), and what to review in the book."""
        rows = []
        for topic in self.bank.topics:
            own = [s for s in self.scenarios if s.topic == topic.id]
            if not own:
                continue
            answered = [s for s in own if s.id in self.first_credit]
            score = math.fsum(self.first_credit[s.id] for s in answered) / len(own)
            missed = [s for s in own if self.first_credit.get(s.id, 0) < 1]
            link = (
                f"<a href='{html.escape(self.review_url(topic.id))}' target='_blank' "
                "style='color:#1a5fa0;text-decoration:underline'>"
                f"{html.escape(topic.title)}</a>"
            )
            if missed:
                sections = sorted({(s.source.article, s.source.section) for s in missed})
                where = "; ".join(
                    f"{html.escape(self.bank.article(a).english_title)}, section "
                    f"“{html.escape(sec)}”"
                    for a, sec in sections
                )
                review = f"Review {link} in the book (sources: {where})."
            else:
                review = f"All best answers. The book page: {link}."
            rows.append(
                f"<tr><td>{html.escape(topic.title)}</td><td>{len(answered)} of "
                f"{len(own)}</td><td>{percent(score)}</td><td>{review}</td></tr>"
            )
        return (
            "<table><thead><tr><th>Module</th><th>Answered</th><th>Score</th><th>What to "
            "review</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )


def practice_bank(bank: Bank) -> Bank:
    """The bank with its assessment scenarios dropped, so nothing graded is even held in memory."""
    return dataclasses.replace(bank, scenarios=bank.pool("practice"))


def module_player(
    topic: str,
    bank_dir: Path | str | None = None,
    *,
    progress: ProgressStore | None = None,
    book_url: str = DEFAULT_BOOK_URL,
) -> ModulePlayer:
    """Load the bank (default: the nearest ``exercises/``) and play one topic's practice scenarios."""
    bank = practice_bank(load_bank(bank_dir or default_bank_dir()))
    if topic not in {t.id for t in bank.topics}:
        raise ClientcraftError(
            f"{bank.root / 'topics.yml'}: unknown topic '{topic}' (use one of: "
            f"{', '.join(t.id for t in bank.topics)})"
        )
    return ModulePlayer(bank.pool("practice", topic), bank, progress=progress, book_url=book_url)


def show_overview(bank_dir: Path | str | None = None, path: Path | str | None = None) -> None:
    """Plot the best score per topic over the practice scenarios, or say there is no progress yet."""
    import matplotlib.pyplot as plt

    bank = load_bank(bank_dir or default_bank_dir())
    practice = bank.pool("practice")
    store = ProgressStore(path)
    for note in store.notes:
        print(note)
    practice_ids = {s.id for s in practice}
    if not any(a.scenario in practice_ids for a in store.attempts):
        print(
            f"No progress yet: nothing is saved in {store.path}. Open a module notebook, answer a "
            "scenario and press Check; then run this cell again."
        )
        return
    per_topic = store.best_by_topic(bank.topics, practice)
    labels = [t.title for t in bank.topics]
    scores = [per_topic[t.id][0] * 100 for t in bank.topics]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(labels) + 1.2))
    bars = ax.barh(labels, scores, color="#2a7ab0")
    ax.invert_yaxis()
    ax.set_xlim(0, 140)
    ax.set_xticks(range(0, 101, 25))
    ax.set_xlabel("best score over the module's practice scenarios (%; untried count 0)")
    ax.set_title("Your practice progress per module")
    for bar, topic in zip(bars, bank.topics, strict=False):
        mean, tried, total = per_topic[topic.id]
        ax.annotate(
            f"{percent(mean)} ({tried} of {total} tried)",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    fig.tight_layout()
    plt.show()
