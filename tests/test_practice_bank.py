"""The bank learners' servers get on the hub: every practice scenario, no graded one."""

from __future__ import annotations

import re

from clientcraft.hub import write_practice_bank


def test_the_practice_bank_has_every_practice_scenario_and_no_assessment(tmp_path, bank):
    dest = tmp_path / "practice" / "exercises"
    practice = write_practice_bank(bank.root, dest)
    assert [s.id for s in practice.pool("practice")] == [s.id for s in bank.pool("practice")]
    assert practice.pool("assessment") == ()
    text = re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in dest.iterdir()))
    for scenario in bank.pool("assessment"):
        assert scenario.id not in text
        assert re.sub(r"\s+", " ", scenario.situation).strip()[:80] not in text


def test_rewriting_replaces_the_old_copy(tmp_path, small_bank_dir):
    dest = tmp_path / "practice" / "exercises"
    dest.mkdir(parents=True)
    (dest / "stale.yml").write_text("[]\n", encoding="utf-8")
    practice = write_practice_bank(small_bank_dir, dest)
    assert not (dest / "stale.yml").exists()
    assert {s.id for s in practice.pool("practice")} == {
        "fx-trust-report",
        "fx-trust-personal",
        "fx-composure-angry",
    }
    assert "SECRET-ASSESSMENT" not in "".join(p.read_text() for p in dest.iterdir())
