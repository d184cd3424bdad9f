"""Moodle XML question bank: one single-answer ``multichoice`` question per scenario.

Categories are ``$course$/top/clientcraft/<topic title>/<pool>`` (assessment scenarios with a
``slot`` go one level deeper, so a Moodle quiz can draw one random question per slot, as the
nbgrader quizzes give each learner one variant per slot). ``<name>`` and ``<idnumber>`` are the
scenario id; option fractions are credit x 100 mapped to Moodle's allowed fractions; every option
carries its feedback; the takeaway (and the source) is the general feedback; answers are shuffled.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from clientcraft.bank import POOLS, Bank, Scenario
from clientcraft.errors import ClientcraftError
from clientcraft.render import markup

# Moodle's grade fractions in percent: the only values its question bank accepts for an answer
# (question_bank::fraction_options_full(), positive half). GIFT imports are held to the same list.
MOODLE_FRACTIONS = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)


def moodle_fraction(scenario: Scenario, key: str, credit: float) -> float:
    """An option's credit as one of Moodle's allowed fractions (percent), or a clear error."""
    percent = credit * 100
    for allowed in MOODLE_FRACTIONS:
        if abs(percent - allowed) < 0.001:
            return allowed
    listed = ", ".join(f"{f / 100:.5g}" for f in MOODLE_FRACTIONS)
    raise ClientcraftError(
        f"{scenario.where}: {scenario.id}: option {key} has credit {credit:g}, which Moodle "
        f"cannot store (its question bank allows only these credits: {listed}; "
        "change the credit to the nearest one)"
    )


ROOT_CATEGORY = "$course$/top/clientcraft"


def category_path(bank: Bank, scenario: Scenario) -> str:
    """The Moodle category of a scenario (``/`` inside a name is doubled, as Moodle escapes it)."""
    parts = [bank.topic(scenario.topic).title, scenario.pool]
    if scenario.slot:
        parts.append(scenario.slot)
    return "/".join([ROOT_CATEGORY, *(p.replace("/", "//") for p in parts)])


def course_order(bank: Bank, scenario: Scenario) -> tuple[int, int, str]:
    """Sort key: topics in course order, practice before assessment, then by slot (stable, so
    scenarios keep bank order inside a category)."""
    return (
        [t.id for t in bank.topics].index(scenario.topic),
        POOLS.index(scenario.pool),
        scenario.slot or "",
    )


def _text(parent: etree._Element, tag: str, text: str, html: bool = True) -> etree._Element:
    """``<tag format="html"><text>...</text></tag>``; HTML goes into a CDATA section as Moodle
    writes it itself."""
    element = etree.SubElement(parent, tag, {"format": "html"} if html else {})
    etree.SubElement(element, "text").text = etree.CDATA(text) if html else text
    return element


def _simple(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _category(quiz: etree._Element, path: str, info: str) -> None:
    question = etree.SubElement(quiz, "question", type="category")
    category = etree.SubElement(question, "category")
    etree.SubElement(category, "text").text = path
    _text(question, "info", info)


def _question(quiz: etree._Element, bank: Bank, scenario: Scenario) -> None:
    question = etree.SubElement(quiz, "question", type="multichoice")
    name = etree.SubElement(question, "name")
    etree.SubElement(name, "text").text = scenario.id
    _text(question, "questiontext", markup.question_html(scenario))
    _text(question, "generalfeedback", markup.general_feedback_html(bank, scenario))
    _simple(question, "defaultgrade", "1")
    _simple(question, "penalty", "0")
    _simple(question, "hidden", "0")
    _simple(question, "idnumber", scenario.id)
    _simple(question, "single", "true")
    _simple(question, "shuffleanswers", "true")
    _simple(question, "answernumbering", "abc")
    _simple(question, "showstandardinstruction", "0")
    for option in scenario.options:
        fraction = moodle_fraction(scenario, option.key, option.credit)
        answer = etree.SubElement(question, "answer", fraction=f"{fraction:g}", format="html")
        etree.SubElement(answer, "text").text = etree.CDATA(markup.inline(option.text))
        _text(answer, "feedback", markup.option_feedback_html(option))
    tags = etree.SubElement(question, "tags")
    for tag in (f"topic:{scenario.topic}", f"pool:{scenario.pool}", *scenario.claims):
        etree.SubElement(etree.SubElement(tags, "tag"), "text").text = tag


def render(bank: Bank, scenarios: tuple[Scenario, ...]) -> bytes:
    """The Moodle XML file (UTF-8) for these scenarios, grouped by category in bank order."""
    quiz = etree.Element("quiz")
    quiz.append(
        etree.Comment(f" Generated from {bank.root.name}/ by clientcraft export; do not edit. ")
    )
    current = None
    for scenario in sorted(scenarios, key=lambda s: course_order(bank, s)):
        path = category_path(bank, scenario)
        if path != current:
            topic = bank.topic(scenario.topic)
            _category(quiz, path, f"<p>{markup.inline(topic.summary)}</p>")
            current = path
        _question(quiz, bank, scenario)
    return bytes(etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True))
