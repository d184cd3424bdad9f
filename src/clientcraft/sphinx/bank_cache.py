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
from sphinx.errors import ExtensionError

from clientcraft.bank import SPECIAL_FILES, Bank, BankError, load_bank, scenario_files

_BANKS: WeakKeyDictionary[Sphinx, Bank] = WeakKeyDictionary()


class BankBuildError(ExtensionError):
    """The scenario bank cannot be loaded; ``problems`` are the bank's ``path:line`` lines."""

    category = "Scenario bank error"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the scenario bank (fix them and build "
                         "again):\n" + "\n".join(problems))


def bank_dir(app: Sphinx) -> Path:
    """The bank folder: ``clientcraft_bank`` relative to the book folder."""
    return (Path(app.srcdir) / app.config.clientcraft_bank).resolve()


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


def note_bank_dependency(env: BuildEnvironment) -> None:
    """Record that the current page renders exercises from the bank."""
    folder = bank_dir(env.app)
    for path in bank_files(folder):
        env.note_dependency(str(path))
    if not hasattr(env, "clientcraft_docs"):
        env.clientcraft_docs = set()
    env.clientcraft_docs.add(env.docname)


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "clientcraft_docs", set()).discard(docname)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str],
               other: BuildEnvironment) -> None:
    if not hasattr(env, "clientcraft_docs"):
        env.clientcraft_docs = set()
    env.clientcraft_docs |= getattr(other, "clientcraft_docs", set()) & docnames


def outdated_on_new_files(app: Sphinx, env: BuildEnvironment, added: set[str],
                          changed: set[str], removed: set[str]) -> list[str]:
    """Reread exercise pages when a scenario file was added to or removed from the bank.

    Edits to existing files are caught by Sphinx's dependency mtimes; a new file is not.
    """
    current = sorted(str(p) for p in bank_files(bank_dir(app)))
    previous = getattr(env, "clientcraft_files", None)
    env.clientcraft_files = current
    if previous is None or previous == current:
        return []
    return sorted(getattr(env, "clientcraft_docs", set()))
