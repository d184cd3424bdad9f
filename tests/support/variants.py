"""A small bank with slots, for the per-learner variant tests (a helper module, not a test module).

Trust has 3 slots of 2 items and composure 2 slots of 2; items have 3 or 4 options, credits of
1, 0.5 and 0, and texts marked with the scenario id (``OPT-<id>-<key>``, ``FEEDBACK-<id>-<key>``) so
a test can tell from any text which item and option it belongs to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.support.paths import REPO, point_seeds_at_fixtures

TRUST = {"article": "000_97ec9dda253dc4af.txt", "section": "Building client trust"}
COMPOSURE = {"article": "001_30ac93c0b7e37939.txt", "section": "Keep it together"}
SLOTS = {
    "trust": (TRUST, ["trust-kept-by-repeated-delivery"], ["t-delivery", "t-personal", "t-budget"]),
    "composure": (COMPOSURE, ["composure-just-business"], ["c-shouting", "c-method"]),
}
CREDITS = ([1, 0, 0.5, 0], [0, 0, 1], [0, 1, 0, 0], [0.5, 0, 0, 1])


def slot_scenarios() -> list[dict]:
    """The assessment items: per topic, each slot with two parallel items (ids ``<slot>-1/-2``)."""
    items = []
    n = 0
    for topic, (source, claims, slots) in SLOTS.items():
        for slot in slots:
            for version in (1, 2):
                sid = f"{slot}-{version}"
                credits = CREDITS[n % len(CREDITS)]
                n += 1
                items.append(
                    {
                        "id": sid,
                        "topic": topic,
                        "pool": "assessment",
                        "slot": slot,
                        "source": source,
                        "claims": claims,
                        "situation": f"SITUATION-{sid}: a client of a {slot} agency.",
                        "question": f"QUESTION-{sid}?",
                        "options": [
                            {
                                "key": chr(ord("A") + i),
                                "text": f"OPT-{sid}-{chr(ord('A') + i)}.",
                                "credit": credit,
                                "feedback": f"FEEDBACK-{sid}-{chr(ord('A') + i)}.",
                            }
                            for i, credit in enumerate(credits)
                        ],
                        "takeaway": f"TAKEAWAY-{sid}.",
                    }
                )
    return items


def make_slot_bank(dest: Path, scenarios: list[dict] | None = None) -> Path:
    """A bank at ``dest``: the shipped topics, claims and sources, and only ``scenarios`` (default:
    :func:`slot_scenarios`) as its scenarios."""
    dest.mkdir(parents=True)
    for name in ("topics.yml", "claims.yml", "sources.yml"):
        shutil.copy2(REPO / "exercises" / name, dest / name)
    point_seeds_at_fixtures(dest / "sources.yml")
    (dest / "items.yml").write_text(
        yaml.safe_dump(slot_scenarios() if scenarios is None else scenarios, sort_keys=False),
        encoding="utf-8",
    )
    return dest
