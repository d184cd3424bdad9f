"""JupyterHub for a pilot cohort of clientcraft on one machine.

One Unix account per person (``add-accounts.sh``), logged in with their system password (PAM),
each server started as that account (LocalProcessSpawner). nbgrader's own shared-folder exchange
(``setup-exchange.sh``) then keeps learners apart through file ownership and permissions.

The instructor's server runs nbgrader's formgrader on the course folder; learners' servers have
the Assignments tab (fetch, validate, submit, fetch feedback) and the practice notebooks, but no
formgrader. Everything course-specific comes from ``CLIENTCRAFT_HUB_*`` environment variables
(defaults below), so this file is used unchanged. Start it as root from a folder only root can
read (it keeps the hub's database and cookie secret there)::

    CLIENTCRAFT_HUB_ROSTER=/srv/nbgrader/students.csv jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
"""

import csv
import os
import shutil
import sys
from pathlib import Path

from clientcraft.hub import write_practice_bank

c = get_config()  # noqa: F821 (provided by JupyterHub)

HERE = Path(__file__).resolve().parent


def setting(name: str, default: str) -> str:
    return os.environ.get(f"CLIENTCRAFT_HUB_{name}", default)


INSTRUCTOR = setting("INSTRUCTOR", "instructor")
COURSE_ID = setting("COURSE_ID", "clientcraft")
EXCHANGE = setting("EXCHANGE", "/srv/nbgrader/exchange")
COURSE_DIR = setting("COURSE_DIR", "course")  # inside the instructor's home
ROSTER = Path(setting("ROSTER", "/srv/nbgrader/students.csv"))
NOTEBOOKS = Path(setting("NOTEBOOKS", str(HERE.parents[1] / "notebooks")))
# The practice notebooks read the bank at ~/exercises: learners get a copy without the assessment
# scenarios (the graded questions and their keys), rewritten from BANK at every hub start.
BANK = Path(setting("BANK", str(HERE.parents[1] / "exercises")))
PRACTICE_BANK = Path(setting("PRACTICE_BANK", "/srv/clientcraft/practice-bank/exercises"))
# The Python environment of everyone's server (clientcraft, nbgrader, JupyterLab): one that every
# account may run, e.g. a venv of Debian's /usr/bin/python3 under /opt, never one in root's home.
ENV = Path(setting("ENV", sys.prefix))
# The role folders (learner/, instructor/) each server's JUPYTER_CONFIG_PATH points to; every
# account must be able to read them.
ROLE_CONFIG = Path(setting("ROLE_CONFIG", str(HERE)))


def roster_ids(path: Path) -> set[str]:
    """The learners' account names: the ``id`` column of the roster ``nbgrader db student import``
    reads, so the hub admits exactly the learners the gradebook knows."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        sys.exit(f"{path}: cannot read the roster ({exc}); set CLIENTCRAFT_HUB_ROSTER")
    if rows and "id" not in rows[0]:
        sys.exit(f"{path}:1: the roster has no 'id' column")
    return {row["id"].strip() for row in rows if row["id"].strip()}


LEARNERS = roster_ids(ROSTER)
write_practice_bank(BANK, PRACTICE_BANK)

c.JupyterHub.bind_url = setting("URL", "http://127.0.0.1:8000")
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = LEARNERS | {INSTRUCTOR}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
# A server's environment is exactly what pre_spawn_hook gives it, not the hub's (root's) own.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(proxy)]


def copy_practice_notebooks(home: Path, uid: int, gid: int) -> None:
    """A learner's own copy of the practice notebooks, made once: ``~/notebooks`` is theirs to
    run and change, and never overwritten (a later rebuild does not touch it). ``~/exercises``
    links to the practice bank the notebooks read."""
    bank = home / "exercises"
    if not bank.exists() and not bank.is_symlink():
        bank.symlink_to(PRACTICE_BANK)
        os.lchown(bank, uid, gid)
    dest = home / "notebooks"
    if dest.exists() or not NOTEBOOKS.is_dir():
        return
    shutil.copytree(NOTEBOOKS, dest)
    for path in [dest, *dest.rglob("*")]:
        os.chown(path, uid, gid)


def pre_spawn_hook(spawner) -> None:  # type: ignore[no-untyped-def]
    """Each server gets its role's Jupyter config (``instructor/`` or ``learner/``: nbgrader's
    exchange settings, and formgrader only for the instructor) and the course's settings."""
    import pwd

    name = spawner.user.name
    role = "instructor" if name == INSTRUCTOR else "learner"
    spawner.environment.update(
        PATH=f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        JUPYTER_CONFIG_PATH=str(ROLE_CONFIG / role),
        CLIENTCRAFT_COURSE_ID=COURSE_ID,
        CLIENTCRAFT_EXCHANGE=EXCHANGE,
        CLIENTCRAFT_COURSE_DIR=COURSE_DIR,
    )
    if role == "learner":
        account = pwd.getpwnam(name)
        copy_practice_notebooks(Path(account.pw_dir), account.pw_uid, account.pw_gid)


c.Spawner.pre_spawn_hook = pre_spawn_hook
