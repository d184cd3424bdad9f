"""clientcraft.render.nbgrader, clientcraft.course and ``clientcraft nbgrader-course``: the course layout, the notebook's
cells, byte-stable output, and updates that never overwrite what an instructor changed."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from clientcraft.cli import main
from clientcraft.course import COURSE_RECORD, update_course
from clientcraft.grading import answer_line, read_key
from clientcraft.naming import CONFIG_FILE as CONFIG_NAME
from clientcraft.render.nbgrader import assessment_notebook, course_assignments


def test_one_quiz_per_topic_with_assessments_and_a_final(bank):
    assignments = course_assignments(bank)
    topics = [t.id for t in bank.topics if bank.pool("assessment", t.id)]
    assert list(assignments) == [f"quiz-{t}" for t in topics] + ["final"]
    for topic in topics:
        pool = bank.pool("assessment", topic)
        assert assignments[f"quiz-{topic}"] == pool
        # the final: the first item of each of the topic's first two slots (an item without a
        # slot is a slot of its own, so a topic without slots gives its first two items)
        firsts: dict[str, object] = {}
        for s in pool:
            firsts.setdefault(s.slot or s.id, s)
        assert [s for s in assignments["final"] if s.topic == topic] == list(firsts.values())[:2]
    assert all(s.pool == "assessment" for scenarios in assignments.values() for s in scenarios)


def test_the_final_takes_the_first_item_of_each_of_the_first_two_slots(bank):
    trust = bank.pool("assessment", "trust")
    slots = {
        trust[0].id: "trust-delivery",
        trust[1].id: "trust-delivery",
        trust[2].id: "trust-scope",
    }
    slotted = dataclasses.replace(
        bank,
        scenarios=tuple(dataclasses.replace(s, slot=slots.get(s.id)) for s in bank.scenarios),
    )
    assignments = course_assignments(slotted)
    assert assignments["quiz-trust"] == slotted.pool("assessment", "trust")  # the whole pool
    final = [s.id for s in assignments["final"] if s.topic == "trust"]
    assert final == [trust[0].id, trust[2].id]  # trust[1] is a parallel version of trust[0]
    assert len(assignments["final"]) == 2 * len(bank.topics)


def test_the_instructions_mention_partial_credit_only_when_a_question_gives_it(bank):
    def first_cell(scenarios):
        return assessment_notebook(bank, "quiz-trust", scenarios).cells[0].source

    right_wrong = tuple(
        dataclasses.replace(
            s,
            options=tuple(dataclasses.replace(o, credit=float(o.credit == 1)) for o in s.options),
        )
        for s in bank.pool("assessment", "trust")
    )
    assert "lettered options; the best option earns the point." in first_cell(right_wrong)
    first = right_wrong[0]
    half = tuple(
        dataclasses.replace(o, credit=0.5)
        if o.key == ("B" if first.best.key == "A" else "A")
        else o
        for o in first.options
    )
    partial = (dataclasses.replace(first, options=half), *right_wrong[1:])
    assert "lettered options; some options earn part of the point." in first_cell(partial)


@pytest.fixture
def course(tmp_path, bank):
    """A course set to the fixed form (every learner the same questions) in its nbgrader_config.py,
    as an instructor sets it; courses with per-learner variants are tested in test_variants.py."""
    return fixed_course(tmp_path / "course", bank)


def fixed_course(path: Path, bank) -> Path:
    update_course(path, bank, variants=False)
    config = path / CONFIG_NAME
    config.write_text(config.read_text().replace("enabled = True", "enabled = False"))
    return path


def cells_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_notebook_cells(course, bank):
    for name, scenarios in course_assignments(bank).items():
        cells = cells_of(course / "source" / name / f"{name}.ipynb")
        assert len(cells) == 3 + 3 * len(scenarios)
        header, checker, check = cells[0], cells[1], cells[-1]
        assert checker["metadata"]["nbgrader"]["locked"]
        assert "def _check_answer" in "".join(checker["source"])
        assert header["cell_type"] == "markdown" and 'q01 = "B"' in "".join(header["source"])
        assert check["metadata"]["nbgrader"]["locked"]
        check_source = "".join(check["source"])
        for number, scenario in enumerate(scenarios, start=1):
            q = f"q{number:02d}"
            question, answer, test = cells[3 * number - 1 : 3 * number + 2]
            tag = {"scenario": scenario.id, "question": q}
            assert (
                question["metadata"]["clientcraft"]
                == answer["metadata"]["clientcraft"]
                == test["metadata"]["clientcraft"]
                == tag
            )
            text = "".join(question["source"])
            assert question["metadata"]["nbgrader"] == {
                "grade": False,
                "grade_id": f"question-{q}",
                "locked": True,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
            assert scenario.question in text and all(
                f"**{o.key}.** {o.text}" in text for o in scenario.options
            )
            assert not any(o.feedback in text for o in scenario.options)
            assert (
                answer["metadata"]["nbgrader"]["solution"]
                and answer["metadata"]["nbgrader"]["grade_id"] == f"answer-{q}"
            )
            assert "".join(answer["source"]).startswith(answer_line(q) + "\n### BEGIN SOLUTION")
            meta = test["metadata"]["nbgrader"]
            assert (meta["grade"], meta["solution"], meta["grade_id"], meta["points"]) == (
                True,
                False,
                q,
                1,
            )
            key = read_key("".join(test["source"]))
            assert key.scenario == scenario.id and key.answer_cell == f"answer-{q}"
            assert [(o.key, o.credit, o.feedback) for o in key.options] == [
                (o.key, o.credit, o.feedback) for o in scenario.options
            ]
            assert f'"{q}": "{"".join(scenario.keys)}"' in check_source
        assert "credit" not in check_source


def snapshot(course: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(course)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(course.rglob("*"))
        if p.is_file()
    }


def test_unchanged_bank_rewrites_nothing(course, bank):
    before = snapshot(course)
    result = update_course(course, bank)
    assert result.written == [] and CONFIG_NAME in result.unchanged
    assert snapshot(course) == before


def test_output_is_byte_identical_across_courses(tmp_path, bank, course):
    other = fixed_course(tmp_path / "other", bank)
    assert {k: v[0] for k, v in snapshot(other).items() if k != COURSE_RECORD} == {
        k: v[0] for k, v in snapshot(course).items() if k != COURSE_RECORD
    }


def test_an_edited_config_is_never_overwritten(course, bank):
    config = course / CONFIG_NAME
    edited = config.read_text().replace(
        "c.GradeChoices.reveal_best = False", "c.GradeChoices.reveal_best = True"
    )
    config.write_text(edited)
    assert update_course(course, bank).notes == []  # all settings still present: nothing to say
    assert config.read_text() == edited
    stripped = "c = get_config()\nc.CourseDirectory.course_id = 'mine'\n"
    config.write_text(stripped)
    result = update_course(course, bank)
    assert config.read_text() == stripped
    (note,) = result.notes
    assert "edited by hand" in note and '"clientcraft.grading.GradeChoices"' in note
    assert "c.ClearSolutions.code_stub" in note
    assert "reveal_best" not in note and "optimistic_validation" not in note  # optional settings


def test_our_outdated_config_is_updated(course, bank):
    config = course / CONFIG_NAME
    config.unlink()
    result = update_course(course, bank)
    assert CONFIG_NAME in result.written and config.exists()


def change_a_question(bank_dir: Path) -> str:
    """Edit the first assessment scenario's question text in a bank copy; returns its topic."""
    for path in sorted(bank_dir.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if "pool: assessment" in text:
            start = text.index("pool: assessment")
            at = text.index("  question: ", start) + len("  question: ")
            path.write_text(text[:at] + "Honestly, " + text[at:], encoding="utf-8")
            return path.stem
    raise AssertionError("no assessment scenario in the bank")


def test_released_assignment_is_not_changed_without_force(tmp_path, bank_copy, capsys):
    course = tmp_path / "course"
    assert main(["nbgrader-course", str(course), "--bank", str(bank_copy)]) == 0
    topic = change_a_question(bank_copy)
    quiz = f"quiz-{topic}"
    released = course / "release" / quiz / f"{quiz}.ipynb"
    released.parent.mkdir(parents=True)
    released.write_text("{}")
    before = snapshot(course)
    capsys.readouterr()
    assert main(["nbgrader-course", str(course), "--bank", str(bank_copy)]) == 1
    err = capsys.readouterr().err
    assert f"assignment '{quiz}' is already released (release/{quiz}/ exists)" in err
    assert "q01" in err and "text or answer key changed" in err and "--force" in err
    assert snapshot(course) == before  # nothing written, not even 'final'
    assert main(["nbgrader-course", str(course), "--bank", str(bank_copy), "--force"]) == 0
    source = course / "source" / quiz / f"{quiz}.ipynb"
    assert "Honestly, " in source.read_text(encoding="utf-8")
    backups = list((course / "clientcraft-backup").rglob(f"{quiz}.ipynb"))
    assert [b.read_bytes() for b in backups] == [before[str(source.relative_to(course))][0]]
    assert released.read_text() == "{}"


def test_hand_edited_source_is_kept_unless_forced(course, bank, capsys):
    source = course / "source" / "final" / "final.ipynb"
    generated = source.read_bytes()
    nb = json.loads(generated)
    nb["cells"][0]["source"] = "# My own instructions"
    source.write_text(json.dumps(nb))
    edited = source.read_bytes()
    capsys.readouterr()
    assert main(["nbgrader-course", str(course), "--bank", str(bank.root)]) == 1
    err = capsys.readouterr().err
    assert "assignment 'final' was edited by hand" in err and "--force" in err
    assert source.read_bytes() == edited
    assert main(["nbgrader-course", str(course), "--bank", str(bank.root), "--force"]) == 0
    assert source.read_bytes() == generated
    assert [b.read_bytes() for b in (course / "clientcraft-backup").rglob("final.ipynb")] == [
        edited
    ]


def test_a_course_path_that_is_a_file_is_a_clear_error(tmp_path, bank, capsys):
    target = tmp_path / "course"
    target.write_text("not a folder")
    assert main(["nbgrader-course", str(target), "--bank", str(bank.root)]) == 1
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.slow
def test_the_key_is_not_in_the_installed_package(repo_root, bank, tmp_path):
    """The bank lives in exercises/, outside the package: the wheel pip builds, the thing that gets
    installed, carries no assessment text (situations, options, feedback)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(repo_root),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("clientcraft-*.whl")
    texts = {
        text[:60]
        for s in bank.pool("assessment")
        for text in (s.situation, *(o.text for o in s.options), *(o.feedback for o in s.options))
    }
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert any(name.endswith("clientcraft/grading.py") for name in names)
        assert not any("exercises/" in name for name in names)
        for name in names:
            content = archive.read(name).decode("utf-8", errors="replace")
            assert not any(text in content for text in texts), name


def test_check_cell_names_missing_and_invalid_answers_only(course, bank):
    """Run the notebook in a real kernel, as a learner would: the last cell lists what is missing or
    not a valid letter and says nothing about which answers are right."""
    import nbclient
    import nbformat

    nb = nbformat.read(course / "source" / "final" / "final.ipynb", as_version=4)
    scenarios = course_assignments(bank)["final"]
    answers = {
        "q01": f'q01 = "{scenarios[0].best.key.lower()}"',
        "q02": 'q02 = "Z"',
        "q03": "q03 = 3",
        "q04": f'q04 = " {scenarios[3].options[0].key} "',
    }
    for cell in nb.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id.startswith("answer-") and grade_id[7:] in answers:
            cell.source = answers[grade_id[7:]]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    failed = {
        cell.metadata["nbgrader"]["grade_id"]
        for cell in nb.cells
        if any(o.output_type == "error" for o in cell.get("outputs", []))
    }
    # Each question's test cell (what nbgrader's Validate runs) fails exactly the unusable answers.
    assert failed == {f"q{n:02d}" for n in range(2, len(scenarios) + 1)} - {"q04"}
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "q01:" not in out and "q04:" not in out
    assert "q02: 'Z' is not one of" in out and "q03: 3 is not one of" in out
    assert "q05: no answer yet (still None)" in out
    assert not any(o.feedback[:30] in out for s in scenarios for o in s.options)
    assert "right" not in out and "correct" not in out and "best" not in out
