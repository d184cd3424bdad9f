"""``clientcraft export``: pick the scenarios to export and write one LMS file atomically.

The formats themselves live in :mod:`moodle`, :mod:`gift`, :mod:`qti` (question banks) and
:mod:`scorm` (the book as a SCORM 1.2 package); this module checks the request (format, pool,
topics, output path) and turns every problem into a :class:`ClientcraftError`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clientcraft.bank import POOLS, Bank, Scenario
from clientcraft.errors import ClientcraftError

FORMATS = ("scorm", "moodle-xml", "gift", "qti")
POOL_CHOICES = (*POOLS, "all")
SUFFIXES = {"scorm": ".zip", "moodle-xml": ".xml", "gift": ".gift.txt", "qti": ".zip"}

# Moodle's grade fractions in percent: the only values its question bank accepts for an answer
# (question_bank::fraction_options_full(), positive half). GIFT imports are held to the same list.
MOODLE_FRACTIONS = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)


@dataclass(frozen=True)
class Selection:
    """What to export: the scenarios (bank order) of the chosen pool(s) and topics."""

    pool: str
    topics: tuple[str, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def has_answer_key_for_assessments(self) -> bool:
        return any(s.pool == "assessment" for s in self.scenarios)


def select(bank: Bank, fmt: str, pool: str, topics: Sequence[str] | None) -> Selection:
    """Check format, pool and topics against the bank; the scenarios they select."""
    problems: list[str] = []
    if fmt not in FORMATS:
        problems.append(f"unknown format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if pool not in POOL_CHOICES:
        problems.append(f"unknown pool '{pool}' (use one of: {', '.join(POOL_CHOICES)})")
    known = [t.id for t in bank.topics]
    unknown = [t for t in topics or () if t not in known]
    for topic in unknown:
        problems.append(
            f"{bank.root / 'topics.yml'}: unknown topic '{topic}' (use one of: {', '.join(known)})"
        )
    if fmt == "scorm" and pool != "practice":
        problems.append(
            f"--pool {pool}: a SCORM package holds the book, which shows only the practice "
            "pool (use --pool practice, or export assessments with moodle-xml, gift or qti)"
        )
    if problems:
        raise ClientcraftError(problems)
    wanted = tuple(dict.fromkeys(topics)) if topics else tuple(known)
    pools = POOLS if pool == "all" else (pool,)
    scenarios = tuple(s for s in bank.scenarios if s.pool in pools and s.topic in wanted)
    if not scenarios:
        raise ClientcraftError(
            f"no {pool} scenarios in topic(s) {', '.join(wanted)} (choose another --pool or --topic)"
        )
    return Selection(pool, wanted, scenarios)


def moodle_fraction(scenario: Scenario, key: str, credit: float) -> float:
    """An option's credit as one of Moodle's allowed fractions (percent), or a clear error."""
    percent = credit * 100
    for allowed in MOODLE_FRACTIONS:
        if abs(percent - allowed) < 0.001:
            return allowed
    listed = ", ".join(f"{f / 100:.5g}" for f in MOODLE_FRACTIONS)
    raise ClientcraftError(
        f"{scenario.where}: {scenario.id}: option {key} has credit {credit:g}, which Moodle "
        f"cannot store (its question bank allows only these credits: {listed}; "
        "change the credit to the nearest one)"
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(out: Path, write: Callable[[Path], None]) -> bool:
    """Run ``write`` on a temporary file next to ``out``, then move it into place.

    Returns True when an existing file was replaced. A failed export leaves no partial file and
    any earlier file at ``out`` untouched.
    """
    out = Path(out)
    if out.is_dir():
        raise ClientcraftError(f"{out}: is a folder (give a file name, e.g. {out / 'course.zip'})")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(handle)
    except OSError as exc:
        raise ClientcraftError(
            f"{out}: cannot write here: {exc.strerror or exc} (choose a writable path with --out)"
        ) from None
    tmp = Path(tmp_name)
    try:
        write(tmp)
        existed = out.exists()
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except OSError as exc:
        raise ClientcraftError(
            f"{out}: cannot write here: {exc.strerror or exc} (choose a writable path with --out)"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return existed


@dataclass(frozen=True)
class ExportResult:
    """What ``export`` wrote: a one-line summary and warnings for the person running it."""

    summary: str
    warnings: tuple[str, ...]


def export(
    bank: Bank,
    fmt: str,
    out: Path,
    pool: str = "practice",
    topics: Sequence[str] | None = None,
    book_dir: Path | None = None,
) -> ExportResult:
    """Write one export file; every problem is a :class:`ClientcraftError` (nothing half written)."""
    from clientcraft.book import strict_by_default
    from clientcraft.render import gift, moodle, qti, scorm

    selection = select(bank, fmt, pool, topics)
    scenarios = selection.scenarios
    modules = tuple(t for t in bank.topics if any(s.topic == t.id for s in scenarios))
    book = Path(book_dir) if book_dir else bank.root.parent / "book"
    writers: dict[str, Callable[[Path], None]] = {
        "scorm": lambda tmp: scorm.build_package(bank, book, modules, tmp, strict_by_default()),
        "moodle-xml": lambda tmp: _write_bytes(tmp, moodle.render(bank, scenarios)),
        "gift": lambda tmp: _write_bytes(tmp, gift.render(bank, scenarios)),
        "qti": lambda tmp: qti.write_package(bank, scenarios, tmp),
    }
    replaced = write_atomically(out, writers[fmt])
    if fmt == "scorm":
        summary = (
            f"SCORM 1.2 package, one SCO per module ({len(modules)}), "
            f"{len(scenarios)} practice scenarios"
        )
    else:
        summary = f"{len(scenarios)} questions in {len(modules)} topic(s), pool {pool}"
    warnings = [f"{out}: replaced the file that was there"] if replaced else []
    if selection.has_answer_key_for_assessments:
        count = sum(s.pool == "assessment" for s in scenarios)
        warnings.append(
            f"{out} contains the answer key of {count} assessment scenarios: import it into "
            "the LMS question bank, then delete it, and never share it with learners"
        )
    return ExportResult(summary, tuple(warnings))


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)
