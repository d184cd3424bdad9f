"""Time each practice notebook in a real kernel: start the kernel first, then time the execution.

Target: every module notebook runs in under 3 s once its kernel is up. Progress goes to a temporary
file (``CLIENTCRAFT_PROGRESS``) so the run does not touch the home folder.
Usage: ``python -m benchmarks.notebooks [notebooks-dir]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from tqdm import tqdm

from clientcraft.progress import ENV_VAR

TARGET_SECONDS = 3.0


def time_notebook(path: Path, env: dict[str, str]) -> tuple[float, float]:
    """(kernel start seconds, execution seconds) for one notebook in a fresh python3 kernel."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    started = time.perf_counter()
    with client.setup_kernel(env=env):
        ready = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        done = time.perf_counter()
    return ready - started, done - ready


def main() -> int:
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[1] / "notebooks"
    )
    paths = sorted(folder.glob("*.ipynb"))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, ENV_VAR: str(Path(tmp) / "progress.jsonl")}
        for path in tqdm(paths, desc="notebooks", unit="nb"):
            results.append((path.name, *time_notebook(path, env)))
    print(
        f"{'notebook':<32} {'kernel start s':>14} {'execution s':>11}  target < {TARGET_SECONDS:g} s"
    )
    over = 0
    for name, start, run in results:
        module = not name.startswith("00-")
        verdict = ("ok" if run < TARGET_SECONDS else "SLOW") if module else "(start page)"
        over += module and run >= TARGET_SECONDS
        print(f"{name:<32} {start:>14.2f} {run:>11.2f}  {verdict}")
    module_runs = [run for name, _, run in results if not name.startswith("00-")]
    if module_runs:
        print(
            f"module notebooks: max {max(module_runs):.2f} s, mean "
            f"{sum(module_runs) / len(module_runs):.2f} s, {over} over target"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
