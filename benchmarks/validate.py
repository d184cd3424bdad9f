"""How long ``clientcraft validate`` takes on a 2,000-scenario bank (target: < 1 s beyond start-up).

Builds the bank in a temp dir (the shipped topics, claims and sources, plus 8 files of 250 generated
scenarios), then times (a) ``load_bank`` in-process, best of 5, and (b) the real console command
against ``python -c pass`` so interpreter start-up can be subtracted.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from clientcraft.bank import load_bank

REPO = Path(__file__).resolve().parents[1]
N_SCENARIOS = 2000


def make_bank(dest: Path) -> None:
    """Copy the shipped metadata files and write N_SCENARIOS valid scenarios spread over the topics."""
    for name in ("topics.yml", "claims.yml", "sources.yml"):
        shutil.copy(REPO / "exercises" / name, dest / name)
    topics = [t["id"] for t in yaml.safe_load((dest / "topics.yml").read_text(encoding="utf-8"))]
    claims = yaml.safe_load((dest / "claims.yml").read_text(encoding="utf-8"))
    per_topic = N_SCENARIOS // len(topics)
    for topic in topics:
        scenarios = []
        for i in range(per_topic):
            claim = claims[i % len(claims)]
            scenarios.append(
                {
                    "id": f"{topic}-bench-{i:04d}",
                    "topic": topic,
                    "pool": "practice" if i % 3 else "assessment",
                    "source": {"article": claim["article"], "section": claim["section"]},
                    "claims": [claim["id"]],
                    "situation": "A client of a small web agency asks for something. " * 4,
                    "question": "What do you do?",
                    "options": [
                        {
                            "key": k,
                            "text": f"Option {k} text that is long enough to be real.",
                            "credit": c,
                            "feedback": "Because the article says so, paraphrased. " * 2,
                            "consequence": "Something happens next.",
                        }
                        for k, c in zip("ABCD", (0, 1, 0.5, 0), strict=False)
                    ],
                    "takeaway": "One line lesson.",
                }
            )
        (dest / f"{topic}.yml").write_text(
            yaml.safe_dump(scenarios, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def timed(cmd: list[str], repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return min(runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bank_dir = Path(tmp)
        make_bank(bank_dir)
        loads = []
        for _ in range(5):
            start = time.perf_counter()
            bank = load_bank(bank_dir)
            loads.append(time.perf_counter() - start)
        assert len(bank.scenarios) == N_SCENARIOS
        command = timed(
            [sys.executable, "-m", "clientcraft.cli", "validate", "--bank", str(bank_dir)]
        )
        startup = timed([sys.executable, "-c", "import clientcraft.cli"])
        print(f"scenarios: {N_SCENARIOS}")
        print(
            f"load_bank in-process: best {min(loads):.3f} s, median {statistics.median(loads):.3f} s"
        )
        print(
            f"clientcraft validate command: {command:.3f} s; interpreter + imports: {startup:.3f} s"
        )
        print(f"validate work beyond start-up: {command - startup:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
