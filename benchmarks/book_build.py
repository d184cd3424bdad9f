"""Book build times: cold, unchanged, after touching one module page, after editing one scenario.

Copies ``book/`` and ``exercises/`` to a temp folder and builds there with
:func:`clientcraft.book.build_book` (Sphinx's own output is kept out of the way). Each
incremental case also checks that the rebuilt page shows the change, so a build that skips work it
should do cannot look fast. Run: ``python -m benchmarks.book_build [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from clientcraft.bank import Scenario, load_bank
from clientcraft.book import build_book

REPO = Path(__file__).resolve().parents[1]


def timed_build(book: Path) -> float:
    """Seconds one build takes, with Sphinx's progress output swallowed."""
    sink = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        build_book(book)
    return time.perf_counter() - start


def fresh_copy(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO / "exercises", root / "exercises")
    return root / "book"


def measure(repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {
        "cold": [],
        "unchanged": [],
        "touch page": [],
        "edit scenario": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeat):
            book = fresh_copy(Path(tmp) / f"run{run}")
            bank_dir = book.parent / "exercises"
            scenario = load_bank(bank_dir).pool("practice", "trust")[0]
            page = book / "_build" / "html" / "modules" / "trust.html"
            times["cold"].append(timed_build(book))
            times["unchanged"].append(timed_build(book))

            cases: dict[str, Callable[[], str]] = {
                "touch page": partial(touch_page, book, scenario),
                "edit scenario": partial(edit_scenario, scenario, f"EDITED-{run}"),
            }
            for name, change in cases.items():
                time.sleep(0.01)  # a new mtime even on coarse file systems
                expected = change()
                times[name].append(timed_build(book))
                assert expected in page.read_text(encoding="utf-8"), f"{name}: page not rebuilt"
    return times


def touch_page(book: Path, scenario: Scenario) -> str:
    """Touch the module page; the rebuilt page still shows the scenario."""
    (book / "modules" / "trust.md").touch()
    return scenario.id


def edit_scenario(scenario: Scenario, marker: str) -> str:
    """Put ``marker`` at the start of the scenario's situation in the bank file."""
    target = scenario.where.path
    first_word = scenario.situation.split()[0]
    text = target.read_text(encoding="utf-8")
    at = text.index(first_word, text.index(f"id: {scenario.id}"))
    target.write_text(text[:at] + f"{marker} " + text[at:], encoding="utf-8")
    return marker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    args = parser.parse_args()
    bank = load_bank(REPO / "exercises")
    pages = len(list((REPO / "book").rglob("*.md")))
    print(
        f"book: {pages} pages, {len(bank.pool('practice'))} practice scenarios; "
        f"{args.repeat} run(s) per case"
    )
    for name, values in measure(args.repeat).items():
        print(
            f"{name:<14} median {statistics.median(values):6.2f} s   "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )


if __name__ == "__main__":
    main()
