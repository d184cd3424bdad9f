"""Per-learner variants of the graded assessments: which item of each slot a learner gets, and in
which order they see its options.

An assessment is a list of questions; each question is a *slot*, a pool of parallel items (same
topic and claim group). A learner's variant is a pure function of (course seed, assignment, nbgrader
student id, the question's pool): :func:`draw` picks the item and :func:`option_order` orders its
options, from sha256 digests only, so every Python version, every process and every machine (the
instructor's grader, the learner's kernel) computes the same variant. The learner's notebook, the
grader (:class:`clientcraft.grading.GradeChoices`), the feedback, the report and ``clientcraft
variant`` all call these functions; the notebook carries their source code (see
:data:`KERNEL_FUNCTIONS`), so it cannot drift from them.

Which slots make up which assignment is decided from the bank by :func:`variant_assignments`; a bank
without slots gives every assessment item a slot of its own, so only the option order varies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from traitlets import Bool
from traitlets.config import Configurable

from clientcraft.bank import Bank, Scenario
from clientcraft.naming import FINAL, question_name, quiz_name

METHOD = 1  # the draw below; a released notebook and its grader must agree on it
FINAL_SLOTS_PER_TOPIC = 2


class Variants(Configurable):
    """The course's variant setting, read from ``nbgrader_config.py`` by ``clientcraft
    nbgrader-course`` (``c.Variants.enabled = False`` gives every learner the same fixed form)."""

    enabled = Bool(
        True,
        help="Each learner draws one item per slot and sees the options in their own order. False: "
        "one fixed form for everyone. Takes effect when `clientcraft nbgrader-course` writes the "
        "assignments (before they are released).",
    ).tag(config=True)


# --------------------------------------------------------------------------------------------
# The draw. These functions use the standard library only and no type syntax newer than 3.9: the
# learner's notebook runs their source (KERNEL_FUNCTIONS) in whatever kernel the learner has.
# --------------------------------------------------------------------------------------------


def digest(*parts: object) -> int:
    """A number from the sha256 of the parts: the only source of chance in a variant."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def draw(
    seed: str, assignment: str, student: str, slot: str, scenarios: list[str], avoid: str = ""
) -> str:
    """The scenario id this learner gets for one slot of ``assignment``.

    ``avoid`` names another assignment drawing from the same slot (the topic quiz, for the final;
    "" for none): the learner then gets an item they did not get there, if the slot has another.
    """
    candidates = list(scenarios)
    if avoid and len(candidates) > 1:
        taken = draw(seed, avoid, student, slot, candidates)
        candidates = [s for s in candidates if s != taken]
    return candidates[digest(seed, assignment, student, slot) % len(candidates)]


def option_order(
    seed: str, assignment: str, student: str, scenario: str, keys: list[str]
) -> list[str]:
    """The option keys of one scenario in the order this learner sees them (letters A, B, ...)."""
    return sorted(keys, key=lambda k: (digest(seed, assignment, student, scenario, k), k))


def question_markdown(
    title: str, source: str, situation: str, question: str, options: list[str]
) -> str:
    """A question as the learner sees it; ``options`` are the option texts in the learner's order,
    lettered A, B, ..."""
    lines = "\n".join(f"- **{chr(ord('A') + i)}.** {text}" for i, text in enumerate(options))
    return f"## {title}\n\n*{source}*\n\n{situation}\n\n**{question}**\n\n{lines}"


KERNEL_FUNCTIONS = (digest, draw, option_order, question_markdown)


# --------------------------------------------------------------------------------------------
# Slots and assignments from the bank
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A pool of parallel assessment items of one topic; each learner gets one of them."""

    name: str
    topic: str
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True)
class Question:
    """One question of a variant assignment: its name, the slot it draws from, and the assignment
    whose draw from the same slot it avoids ("": none)."""

    name: str
    slot: Slot
    avoid: str = ""


def slots(bank: Bank, topic: str) -> tuple[Slot, ...]:
    """A topic's assessment slots in file order; an item without a slot is a slot of its own."""
    found: dict[tuple[bool, str], list[Scenario]] = {}
    for scenario in bank.pool("assessment", topic):
        found.setdefault((scenario.slot is None, scenario.slot or scenario.id), []).append(scenario)
    return tuple(Slot(name, topic, tuple(items)) for (_, name), items in found.items())


def variant_assignments(bank: Bank) -> dict[str, tuple[Question, ...]]:
    """``quiz-<topic>`` (one question per slot of the topic, in file order) for each topic with
    assessment items, then ``final``: the first :data:`FINAL_SLOTS_PER_TOPIC` slots of every topic,
    each drawing an item the learner did not get in the topic quiz."""
    result: dict[str, tuple[Question, ...]] = {}
    final: list[Slot] = []
    for topic in bank.topics:
        own = slots(bank, topic.id)
        if own:
            result[quiz_name(topic.id)] = tuple(
                Question(question_name(i), slot) for i, slot in enumerate(own, start=1)
            )
            final.extend(own[:FINAL_SLOTS_PER_TOPIC])
    if final:
        result[FINAL] = tuple(
            Question(question_name(i), slot, quiz_name(slot.topic))
            for i, slot in enumerate(final, start=1)
        )
    return result


# --------------------------------------------------------------------------------------------
# A learner's variant, from the pools as a course notebook stores them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """What a question's draw needs, as stored in a course's source notebook (plain data, so the
    grader and ``clientcraft variant`` work from the course alone, not from the bank)."""

    seed: str
    assignment: str
    question: str
    slot: str
    avoid: str
    items: Mapping[str, Sequence[str]]  # scenario id -> its option keys in bank order


@dataclass(frozen=True)
class Drawn:
    """One question of a learner's variant: the scenario drawn and its option keys in the learner's
    order (``order[0]`` is the learner's A)."""

    question: str
    scenario: str
    order: tuple[str, ...]

    def letter(self, key: str) -> str:
        """The learner's letter of the option with bank key ``key``."""
        return chr(ord("A") + self.order.index(key))

    def key(self, letter: str) -> str:
        """The bank key of the option the learner sees as ``letter``."""
        return self.order[ord(letter) - ord("A")]


def variant(pool: Pool, student: str) -> Drawn:
    """The item and option order ``student`` gets for one question."""
    scenario = draw(pool.seed, pool.assignment, student, pool.slot, list(pool.items), pool.avoid)
    order = option_order(pool.seed, pool.assignment, student, scenario, list(pool.items[scenario]))
    return Drawn(pool.question, scenario, tuple(order))
