"""Which assessment items each graded assignment holds, as pure functions of the bank's order.

A topic's quiz holds its whole assessment pool. The final takes a fixed, balanced selection: from each
topic, the first item of each of its first :data:`FINAL_PER_TOPIC` slots (a slot groups parallel
versions of one question, so the final asks about different decisions, not two versions of one).
An item without a slot counts as a slot of its own, so a topic without slots gives its first items.
"""

from __future__ import annotations

from clientcraft.bank import Scenario

FINAL_PER_TOPIC = 2


def final_items(
    pool: tuple[Scenario, ...], per_topic: int = FINAL_PER_TOPIC
) -> tuple[Scenario, ...]:
    """The items of one topic's assessment ``pool`` (in bank order) that go into the final."""
    chosen: dict[str, Scenario] = {}
    for scenario in pool:
        slot = scenario.slot if scenario.slot is not None else f"item:{scenario.id}"
        chosen.setdefault(slot, scenario)
    return tuple(chosen.values())[:per_topic]
