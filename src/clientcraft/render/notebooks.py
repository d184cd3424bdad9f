"""Render the practice notebooks (``notebooks/``) from the bank: one per module plus a start page.

A pure function of the bank with byte-for-byte stable output (fixed cell ids, sorted keys, no
timestamps), so a test can regenerate them and compare. The notebooks hold no scenario text: their
code cells load the practice pool from the bank at run time, so assessment text can never get in.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from clientcraft.bank import Bank, Topic
from clientcraft.files import write_atomic
from clientcraft.layout import DEFAULT_BOOK_URL
from clientcraft.progress import ENV_VAR

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
START_HERE = "00-start-here.ipynb"


def notebook_name(bank: Bank, topic: Topic) -> str:
    """``NN-<topic-id>.ipynb``, numbered in course order from 01."""
    return f"{bank.topics.index(topic) + 1:02d}-{topic.id}.ipynb"


def _book_page(topic: Topic) -> str:
    return topic.page(DEFAULT_BOOK_URL)


def _markdown(cell_id: str, text: str) -> NotebookNode:
    cell: NotebookNode = nbformat.v4.new_markdown_cell(text.strip("\n"), id=cell_id)
    return cell


def _code(cell_id: str, text: str) -> NotebookNode:
    cell: NotebookNode = nbformat.v4.new_code_cell(text.strip("\n"), id=cell_id)
    return cell


def _generated_note(bank: Bank, files: list[str]) -> NotebookNode:
    names = ", ".join(f"`{bank.root.name}/{name}`" for name in files)
    return _markdown(
        "generated-note",
        f"*Generated from {names} by `clientcraft build --notebooks`; do not edit.*",
    )


def _notebook(cells: list[NotebookNode]) -> NotebookNode:
    nb: NotebookNode = nbformat.v4.new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return nb


def module_notebook(bank: Bank, topic: Topic) -> NotebookNode:
    """A module's notebook: recap (topic summary + practice takeaways), book link, the player."""
    practice = bank.pool("practice", topic.id)
    files = ["topics.yml", *sorted({s.where.path.name for s in practice})]
    takeaways = list(dict.fromkeys(s.takeaway for s in practice))
    recap = "\n".join(f"- {t}" for t in takeaways) or "- (no practice scenarios yet)"
    number = bank.topics.index(topic) + 1
    return _notebook(
        [
            _generated_note(bank, files),
            _markdown(
                "recap",
                f"""
# Module {number}: {topic.title}

{topic.summary}

**What the practice scenarios of this module teach:**

{recap}

Read the module in the book first: [{topic.title}]({_book_page(topic)}).
""",
            ),
            _markdown(
                "how-to",
                f"""
## Practice

Run the cell below (or *Run > Run All Cells*). For each scenario, pick an
answer and press **Check** to see its feedback, credit and the takeaway; **Try again** clears it.
**Previous** and **Next** move between scenarios; **Finish** shows a summary with what to review.
Your answers are saved (see [Start here]({START_HERE})).
""",
            ),
            _code(
                "player",
                f"""
from clientcraft.bank import default_bank_dir
from clientcraft.widgets import module_player

module_player({topic.id!r}, default_bank_dir())
""",
            ),
        ]
    )


def start_notebook(bank: Bank) -> NotebookNode:
    """The start page: how to use the notebooks, where progress is saved, modules, an overview."""
    rows = "\n".join(
        f"| {bank.topics.index(t) + 1} | {t.title} | {len(bank.pool('practice', t.id))} | "
        f"[{notebook_name(bank, t)}]({notebook_name(bank, t)}) | [book page]({_book_page(t)}) |"
        for t in bank.topics
    )
    return _notebook(
        [
            _generated_note(bank, ["topics.yml"]),
            _markdown(
                "intro",
                """
# Practice notebooks: start here

Each module of the course has a practice notebook with realistic client situations. Read the
module in the book, then open its notebook, run it, and answer the scenarios: every answer shows
its feedback, the credit it earns and the takeaway, and you can try again as often as you like.
These scenarios are for practice only; the graded quizzes use different ones.
""",
            ),
            _markdown(
                "how-to",
                """
## How to use the notebooks

1. Run `jupyter lab` in the course folder and open `notebooks/` (started there, the links to
   the book pages work too).
2. Open a module notebook below and run it (*Run > Run All Cells*).
3. Pick an answer, press **Check**, read the feedback; **Try again** to choose differently.
4. **Previous**/**Next** move between scenarios; **Finish** shows your score per module and the
   book pages to review.
""",
            ),
            _markdown(
                "progress",
                f"""
## Where your progress is saved

Every answer you check is added as one line to `~/.clientcraft/progress.jsonl` in your home folder.
To keep it somewhere else, set the environment variable `{ENV_VAR}` to a file path before starting
Jupyter. When you come back, each scenario shows your best score and how often you tried it.

To start over, run this in a cell (it moves the file aside as `progress.jsonl.reset-<time>`; nothing
is deleted):

```python
from clientcraft.progress import ProgressStore
ProgressStore().reset()
```

If the file is ever damaged, it is kept as `progress.jsonl.corrupt-<time>`, a note tells you so,
and a fresh file is started.
""",
            ),
            _markdown(
                "modules",
                f"""
## Modules

| # | Module | Practice scenarios | Notebook | Book |
|---|---|---|---|---|
{rows}
""",
            ),
            _markdown(
                "overview-title",
                """
## Your progress so far

Run the cell below for a chart of your best score per module.
""",
            ),
            _code(
                "overview",
                """
from clientcraft.bank import default_bank_dir
from clientcraft.widgets import show_overview

show_overview(default_bank_dir())
""",
            ),
        ]
    )


def _write(path: Path, nb: NotebookNode) -> None:
    """Write a notebook to a new file, then rename it over the old one (never half a file)."""
    nbformat.validate(nb)
    write_atomic(path, (nbformat.writes(nb) + "\n").encode("utf-8"))


def write_notebooks(bank: Bank, out_dir: Path | str) -> list[Path]:
    """Write ``00-start-here.ipynb`` and one ``NN-<topic>.ipynb`` per topic; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / START_HERE]
    _write(written[0], start_notebook(bank))
    for topic in bank.topics:
        path = out_dir / notebook_name(bank, topic)
        _write(path, module_notebook(bank, topic))
        written.append(path)
    return written
