"""Per-learner variants without nbgrader's exchange: the draw, slots from the bank and their checks,
the course seed and the fixed-form setting, GradeChoices per learner, and ``clientcraft variant``."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
import statistics

import nbformat
import pytest
from nbgrader.utils import determine_grade

from clientcraft.bank import BankError, load_bank, scenario_files
from clientcraft.cli import main
from clientcraft.course import COURSE_RECORD, learner_keys, read_course_record, update_course
from clientcraft.grading import GradeChoices, PoolKey, read_key
from clientcraft.naming import CONFIG_FILE
from clientcraft.render.nbgrader import course_assignments, variant_notebook
from clientcraft.variants import draw, option_order, slots, variant, variant_assignments
from tests.support.variants import make_slot_bank, slot_scenarios

STUDENTS = [f"learner{i:03d}" for i in range(200)]


@pytest.fixture
def slot_bank(tmp_path):
    return load_bank(make_slot_bank(tmp_path / "bank"))


@pytest.fixture
def course(tmp_path, slot_bank):
    update_course(tmp_path / "course", slot_bank)
    return tmp_path / "course"


def test_the_draw_is_sha256_of_seed_assignment_student_and_slot():
    """Recomputed here from hashlib alone: any process, any Python version gets the same variant."""

    def unit(*parts):
        text = "\x1f".join(parts).encode()
        return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")

    items = ["x-1", "x-2", "x-3"]
    for student in STUDENTS[:50]:
        assert (
            draw("s33d", "quiz-a", student, "x", items)
            == items[unit("s33d", "quiz-a", student, "x") % 3]
        )
        expected = sorted("ABCD", key=lambda k: unit("s33d", "quiz-a", student, "x-2", k))
        assert option_order("s33d", "quiz-a", student, "x-2", list("ABCD")) == expected


def test_draws_spread_over_items_and_orders_and_depend_on_every_input():
    items = ["x-1", "x-2"]
    picks = [draw("seed", "quiz-a", s, "x", items) for s in STUDENTS]
    assert 0.35 < picks.count("x-1") / len(picks) < 0.65
    orders = {tuple(option_order("seed", "quiz-a", s, "x-1", list("ABCD"))) for s in STUDENTS}
    assert len(orders) == 24  # every order of 4 options occurs among 200 learners
    base = [draw("seed", "quiz-a", s, "x", items) for s in STUDENTS[:40]]
    for changed in (
        [draw("other", "quiz-a", s, "x", items) for s in STUDENTS[:40]],
        [draw("seed", "quiz-b", s, "x", items) for s in STUDENTS[:40]],
        [draw("seed", "quiz-a", s, "y", items) for s in STUDENTS[:40]],
    ):
        assert changed != base


def test_the_final_avoids_the_item_drawn_in_the_topic_quiz(slot_bank):
    final = variant_assignments(slot_bank)["final"]
    for question in final:
        ids = [s.id for s in question.slot.scenarios]
        for student in STUDENTS:
            quiz = draw("seed", question.avoid, student, question.slot.name, ids)
            assert draw("seed", "final", student, question.slot.name, ids, question.avoid) != quiz


def test_slots_and_assignments_from_a_bank_with_slots(slot_bank):
    assignments = variant_assignments(slot_bank)
    assert list(assignments) == ["quiz-trust", "quiz-composure", "final"]
    trust = assignments["quiz-trust"]
    assert [(q.name, q.slot.name, q.avoid) for q in trust] == [
        ("q01", "t-delivery", ""),
        ("q02", "t-personal", ""),
        ("q03", "t-budget", ""),
    ]
    assert [s.id for s in trust[0].slot.scenarios] == ["t-delivery-1", "t-delivery-2"]
    final = assignments["final"]
    assert [(q.slot.name, q.avoid) for q in final] == [
        ("t-delivery", "quiz-trust"),
        ("t-personal", "quiz-trust"),
        ("c-shouting", "quiz-composure"),
        ("c-method", "quiz-composure"),
    ]


def test_a_bank_without_slots_gives_each_item_its_own_slot(bank_copy):
    for path in scenario_files(bank_copy):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^  slot: .*\n", "", text), encoding="utf-8")
    bank = load_bank(bank_copy)
    assert not any(s.slot for s in bank.scenarios)
    assignments = variant_assignments(bank)
    fixed = course_assignments(bank)
    assert list(assignments) == list(fixed)
    for name, questions in assignments.items():
        assert [q.slot.scenarios for q in questions] == [(s,) for s in fixed[name]]
    assert all(len(s.scenarios) == 1 for t in bank.topics for s in slots(bank, t.id))


def write_items(tmp_path, items):
    return load_bank(make_slot_bank(tmp_path / "b", items))


def test_the_bank_checks_slots(tmp_path):
    items = slot_scenarios()
    items[1]["topic"] = "composure"  # t-delivery-2 joins a trust slot from another topic
    items[1]["source"] = items[-1]["source"]
    items[1]["claims"] = items[-1]["claims"]
    with pytest.raises(BankError) as error:
        write_items(tmp_path, items)
    (problem,) = error.value.problems
    assert problem.startswith(f"{tmp_path / 'b' / 'items.yml'}:")
    assert "t-delivery-2: slot 't-delivery' mixes topics trust" in problem

    items = slot_scenarios()
    items[2]["slot"] = "t-alone"  # t-personal-1 alone; trust slots now hold 2, 1, 1 and 2 items
    warnings = "\n".join(write_items(tmp_path / "2", items).warnings)
    assert "t-personal-1: slot 't-alone' has only this item" in warnings
    assert "topic trust: its slots hold different numbers of items" in warnings
    assert "composure" not in warnings.split("different numbers")[0].rsplit("\n", 1)[-1]


def test_a_new_course_gets_a_seed_once_and_variant_notebooks(tmp_path, slot_bank):
    path = tmp_path / "course"
    result = update_course(path, slot_bank)
    assert COURSE_RECORD in result.written
    seed = read_course_record(path)["seed"]
    assert len(seed) == 32
    notebooks = {p: p.read_bytes() for p in (path / "source").rglob("*.ipynb")}
    keys = [read_key("".join(c.source)) for c in nbformat.read(next(iter(notebooks)), 4).cells]
    assert {type(k) for k in keys if k} == {PoolKey}
    again = update_course(path, slot_bank)
    assert read_course_record(path)["seed"] == seed and COURSE_RECORD not in again.written
    assert {p: p.read_bytes() for p in notebooks} == notebooks
    assert "c.Variants.enabled = True" in (path / CONFIG_FILE).read_text()
    other = tmp_path / "other"
    update_course(other, slot_bank)
    assert read_course_record(other)["seed"] != seed


def test_the_setting_gives_a_fixed_form(tmp_path, slot_bank):
    path = tmp_path / "course"
    update_course(path, slot_bank)
    config = path / CONFIG_FILE
    config.write_text(config.read_text().replace("enabled = True", "enabled = False"))
    update_course(path, slot_bank)
    nb = json.loads((path / "source" / "quiz-trust" / "quiz-trust.ipynb").read_text())
    keys = [read_key("".join(c["source"])) for c in nb["cells"]]
    assert [k.scenario for k in keys if k] == [s.id for s in slot_bank.pool("assessment", "trust")]


def test_a_course_made_before_variants_keeps_its_fixed_form(tmp_path, slot_bank):
    """No seed in the course record: the notebooks stay byte for byte as they were."""
    path = tmp_path / "course"
    update_course(path, slot_bank)
    (path / COURSE_RECORD).unlink()
    config = path / CONFIG_FILE
    config.write_text(config.read_text().replace("enabled = True", "enabled = False"))
    update_course(path, slot_bank)  # the fixed form, as an old course has it
    config.write_text(config.read_text().replace("enabled = False", "enabled = True"))
    before = {p: p.read_bytes() for p in (path / "source").rglob("*.ipynb")}
    result = update_course(path, slot_bank)
    assert {p: p.read_bytes() for p in before} == before
    assert "seed" not in read_course_record(path)
    assert any("made before per-learner variants" in n for n in result.notes)


def answered(nb, letters):
    """A copy of ``nb`` with each answer cell set to ``qNN = "<letter>"``."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        grade_id = cell.metadata.nbgrader["grade_id"]
        if grade_id.startswith("answer-") and grade_id[7:] in letters:
            cell.source = f'{grade_id[7:]} = "{letters[grade_id[7:]]}"'
    return nb


def grade(nb, student, **config):
    graded, _ = GradeChoices(**config).preprocess(nb, {"nbgrader": {"student": student}})
    return graded, {
        c.metadata.nbgrader["grade_id"]: determine_grade(c)[0]
        for c in graded.cells
        if c.metadata.nbgrader.get("grade") and not c.metadata.nbgrader.get("solution")
    }


@pytest.fixture
def final(slot_bank):
    questions = variant_assignments(slot_bank)["final"]
    return variant_notebook(slot_bank, "final", questions, "f1xed-seed")


def learner_best(nb, student):
    """Each question's best letter in ``student``'s variant, from the bank's credits."""
    best = {}
    for cell in nb.cells:
        key = read_key(cell.source)
        if isinstance(key, PoolKey):
            learner, _ = key.learner_key(student)
            best[key.question] = learner.best.key
    return best


def test_each_learner_is_graded_against_their_own_variant(final, slot_bank):
    for student in STUDENTS[:20]:
        for pick in range(4):
            letters = {f"q{i:02d}": "ABCD"[(i + pick) % 3] for i in range(1, 5)}
            _, scores = grade(answered(final, letters), student)
            for cell in final.cells:
                key = read_key(cell.source)
                if not isinstance(key, PoolKey):
                    continue
                drawn = variant(key.pool, student)
                scenario = slot_bank.scenario(drawn.scenario)
                credit = scenario.option(drawn.key(letters[key.question])).credit
                assert scores[key.question] == pytest.approx(credit)


def test_feedback_uses_the_learners_letters_and_texts(final, slot_bank):
    student = "learner007"
    best = learner_best(final, student)
    wrong = {q: next(x for x in "ABC" if x != b) for q, b in best.items()}
    graded, _ = grade(answered(final, wrong), student, reveal_best=True)
    cells = {c.metadata.nbgrader["grade_id"]: c for c in graded.cells}
    for q in best:
        key = next(read_key(c.source) for c in final.cells if c.metadata.nbgrader["grade_id"] == q)
        drawn = variant(key.pool, student)
        scenario = slot_bank.scenario(drawn.scenario)
        chosen = scenario.option(drawn.key(wrong[q]))
        text = str(cells[q].outputs)
        assert f"{q}: you chose {wrong[q]}. {chosen.text}" in text
        assert chosen.feedback in text
        assert f"The best option was {best[q]}. {scenario.best.text}" in text
        shown = cells[f"question-{q}"].outputs[0]["data"]["text/markdown"]
        assert scenario.situation in shown
        for key_ in drawn.order:
            assert f"**{drawn.letter(key_)}.** {scenario.option(key_).text}" in shown
    first = cells["show-questions"]
    assert "def draw" not in first.source and "SITUATION" not in first.source
    assert first.outputs[0]["data"]["text/markdown"] == f"Questions of **{student}**."
    graded, _ = grade(answered(final, best), student, reveal_best=True)
    assert "The best option" not in str([c.get("outputs") for c in graded.cells])


def test_grading_a_variant_without_a_student_id_is_an_error(final):
    with pytest.raises(ValueError, match="no student id"):
        GradeChoices().preprocess(copy.deepcopy(final), {})


def sharing_figure(nb, students):
    """Mean share of full marks a learner gets by submitting a colleague's best letters, over all
    ordered pairs of ``students``."""
    best = {s: learner_best(nb, s) for s in students}
    shares = []
    for own, other in itertools.permutations(students, 2):
        _, scores = grade(answered(nb, best[other]), own)
        shares.append(sum(scores.values()) / len(scores))
    return statistics.fmean(shares)


def test_letters_shared_by_a_colleague_are_worth_little(final, bank, tmp_path):
    """The figure for the fixture bank (slots of 2, 3-4 options) and the shipped bank's final."""
    figure = sharing_figure(final, STUDENTS[:20])
    shipped = variant_notebook(bank, "final", variant_assignments(bank)["final"], "f1xed-seed")
    shipped_figure = sharing_figure(shipped, STUDENTS[:20])
    print(f"letter sharing: fixture bank {figure:.2f}, shipped bank {shipped_figure:.2f}")
    assert figure < 0.5 and shipped_figure < 0.6
    _, own = grade(answered(final, learner_best(final, "learner001")), "learner001")
    assert sum(own.values()) == len(own)  # one's own best letters are full marks


def test_learners_see_different_finals(course, bank):
    """On the fixture bank's course and on the shipped bank's final (whose items have no slots yet:
    there only the option order varies)."""
    variants = {
        json.dumps([(k.scenario, [o.canonical for o in k.options]) for k in keys])
        for keys in (learner_keys(course, "final", f"learner{i}") for i in range(8))
    }
    assert len(variants) >= 6
    shipped = variant_notebook(bank, "final", variant_assignments(bank)["final"], "any-seed")
    pools = [k for k in (read_key(c.source) for c in shipped.cells) if isinstance(k, PoolKey)]
    variants = {
        json.dumps([(d.scenario, d.order) for d in (variant(p.pool, f"learner{i}") for p in pools)])
        for i in range(8)
    }
    assert len(variants) >= 6


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_variant_command_json(course, capsys, slot_bank):
    code, out, err = run_cli(capsys, "variant", str(course), "final", "learner042", "--json")
    assert code == 0
    assert "'learner042' is not on the roster" in err
    shown = json.loads(out)
    assert list(shown) == ["student", "assignment", "questions"]
    assert shown["student"] == "learner042" and shown["assignment"] == "final"
    assert [q["question"] for q in shown["questions"]] == ["q01", "q02", "q03", "q04"]
    for question in shown["questions"]:
        assert list(question) == ["question", "scenario", "options"]
        scenario = slot_bank.scenario(question["scenario"])
        assert [list(o) for o in question["options"]] == [["letter", "key", "text"]] * len(
            scenario.options
        )
        assert [o["letter"] for o in question["options"]] == list("ABCD"[: len(scenario.options)])
        assert sorted(o["key"] for o in question["options"]) == list(scenario.keys)
        assert all(scenario.option(o["key"]).text == o["text"] for o in question["options"])
    code, text, _ = run_cli(capsys, "variant", str(course), "final", "learner042")
    assert code == 0 and "q01  " in text


def test_variant_command_errors(course, capsys, tmp_path):
    code, out, err = run_cli(capsys, "variant", str(course), "quiz-nope", "learner1")
    assert code == 1 and not out
    assert "no assignment 'quiz-nope' in this course (known: final, quiz-composure" in err
    code, out, err = run_cli(capsys, "variant", str(tmp_path / "nowhere"), "final", "learner1")
    assert code == 1 and "not a clientcraft course" in err


def test_the_learners_notebook_holds_no_key(course, slot_bank):
    """The source notebook's only key material sits in the hidden-tests regions."""
    for path in (course / "source").rglob("*.ipynb"):
        nb = nbformat.read(path, 4)
        for cell in nb.cells:
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            assert "FEEDBACK-" not in visible and "credit" not in visible, path
            assert "TAKEAWAY" not in visible


def test_the_check_cell_uses_the_learners_own_letters(capsys):
    """The last cell, run after the first one defined VALID_LETTERS for this learner's variant."""
    from clientcraft.render.nbgrader import VARIANT_CHECK

    exec(
        VARIANT_CHECK,
        {
            "VALID_LETTERS": {"q01": "ABC", "q02": "ABCD", "q03": "AB"},
            "q01": "d",
            "q02": " d ",
            "q03": None,
        },
    )
    out = capsys.readouterr().out
    assert "q01: 'd' is not one of A, B, C" in out
    assert "q02" not in out
    assert "q03: no answer yet (still None)" in out
    exec(VARIANT_CHECK, {})
    assert "run the notebook's first cell" in capsys.readouterr().out
