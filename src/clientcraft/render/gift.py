"""GIFT question bank (Moodle's plain-text format): the same questions as the Moodle XML export.

One ``$CATEGORY:`` line per category (the same paths as :mod:`moodle`), then per scenario
``::scenario-id::[html]situation and question{ =best#feedback ~%50%partial#feedback ~wrong#feedback
####takeaway }``. All text is HTML rendered from the bank's Markdown, with GIFT's special characters
(``~ = # { } :`` and the backslash) escaped by a backslash and line breaks written as ``\\n``, so
a question never contains a blank line (which would end it) or a line starting with ``//``.
GIFT cannot say "shuffle the answers": Moodle applies its site default on import.
"""

from __future__ import annotations

from clientcraft.bank import Bank, Scenario
from clientcraft.render import markup
from clientcraft.render.moodle import category_path, course_order, moodle_fraction

SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Text as a GIFT literal: ``\\`` and ``~ = # { } :`` escaped, newlines as ``\\n``."""
    out = text.replace("\\", "\\\\")
    for char in SPECIAL:
        out = out.replace(char, "\\" + char)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def _weight(scenario: Scenario, key: str, credit: float) -> str:
    fraction = moodle_fraction(scenario, key, credit)
    if fraction == 100:
        return "="
    if fraction == 0:
        return "~"
    return f"~%{fraction:g}%"


def question(bank: Bank, scenario: Scenario) -> str:
    """One scenario as a GIFT multiple-choice question (no blank line inside)."""
    lines = [f"::{escape(scenario.id)}::[html]{escape(markup.question_html(scenario))}{{"]
    for option in scenario.options:
        lines.append(
            f"\t{_weight(scenario, option.key, option.credit)}{escape(markup.inline(option.text))}"
            f"#{escape(markup.option_feedback_html(option))}"
        )
    lines.append(f"\t####{escape(markup.general_feedback_html(bank, scenario))}")
    lines.append("}")
    return "\n".join(lines)


def render(bank: Bank, scenarios: tuple[Scenario, ...]) -> bytes:
    """The GIFT file (UTF-8) for these scenarios, grouped by category in course order."""
    parts = [f"// Generated from {bank.root.name}/ by clientcraft export; do not edit."]
    current = None
    for scenario in sorted(scenarios, key=lambda s: course_order(bank, s)):
        path = category_path(bank, scenario)
        if path != current:
            parts.append(f"$CATEGORY: {path}")
            current = path
        parts.append(question(bank, scenario))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
