"""Every validation rule of the bank, each with a bad-bank fixture, asserting file, line and message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clientcraft.bank import BankError, load_bank
from tests.support.paths import FIXTURE_SEEDS, REPO, point_seeds_at_fixtures

GOOD = """\
- id: trust-sample
  topic: trust
  pool: practice
  source:
    article: 000_97ec9dda253dc4af.txt
    section: Building client trust
  claims: [trust-earned-then-kept]
  situation: |
    A client of your web studio has trusted you for two years.
  question: What do you do?
  options:
    - key: A
      text: Deliver what was promised, on time.
      credit: 1
      feedback: Repeated delivery keeps trust.
      consequence: The client renews.
    - key: B
      text: Deliver a little less this time.
      credit: 0.5
      feedback: Delivering less than usual compromises trust.
    - key: C
      text: Invite the client to dinner instead.
      credit: 0
      feedback: Getting personal compromises trust.
  takeaway: Keep delivering what you promised.
"""


@pytest.fixture
def empty_bank(tmp_path: Path) -> Path:
    """A bank with the shipped topics, claims and sources but no scenario files."""
    dest = tmp_path / "exercises"
    dest.mkdir()
    for name in ("topics.yml", "claims.yml"):
        shutil.copy(REPO / "exercises" / name, dest / name)
    shutil.copy(REPO / "exercises" / "sources.yml", dest / "sources.yml")
    point_seeds_at_fixtures(dest / "sources.yml")
    return dest


def problems_for(bank_dir: Path, text: str, name: str = "trust.yml") -> tuple[Path, list[str]]:
    path = bank_dir / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(bank_dir)
    return path, caught.value.problems


def line_of(text: str, fragment: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing ``fragment``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    return hits[nth - 1]


def test_good_scenario_loads(empty_bank: Path) -> None:
    (empty_bank / "trust.yml").write_text(GOOD, encoding="utf-8")
    bank = load_bank(empty_bank)
    scenario = bank.scenario("trust-sample")
    assert scenario.best.key == "A"
    assert scenario.option(" b ").credit == 0.5
    assert scenario.options[0].consequence == "The client renews."
    assert scenario.options[1].consequence is None
    assert scenario.where.line == 1 and scenario.where.path.name == "trust.yml"
    assert bank.counts()["topics"]["trust"] == {"practice": 1, "assessment": 0}


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            "      feedback: Repeated",
            "      feedbak: Repeated",
            "feedbak:",
            "trust-sample: unknown field 'feedbak' (did you mean 'feedback'?)",
        ),
        (
            "  topic: trust",
            "  topic: trusst",
            "topic: trusst",
            "trust-sample: unknown topic 'trusst' (declare it in topics.yml",
        ),
        (
            "  pool: practice",
            "  pool: homework",
            "pool: homework",
            "trust-sample: unknown pool 'homework' (use 'practice' or 'assessment')",
        ),
        (
            "      credit: 0.5",
            "      credit: 1.5",
            "credit: 1.5",
            "trust-sample: option B: credit 1.5 is outside [0, 1]",
        ),
        (
            "      credit: 0\n",
            "      credit: -0.25\n",
            "credit: -0.25",
            "trust-sample: option C: credit -0.25 is outside [0, 1]",
        ),
        (
            "      credit: 0.5",
            "      credit: high",
            "credit: high",
            "trust-sample: option B: credit must be a number from 0 to 1, not str 'high'",
        ),
        (
            "    - key: B",
            "    - key: C",
            "- key: C",
            "trust-sample: option 2 has key 'C'; keys must run A, B, C... in order (use 'B')",
        ),
        (
            "      text: Deliver a little less this time.",
            "      text: '  '",
            "text: '  '",
            "trust-sample: 'text' is empty (write the text)",
        ),
        (
            "      feedback: Getting personal compromises trust.",
            "      feedback: ''",
            "feedback: ''",
            "trust-sample: 'feedback' is empty (write the feedback)",
        ),
        (
            "    article: 000_97ec9dda253dc4af.txt",
            "    article: 009_missing.txt",
            "009_missing",
            "trust-sample: unknown source article '009_missing.txt'",
        ),
        (
            "    section: Building client trust",
            "    section: Chapter 9",
            "Chapter 9",
            "trust-sample: article 000_97ec9dda253dc4af.txt has no section 'Chapter 9'",
        ),
        (
            "  claims: [trust-earned-then-kept]",
            "  claims: [trust-earned-then-kpt]",
            "claims:",
            "trust-sample: unknown claim 'trust-earned-then-kpt' (did you mean 'trust-earned-then-kept'?)",
        ),
        (
            "- id: trust-sample",
            "- id: Trust_Sample",
            "id: Trust_Sample",
            "Trust_Sample: id 'Trust_Sample' must be kebab-case",
        ),
        (
            "  question: What do you do?",
            "  question: [a, b]",
            "question: [a, b]",
            "trust-sample: 'question' must be text, not a list",
        ),
    ],
)
def test_rule_reports_file_line_and_message(
    empty_bank: Path, old: str, new: str, fragment: str, message: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path, problems = problems_for(empty_bank, text)
    expected = f"{path}:{line_of(text, fragment)}: {message}"
    assert any(p.startswith(expected) for p in problems), problems


def test_exactly_one_best_option(empty_bank: Path) -> None:
    text = GOOD.replace("credit: 0.5", "credit: 1")
    path, problems = problems_for(empty_bank, text)
    assert (
        f"{path}:{line_of(text, 'options:')}: trust-sample: 2 options have credit 1 (A, B); "
        "exactly one must be the best" in problems
    )
    text = GOOD.replace("credit: 1\n", "credit: 0.75\n")
    path, problems = problems_for(empty_bank, text)
    assert (
        f"{path}:{line_of(text, 'options:')}: trust-sample: 0 options have credit 1 (none); "
        "exactly one must be the best" in problems
    )


def test_option_count_between_two_and_five(empty_bank: Path) -> None:
    start = GOOD.index("    - key: B")
    end = GOOD.index("  takeaway:")
    one_option = GOOD[:start] + GOOD[end:]
    path, problems = problems_for(empty_bank, one_option)
    assert (
        f"{path}:{line_of(one_option, 'options:')}: trust-sample: has 1 options; give 2 to 5"
        in problems
    )


def test_missing_field(empty_bank: Path) -> None:
    text = GOOD.replace("  takeaway: Keep delivering what you promised.\n", "")
    path, problems = problems_for(empty_bank, text)
    assert f"{path}:1: trust-sample: missing field 'takeaway' (add it)" in problems


def test_duplicate_id_across_files(empty_bank: Path) -> None:
    (empty_bank / "a-first.yml").write_text(GOOD, encoding="utf-8")
    path, problems = problems_for(empty_bank, GOOD, name="b-second.yml")
    assert problems == [
        f"{path}:1: trust-sample: duplicate scenario id (first at "
        f"{empty_bank / 'a-first.yml'}:1; ids must be unique across the bank)"
    ]


def test_yaml_syntax_error(empty_bank: Path) -> None:
    text = GOOD.replace("  question: What do you do?", "  question: [What do you do?")
    path, problems = problems_for(empty_bank, text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:")
    assert "YAML syntax error" in problems[0] and "(fix the indentation or quoting)" in problems[0]
    reported_line = int(problems[0].split(":")[1])
    assert line_of(text, "[What do you do?") <= reported_line <= line_of(text, "takeaway:")


def test_duplicate_key(empty_bank: Path) -> None:
    text = GOOD.replace(
        "  question: What do you do?", "  question: What do you do?\n  question: And then?"
    )
    path, problems = problems_for(empty_bank, text)
    assert problems == [
        f"{path}:{line_of(text, 'question: And then?')}: duplicate key 'question' "
        f"(first at line {line_of(text, 'question: What')}; keep one of them)"
    ]


def test_file_must_be_a_list(empty_bank: Path) -> None:
    path, problems = problems_for(empty_bank, "id: trust-sample\ntopic: trust\n")
    assert problems == [
        f"{path}:1: the file must be a YAML list of scenarios (start each with '- ')"
    ]


def test_seed_file_must_exist(empty_bank: Path, tmp_path: Path) -> None:
    sources = empty_bank / "sources.yml"
    text = sources.read_text(encoding="utf-8").replace(
        f"seeds_dir: {FIXTURE_SEEDS}", f"seeds_dir: {tmp_path}"
    )
    sources.write_text(text, encoding="utf-8")
    (tmp_path / "000_97ec9dda253dc4af.txt").write_text("x", encoding="utf-8")
    (tmp_path / "001_30ac93c0b7e37939.txt").write_text("x", encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(empty_bank)
    line = line_of(text, "file: 002_f1f57ada63c228c5.txt")
    assert caught.value.problems == [
        f"{sources}:{line}: article 002_f1f57ada63c228c5.txt: seed file '002_f1f57ada63c228c5.txt' is "
        f"not in {tmp_path} (fix the file name)"
    ]


def test_claims_must_name_a_known_section(empty_bank: Path) -> None:
    claims = empty_bank / "claims.yml"
    text = claims.read_text(encoding="utf-8").replace(
        "section: The bottom line", "section: Epilogue", 1
    )
    claims.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(empty_bank)
    assert caught.value.problems[0].startswith(
        f"{claims}:{line_of(text, 'section: Epilogue')}: distance-professionalism-is-distance: "
        "article 000_97ec9dda253dc4af.txt has no section 'Epilogue'"
    )


def test_unexercised_claims_are_warnings(empty_bank: Path) -> None:
    (empty_bank / "trust.yml").write_text(GOOD, encoding="utf-8")
    bank = load_bank(empty_bank)
    unexercised = {c.id for c in bank.unexercised_claims()}
    assert "trust-earned-then-kept" not in unexercised
    assert "distance-formal-address" in unexercised
    assert any(
        w.endswith(
            "distance-formal-address: no scenario exercises this claim "
            "(list it in a scenario's 'claims')"
        )
        for w in bank.warnings
    )


def test_missing_bank_folder(tmp_path: Path) -> None:
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path / "nope")
    assert caught.value.problems == [
        f"{tmp_path / 'nope'}: not a folder (give the bank folder, e.g. --bank exercises)"
    ]


def test_problems_are_all_collected(empty_bank: Path) -> None:
    text = GOOD.replace("pool: practice", "pool: homework").replace("credit: 0.5", "credit: 2")
    _, problems = problems_for(empty_bank, text)
    assert len(problems) == 2
