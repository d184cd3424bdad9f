"""The ``scenario`` and ``scenarios`` directives: practice exercises rendered from the bank.

Each exercise is plain HTML that works without JavaScript (one ``<details>`` per option with its
feedback inside); ``static/scenario.js`` turns the options into buttons with a live feedback area.
Assessment-pool scenarios are never rendered.
"""

from __future__ import annotations

import difflib

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from clientcraft.bank import Bank, Option, Scenario
from clientcraft.formats import credit_label
from clientcraft.sphinx.bank_cache import bank_of, note_bank_dependency, note_rendered
from clientcraft.sphinx.nodes import element


class _ExerciseDirective(SphinxDirective):
    """Shared rendering of one scenario into exercise nodes."""

    required_arguments = 1
    has_content = False

    @property
    def bank(self) -> Bank:
        return bank_of(self.env.app)

    def blocks(self, text: str) -> list[nodes.Node]:
        """Markdown (or reST, on a reST page) from the bank, parsed into block nodes."""
        return self.parse_text_to_nodes(text)

    def inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.parse_inline(text, lineno=self.lineno)
        return [*parsed, *messages]

    def labelled(self, label: str, text: str, classes: tuple[str, ...]) -> nodes.Node:
        """Parsed ``text`` in a div whose first paragraph starts with a bold ``label``."""
        body = self.blocks(text)
        lead = nodes.strong(text=f"{label}: ")
        if body and isinstance(body[0], nodes.paragraph):
            body[0].insert(0, lead)
        else:
            body.insert(0, nodes.paragraph("", "", lead))
        return element("div", body, classes=classes)

    def option(self, option: Option) -> nodes.Node:
        summary = element(
            "summary",
            [
                element("span", [nodes.Text(f"{option.key}.")], classes=("cc-key",)),
                nodes.Text(" "),
                element("span", self.inline(option.text), classes=("cc-option-text",)),
            ],
        )
        feedback: list[nodes.Node] = [
            nodes.paragraph(
                "", "", nodes.strong(text=credit_label(option.credit)), classes=["cc-credit"]
            ),
            element("div", self.blocks(option.feedback), classes=("cc-feedback-text",)),
        ]
        if option.consequence:
            feedback.append(
                self.labelled("What happens next", option.consequence, ("cc-consequence",))
            )
        grade = "full" if option.credit == 1 else "none" if option.credit == 0 else "partial"
        return element(
            "details",
            [
                summary,
                element(
                    "div",
                    feedback,
                    classes=("cc-feedback", f"cc-credit-{grade}"),
                    data_key=option.key,
                ),
            ],
            classes=("cc-option",),
            data_key=option.key,
            data_credit=f"{option.credit:g}",
        )

    def source_line(self, scenario: Scenario) -> nodes.Node:
        return nodes.paragraph(
            "",
            "",
            nodes.strong(text="Source: "),
            nodes.Text(self.bank.citation(scenario.source)),
            classes=["cc-source"],
        )

    def exercise(self, scenario: Scenario, title: str) -> nodes.Node:
        """One practice scenario as an exercise that works with and without JavaScript."""
        question_id = f"cc-question-{scenario.id}"
        title_id = f"cc-title-{scenario.id}"
        options = element(
            "div",
            [self.option(o) for o in scenario.options],
            classes=("cc-options",),
            role="group",
            aria_labelledby=question_id,
        )
        takeaway = element(
            "details",
            [
                element("summary", [nodes.Text("Takeaway")]),
                element("div", self.blocks(scenario.takeaway), classes=("cc-takeaway-text",)),
            ],
            classes=("cc-takeaway",),
        )
        return element(
            "section",
            [
                nodes.paragraph(
                    "", "", nodes.strong(text=title), ids=[title_id], classes=["cc-title"]
                ),
                element("div", self.blocks(scenario.situation), classes=("cc-situation",)),
                nodes.paragraph(
                    "",
                    "",
                    *self.inline(scenario.question),
                    ids=[question_id],
                    classes=["cc-question"],
                ),
                options,
                takeaway,
                self.source_line(scenario),
            ],
            classes=("cc-scenario",),
            ids=(f"scenario-{scenario.id}",),
            data_scenario_id=scenario.id,
            aria_labelledby=title_id,
        )


class ScenarioDirective(_ExerciseDirective):
    """``{scenario} <id>``: one practice scenario of the bank."""

    def run(self) -> list[nodes.Node]:
        note_bank_dependency(self.env)
        wanted = self.arguments[0].strip()
        try:
            scenario = self.bank.scenario(wanted)
        except KeyError:
            known = [s.id for s in self.bank.pool("practice")]
            hint = difflib.get_close_matches(wanted, known, n=1)
            raise self.error(
                f"no scenario '{wanted}' in the bank at {self.bank.root} "
                f"({'did you mean ' + repr(hint[0]) + '?' if hint else 'check the id'})"
            ) from None
        if scenario.pool != "practice":
            raise self.error(
                f"scenario '{wanted}' is in the {scenario.pool} pool "
                f"({scenario.where}); only practice scenarios may appear in the book "
                "(use a practice scenario's id)"
            )
        note_rendered(self.env, [scenario.id])
        return [self.exercise(scenario, "Exercise")]


class ScenariosDirective(_ExerciseDirective):
    """``{scenarios} <topic>``: every practice scenario of a topic, in bank order."""

    def run(self) -> list[nodes.Node]:
        note_bank_dependency(self.env)
        topic = self.arguments[0].strip()
        known = [t.id for t in self.bank.topics]
        if topic not in known:
            raise self.error(f"unknown topic '{topic}' (use one of topics.yml: {', '.join(known)})")
        scenarios = self.bank.pool("practice", topic)
        if not scenarios:
            return [
                nodes.paragraph(
                    "", "There are no practice scenarios for this topic yet.", classes=["cc-empty"]
                )
            ]
        note_rendered(self.env, [s.id for s in scenarios])
        total = len(scenarios)
        return [self.exercise(s, f"Exercise {n} of {total}") for n, s in enumerate(scenarios, 1)]
