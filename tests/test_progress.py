"""The progress file: answers survive a restart, bad files are set aside (never lost), appends are safe."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from clientcraft.bank import Bank
from clientcraft.formats import percent
from clientcraft.progress import (
    ENV_VAR,
    ProgressStore,
    ProgressWarning,
    default_progress_path,
)

GOOD_LINE = (
    b'{"choice": "B", "credit": 1.0, "scenario": "fx-trust-report", '
    b'"timestamp": "2026-01-01T00:00:00+00:00", "topic": "trust"}\n'
)


def test_default_path_is_in_home_unless_env_var_overrides(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_progress_path() == tmp_path / "home" / ".clientcraft" / "progress.jsonl"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere.jsonl"))
    assert default_progress_path() == tmp_path / "elsewhere.jsonl"
    assert ProgressStore().path == tmp_path / "elsewhere.jsonl"
    assert ProgressStore(tmp_path / "arg.jsonl").path == tmp_path / "arg.jsonl"


def test_answers_survive_a_restart(small_bank: Bank, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "progress.jsonl"
    store = ProgressStore(path)
    report, personal = (
        small_bank.scenario("fx-trust-report"),
        small_bank.scenario("fx-trust-personal"),
    )
    store.record(report, "C", 0.5)
    store.record(report, "B", 1.0)
    store.record(personal, "B", 0.0)

    again = ProgressStore(path)
    assert again.attempts == store.attempts
    assert again.history("fx-trust-report").attempts == 2
    assert again.history("fx-trust-report").best == 1.0
    assert again.history("fx-trust-personal").best == 0.0
    assert again.history("fx-composure-angry") is None
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["scenario"], r["topic"], r["choice"], r["credit"]) for r in lines] == [
        ("fx-trust-report", "trust", "C", 0.5),
        ("fx-trust-report", "trust", "B", 1.0),
        ("fx-trust-personal", "trust", "B", 0.0),
    ]
    assert all(r["timestamp"].endswith("+00:00") for r in lines)


def test_best_by_topic_counts_untried_scenarios_as_zero(small_bank: Bank, tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.jsonl")
    store.record(small_bank.scenario("fx-trust-report"), "C", 0.5)
    store.record(small_bank.scenario("fx-trust-report"), "B", 1.0)
    per_topic = store.best_by_topic(small_bank.topics, small_bank.pool("practice"))
    assert per_topic["trust"] == (0.5, 1, 2)
    assert per_topic["composure"] == (0.0, 0, 1)
    assert per_topic["expectations"] == (0.0, 0, 0)
    assert percent(per_topic["trust"][0]) == "50 %"


BAD_CONTENT = {
    "bad JSON line": GOOD_LINE + b'{"choice": "B", "credit": \n',
    "not an object": GOOD_LINE + b"[1, 2, 3]\n",
    "missing field": b'{"choice": "B", "credit": 1, "scenario": "x", "topic": "trust"}\n',
    "credit as text": GOOD_LINE.replace(b"1.0", b'"full"'),
    "credit out of range": GOOD_LINE.replace(b"1.0", b"2"),
    "credit as boolean": GOOD_LINE.replace(b"1.0", b"true"),
    "scenario as number": GOOD_LINE.replace(b'"fx-trust-report"', b"17"),
    "binary junk": GOOD_LINE + bytes(range(256)) + b"\n",
    "cut-off last line": GOOD_LINE + GOOD_LINE[:40],
}


@pytest.mark.parametrize("content", BAD_CONTENT.values(), ids=BAD_CONTENT.keys())
def test_a_corrupt_file_is_moved_aside_and_a_fresh_one_started(
    content: bytes, small_bank: Bank, tmp_path: Path
) -> None:
    path = tmp_path / "progress.jsonl"
    path.write_bytes(content)
    with pytest.warns(ProgressWarning, match="progress.jsonl.corrupt-") as caught:
        store = ProgressStore(path)
    assert store.attempts == ()
    kept = sorted(tmp_path.glob("progress.jsonl.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content
    assert str(kept[0]) in str(caught[0].message)
    assert store.notes == [str(caught[0].message)]

    store.record(small_bank.scenario("fx-trust-report"), "A", 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh = ProgressStore(path)
    assert [a.choice for a in fresh.attempts] == ["A"]
    assert kept[0].read_bytes() == content


def test_every_corrupt_file_is_kept_even_in_the_same_second(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    for junk in (b"junk one\n", b"junk two\n", b"junk three\n"):
        path.write_bytes(junk)
        with pytest.warns(ProgressWarning):
            ProgressStore(path)
    kept = sorted(p.read_bytes() for p in tmp_path.glob("progress.jsonl.corrupt-*"))
    assert kept == sorted([b"junk one\n", b"junk two\n", b"junk three\n"])


def test_an_unreadable_path_is_moved_aside(small_bank: Bank, tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    path.mkdir()
    (path / "inside.txt").write_text("keep me", encoding="utf-8")
    with pytest.warns(ProgressWarning, match="cannot be read"):
        store = ProgressStore(path)
    (kept,) = tmp_path.glob("progress.jsonl.corrupt-*")
    assert (kept / "inside.txt").read_text(encoding="utf-8") == "keep me"
    store.record(small_bank.scenario("fx-trust-report"), "B", 1.0)
    assert ProgressStore(path).history("fx-trust-report").best == 1.0


OPEN_AS_LEARNER = """\
import sys, warnings
from clientcraft.progress import ProgressStore
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ProgressStore(sys.argv[1])
print("\\n".join(str(w.message) for w in caught))
"""


def test_a_file_without_read_permission_is_moved_aside(tmp_path: Path) -> None:
    """Root reads any file, so as root (CI) the store is opened by a process that has given up
    root's power to bypass file permissions (setpriv drops CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH), as an ordinary learner's server would."""
    path = tmp_path / "progress.jsonl"
    path.write_bytes(GOOD_LINE)
    path.chmod(0)
    if os.geteuid() == 0:
        result = subprocess.run(
            [
                "setpriv",
                "--bounding-set=-dac_override,-dac_read_search",
                sys.executable,
                "-c",
                OPEN_AS_LEARNER,
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "cannot be read" in result.stdout, result.stdout + result.stderr
    else:
        with pytest.warns(ProgressWarning, match="cannot be read"):
            ProgressStore(path)
    (kept,) = tmp_path.glob("progress.jsonl.corrupt-*")
    kept.chmod(0o600)
    assert kept.read_bytes() == GOOD_LINE


def test_a_failed_save_warns_and_keeps_the_answer_for_the_session(
    small_bank: Bank, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the progress folder should be", encoding="utf-8")
    store = ProgressStore(blocker / "progress.jsonl")
    with pytest.warns(ProgressWarning, match="Could not save your answer"):
        store.record(small_bank.scenario("fx-trust-report"), "B", 1.0)
    assert store.history("fx-trust-report").best == 1.0
    assert blocker.read_text(encoding="utf-8") == "a file where the progress folder should be"


def test_reset_moves_the_file_aside_and_starts_over(small_bank: Bank, tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    store = ProgressStore(path)
    store.record(small_bank.scenario("fx-trust-report"), "B", 1.0)
    before = path.read_bytes()
    kept = store.reset()
    assert kept is not None and kept.name.startswith("progress.jsonl.reset-")
    assert kept.read_bytes() == before
    assert not path.exists()
    assert store.attempts == () and ProgressStore(path).attempts == ()
    assert ProgressStore(tmp_path / "never.jsonl").reset() is None


def _append_many(path: str, bank_dir: str, worker: int, count: int) -> None:
    from clientcraft.bank import load_bank

    scenario = load_bank(bank_dir).scenario("fx-trust-report")
    store = ProgressStore(path)
    for index in range(count):
        store.record(scenario, f"W{worker}-{index}", (index % 3) / 2)


def test_concurrent_appends_do_not_corrupt_the_file(small_bank: Bank, tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_append_many, args=(str(path), str(small_bank.root), w, 150))
        for w in range(4)
    ]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(60)
        assert proc.exitcode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = ProgressStore(path)
    choices = {a.choice for a in store.attempts}
    assert len(store.attempts) == 600
    assert choices == {f"W{w}-{i}" for w in range(4) for i in range(150)}
