"""The item-quality checks of ``clientcraft validate``: each passes on a sound fixture bank and fails,
naming the file, line and item, on a planted bad item; the CLI shows the figures, warns by default
and exits 1 under ``--strict``."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from clientcraft.bank import Bank, load_bank
from clientcraft.quality import (
    MAX_LENGTH_RATIO,
    SIGNIFICANCE,
    SIMILAR_FROM,
    at_least,
    check_bank,
    check_blind_key,
    check_counts,
    check_coverage,
    check_floor,
    check_lengths,
    check_options,
    check_practice_similarity,
    guessing_floor,
)

ARTICLE = "a.txt"
CLAIMS = ("c-deliver", "c-distance", "c-commit", "c-calm")
WORDS = [
    "review",
    "brief",
    "invoice",
    "call",
    "draft",
    "plan",
    "budget",
    "scope",
    "deadline",
    "email",
    "meeting",
    "team",
    "project",
    "offer",
    "price",
    "change",
    "report",
    "note",
    "order",
    "site",
    "design",
    "launch",
    "date",
    "contract",
    "schedule",
    "answer",
    "update",
    "files",
    "list",
    "agenda",
    "partner",
    "supplier",
    "owner",
    "office",
    "proposal",
    "payment",
    "terms",
    "quote",
    "sample",
    "summary",
]
VOCAB = [
    f"{prefix}{word}"
    for prefix in ("", "re", "pre", "co", "sub", "over", "under")
    for word in WORDS
]
Scenarios = list[dict[str, Any]]


def _text(rng: random.Random, words: int = 10) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(words)).capitalize() + "."


def _scenario(rng: random.Random, sid: str, topic: str, pool: str, claim: str) -> dict[str, Any]:
    best = rng.randrange(4)
    return {
        "id": sid,
        "topic": topic,
        "pool": pool,
        "source": {"article": ARTICLE, "section": "Only section"},
        "claims": [claim],
        "situation": f"A client situation for {sid}.",
        "question": "What do you do?",
        "options": [
            {
                "key": "ABCD"[i],
                "text": _text(rng),
                "credit": 1 if i == best else 0,
                "feedback": f"Feedback on option {'ABCD'[i]}.",
            }
            for i in range(4)
        ],
        "takeaway": f"The lesson of {sid}.",
    }


def sound_scenarios(seed: int = 3) -> Scenarios:
    """12 trust and 8 composure assessment items (right/wrong, 4 options of 10 random words, the
    key at a random place), 4 practice scenarios per topic; each claim assessed 5 times, practised
    twice. Nothing but chance tells the key from the options."""
    rng = random.Random(seed)
    scenarios = []
    for topic, count in (("trust", 12), ("composure", 8)):
        for i in range(4):
            scenarios.append(_scenario(rng, f"{topic}-p{i}", topic, "practice", CLAIMS[i]))
        for i in range(count):
            claim = CLAIMS[(i + (0 if topic == "trust" else 12)) % 4]
            scenarios.append(_scenario(rng, f"{topic}-a{i:02d}", topic, "assessment", claim))
    return scenarios


def write_bank(
    root: Path, scenarios: Scenarios, claims: dict[str, dict[str, Any]] | None = None
) -> Path:
    """A bank folder of its own (not the shipped one): two topics, four claims, one article."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources.yml").write_text(
        yaml.safe_dump(
            {
                "articles": [
                    {
                        "file": ARTICLE,
                        "language": "English",
                        "title": "An article",
                        "english_title": "An article",
                        "sections": [{"english": "Only section", "heading": "Only section"}],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    (root / "topics.yml").write_text(
        yaml.safe_dump(
            [
                {"id": "trust", "title": "Trust", "summary": "Trust."},
                {"id": "composure", "title": "Composure", "summary": "Composure."},
            ]
        ),
        encoding="utf-8",
    )
    extra = claims or {}
    (root / "claims.yml").write_text(
        yaml.safe_dump(
            [
                {
                    "id": c,
                    "article": ARTICLE,
                    "section": "Only section",
                    "text": f"Claim {c}.",
                    **extra.get(c, {}),
                }
                for c in CLAIMS
            ],
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    for topic in ("trust", "composure"):
        own = [s for s in scenarios if s["topic"] == topic]
        (root / f"{topic}.yml").write_text(yaml.safe_dump(own, sort_keys=False), encoding="utf-8")
    return root


def line_of(bank: Bank, scenario_id: str) -> str:
    """``path:line`` of a scenario, found in the file's text (not through the model under test)."""
    topic = bank.scenario(scenario_id).topic
    path = bank.root / f"{topic}.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, row in enumerate(lines, 1) if row == f"- id: {scenario_id}")
    return f"{path}:{number}"


def _bank(tmp_path: Path, change: Callable[[Scenarios], None] | None = None, **kw: Any) -> Bank:
    scenarios = sound_scenarios()
    if change:
        change(scenarios)
    return load_bank(write_bank(tmp_path / "bank", scenarios, **kw))


def _item(scenarios: Scenarios, sid: str) -> dict[str, Any]:
    return next(s for s in scenarios if s["id"] == sid)


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in item["options"] if o["credit"] == 1)


def test_the_sound_bank_passes_every_check(tmp_path):
    report = check_bank(_bank(tmp_path))
    assert [(c.name, c.passed) for c in report.checks if not c.passed] == []
    assert report.problems == ()


# --------------------------------------------------------------------------------------------
# Each check fails on a planted bad item
# --------------------------------------------------------------------------------------------


def test_counts_fail_below_12_for_named_topics_and_8_for_others(tmp_path):
    def drop(scenarios: Scenarios) -> None:
        scenarios.remove(_item(scenarios, "trust-a11"))
        scenarios.remove(_item(scenarios, "composure-a07"))

    bank = _bank(tmp_path, drop)
    check = check_counts(bank)
    assert not check.passed
    assert [str(p) for p in check.problems] == [
        f"{bank.root / 'trust.yml'}:1: trust: 11 assessment item(s), 12 required "
        "(write 1 more with 'pool: assessment')",
        f"{bank.root / 'composure.yml'}:1: composure: 7 assessment item(s), 8 required "
        "(write 1 more with 'pool: assessment')",
    ]
    assert check.figures["per_topic"]["trust"] == {"assessment": 11, "required": 12}


def test_coverage_fails_for_a_claim_assessed_once_or_never_practised(tmp_path):
    def narrow(scenarios: Scenarios) -> None:
        for s in scenarios:  # c-calm: left in one assessment item and no practice scenario
            if s["claims"] == ["c-calm"]:
                s["claims"] = ["c-commit"]
        _item(scenarios, "trust-a03")["claims"] = ["c-calm"]

    bank = _bank(tmp_path, narrow)
    check = check_coverage(bank)
    assert not check.passed
    claims = bank.root / "claims.yml"
    line = next(
        i
        for i, row in enumerate(claims.read_text(encoding="utf-8").splitlines(), 1)
        if row == "- id: c-calm"
    )
    assert [str(p).split(" (")[0] for p in check.problems] == [
        f"{claims}:{line}: c-calm: assessed by 1 assessment item(s), 2 required",
        f"{claims}:{line}: c-calm: no practice scenario exercises it, so learners are assessed on "
        "it untaught",
    ]
    assert check.figures["assessment_items_per_claim"]["c-calm"] == 1


def test_coverage_exempts_assess_false_claims_but_not_if_an_item_tests_them(tmp_path):
    def untest(scenarios: Scenarios) -> None:
        for s in scenarios:
            if s["claims"] == ["c-calm"] and s["pool"] == "assessment":
                s["claims"] = ["c-commit"]

    why = {"c-calm": {"assess": False, "why": "Background: not a decision a learner makes."}}
    exempt = check_coverage(_bank(tmp_path / "ok", untest, claims=why))
    assert exempt.passed and exempt.figures["exempt"] == 1
    tested = check_coverage(_bank(tmp_path / "bad", claims=why))
    assert not tested.passed
    assert "c-calm: marked 'assess: false' but assessed by" in str(tested.problems[0])


def test_options_fail_for_an_assessment_item_without_4_options(tmp_path):
    def three(scenarios: Scenarios) -> None:
        item = _item(scenarios, "composure-a02")
        item["options"] = [o for o in item["options"] if o["credit"] == 1] + [
            o for o in item["options"] if o["credit"] == 0
        ][:2]
        for key, option in zip("ABC", item["options"], strict=True):
            option["key"] = key

    bank = _bank(tmp_path, three)
    check = check_options(bank)
    assert not check.passed
    assert [str(p) for p in check.problems] == [
        f"{line_of(bank, 'composure-a02')}: composure-a02: 3 options; assessment items have "
        "exactly 4 (give it 4 options, each a plausible judgment call)"
    ]


def test_floor_fails_when_partial_credit_lifts_the_pool_mean_above_a_quarter(tmp_path):
    def partial(scenarios: Scenarios) -> None:
        for sid in ("trust-a00", "trust-a01", "composure-a05"):
            next(o for o in _item(scenarios, sid)["options"] if o["credit"] == 0)["credit"] = 0.5

    bank = _bank(tmp_path, partial)
    check = check_floor(bank)
    # 17 items at (1 + 0 + 0 + 0) / 4 and 3 at (1 + 0.5) / 4: mean (17 * 0.25 + 3 * 0.375) / 20
    assert check.figures["mean"] == pytest.approx((17 * 0.25 + 3 * 0.375) / 20, abs=1e-4)
    assert check.figures["per_item"]["trust-a00"] == 0.375
    assert not check.passed
    assert [p.subject for p in check.problems] == ["composure-a05", "trust-a00", "trust-a01"]
    assert str(check.problems[1]).startswith(
        f"{line_of(bank, 'trust-a00')}: trust-a00: guessing floor 0.38"
    )
    assert "right/wrong" in check.problems[1].fix
    assert guessing_floor(bank.scenario("trust-a02")) == 0.25


def test_blind_key_fails_when_the_keys_share_wording(tmp_path):
    """A habit of writing the best option "calmly, in writing" is a cue a model learns from the
    rest of the bank and then finds in every item, without reading a situation."""

    def cue(scenarios: Scenarios) -> None:
        for s in scenarios:
            key = _key(s)
            key["text"] = key["text"][:-1] + " calmly in writing."
            for o in s["options"]:
                if o is not key:
                    o["text"] = o["text"][:-1] + " right away today."

    sound = check_blind_key(_bank(tmp_path / "ok"))
    assert sound.passed and sound.figures["p_value"] >= SIGNIFICANCE
    assert sound.figures["chance"] == 0.25
    bank = _bank(tmp_path / "bad", cue)
    check = check_blind_key(bank)
    assert not check.passed
    assert check.figures["hits"] == 20 and check.figures["p_value"] < SIGNIFICANCE
    assert "calmly" in check.figures["key_words"]  # the cue, named for the author
    assert "right away" in check.figures["distractor_words"]
    assert "words that mark the key: " in check.detail and not sound.detail
    assert len(check.problems) == 20
    assert str(check.problems[8]).startswith(
        f"{line_of(bank, 'trust-a00')}: trust-a00: a model that reads only the options picks "
        "the key"
    )


def test_blind_key_is_trained_without_the_item_it_predicts(tmp_path):
    """Leave-one-out: a cue that only the predicted item has cannot help, however strong."""

    sound = _bank(tmp_path / "ok")
    keyed = check_blind_key(sound).figures["keyed_items"]
    missed = next(s.id for s in sound.pool("assessment") if s.id not in keyed)

    def lone(scenarios: Scenarios) -> None:
        _key(_item(scenarios, missed))["text"] = "Zebra zebra zebra zebra zebra zebra zebra."

    bank = _bank(tmp_path / "lone", lone)
    assert missed not in check_blind_key(bank).figures["keyed_items"]


def test_practice_similarity_flags_a_practice_key_with_new_names(tmp_path):
    def reuse(scenarios: Scenarios) -> None:
        practice_key = _key(_item(scenarios, "trust-p1"))["text"]
        _key(_item(scenarios, "trust-a06"))["text"] = practice_key.replace(".", " for Anna.")

    assert check_practice_similarity(_bank(tmp_path / "ok")).passed
    bank = _bank(tmp_path / "bad", reuse)
    check = check_practice_similarity(bank)
    assert not check.passed
    assert check.figures["similar_keys"] == ["trust-a06"]
    assert str(check.problems[0]).startswith(f"{line_of(bank, 'trust-a06')}: trust-a06: its key (")
    assert "option most like a practice key of the topic (cosine" in str(check.problems[0])
    assert check.figures["similar_from"] == SIMILAR_FROM


def test_practice_similarity_fails_when_practice_keys_predict_assessment_keys(tmp_path):
    """Every assessment key reuses a little of the practice keys' wording (cosine below the
    per-item threshold): the strategy "pick what practice rewarded" wins across the pool."""

    def echo(scenarios: Scenarios) -> None:
        for s in scenarios:
            if s["pool"] == "practice":
                _key(s)["text"] += " Confirm the milestones first."
        for s in scenarios:
            if s["pool"] == "assessment":
                _key(s)["text"] += " Then confirm the milestones."

    bank = _bank(tmp_path, echo)
    check = check_practice_similarity(bank)
    assert not check.passed
    assert check.figures["similar_keys"] == []  # no single item is a reworded practice key
    assert check.figures["pick_is_key"] >= 15 and check.figures["p_value"] < SIGNIFICANCE
    assert check.figures["pick_mean_credit"] >= 0.75
    assert check.figures["random_mean_credit"] == 0.25
    assert "across the pool" in str(check.problems[0])


def test_lengths_flag_an_item_with_one_long_option(tmp_path):
    def long(scenarios: Scenarios) -> None:
        option = _item(scenarios, "composure-a04")["options"][2]
        option["text"] = option["text"][:-1] + " and then a lot more words to read here."

    assert check_lengths(_bank(tmp_path / "ok")).passed
    bank = _bank(tmp_path / "bad", long)
    check = check_lengths(bank)
    assert not check.passed
    assert [str(p) for p in check.problems] == [
        f"{line_of(bank, 'composure-a04')}: composure-a04: options run from 10 to 19 words "
        f"(ratio 1.9, limit {MAX_LENGTH_RATIO}) (bring the options to a similar length: trim the "
        "long one or say more in the short ones)"
    ]


def test_lengths_fail_when_the_key_is_the_longest_option_too_often(tmp_path):
    def longer(scenarios: Scenarios) -> None:
        for s in scenarios:
            if s["pool"] == "assessment":
                _key(s)["text"] += " Then check."  # 12 words against 10: ratio 1.2, fine alone

    check = check_lengths(_bank(tmp_path, longer))
    assert not check.passed
    assert check.figures["over_limit"] == 0
    assert check.figures["key_longest"] == 20
    assert len(check.problems) == 20 and "is the longest option" in str(check.problems[0])


def test_lengths_fail_when_a_distractor_is_always_the_longest(tmp_path):
    """Far below chance counts too: a reader who rules out the longest option gains."""

    def padded(scenarios: Scenarios) -> None:
        for s in scenarios:
            if s["pool"] == "assessment":
                wrong = next(o for o in s["options"] if o["credit"] == 0)
                wrong["text"] += " Then check."

    check = check_lengths(_bank(tmp_path, padded))
    assert not check.passed
    assert check.figures["key_longest"] == 0 and check.figures["p_value_below"] < SIGNIFICANCE
    assert "ruling out the longest option finds the key" in str(check.problems[0])


def test_at_least_is_the_binomial_tail_for_equal_chances():
    # P(X >= 2) for 3 trials at 1/4: 3 * (1/4)^2 * (3/4) + (1/4)^3 = 10/64
    assert at_least(2, [0.25] * 3) == pytest.approx(10 / 64)
    assert at_least(0, [0.25] * 3) == 1.0
    assert at_least(4, [0.25] * 3) == 0.0


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientcraft.cli", "validate", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_validate_shows_the_figures_and_warns_by_default(tmp_path):
    root = write_bank(tmp_path / "bank", sound_scenarios())
    sound = _validate("--bank", str(root))
    assert sound.returncode == 0, sound.stderr
    assert "item quality (assessment pool):" in sound.stdout
    assert "FAIL" not in sound.stdout and sound.stderr == ""
    scenarios = sound_scenarios()
    scenarios.remove(_item(scenarios, "trust-a11"))
    bad = write_bank(tmp_path / "bad", scenarios)
    result = _validate("--bank", str(bad))
    assert result.returncode == 0
    row = next(r for r in result.stdout.splitlines() if "Assessment items per topic" in r)
    assert row.split()[0] == "FAIL" and "1 of 2 topics have enough" in row
    assert f"warning: {bad / 'trust.yml'}:1: trust: 11 assessment item(s), 12 required" in (
        result.stderr
    )


def test_validate_strict_exits_1_with_one_line_per_problem(tmp_path):
    scenarios = sound_scenarios()
    scenarios.remove(_item(scenarios, "trust-a11"))
    _item(scenarios, "trust-a02")["options"][0]["text"] += " " + "word " * 12
    bank = write_bank(tmp_path / "bank", scenarios)
    result = _validate("--bank", str(bank), "--strict")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "clientcraft validate: 2 problem(s) found."
    assert lines[0].startswith(f"{bank / 'trust.yml'}:1: trust: 11 assessment item(s)")
    assert lines[1].startswith(f"{line_of(load_bank(bank), 'trust-a02')}: trust-a02: options run")
    assert "item quality (assessment pool):" in result.stdout  # the figures still show


def test_validate_json_keeps_the_counts_and_adds_quality(tmp_path):
    bank_dir = write_bank(tmp_path / "bank", sound_scenarios())
    result = _validate("--bank", str(bank_dir), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    bank = load_bank(bank_dir)
    assert {k: data[k] for k in ("topics", "total")} == bank.counts()
    quality = data["quality"]
    assert quality["passed"] is True
    assert set(quality["checks"]) == {
        "counts",
        "coverage",
        "options",
        "floor",
        "blind_key",
        "practice_similarity",
        "lengths",
    }
    assert quality["checks"]["floor"]["mean"] == 0.25
    assert quality["checks"]["blind_key"]["items"] == 20


def _practice_wording_on_distractors(scenarios: Scenarios) -> None:
    """Practice keys insist on one move; in each assessment item one wrong option makes it."""
    for s in scenarios:
        if s["pool"] == "practice":
            _key(s)["text"] += " Confirm the milestones first." * 6
        else:
            wrong = next(o for o in s["options"] if o["credit"] == 0)
            wrong["text"] += " Confirm the milestones first."


def test_blind_key_fails_when_the_rewarded_wording_marks_wrong_options(tmp_path):
    """Far below chance is a cue too: a learner who avoids the wording keys usually have wins."""
    check = check_blind_key(_bank(tmp_path, _practice_wording_on_distractors))
    assert not check.passed
    assert check.figures["hits"] <= 3 and check.figures["p_value_below"] < SIGNIFICANCE
    assert "far below chance" in str(check.problems[0])


def test_practice_similarity_fails_when_practice_like_options_are_never_the_key(tmp_path):
    check = check_practice_similarity(_bank(tmp_path, _practice_wording_on_distractors))
    assert not check.passed
    assert check.figures["pick_is_key"] == 0 and check.figures["p_value_below"] < SIGNIFICANCE
    assert "avoiding what practice rewarded finds the key" in str(check.problems[-1])


def test_blind_key_holds_out_slot_mates_that_share_their_options(tmp_path):
    """Slot-mates may offer the same four options with a different best one (the situation
    decides): the model is trained without them, as a learner who draws one never sees the others'
    key. Left in, each item's twin would teach the model the wrong key."""

    def twins(scenarios: Scenarios) -> None:
        items = [s for s in scenarios if s["pool"] == "assessment"]
        for n, (first, second) in enumerate(zip(items[::2], items[1::2], strict=True)):
            assert first["topic"] == second["topic"]
            first["slot"] = second["slot"] = f"{first['topic']}-pair-{n}"
            for a, b in zip(first["options"], second["options"], strict=True):
                b["text"] = a["text"]
            # the twin's key is the next option along: same options, another best one
            keys = [o["credit"] for o in first["options"]]
            shift = keys[-1:] + keys[:-1]
            for option, credit in zip(second["options"], shift, strict=True):
                option["credit"] = credit

    check = check_blind_key(_bank(tmp_path, twins))
    assert check.passed, check.summary
