"""clientcraft.grading: reading answers and keys without running them, and the outputs nbgrader scores.

GradeChoices runs here on real source notebooks from the shipped bank; the scores are read back with
nbgrader's own ``determine_grade``, the function its SaveAutoGrades step uses.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbgrader.utils import determine_grade

from clientcraft.grading import (
    Choice,
    GradeChoices,
    answer_line,
    key_source,
    parse_choice,
    read_key,
    split_key,
)
from clientcraft.render.nbgrader import answer_key, assessment_notebook, course_assignments

KEYS = ("A", "B", "C", "D")


@pytest.mark.parametrize(
    "source, expected",
    [
        ('q01 = "B"', "B"),
        ("q01 = 'c'", "C"),
        ('q01 = " b "', "B"),
        ('q01 = "D"  # my choice', "D"),
        ('# thinking...\nq01 = "A"\n', "A"),
        ('q01 = ("A")', "A"),
    ],
)
def test_parse_choice_accepts_a_single_letter_literal(source, expected):
    assert parse_choice(source, "q01", KEYS) == Choice(expected)


@pytest.mark.parametrize(
    "source, why",
    [
        (answer_line("q01"), "still None"),
        ("", "empty"),
        ('q01 = "E"', "not one of the options"),
        ('q01 = ""', "not one of the options"),
        ('q01 = "AB"', "not one of the options"),
        ("q01 = 2", "not a letter in quotes"),
        ('q01 = ["A"]', "not a letter in quotes"),
        ('q01 = b"A"', "not a letter in quotes"),
        ('q01 = f"A"', "not a letter in quotes"),
        ('q01 = str("A")', "not a letter in quotes"),
        ('q01 = "A" if True else "B"', "not a letter in quotes"),
        ('q01 = open("gradebook.db").read()', "not a letter in quotes"),
        (
            'q01 = type("AlwaysEqual", (), {"__eq__": lambda s, o: True})()',
            "not a letter in quotes",
        ),
        ('q01 = "A"\nq01 = "B"', "more than one statement"),
        ('q01 = "A"; import os', "more than one statement"),
        ('q01 = q02 = "A"', "not a plain assignment"),
        ('q01: str = "A"', "not a plain assignment"),
        ("while True:\n    pass", "not a plain assignment"),
        ('q02 = "A"', "assigns q02, not q01"),
        ('q01 = "A', "not valid Python"),
        ('q01 = "\x00"', "not"),
        ("q01 = " + "(" * 200_000 + '"A"' + ")" * 200_000, "too long"),
        ("q01 = " + "-" * 1500 + "1", "not a letter in quotes"),
    ],
)
def test_anything_else_is_no_choice_with_a_reason(source, why):
    choice = parse_choice(source, "q01", KEYS)
    assert choice.key is None
    assert why in choice.problem
    assert 'q01 = "B"' in choice.problem  # every message shows the expected form


def test_key_round_trips_and_hides_in_the_test_region(bank):
    scenario = bank.pool("assessment")[0]
    key = answer_key(scenario, "q01")
    source = key_source(key, "# visible")
    assert read_key(source) == key
    visible, region = split_key(source)
    assert visible == "# visible"
    assert all(o.feedback[:40] in region for o in scenario.options)
    assert key.best.key == scenario.best.key


@pytest.mark.parametrize(
    "source",
    [
        "# no key here",
        "### BEGIN HIDDEN TESTS\nCLIENTCRAFT_KEY = __import__('os').getcwd()\n### END HIDDEN TESTS",
        "### BEGIN HIDDEN TESTS\nOTHER = {}\n### END HIDDEN TESTS",
        "### BEGIN HIDDEN TESTS\nCLIENTCRAFT_KEY = {'question': 'q01'}\n### END HIDDEN TESTS",
        "### BEGIN HIDDEN TESTS\nCLIENTCRAFT_KEY = {\n",
    ],
)
def test_a_cell_without_a_well_formed_key_has_none(source):
    assert read_key(source) is None


@pytest.fixture(scope="module")
def final(bank):
    """The shipped bank's final as its source notebook, and its scenarios in question order."""
    scenarios = course_assignments(bank)["final"]
    return assessment_notebook(bank, "final", scenarios), scenarios


def grade(nb, answers, **config):
    """Put ``answers`` ({question: answer cell source}) into a copy of ``nb`` and run GradeChoices;
    returns the graded notebook and nbgrader's score of each test cell."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id.startswith("answer-") and grade_id[7:] in answers:
            cell.source = answers[grade_id[7:]]
    graded, _ = GradeChoices(**config).preprocess(nb, {})
    scores = {
        c.metadata.nbgrader["grade_id"]: determine_grade(c)[0]
        for c in graded.cells
        if c.metadata.nbgrader.get("grade") and not c.metadata.nbgrader.get("solution")
    }
    return graded, scores


def test_scores_are_the_chosen_options_credit(final):
    nb, scenarios = final
    answers = {}
    expected = {}
    for number, scenario in enumerate(scenarios, start=1):
        q = f"q{number:02d}"
        option = scenario.best if number == 1 else scenario.options[number % len(scenario.options)]
        answers[q] = f'{q} = "{option.key.lower()}"'
        expected[q] = option.credit
    _, scores = grade(nb, answers)
    assert scores == pytest.approx(expected)
    assert {0.0, 1.0} <= set(scores.values())


def test_outputs_carry_feedback_not_the_key(final):
    nb, scenarios = final
    scenario = scenarios[0]
    partial = next((o for o in scenario.options if 0 < o.credit < 1), None)
    wrong = next(o for o in scenario.options if o.credit == 0)
    for option, output_type in (
        (scenario.best, "stream"),
        (wrong, "error"),
        *([(partial, "execute_result")] if partial else []),
    ):
        graded, _ = grade(nb, {"q01": f'q01 = "{option.key}"'})
        test = next(c for c in graded.cells if c.metadata.nbgrader["grade_id"] == "q01")
        assert "CLIENTCRAFT_KEY" not in test.source and "HIDDEN TESTS" not in test.source
        assert output_type in [o.output_type for o in test.outputs]
        shown = nbformat.writes(nbformat.v4.new_notebook(cells=[test]))
        assert option.text in shown
        assert option.feedback.split()[0] in shown
        others = [o for o in scenario.options if o.key != option.key]
        assert not any(o.feedback in shown for o in others)
        if option.key != scenario.best.key:
            assert scenario.best.text not in shown


def test_reveal_best_names_the_best_option(final):
    nb, scenarios = final
    wrong = next(o for o in scenarios[0].options if o.credit == 0)
    graded, _ = grade(nb, {"q01": f'q01 = "{wrong.key}"'}, reveal_best=True)
    test = next(c for c in graded.cells if c.metadata.nbgrader["grade_id"] == "q01")
    assert f"The best option was {scenarios[0].best.key}. {scenarios[0].best.text}" in str(
        test.outputs
    )
    graded, _ = grade(
        nb, {"q01": f'q01 = "{scenarios[0].best.key}"', "q02": "q02 = None"}, reveal_best=True
    )
    outputs = {c.metadata.nbgrader["grade_id"]: str(c.get("outputs")) for c in graded.cells}
    assert "The best option" not in outputs["q01"]
    assert f"The best option was {scenarios[1].best.key}." in outputs["q02"]


def test_invalid_missing_and_foreign_cells_score_zero(final):
    nb, _ = final
    nb = copy.deepcopy(nb)
    answer = next(c for c in nb.cells if c.metadata.nbgrader["grade_id"] == "answer-q02")
    nb.cells.remove(answer)
    foreign = copy.deepcopy(next(c for c in nb.cells if c.metadata.nbgrader["grade_id"] == "q03"))
    foreign.source = "assert True"
    foreign.metadata.nbgrader["grade_id"] = "extra"
    nb.cells.append(foreign)
    graded, scores = grade(nb, {"q01": 'q01 = type("E", (), {"__eq__": lambda s, o: True})()'})
    assert scores["q01"] == 0 and scores["q02"] == 0 and scores["extra"] == 0
    messages = {c.metadata.nbgrader["grade_id"]: str(c.get("outputs")) for c in graded.cells}
    assert "not a letter in quotes" in messages["q01"]
    assert "answer cell is missing" in messages["q02"]
    assert "grade it by hand" in messages["extra"]
