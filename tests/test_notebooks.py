"""The generated practice notebooks: stable bytes, no assessment text, and they run in a real kernel."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from clientcraft.bank import Bank
from clientcraft.cli import main
from clientcraft.progress import ENV_VAR, ProgressStore
from clientcraft.render.notebooks import write_notebooks
from clientcraft.widgets import markdown_html

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted((REPO / "notebooks").glob("*.ipynb"))


def execute(path: Path, progress: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh python3 kernel, cwd = its folder, progress in tmp."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env={**os.environ, ENV_VAR: str(progress)})
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_regenerating_the_notebooks_changes_no_byte(bank: Bank, tmp_path: Path) -> None:
    written = write_notebooks(bank, tmp_path)
    assert [p.name for p in written] == [p.name for p in SHIPPED], (
        "notebooks/ is out of date: run `clientcraft build --notebooks`"
    )
    for fresh in written:
        assert fresh.read_bytes() == (REPO / "notebooks" / fresh.name).read_bytes(), (
            f"notebooks/{fresh.name} is out of date: run `clientcraft build --notebooks`"
        )


def test_one_notebook_per_module_plus_a_start_page(small_bank: Bank, tmp_path: Path) -> None:
    written = write_notebooks(small_bank, tmp_path / "out")
    assert [p.name for p in written] == ["00-start-here.ipynb"] + [
        f"{n:02d}-{t.id}.ipynb" for n, t in enumerate(small_bank.topics, start=1)
    ]
    for path in written:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
        assert nb.metadata.kernelspec.name == "python3"
        assert nb.cells[0].cell_type == "markdown"
        assert nb.cells[0].source.startswith("*Generated from `exercises/topics.yml`")
        assert nb.cells[0].source.endswith("by `clientcraft build --notebooks`; do not edit.*")
    trust = nbformat.read(written[1], as_version=4)
    assert "`exercises/fixture.yml`" in trust.cells[0].source
    recap = trust.cells[1].source
    assert recap.startswith("# Module 1: Earning and keeping trust")
    assert small_bank.topic("trust").summary in recap
    assert "- Keep delivering what the client relies on." in recap
    assert "- Keep the client the focus." in recap
    assert "(../book/_build/html/modules/trust.html)" in recap
    code = [c.source for c in trust.cells if c.cell_type == "code"]
    assert code == [
        "from clientcraft.bank import default_bank_dir\n"
        "from clientcraft.widgets import module_player\n\n"
        "module_player('trust', default_bank_dir())"
    ]
    start = "\n".join(c.source for c in nbformat.read(written[0], as_version=4).cells)
    assert "~/.clientcraft/progress.jsonl" in start and ENV_VAR in start
    assert "ProgressStore().reset()" in start
    for topic in small_bank.topics:
        assert f"[book page](../book/_build/html/modules/{topic.id}.html)" in start


def test_output_is_deterministic_with_fixed_cell_ids(small_bank: Bank, tmp_path: Path) -> None:
    first = [p.read_bytes() for p in write_notebooks(small_bank, tmp_path / "a")]
    second = [p.read_bytes() for p in write_notebooks(small_bank, tmp_path / "b")]
    assert first == second
    ids = [c["id"] for c in json.loads(first[1])["cells"]]
    assert ids == ["generated-note", "recap", "how-to", "player"]
    assert not list((tmp_path / "a").glob(".*partial"))


def assert_no_assessment_text(bank: Bank, text: str) -> None:
    """No assessment scenario's text in ``text``, neither as written nor as the players render it."""
    for scenario in bank.pool("assessment"):
        for part in (
            scenario.situation,
            scenario.question,
            scenario.takeaway,
            *(o.text for o in scenario.options),
            *(o.feedback for o in scenario.options),
        ):
            for form in (part, markdown_html(part).strip()[3:-4]):
                assert json.dumps(form, ensure_ascii=False)[1:-1] not in text, (
                    f"{scenario.id} leaks into the notebooks"
                )


def test_assessment_text_never_appears_in_the_notebooks(
    small_bank: Bank, bank: Bank, tmp_path: Path
) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in write_notebooks(small_bank, tmp_path))
    assert "SECRET-ASSESSMENT" not in text
    assert "Keep delivering what the client relies on." in text
    assert_no_assessment_text(bank, "".join(p.read_text(encoding="utf-8") for p in SHIPPED))


def test_cli_build_notebooks_writes_next_to_the_bank(small_bank_dir: Path, capsys) -> None:
    assert main(["build", "--notebooks", "--bank", str(small_bank_dir)]) == 0
    out_dir = small_bank_dir.parent / "notebooks"
    assert sorted(p.name for p in out_dir.glob("*.ipynb"))[:2] == [
        "00-start-here.ipynb",
        "01-trust.ipynb",
    ]
    assert f"wrote {out_dir / '01-trust.ipynb'}" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_notebook_runs_in_a_fresh_kernel(
    path: Path, bank: Bank, tmp_path: Path
) -> None:
    progress = tmp_path / "progress.jsonl"
    nb = execute(path, progress)
    assert_no_assessment_text(bank, json.dumps(nb, ensure_ascii=False))
    shown = outputs(nb)
    assert not [o for o in shown if o.output_type == "error"]
    if path.name.startswith("00-"):
        assert any("No progress yet" in o.get("text", "") for o in shown)
    else:
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)
    assert not progress.exists(), "running a notebook must not invent answers"


@pytest.mark.slow
def test_generated_notebooks_play_practice_only_and_chart_progress(
    small_bank: Bank, tmp_path: Path
) -> None:
    out_dir = small_bank.root.parent / "notebooks"
    write_notebooks(small_bank, out_dir)
    progress = tmp_path / "progress.jsonl"
    store = ProgressStore(progress)
    store.record(small_bank.scenario("fx-trust-report"), "C", 0.5)
    store.record(small_bank.scenario("fx-trust-report"), "B", 1.0)

    trust = json.dumps(execute(out_dir / "01-trust.ipynb", progress))
    assert "<strong>monthly report</strong>" in trust, "the player shows the practice scenario"
    assert "Previously: best 100 %, 2 attempts" in trust
    assert "SECRET-ASSESSMENT" not in trust

    start = execute(out_dir / "00-start-here.ipynb", progress)
    assert any("image/png" in o.get("data", {}) for o in outputs(start))
    assert "No progress yet" not in json.dumps(start)
