"""A learner's practice progress: every answer appended to a JSON Lines file, read back on return.

One line per answer (``timestamp``, ``scenario``, ``topic``, ``choice``, ``credit``). The file lives
at ``~/.clientcraft/progress.jsonl`` unless ``CLIENTCRAFT_PROGRESS`` or an explicit path says
otherwise. Answers are appended with one ``write`` per line and fsynced, so two notebooks saving at
once cannot interleave lines. A file that cannot be read back is never deleted or overwritten: it is
renamed to ``progress.jsonl.corrupt-<timestamp>``, a warning says so, and a fresh file is started.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from clientcraft.bank import Scenario, Topic

ENV_VAR = "CLIENTCRAFT_PROGRESS"
FIELDS = ("timestamp", "scenario", "topic", "choice", "credit")


class ProgressWarning(UserWarning):
    """The progress file could not be used as it was; the message says what happened to it."""


@dataclass(frozen=True)
class Attempt:
    """One answer a learner checked: when, which scenario (and its topic), which option, what credit."""

    timestamp: str
    scenario: str
    topic: str
    choice: str
    credit: float


@dataclass(frozen=True)
class History:
    """What a learner did on one scenario so far."""

    attempts: int
    best: float


def default_progress_path() -> Path:
    """``$CLIENTCRAFT_PROGRESS`` if set, else ``~/.clientcraft/progress.jsonl``."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    return Path.home() / ".clientcraft" / "progress.jsonl"


def _utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")


def _parse_line(raw: bytes) -> Attempt:
    """One progress line as an :class:`Attempt`; ValueError says what is wrong with it."""
    record = json.loads(raw.decode("utf-8"))
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    missing = [name for name in FIELDS if name not in record]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    for name in ("timestamp", "scenario", "topic", "choice"):
        if not isinstance(record[name], str):
            raise ValueError(f"'{name}' is not text")
    credit = record["credit"]
    if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 <= credit <= 1:
        raise ValueError("'credit' is not a number from 0 to 1")
    return Attempt(
        record["timestamp"], record["scenario"], record["topic"], record["choice"], float(credit)
    )


class ProgressStore:
    """The answers saved in one progress file, plus appending new ones.

    ``notes`` collects what went wrong with the file (also raised as :class:`ProgressWarning`), so a
    widget can show it to the learner as well.
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path).expanduser() if path is not None else default_progress_path()
        self.notes: list[str] = []
        self._writable = True
        self._attempts: list[Attempt] = self._read()

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return tuple(self._attempts)

    def _warn(self, message: str) -> None:
        self.notes.append(message)
        warnings.warn(message, ProgressWarning, stacklevel=3)

    def _read(self) -> list[Attempt]:
        """Every saved answer; a file that cannot be read back is set aside and an empty list used."""
        if not os.path.lexists(self.path):
            return []
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            self._set_aside(f"cannot be read ({exc.strerror or exc})")
            return []
        attempts: list[Attempt] = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                attempts.append(_parse_line(raw))
            except (ValueError, UnicodeDecodeError) as exc:
                self._set_aside(f"line {number} is not a saved answer ({exc})")
                return []
        if data and not data.endswith(b"\n"):
            self._set_aside("its last line is cut off")
            return []
        return attempts

    def _set_aside(self, why: str) -> None:
        """Rename the unusable file to ``<name>.corrupt-<timestamp>`` (never delete it) and warn."""
        stamp = _utc_stamp()
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        suffix = 1
        while os.path.lexists(target):
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{suffix}")
            suffix += 1
        try:
            os.rename(self.path, target)
        except OSError as exc:
            self._warn(
                f"Progress file {self.path} {why} and could not be moved aside "
                f"({exc.strerror or exc}); answers from now on are not saved. Move or fix "
                "the file, or set CLIENTCRAFT_PROGRESS to another path."
            )
            self._writable = False
            return
        self._warn(
            f"Progress file {self.path} {why}; it was kept as {target} and a fresh progress "
            "file was started. Your earlier answers are in the kept file."
        )

    def record(
        self, scenario: Scenario, choice: str, credit: float, now: datetime | None = None
    ) -> Attempt:
        """Save one checked answer (append + fsync) and return it; a failed save warns, never raises."""
        attempt = Attempt(
            (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            scenario.id,
            scenario.topic,
            choice,
            float(credit),
        )
        self._attempts.append(attempt)
        if self._writable:
            line = json.dumps(asdict(attempt), sort_keys=True, ensure_ascii=False) + "\n"
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, line.encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                self._warn(
                    f"Could not save your answer to {self.path} ({exc.strerror or exc}); it "
                    "counts for this session only. Set CLIENTCRAFT_PROGRESS to a writable path."
                )
        return attempt

    def history(self, scenario_id: str) -> History | None:
        """Attempts and best credit on one scenario, or None if it was never answered."""
        credits = [a.credit for a in self._attempts if a.scenario == scenario_id]
        return History(len(credits), max(credits)) if credits else None

    def best_by_topic(
        self, topics: Iterable[Topic], scenarios: Iterable[Scenario]
    ) -> dict[str, tuple[float, int, int]]:
        """Per topic: mean best credit over its scenarios (untried count 0), tried count, total."""
        scenarios = tuple(scenarios)
        result: dict[str, tuple[float, int, int]] = {}
        for topic in topics:
            own = [s for s in scenarios if s.topic == topic.id]
            bests = [h.best for s in own if (h := self.history(s.id)) is not None]
            mean = math.fsum(bests) / len(own) if own else 0.0
            result[topic.id] = (mean, len(bests), len(own))
        return result

    def reset(self) -> Path | None:
        """Start over: move the file to ``<name>.reset-<timestamp>`` (kept, not deleted); return it."""
        self._attempts = []
        if not os.path.lexists(self.path):
            return None
        target = self.path.with_name(f"{self.path.name}.reset-{_utc_stamp()}")
        os.rename(self.path, target)
        return target
