"""How long ``clientcraft export`` takes per format, and how big the files are.

Times each question-bank format (moodle-xml, gift, qti) in-process, best of 3, on the shipped bank
(``--pool all``) and on a generated 2,000-scenario bank (the one ``validate.py`` builds), then the
SCORM package of the shipped book once (it includes a full book build). Run:
``python -m benchmarks.export``.
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from benchmarks.validate import N_SCENARIOS, make_bank
from clientcraft.bank import load_bank
from clientcraft.export import export
from tests.support.paths import REPO

FORMATS = {"moodle-xml": "bank.xml", "gift": "bank.gift.txt", "qti": "qti.zip"}


def best_of(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def time_banks(label: str, bank_dir: Path, out_dir: Path) -> None:
    bank = load_bank(bank_dir)
    print(f"{label}: {len(bank.scenarios)} scenarios")
    for fmt, name in FORMATS.items():
        out = out_dir / f"{label}-{name}"
        seconds = best_of(3, lambda: export(bank, fmt, out, "all"))  # noqa: B023
        print(f"  {fmt:<10} {seconds:6.2f} s  {out.stat().st_size / 1e6:6.2f} MB")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        time_banks("shipped", REPO / "exercises", root)
        big = root / "big"
        big.mkdir()
        make_bank(big)
        time_banks(f"generated-{N_SCENARIOS}", big, root)
        out = root / "scorm.zip"
        bank = load_bank(REPO / "exercises")
        seconds = best_of(1, lambda: export(bank, "scorm", out))
        with zipfile.ZipFile(out) as archive:
            files = len(archive.namelist())
            unpacked = sum(i.file_size for i in archive.infolist())
        print(
            f"scorm (book build + zip): {seconds:.1f} s, {out.stat().st_size / 1e6:.1f} MB zipped, "
            f"{unpacked / 1e6:.1f} MB unpacked, {files} files"
        )


if __name__ == "__main__":
    main()
