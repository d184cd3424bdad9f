"""Golden files: what learners and nbgrader see, byte for byte (see tests/golden/README.md).

Set ``CLIENTCRAFT_UPDATE_GOLDEN=1`` to rewrite them after an intended change, then review the diff.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ipywidgets import Widget

from clientcraft.bank import Bank, load_bank
from clientcraft.book import build_book
from clientcraft.grading import GradeChoices
from clientcraft.progress import ProgressStore
from clientcraft.render.nbgrader import assessment_notebook, notebook_bytes
from clientcraft.widgets import ScenarioPlayer
from tests.support.books import small_book

GOLDEN = Path(__file__).parent / "golden"
SCENARIO = "fx-trust-report"  # a practice scenario of the small bank with best, partial and wrong


def check_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with the golden file ``name``, or rewrite it when asked to."""
    path = GOLDEN / name
    if os.environ.get("CLIENTCRAFT_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs; see tests/golden/README.md to update it"


def widget_state(widget: Widget) -> Any:
    """The learner-visible state of a widget tree: type, value, labels and whether it is enabled."""
    state: dict[str, Any] = {"type": type(widget).__name__}
    for name in ("value", "description", "options", "disabled", "max"):
        if hasattr(widget, name):
            value = getattr(widget, name)
            if isinstance(value, tuple):
                value = list(value)
            if isinstance(value, str | int | float | bool | list | None):
                state[name] = value
    children = getattr(widget, "children", ())
    if children:
        state["children"] = [widget_state(child) for child in children]
    return state


@pytest.mark.slow
def test_exercise_html(small_bank_dir: Path) -> None:
    book = small_book(small_bank_dir.parent, f"```{{scenario}} {SCENARIO}\n```")
    build_book(book, strict=True)
    page = (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    exercise = BeautifulSoup(page, "html.parser").select_one(".cc-scenario")
    assert exercise is not None
    check_golden("exercise.html", exercise.prettify())


def test_widget_state(small_bank: Bank, tmp_path: Path) -> None:
    scenario = small_bank.scenario(SCENARIO)
    states: dict[str, Any] = {}
    for option in scenario.options:
        store = ProgressStore(tmp_path / f"progress-{option.key}.jsonl")
        player = ScenarioPlayer(scenario, small_bank, progress=store)
        states.setdefault("before", widget_state(player))
        player.choice.value = option.key
        player.check_button.click()
        states[f"after checking {option.key}"] = widget_state(player)
    check_golden("widget-state.json", json.dumps(states, indent=1, ensure_ascii=False) + "\n")


def test_assessment_notebook(small_bank_dir: Path) -> None:
    bank = load_bank(small_bank_dir)
    nb = assessment_notebook(bank, "quiz-trust", bank.pool("assessment", "trust"))
    check_golden("quiz-trust.ipynb", notebook_bytes(nb).decode("utf-8"))


def test_grading_outputs(small_bank: Bank) -> None:
    """The exact outputs for full, partial and zero credit: nbgrader scores a cell from them (no
    output but a message = full, an execute_result = partial, an error = zero)."""
    scenario = small_bank.scenario(SCENARIO)
    nb = assessment_notebook(small_bank, "quiz-trust", (scenario,))
    outputs = {}
    for option in scenario.options:
        answered = copy.deepcopy(nb)
        answer = next(c for c in answered.cells if c.metadata.nbgrader["grade_id"] == "answer-q01")
        answer.source = f'q01 = "{option.key}"'
        graded, _ = GradeChoices().preprocess(answered, {})
        test = next(c for c in graded.cells if c.metadata.nbgrader["grade_id"] == "q01")
        outputs[f"{option.key} (credit {option.credit:g})"] = test.outputs
    check_golden("grading-outputs.json", json.dumps(outputs, indent=1, ensure_ascii=False) + "\n")
