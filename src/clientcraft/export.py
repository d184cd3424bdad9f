"""``clientcraft export``: pick the scenarios to export and write one LMS file atomically.

The formats themselves are rendered by :mod:`clientcraft.render.moodle`, ``gift``, ``qti`` (question
banks) and ``scorm`` (the book as a SCORM 1.2 package); this module checks the request (format, pool,
topics, output path) and turns every problem into a :class:`ClientcraftError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clientcraft.bank import POOLS, Bank, Scenario
from clientcraft.errors import ClientcraftError
from clientcraft.files import write_atomic_with

FORMATS = ("scorm", "moodle-xml", "gift", "qti")
POOL_CHOICES = (*POOLS, "all")
SUFFIXES = {"scorm": ".zip", "moodle-xml": ".xml", "gift": ".gift.txt", "qti": ".zip"}


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


def write_atomically(out: Path, write: Callable[[Path], None]) -> bool:
    """Run ``write`` on a temporary file next to ``out``, then move it into place.

    Returns True when an existing file was replaced. A failed export leaves no partial file and
    any earlier file at ``out`` untouched.
    """
    out = Path(out)
    if out.is_dir():
        raise ClientcraftError(f"{out}: is a folder (give a file name, e.g. {out / 'course.zip'})")
    existed = out.exists()
    try:
        write_atomic_with(out, write)
    except OSError as exc:
        raise ClientcraftError(
            f"{out}: cannot write here: {exc.strerror or exc} (choose a writable path with --out)"
        ) from None
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
