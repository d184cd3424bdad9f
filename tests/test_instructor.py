"""The facilitator guide (book/instructor/) keeps its promises: every session plan cites real article
sections with their original headings, its agendas add up to 90 and 60 minutes, it has the
role-play parts, it never quotes the assessment pool, and the assessment guide names only
commands, options and settings clientcraft really has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clientcraft import cli
from clientcraft.bank import Bank
from clientcraft.grading import GradeChoices
from tests.support.paths import TOPIC_IDS

ARTICLE_BY_NUMBER = {
    "000": "000_97ec9dda253dc4af.txt",
    "001": "001_30ac93c0b7e37939.txt",
    "002": "002_f1f57ada63c228c5.txt",
}
PLAN_HEADINGS = (
    "## Goals",
    "## Sources",
    "## Agenda (90 minutes)",
    "### 60-minute variant",
    "## Discussion prompts",
    "### Situation (read aloud to everyone)",
    "### Consultant brief",
    "### Client brief (hand to the client only)",
    "### Observer checklist",
    "## Debrief questions",
    "## Common misconceptions to watch for",
    "## Where the articles pull in different directions",
)
# Agenda "Source" cells that are not article sections, and the activities they may stand for.
NON_SECTION_SOURCES = {
    "per scenario",
    "as cited",
    "as cited per question",
    "each scenario names its own article and section",
}


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def plan(repo_root: Path, topic_id: str) -> str:
    return (repo_root / "book" / "instructor" / f"{topic_id}.md").read_text(encoding="utf-8")


def section_block(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n") + len(heading) + 1
    stop = re.compile(rf"^#{{1,{len(level)}}} ", re.M).search(text, start)
    return text[start : stop.start() if stop else len(text)]


def table_rows(block: str) -> list[list[str]]:
    """Body rows of the first Markdown table in ``block``, as stripped cells."""
    lines = block.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows[2:]


TOPICS = TOPIC_IDS


@pytest.mark.parametrize("topic_id", TOPICS)
def test_plan_has_title_link_and_every_part(repo_root: Path, bank: Bank, topic_id: str) -> None:
    text = plan(repo_root, topic_id)
    topic = bank.topic(topic_id)
    assert text.startswith(f"# Session plan: {topic.title}\n")
    assert f"{{doc}}`../modules/{topic_id}`" in text
    assert f"quiz-{topic_id}" in text
    for heading in PLAN_HEADINGS:
        assert f"\n{heading}\n" in text, heading
    assert "\n## Role-play: " in text


@pytest.mark.parametrize("topic_id", TOPICS)
def test_plan_sources_are_real_sections_with_their_headings(
    repo_root: Path, bank: Bank, topic_id: str
) -> None:
    rows = table_rows(section_block(plan(repo_root, topic_id), "## Sources"))
    assert rows
    for article_cell, english, heading, used_in in rows:
        article = bank.article(ARTICLE_BY_NUMBER[article_cell[:3]])
        section = article.section(english)
        assert section is not None, (article_cell, english)
        assert section.heading == heading, (english, heading)
        assert used_in


@pytest.mark.parametrize("topic_id", TOPICS)
def test_every_citation_names_a_real_section(repo_root: Path, bank: Bank, topic_id: str) -> None:
    """Each ``NNN § Label`` (and each further ``§ Label`` in the same citation) is a real section."""
    text = " ".join(plan(repo_root, topic_id).split())
    labels = {
        num: [s.english for s in bank.article(f).sections] for num, f in ARTICLE_BY_NUMBER.items()
    }
    citations = re.findall(r"\b(00[012]) (§ .+?)(?=\)|\||;|\n|$| and \d| \(|\. [A-Z])", text)
    assert citations
    for number, chain in citations:
        for part in chain.split("§")[1:]:
            label = part.strip().rstrip(",").strip()
            assert any(label.startswith(known) for known in labels[number]), (number, label)


@pytest.mark.parametrize("topic_id", TOPICS)
@pytest.mark.parametrize(
    "heading, minutes", [("## Agenda (90 minutes)", 90), ("### 60-minute variant", 60)]
)
def test_agenda_is_contiguous_and_every_activity_has_a_source(
    repo_root: Path, topic_id: str, heading: str, minutes: int
) -> None:
    rows = table_rows(section_block(plan(repo_root, topic_id), heading))
    clock = 0
    for time, activity, source in rows:
        start, end = (int(x) for x in re.split(r"[–-]", time))
        assert start == clock and end > start, time
        clock = end
        if "wrap-up" in activity.lower() and source in {"—", ""}:
            continue
        assert "§" in source or source in NON_SECTION_SOURCES, (time, source)
    assert clock == minutes


@pytest.mark.parametrize("topic_id", TOPICS)
def test_prompts_cite_a_section_and_count_four_to_six(repo_root: Path, topic_id: str) -> None:
    block = section_block(plan(repo_root, topic_id), "## Discussion prompts")
    prompts = re.split(r"\n(?=\d\. )", block.strip())
    assert 4 <= len(prompts) <= 6
    for prompt in prompts:
        assert "§" in prompt, prompt[:60]


@pytest.mark.parametrize("topic_id", TOPICS)
def test_observer_checklist_ties_each_item_to_a_section(repo_root: Path, topic_id: str) -> None:
    rows = table_rows(section_block(plan(repo_root, topic_id), "### Observer checklist"))
    assert len(rows) >= 4
    for look_for, lesson, _ in rows:
        assert look_for and "§" in lesson, look_for


def test_guide_never_quotes_the_assessment_pool(repo_root: Path, bank: Bank) -> None:
    """No run of ten words from an assessment scenario appears in any facilitator page, unless
    it is shared wording of a claim or a practice scenario (which the guide may use)."""
    pages = {
        p.name: words(p.read_text(encoding="utf-8"))
        for p in (repo_root / "book" / "instructor").glob("*.md")
    }
    shared = " | ".join(
        words(t)
        for t in [
            *(c.text for c in bank.claims),
            *(
                t
                for s in bank.pool("practice")
                for t in (
                    s.situation,
                    s.question,
                    s.takeaway,
                    *(o.text for o in s.options),
                    *(o.feedback for o in s.options),
                )
            ),
        ]
    )
    for scenario in bank.pool("assessment"):
        texts = [
            scenario.situation,
            scenario.question,
            scenario.takeaway,
            *(o.text for o in scenario.options),
            *(o.feedback for o in scenario.options),
        ]
        for text in texts:
            w = words(text).split()
            for i in range(len(w) - 9):
                run = " ".join(w[i : i + 10])
                if run in shared:
                    continue
                leaks = [name for name, page in pages.items() if run in page]
                assert not leaks, (scenario.id, run, leaks)


def test_assessment_guide_matches_the_cli_and_the_grader(repo_root: Path) -> None:
    """Every ``clientcraft <command> --option`` the guide shows exists, and so does the setting."""
    text = (repo_root / "book" / "instructor" / "assessments.md").read_text(encoding="utf-8")
    parser = cli._parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    uses = re.findall(
        r"clientcraft ([a-z-]+)((?: [A-Z_/.a-z-]+| \[?--[a-z-]+(?: [A-Z_/.a-z-]+)?\]?)*)", text
    )
    assert {"nbgrader-course", "report", "validate"} <= {name for name, _ in uses}
    for name, rest in uses:
        assert name in subparsers, name
        known = {opt for action in subparsers[name]._actions for opt in action.option_strings}
        for option in re.findall(r"--[a-z-]+", rest):
            assert option in known, (name, option)
    assert "c.GradeChoices.reveal_best = True" in text
    assert GradeChoices.class_traits(config=True)["reveal_best"].default_value is False


HANDOUT_START, HANDOUT_END = "<!-- handout:start -->", "<!-- handout:end -->"


@pytest.mark.parametrize("topic_id", TOPICS)
def test_plan_marks_its_printable_part_once(repo_root: Path, topic_id: str) -> None:
    """The handout includes what lies between the markers, so each plan has exactly one pair, in
    order, around the role-play's situation, briefs and checklist."""
    text = plan(repo_root, topic_id)
    assert text.count(HANDOUT_START) == 1 and text.count(HANDOUT_END) == 1
    part = text[text.index(HANDOUT_START) : text.index(HANDOUT_END)]
    for heading in PLAN_HEADINGS[5:9]:
        assert f"\n{heading}\n" in part, heading
    assert "{doc}" not in part, "relative {doc} links break when the handout page includes them"


@pytest.mark.parametrize("topic_id", TOPICS)
def test_handout_page_includes_the_plan_and_stays_out_of_the_toc(
    repo_root: Path, topic_id: str
) -> None:
    page = repo_root / "book" / "instructor" / "handouts" / f"{topic_id}.md"
    text = page.read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert front and re.search(r"^orphan: true$", front.group(1), re.M), "needs orphan: true"
    include = re.search(r"```\{include\} (\S+)\n((?::\S+: .*\n)+)```", text)
    assert include, "the page includes its plan"
    assert include.group(1) == f"../{topic_id}.md"
    assert f":start-after: {HANDOUT_START}\n" in include.group(2)
    assert f":end-before: {HANDOUT_END}\n" in include.group(2)
    assert "handouts/" not in (repo_root / "book" / "_toc.yml").read_text(encoding="utf-8")
    index = (repo_root / "book" / "instructor" / "index.md").read_text(encoding="utf-8")
    assert f"{{doc}}`handouts/{topic_id}`" in index, "the guide's index links every handout"
