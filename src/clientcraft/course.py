"""An nbgrader course folder on disk: create or update it from the bank without losing anyone's work.

:mod:`clientcraft.render.nbgrader` says what the assignments and the config should contain; this
module decides what may be written. Updating a course in use never touches learners' work
(``submitted/``, ``autograded/``, ``feedback/``, the gradebook), refuses to change an assignment that
was already released or edited by hand unless forced (and then keeps the old notebook under
``clientcraft-backup/``), and never overwrites an instructor's own ``nbgrader_config.py``: it says
which settings to add instead. All checks run before anything is written.

A new course gets a random seed in its course record (``clientcraft-course.json``, key ``seed``)
once, and with it per-learner variants (:mod:`clientcraft.variants`) unless ``nbgrader_config.py``
sets ``c.Variants.enabled = False``. A course made before variants existed has no seed and keeps
its fixed form.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clientcraft.bank import Bank
from clientcraft.errors import ClientcraftError
from clientcraft.files import write_atomic
from clientcraft.grading import AnswerKey, PoolKey, read_key
from clientcraft.naming import CONFIG_FILE, GRADEBOOK_FILE, METADATA_KEY
from clientcraft.render.nbgrader import (
    CONFIG_MARKER,
    OPTIONAL_SETTINGS,
    SAME_AS_STOCK,
    assessment_notebook,
    cells_hash,
    config_settings,
    config_text,
    course_assignments,
    notebook_bytes,
    variant_notebook,
)
from clientcraft.variants import Variants, variant_assignments

BACKUP_DIR = "clientcraft-backup"
LEARNER_DIRS = ("submitted", "autograded", "feedback")
COURSE_RECORD = "clientcraft-course.json"


def read_course_record(course: Path) -> dict[str, Any]:
    """What ``nbgrader-course`` recorded about the course (``bank``: the bank folder that built it,
    ``course_id``...); empty for a course made before the record existed."""
    path = Path(course) / COURSE_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ClientcraftError(
            f"{path}: cannot be read as JSON ({exc}); delete it and run `clientcraft "
            "nbgrader-course` again to rewrite it"
        ) from exc
    if not isinstance(record, dict):
        raise ClientcraftError(f"{path}: expected a JSON object; delete it and run again")
    return record


def recorded_bank(course: Path) -> Path | None:
    """The bank folder that built ``course``, as ``nbgrader-course`` recorded it (None if it did
    not); a clear error if that folder is gone."""
    recorded = read_course_record(course).get("bank")
    if recorded is None:
        return None
    if not (Path(recorded) / "topics.yml").is_file():
        raise ClientcraftError(
            f"{Path(course) / COURSE_RECORD}: the bank that built this course, {recorded}, is no "
            "longer there; pass --bank with the bank folder"
        )
    return Path(recorded)


def write_course_record(course: Path, record: dict[str, Any]) -> None:
    """Merge ``record``'s keys into the course record (other keys are kept) and write it atomically."""
    merged = {**read_course_record(course), **record}
    text = json.dumps(merged, indent=2, sort_keys=True) + "\n"
    path = Path(course) / COURSE_RECORD
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text.encode())


def variants_enabled(course: Path) -> bool:
    """``c.Variants.enabled`` of the course's ``nbgrader_config.py`` (True without one)."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (Path(course) / CONFIG_FILE).is_file():
        return True
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()
    except Exception as exc:  # the config is Python code; any error in it is the user's to fix
        raise ClientcraftError(
            f"{Path(course) / CONFIG_FILE}: fails to run: {exc} (fix the file)"
        ) from exc
    return bool(Variants(config=config).enabled)


def _is_new(course: Path) -> bool:
    """A course folder nothing has been generated or graded in yet."""
    return not (course / "source").exists() and not (course / GRADEBOOK_FILE).exists()


def _edited_by_hand(old: bytes) -> bool:
    """Whether a source notebook's cells differ from what clientcraft generated (or it is no
    notebook of ours at all)."""
    import nbformat

    try:
        # nbformat.reads joins the line lists that files store back into the strings we hashed.
        nb = nbformat.reads(old.decode("utf-8"), as_version=4)
        return bool(nb["metadata"][METADATA_KEY]["cells_sha256"] != cells_hash(nb["cells"]))
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return True


def _is_our_config(text: str) -> bool:
    body, _, last = text.rstrip("\n").rpartition("\n")
    if not last.startswith(CONFIG_MARKER):
        return False
    return last[len(CONFIG_MARKER) :].strip() == hashlib.sha256((body + "\n").encode()).hexdigest()


def _missing_settings(text: str, course_id: str | None = None) -> list[str]:
    """The settings the quizzes need that an instructor's config lacks (whitespace aside), as code
    to add; absent :data:`OPTIONAL_SETTINGS` are fine, and so is any of nbgrader's stock steps in
    place of its faster :data:`SAME_AS_STOCK` equivalent (they grade the same)."""

    def canonical(code: str) -> str:
        squeezed = "".join(code.split())
        for ours, stock in SAME_AS_STOCK.items():
            squeezed = squeezed.replace(ours, stock)
        return squeezed

    config = canonical(text)
    return [
        code
        for _, code in config_settings(course_id)
        if canonical(code) not in config and not code.startswith(OPTIONAL_SETTINGS)
    ]


def _released(course: Path, assignment: str) -> str | None:
    """Why ``assignment`` counts as released (learners may have it), or None if it does not."""
    if (course / "release" / assignment).exists():
        return f"release/{assignment}/ exists"
    for folder in LEARNER_DIRS:
        if any((course / folder).glob(f"*/{assignment}")):
            return f"{folder}/ holds learners' copies of it"
    db = course / GRADEBOOK_FILE
    if db.exists() and _in_gradebook(db, assignment):
        return "the gradebook has it (generate_assignment was run)"
    return None


def _in_gradebook(db: Path, assignment: str) -> bool:
    """Whether the gradebook lists ``assignment``; read-only, and True when it cannot be read."""
    from nbgrader.api import Gradebook, MissingEntry

    url = f"sqlite:///file:{db.resolve()}?mode=ro&uri=true"
    try:
        with Gradebook(url, course_id="") as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        return False
    except Exception:  # noqa: BLE001 - an unreadable gradebook must count as "in use"
        return True
    return True


def _questions(nb_json: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """``{question: (scenario id, canonical JSON of its cells)}`` of a source notebook."""
    found: dict[str, list[Any]] = {}
    scenario: dict[str, str] = {}
    for cell in nb_json.get("cells", []):
        tag = cell.get("metadata", {}).get(METADATA_KEY)
        if isinstance(tag, dict) and "question" in tag:
            found.setdefault(tag["question"], []).append(cell)
            scenario[tag["question"]] = str(tag.get("scenario") or f"slot {tag.get('slot')}")
    return {q: (scenario[q], json.dumps(cells, sort_keys=True)) for q, cells in found.items()}


def describe_change(old: bytes, new: bytes) -> str:
    """What regenerating would change in an assignment, in words an instructor can check."""
    try:
        before = _questions(json.loads(old))
    except (ValueError, UnicodeDecodeError):
        return "the existing notebook is not valid JSON and would be replaced"
    after = _questions(json.loads(new))
    changes = []
    for q in sorted(set(before) | set(after)):
        if q not in after:
            changes.append(f"{q} ({before[q][0]}) removed")
        elif q not in before:
            changes.append(f"{q} ({after[q][0]}) added")
        elif before[q][0] != after[q][0]:
            changes.append(f"{q} becomes {after[q][0]} (was {before[q][0]})")
        elif before[q][1] != after[q][1]:
            changes.append(f"{q} ({after[q][0]}) text or answer key changed")
    return "; ".join(changes) or "the instructions or notebook layout changed"


@dataclass
class CourseUpdate:
    """What one ``nbgrader-course`` run did: files written, left unchanged, notes for the user."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _back_up(course: Path, path: Path) -> Path:
    """Move a file about to be replaced to ``clientcraft-backup/`` (outside every assignment, so it is
    never released)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = course / BACKUP_DIR / stamp / path.relative_to(course)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, dest)
    return dest


def update_course(
    course: Path,
    bank: Bank,
    force: bool = False,
    course_id: str | None = None,
    variants: bool | None = None,
) -> CourseUpdate:
    """Create or update the nbgrader course at ``course`` from ``bank``; see the module docstring.
    ``variants`` overrides the course's ``c.Variants.enabled`` setting (None: use it).

    ``course_id`` names the course in nbgrader's exchange; it is recorded, so later runs keep it.
    All checks run before anything is written, so a refusal leaves the course exactly as it was.
    """
    course = Path(course)
    if course.exists() and not course.is_dir():
        raise ClientcraftError(f"{course}: exists and is not a folder (give a course folder)")
    course_id = course_id or read_course_record(course).get("course_id")
    result = CourseUpdate()
    record = read_course_record(course)
    new_seed = None
    if "seed" not in record and _is_new(course):
        new_seed = secrets.token_hex(16)
    seed = record.get("seed", new_seed)
    enabled = variants_enabled(course) if variants is None else variants
    use_variants = seed is not None and enabled
    if seed is None and enabled:
        result.notes.append(
            f"{course}: this course was made before per-learner variants, so every learner keeps "
            "the same fixed form; make a new course directory for variants"
        )
    plans: list[tuple[str, Path, bytes, bool]] = []
    refusals: list[str] = []
    for name, data in _assignment_bytes(bank, str(seed) if use_variants else None).items():
        path = course / "source" / name / f"{name}.ipynb"
        old = path.read_bytes() if path.exists() else None
        if old == data:
            result.unchanged.append(str(path.relative_to(course)))
            continue
        why = _released(course, name)
        if why and not force:
            refusals.append(
                f"{path}: assignment '{name}' is already released ({why}); this run would change it: "
                f"{describe_change(old or b'{}', data)}. Nothing was written. Pass --force to update "
                f"it anyway, then run `nbgrader generate_assignment {name} --force`."
            )
        elif old is not None and _edited_by_hand(old) and not force:
            refusals.append(
                f"{path}: assignment '{name}' was edited by hand since clientcraft wrote it; this run "
                f"would replace it: {describe_change(old, data)}. Nothing was written. Pass --force to "
                f"replace it (the edited notebook is kept under {BACKUP_DIR}/)."
            )
        plans.append(
            (name, path, data, old is not None and (why is not None or _edited_by_hand(old)))
        )
    if refusals:
        raise ClientcraftError(refusals)
    if not bank.pool("assessment"):
        result.notes.append(
            f"{bank.root}: the bank has no assessment scenarios, so there is nothing "
            "to grade (add scenarios with 'pool: assessment')"
        )
    if new_seed is not None:
        write_course_record(course, {**record, "seed": new_seed})
        result.written.append(COURSE_RECORD)
    for name, path, data, keep_old in plans:
        if keep_old:
            result.notes.append(
                f"{name}: previous notebook kept as {_back_up(course, path).relative_to(course)}"
            )
        write_atomic(path, data)
        result.written.append(str(path.relative_to(course)))
    _update_config(course, result, course_id)
    recorded: dict[str, Any] = {"bank": str(bank.root.resolve())}
    if course_id:
        recorded["course_id"] = course_id
        result.notes.append(
            f"course id '{course_id}': for nbgrader's exchange, also set up the exchange folder "
            "(deploy/jupyterhub/setup-exchange.sh) and give every learner's server "
            f"c.CourseDirectory.course_id = {course_id!r} and the same c.Exchange.root "
            "(see 'Running a cohort' in the README)"
        )
    write_course_record(course, recorded)
    return result


def _assignment_bytes(bank: Bank, seed: str | None) -> dict[str, bytes]:
    """Every assignment's source notebook as bytes: per-learner variants drawn from ``seed``, or
    the fixed form when it is None."""
    if seed is None:
        return {
            name: notebook_bytes(assessment_notebook(bank, name, scenarios))
            for name, scenarios in course_assignments(bank).items()
        }
    return {
        name: notebook_bytes(variant_notebook(bank, name, questions, seed))
        for name, questions in variant_assignments(bank).items()
    }


def _update_config(course: Path, result: CourseUpdate, course_id: str | None = None) -> None:
    path = course / CONFIG_FILE
    text = config_text(course_id)
    if not path.exists():
        write_atomic(path, text.encode())
        result.written.append(CONFIG_FILE)
        return
    current = path.read_text(encoding="utf-8", errors="replace")
    if current == text:
        result.unchanged.append(CONFIG_FILE)
    elif _is_our_config(current):
        write_atomic(path, text.encode())
        result.written.append(CONFIG_FILE)
    else:
        missing = _missing_settings(current, course_id)
        if missing:
            result.notes.append(
                f"{path}: edited by hand, so it was left alone; add these settings to it "
                "so the quizzes are graded without running learner code:\n" + "\n".join(missing)
            )
        else:
            result.unchanged.append(CONFIG_FILE)


def source_keys(course: Path, assignment: str) -> dict[str, AnswerKey | PoolKey]:
    """Question name -> answer key of one assignment, from its source notebook's test cells (the
    key the course grades with, whatever the bank says now)."""
    course = Path(course)
    if not (course / "source").is_dir():
        raise ClientcraftError(
            f"{course}: not a clientcraft course: it has no source/ folder (give the course folder "
            "made by 'clientcraft nbgrader-course')"
        )
    path = course / "source" / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        known = sorted(p.parent.name for p in (course / "source").glob("*/*.ipynb"))
        raise ClientcraftError(
            f"{path}: no assignment '{assignment}' in this course (known: {', '.join(known) or 'none'})"
        )
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ClientcraftError(f"{path}: not a readable notebook: {exc}") from exc
    keys: dict[str, AnswerKey | PoolKey] = {}
    for cell in cells:
        source = cell.get("source", "")
        key = read_key("".join(source) if isinstance(source, list) else source)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if key is not None and grade_id == key.question:
            keys[key.question] = key
    if not keys:
        raise ClientcraftError(f"{path}: no clientcraft questions in this notebook")
    return keys


def learner_keys(course: Path, assignment: str, student: str) -> list[AnswerKey]:
    """The questions ``student`` gets in ``assignment``, each keyed in their own letters, in
    question order (a fixed-form course: everyone's letters are the bank's)."""
    keys = source_keys(course, assignment)
    return [
        key.learner_key(student)[0] if isinstance(key, PoolKey) else key
        for _, key in sorted(keys.items())
    ]


def on_roster(course: Path, student: str) -> bool:
    """Whether the course's gradebook lists ``student`` (read-only; False without a gradebook)."""
    from nbgrader.api import Gradebook, MissingEntry

    db = Path(course) / GRADEBOOK_FILE
    if not db.is_file():
        return False
    with Gradebook(f"sqlite:///file:{db.resolve()}?mode=ro&uri=true", course_id="") as gb:
        try:
            gb.find_student(student)
        except MissingEntry:
            return False
    return True
