"""The real ``clientcraft`` console script: exit codes, counts table, JSON, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clientcraft.bank import Bank, load_bank
from clientcraft.book import strict_by_default
from tests.support.books import small_book
from tests.support.paths import point_seeds_at_fixtures

CLI = [sys.executable, "-m", "clientcraft.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_validate_shipped_bank_shows_counts(repo_root: Path, bank: Bank) -> None:
    result = run("validate", cwd=repo_root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["topic", "practice", "assessment", "total"]
    for topic in bank.topics:
        row = next(line.split() for line in lines if line.split()[0] == topic.id)
        assert row[1:] == [
            str(len(bank.pool("practice", topic.id))),
            str(len(bank.pool("assessment", topic.id))),
            str(len([s for s in bank.scenarios if s.topic == topic.id])),
        ]
    assert next(line.split() for line in lines if line.startswith("all "))[-1] == str(
        len(bank.scenarios)
    )
    assert "item quality (assessment pool):" in lines


def test_validate_json(repo_root: Path, bank: Bank) -> None:
    result = run("validate", "--json", "--bank", str(repo_root / "exercises"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {key: data[key] for key in ("topics", "total")} == bank.counts()
    assert "blind_key" in data["quality"]["checks"]
    assert data["total"] == sum(sum(p.values()) for p in data["topics"].values())
    assert set(data["topics"]) == {t.id for t in bank.topics}


def test_validate_bad_bank_prints_lines_and_exits_1(bank_copy: Path) -> None:
    target = sorted(bank_copy.glob("trust.yml"))[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("feedback:", "feedbak:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "feedback:" in row)
    result = run("validate", "--bank", str(bank_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{target}:{line}: " in result.stderr
    assert "unknown field 'feedbak' (did you mean 'feedback'?)" in result.stderr
    assert result.stderr.rstrip().endswith("problem(s) found.")


def test_validate_yaml_error_has_no_traceback(bank_copy: Path) -> None:
    (bank_copy / "broken.yml").write_text("- id: x\n  topic: [trust\n", encoding="utf-8")
    result = run("validate", "--bank", str(bank_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bank_copy / 'broken.yml'}:" in result.stderr and "YAML syntax error" in result.stderr


def test_validate_finds_bank_from_a_subfolder(repo_root: Path, tmp_path: Path) -> None:
    shutil.copytree(repo_root / "exercises", tmp_path / "exercises")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    point_seeds_at_fixtures(tmp_path / "exercises" / "sources.yml")
    result = run("validate", "--json", cwd=tmp_path / "deep" / "er")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] > 0


def test_a_closed_pipe_ends_quietly(repo_root: Path) -> None:
    """`clientcraft validate --json | head` must not end in a BrokenPipeError traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `head` exits
    try:
        result = subprocess.run(
            [*CLI, "validate", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=repo_root,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.returncode == 128 + signal.SIGPIPE


def test_help_speaks_to_users() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "typical order:" in result.stdout and "clientcraft nbgrader-course" in result.stdout
    assert "renderer" not in result.stdout and "wires" not in result.stdout


def test_validate_prints_warnings_and_the_claims_line(bank_copy: Path) -> None:
    claims = bank_copy / "claims.yml"
    with claims.open("a", encoding="utf-8") as out:
        out.write(
            "- id: zz-unused-claim\n  article: 000_97ec9dda253dc4af.txt\n"
            "  section: Building client trust\n  text: A claim no scenario exercises.\n"
        )
    line = claims.read_text(encoding="utf-8").count("\n") - 3
    result = run("validate", "--bank", str(bank_copy))
    assert result.returncode == 0
    warnings = [
        w
        for w in result.stderr.splitlines()
        if w.startswith("warning: ") and "no scenario exercises this claim" in w
    ]
    assert (
        f"warning: {claims}:{line}: zz-unused-claim: no scenario exercises this claim"
        in "\n".join(warnings)
    )
    total = len(load_bank(bank_copy).claims)
    assert f"claims exercised: {total - len(warnings)} of {total}" in result.stdout


@pytest.mark.slow
def test_build_strict_fails_on_a_sphinx_warning_and_book_picks_the_folder(
    small_bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)  # CI makes every build strict (tested separately)
    book = small_book(small_bank_dir.parent, "See {doc}`no-such-page`.")
    loose = run("build", "--bank", str(small_bank_dir), "--book", str(book))
    assert loose.returncode == 0, loose.stderr
    assert (book / "_build" / "html" / "index.html").is_file()
    strict = run("build", "--strict", "--bank", str(small_bank_dir), "--book", str(book))
    assert strict.returncode == 1
    assert "fail a strict build" in strict.stderr


@pytest.mark.parametrize(
    ("value", "strict"), [("true", True), ("1", True), ("", False), ("0", False), ("false", False)]
)
def test_ci_builds_strictly_by_default(
    monkeypatch: pytest.MonkeyPatch, value: str, strict: bool
) -> None:
    monkeypatch.setenv("CI", value)
    assert strict_by_default() is strict


def test_no_bank_found_says_where_it_looked(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'exercises'}: not a folder" in result.stderr
    assert "Traceback" not in result.stderr
