"""Where the tests find the repository and their own small stand-in articles."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Short articles written for the tests, named like the seeds in exercises/sources.yml, so that bank
# copies can check their seed files without anything from outside the repository.
FIXTURE_SEEDS = Path(__file__).resolve().parent / "seeds"
SHIPPED_SEEDS_DIR = "seeds_dir: ../../shared/seeds"


def point_seeds_at_fixtures(sources_yml: Path) -> None:
    """Make a copied bank's ``sources.yml`` look for its seed files among the fixture articles."""
    text = sources_yml.read_text(encoding="utf-8")
    sources_yml.write_text(
        text.replace(SHIPPED_SEEDS_DIR, f"seeds_dir: {FIXTURE_SEEDS}"), encoding="utf-8"
    )


# The shipped course's topics in course order, for tests parametrised per topic (a test checks
# that exercises/topics.yml still lists exactly these).
TOPIC_IDS = (
    "trust",
    "professional-distance",
    "mutual-commitment",
    "firing-clients",
    "expectations",
    "real-needs",
    "equal-footing",
    "composure",
)
