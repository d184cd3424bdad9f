"""Markdown from the bank as HTML for the LMS exports (Moodle XML, GIFT, QTI).

The book renders the bank's Markdown through MyST; LMS question banks need HTML instead. This uses
markdown-it-py (the parser MyST itself is built on) in CommonMark mode, with raw HTML off and
XHTML output (``<br />``), so every fragment is also well-formed XML for QTI.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from clientcraft.bank import Bank, Option, Scenario

_MD = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True})


def block(text: str) -> str:
    """Block Markdown (paragraphs, lists) as HTML, without a trailing newline."""
    return str(_MD.render(text)).strip()


def inline(text: str) -> str:
    """One line of Markdown (an option, a question) as inline HTML."""
    return str(_MD.renderInline(text.strip()))


def question_html(scenario: Scenario) -> str:
    """The situation followed by the question, as a learner reads them in the book."""
    return f"{block(scenario.situation)}\n<p><strong>{inline(scenario.question)}</strong></p>"


def option_feedback_html(option: Option) -> str:
    """An option's feedback, with its consequence (if any) as a "What happens next" paragraph."""
    html = block(option.feedback)
    if option.consequence:
        html += f"\n<p><em>What happens next:</em> {inline(option.consequence)}</p>"
    return html


def source_html(bank: Bank, scenario: Scenario) -> str:
    """Which article and section the scenario's lesson comes from (every item names its source)."""
    article = bank.article(scenario.source.article)
    return (
        f"<p><em>Source:</em> <em>{inline(article.english_title)}</em> ({article.language} "
        f"article), section “{inline(scenario.source.section)}”</p>"
    )


def general_feedback_html(bank: Bank, scenario: Scenario) -> str:
    """The takeaway plus the source line: shown to every learner after answering."""
    return f"<p><strong>Takeaway:</strong> {inline(scenario.takeaway)}</p>\n" + source_html(
        bank, scenario
    )
