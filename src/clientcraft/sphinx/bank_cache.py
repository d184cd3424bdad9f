"""Load the scenario bank once per Sphinx build and tell Sphinx which pages depend on it.

The bank is read at ``builder-inited`` (so a broken bank stops the build before any page is
read, with the bank's own ``path:line`` messages) and kept for the rest of the build. Pages
that embed exercises record the bank files as dependencies, so editing the YAML rebuilds them.
"""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from clientcraft.bank import SPECIAL_FILES, Bank, BankError, load_bank, scenario_files
from clientcraft.sphinx.errors import BankBuildError

_BANKS: WeakKeyDictionary[Sphinx, Bank] = WeakKeyDictionary()
logger = logging.getLogger(__name__)


def bank_dir(app: Sphinx) -> Path:
    """The bank folder: ``clientcraft_bank`` relative to the book folder."""
    return (Path(app.srcdir) / str(app.config.clientcraft_bank)).resolve()


def bank_files(folder: Path) -> list[Path]:
    """Every YAML file of the bank a rendered exercise can depend on."""
    return [folder / name for name in SPECIAL_FILES] + scenario_files(folder)


def load(app: Sphinx) -> None:
    """``builder-inited``: load and validate the bank, or stop the build with its problems."""
    try:
        _BANKS[app] = load_bank(bank_dir(app))
    except BankError as exc:
        raise BankBuildError(exc.problems) from None


def bank_of(app: Sphinx) -> Bank:
    """The bank loaded for this build."""
    return _BANKS[app]


def _rendered(env: BuildEnvironment) -> dict[str, list[str]]:
    """Scenario ids rendered per page (kept in the environment between builds)."""
    # Our own attribute on Sphinx's environment, pickled with it between builds.
    if not hasattr(env, "clientcraft_rendered"):
        env.clientcraft_rendered = {}  # type: ignore[attr-defined]
    rendered: dict[str, list[str]] = env.clientcraft_rendered  # type: ignore[attr-defined]
    return rendered


def note_bank_dependency(env: BuildEnvironment) -> None:
    """Record that the current page renders exercises from the bank (rebuild it when it changes)."""
    for path in bank_files(bank_dir(env.app)):
        env.note_dependency(str(path))
    _rendered(env).setdefault(env.docname, [])


def note_rendered(env: BuildEnvironment, scenario_ids: list[str]) -> None:
    """Record which scenarios the current page shows."""
    _rendered(env).setdefault(env.docname, []).extend(scenario_ids)


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _rendered(env).pop(docname, None)


def merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    theirs = _rendered(other)
    _rendered(env).update({doc: theirs[doc] for doc in docnames if doc in theirs})


def check_each_scenario_once(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn when a scenario is rendered more than once in the book (it would repeat HTML ids)."""
    seen: dict[str, str] = {}
    for docname, ids in sorted(_rendered(env).items()):
        for scenario_id in ids:
            if scenario_id in seen:
                logger.warning(
                    "scenario '%s' is already rendered on %s; show each scenario "
                    "once (remove one scenario/scenarios directive)",
                    scenario_id,
                    seen[scenario_id],
                    location=docname,
                )
            else:
                seen[scenario_id] = docname


def outdated_on_new_files(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Reread exercise pages when a scenario file was added to or removed from the bank.

    Edits to existing files are caught by Sphinx's dependency mtimes; a new file is not.
    """
    current = sorted(str(p) for p in bank_files(bank_dir(app)))
    previous = getattr(env, "clientcraft_files", None)
    env.clientcraft_files = current  # type: ignore[attr-defined]
    if previous is None or previous == current:
        return []
    return sorted(_rendered(env))
