"""Shared fixtures: the repository, the shipped bank, and throw-away copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clientcraft.bank import Bank, load_bank
from tests.support.paths import REPO, point_seeds_at_fixtures


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The shipped scenario bank, loaded once."""
    return load_bank(REPO / "exercises")


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped bank (seed files checked against the fixture articles) for a
    test to edit."""
    dest = tmp_path / "exercises"
    shutil.copytree(REPO / "exercises", dest, ignore=shutil.ignore_patterns("README.md"))
    point_seeds_at_fixtures(dest / "sources.yml")
    return dest


SMALL_BANK_SCENARIOS = """\
- id: fx-trust-report
  topic: trust
  pool: practice
  source: {article: 000_97ec9dda253dc4af.txt, section: Building client trust}
  claims: [trust-lost-by-delivering-less]
  situation: Ana sends Bo a **monthly report**; this month she is short of time.
  question: What should Ana do?
  options:
    - {key: A, text: Send half the report., credit: 0, feedback: Less than usual spends trust.,
       consequence: Bo starts checking the figures himself.}
    - {key: B, text: Send the full report on time., credit: 1, feedback: Repeated delivery keeps trust.}
    - {key: C, text: Warn Bo it will be late., credit: 0.5, feedback: Honest but still less than usual.}
  takeaway: Keep delivering what the client relies on.
- id: fx-trust-personal
  topic: trust
  pool: practice
  source: {article: 000_97ec9dda253dc4af.txt, section: Building client trust}
  claims: [trust-lost-by-getting-personal]
  situation: Ana is tempted to tell Bo about her divorce.
  question: Should she?
  options:
    - {key: A, text: Keep the focus on Bo's business., credit: 1, feedback: The client stays the focus.}
    - {key: B, text: Tell him everything., credit: 0, feedback: Her life becomes his concern.}
  takeaway: Keep the client the focus.
- id: fx-composure-angry
  topic: composure
  pool: practice
  source: {article: 001_30ac93c0b7e37939.txt, section: Keep it together}
  claims: [composure-just-business]
  situation: A client shouts at Ana on the phone.
  question: How should she respond?
  options:
    - {key: A, text: Shout back., credit: 0, feedback: It is just business.}
    - {key: B, text: Calmly ask for a call tomorrow., credit: 1, feedback: Calm wins.}
  takeaway: Stay calm; it is just business.
- id: fx-trust-exam
  topic: trust
  pool: assessment
  source: {article: 000_97ec9dda253dc4af.txt, section: Building client trust}
  claims: [trust-kept-by-repeated-delivery]
  situation: SECRET-ASSESSMENT-SITUATION about a late invoice.
  question: SECRET-ASSESSMENT-QUESTION?
  options:
    - {key: A, text: SECRET-ASSESSMENT-OPTION-A., credit: 1, feedback: SECRET-ASSESSMENT-FEEDBACK.}
    - {key: B, text: SECRET-ASSESSMENT-OPTION-B., credit: 0, feedback: SECRET-ASSESSMENT-FEEDBACK-B.}
  takeaway: SECRET-ASSESSMENT-TAKEAWAY.
"""


@pytest.fixture
def small_bank_dir(bank_copy: Path) -> Path:
    """A bank copy whose scenarios are a small known set: 2 trust + 1 composure practice scenarios
    and 1 trust assessment scenario (its text is marked SECRET-ASSESSMENT-... to test for leaks)."""
    from clientcraft.bank import scenario_files

    for path in scenario_files(bank_copy):
        path.unlink()
    (bank_copy / "fixture.yml").write_text(SMALL_BANK_SCENARIOS, encoding="utf-8")
    return bank_copy


@pytest.fixture
def small_bank(small_bank_dir: Path) -> Bank:
    return load_bank(small_bank_dir)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped book and bank, copied to a temp folder and built once with ``clientcraft build
    --strict`` (any Sphinx warning in the real book fails it); returns the HTML folder. Used by the
    book and browser tests."""
    from clientcraft.cli import main

    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO / "exercises", root / "exercises")
    assert main(["build", "--strict", "--bank", str(root / "exercises")]) == 0
    return root / "book" / "_build" / "html"
