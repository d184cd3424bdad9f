"""The shipped course content meets its promises: counts, claim coverage, sources named, pools apart."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from clientcraft.bank import Bank
from clientcraft.quality import check_bank
from tests.support.paths import TOPIC_IDS

NAMED_TOPICS = ("trust", "professional-distance", "mutual-commitment", "firing-clients")


def test_bank_size(bank: Bank) -> None:
    assert len(bank.scenarios) >= 48
    for topic in bank.topics:
        practice, assessment = bank.pool("practice", topic.id), bank.pool("assessment", topic.id)
        if topic.id in NAMED_TOPICS:
            assert len(practice) >= 5, topic.id
            assert len(assessment) >= 3, topic.id
        else:
            assert len(practice) + len(assessment) >= 3, topic.id
            assert practice and assessment, (
                f"{topic.id} needs both a practice and an assessment pool"
            )


def test_named_topics_declared(bank: Bank) -> None:
    assert set(NAMED_TOPICS) <= {t.id for t in bank.topics}
    assert len(bank.topics) >= 8


def test_every_claim_is_exercised(bank: Bank) -> None:
    assert bank.unexercised_claims() == ()
    assert bank.warnings == ()


def test_every_scenario_names_article_and_section(bank: Bank) -> None:
    for scenario in bank.scenarios:
        article = bank.article(scenario.source.article)
        assert article.section(scenario.source.section) is not None, scenario.id


def test_option_quality(bank: Bank) -> None:
    """3-4 options, no 'all of the above', best position varies. Practice teaches with partial
    credit where an option is partly right (at least half the practice scenarios have one); the
    graded pool is 4 options scored right/wrong, so a random guess earns a quarter on average."""
    for scenario in bank.scenarios:
        assert 3 <= len(scenario.options) <= 4, scenario.id
        for option in scenario.options:
            assert "of the above" not in option.text.lower(), scenario.id
    practice = bank.pool("practice")
    assert sum(any(0 < o.credit < 1 for o in s.options) for s in practice) >= len(practice) / 2
    for scenario in bank.pool("assessment"):
        assert sorted(o.credit for o in scenario.options) == [0, 0, 0, 1], scenario.id
    for pool in (practice, bank.pool("assessment")):
        positions = Counter(s.best.key for s in pool)
        assert len(positions) >= 3
        assert max(positions.values()) <= len(pool) * 0.45, positions


def test_assessment_items_have_four_options_and_a_low_guessing_floor(bank: Bank) -> None:
    """The credit policy (exercises/README.md): 4 options per assessment item, and a random option
    earns at most 0.25 per item on average over the pool."""
    pool = bank.pool("assessment")
    assert [s.id for s in pool if len(s.options) != 4] == []
    floors = [sum(o.credit for o in s.options) / len(s.options) for s in pool]
    assert sum(floors) / len(floors) <= 0.25


def test_assessment_items_per_topic(bank: Bank) -> None:
    """Enough parallel items for quizzes and per-learner variants: 12 for each named topic, 8 for
    every other."""
    short = {
        t.id: len(bank.pool("assessment", t.id))
        for t in bank.topics
        if len(bank.pool("assessment", t.id)) < (12 if t.id in NAMED_TOPICS else 8)
    }
    assert short == {}


def test_every_assessed_claim_is_in_two_assessment_items_and_practised(bank: Bank) -> None:
    """Claims not marked ``assess: false`` are assessed by at least 2 assessment items and
    exercised by a practice scenario; exempt claims are in no assessment item."""
    assessing = Counter(c for s in bank.pool("assessment") for c in s.claims)
    practising = Counter(c for s in bank.pool("practice") for c in s.claims)
    assessed = [c for c in bank.claims if c.assess]
    assert {c.id: assessing[c.id] for c in assessed if assessing[c.id] < 2} == {}
    assert [c.id for c in assessed if not practising[c.id]] == []
    assert [c.id for c in bank.claims if not c.assess and assessing[c.id]] == []
    assert all(c.why_not_assessed for c in bank.claims if not c.assess)


def test_shipped_assessment_pool_passes_the_item_quality_checks(bank: Bank) -> None:
    """What ``clientcraft validate --strict`` enforces: no option-text cue, no practice-key reuse,
    similar option lengths (see clientcraft.quality for each threshold)."""
    assert [str(p) for p in check_bank(bank).problems] == []


def test_pools_are_distinct_situations(bank: Bank) -> None:
    """No assessment scenario reuses a practice scenario's situation or option text."""
    practice_text = {
        t for s in bank.pool("practice") for t in (s.situation, *(o.text for o in s.options))
    }
    for scenario in bank.pool("assessment"):
        for text in (scenario.situation, *(o.text for o in scenario.options)):
            assert text not in practice_text, scenario.id


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_module_names_its_sources(repo_root: Path, bank: Bank, topic: str) -> None:
    """Each module page exists, names an article and one of its section labels, and plays its scenarios."""
    page = (repo_root / "book" / "modules" / f"{topic}.md").read_text(encoding="utf-8")
    assert re.search(rf"```{{scenarios}}\s+{topic}\s*\n", page), "module lacks its practice block"
    named = [a for a in bank.articles if a.file in page or a.english_title in page]
    assert named, "module names no source article"
    assert any(s.english in page or s.heading in page for a in named for s in a.sections), (
        "module names no section of its articles"
    )


def test_toc_lists_modules_and_guide(repo_root: Path, bank: Bank) -> None:
    toc = (repo_root / "book" / "_toc.yml").read_text(encoding="utf-8")
    for topic in bank.topics:
        assert f"modules/{topic.id}" in toc
        assert f"instructor/{topic.id}" in toc
    for page in ("instructor/index", "instructor/assessments", "glossary", "sources"):
        assert page in toc


def test_the_per_topic_tests_cover_every_topic(bank: Bank) -> None:
    assert tuple(t.id for t in bank.topics) == TOPIC_IDS
