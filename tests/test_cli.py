"""The real ``clientcraft`` console script: exit codes, counts table, JSON, and errors without tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from clientcraft.bank import Bank

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
    sources = tmp_path / "exercises" / "sources.yml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "seeds_dir: ../../shared/seeds", f"seeds_dir: {repo_root.parent / 'shared' / 'seeds'}"
        ),
        encoding="utf-8",
    )
    result = run("validate", "--json", cwd=tmp_path / "deep" / "er")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] > 0
