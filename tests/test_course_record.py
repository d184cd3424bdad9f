"""The course remembers what built it: ``clientcraft-course.json`` (the bank, the exchange's course
id), so ``clientcraft report COURSE_DIR`` works from any folder and the exchange's course id is in
``nbgrader_config.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clientcraft.course import (
    COURSE_RECORD,
    read_course_record,
    update_course,
    write_course_record,
)
from clientcraft.errors import ClientcraftError
from tests.support.nbgrader_cohort import (
    copy_bank,
    make_course,
    run_clientcraft,
    run_nbgrader,
    simulate_cohort,
)


def test_nbgrader_course_records_the_bank(tmp_path, bank):
    course = tmp_path / "course"
    update_course(course, bank)
    assert read_course_record(course)["bank"] == str(bank.root.resolve())
    assert "course_id" not in (course / "nbgrader_config.py").read_text(encoding="utf-8")


def test_the_record_keeps_keys_it_does_not_know(tmp_path, bank):
    course = tmp_path / "course"
    write_course_record(course, {"seed": 7})
    update_course(course, bank)
    assert read_course_record(course) == {"bank": str(bank.root.resolve()), "seed": 7}


def test_a_broken_record_is_a_clear_error(tmp_path, bank):
    course = tmp_path / "course"
    course.mkdir()
    (course / COURSE_RECORD).write_text("{not json", encoding="utf-8")
    with pytest.raises(ClientcraftError, match=COURSE_RECORD):
        update_course(course, bank)


def test_course_id_goes_into_the_config_and_is_kept(tmp_path, bank):
    course = tmp_path / "course"
    result = update_course(course, bank, course_id="onboarding-2026")
    config = (course / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "c.CourseDirectory.course_id = 'onboarding-2026'" in config
    assert any("c.Exchange.root" in note for note in result.notes)
    again = update_course(course, bank)  # no --course-id: the recorded one is kept
    assert "nbgrader_config.py" in again.unchanged
    assert read_course_record(course)["course_id"] == "onboarding-2026"


def test_an_edited_config_is_told_to_add_the_course_id(tmp_path, bank):
    course = tmp_path / "course"
    update_course(course, bank)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    result = update_course(course, bank, course_id="onboarding-2026")
    assert config.read_text(encoding="utf-8").endswith("# mine\n")
    (note,) = [n for n in result.notes if "edited by hand" in n]
    assert "c.CourseDirectory.course_id = 'onboarding-2026'" in note


@pytest.mark.slow
def test_report_runs_from_the_course_folder_and_anywhere_else(tmp_path):
    """The README's sequence: build the course, grade, then `clientcraft report COURSE_DIR` from
    inside the course and from an unrelated folder, with no --bank and no ./exercises."""
    bank_dir = copy_bank(tmp_path / "private-bank")
    course = make_course(tmp_path, bank_dir)
    simulate_cohort(course, "quiz-trust", 6, seed=3)
    run_nbgrader(course, "autograde", "quiz-trust")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, out in ((course, "reports-a"), (elsewhere, "reports-b")):
        proc = run_clientcraft("report", str(course), "--out", str(tmp_path / out), cwd=cwd)
        assert (tmp_path / out / "report.html").is_file(), proc.stderr
    moved = tmp_path / "moved-bank"
    bank_dir.rename(moved)
    proc = run_clientcraft("report", str(course), cwd=elsewhere, check=False)
    assert proc.returncode == 1
    assert COURSE_RECORD in proc.stderr and "pass --bank" in proc.stderr
    record = json.loads((course / COURSE_RECORD).read_text(encoding="utf-8"))
    assert Path(record["bank"]) == bank_dir.resolve()
