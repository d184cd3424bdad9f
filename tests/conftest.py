"""Shared fixtures: the repository, the shipped bank, and throw-away copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clientcraft.bank import Bank, load_bank

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The shipped scenario bank, loaded once."""
    return load_bank(REPO / "exercises")


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped bank (seeds_dir pointed at the real seeds) for a test to edit."""
    dest = tmp_path / "exercises"
    shutil.copytree(REPO / "exercises", dest, ignore=shutil.ignore_patterns("README.md"))
    sources = dest / "sources.yml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "seeds_dir: ../../shared/seeds", f"seeds_dir: {SEEDS}"), encoding="utf-8")
    return dest
