"""What learners' servers on a hub get from the bank: its practice scenarios, never the graded ones.

The practice notebooks find their bank as ``exercises/`` in their folder or a parent. On a hub the
learners must not read the real bank: its assessment pool holds the graded questions and their
keys. :func:`write_practice_bank` writes a copy without the assessment scenarios, which
``deploy/jupyterhub/jupyterhub_config.py`` links into each learner's home as ``~/exercises``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from clientcraft.bank import SPECIAL_FILES, Bank, load_bank, scenario_files
from clientcraft.errors import ClientcraftError


def write_practice_bank(bank_dir: Path, dest: Path) -> Bank:
    """Write ``bank_dir`` without its assessment scenarios to ``dest`` (replacing what was there)
    and return it loaded, so a bank that would not load never replaces a working one."""
    bank_dir = Path(bank_dir).resolve()
    load_bank(bank_dir)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for name in SPECIAL_FILES:
            shutil.copyfile(bank_dir / name, staging / name)
        sources = yaml.safe_load((bank_dir / "sources.yml").read_text(encoding="utf-8"))
        if sources.get("seeds_dir"):
            sources["seeds_dir"] = str((bank_dir / sources["seeds_dir"]).resolve())
        _dump(staging / "sources.yml", sources)
        for path in scenario_files(bank_dir):
            scenarios = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            practice = [s for s in scenarios if s.get("pool") != "assessment"]
            _dump(staging / path.name, practice)
        bank = load_bank(staging)
        if bank.pool("assessment"):
            raise ClientcraftError(f"{dest}: the practice copy still holds assessment scenarios")
        staging.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_bank(dest)


def _dump(path: Path, data: object) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"# Practice-only copy written by clientcraft.hub; do not edit.\n{text}")
