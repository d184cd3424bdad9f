"""nbgrader's shared-folder exchange, hardened for one Unix account per learner.

nbgrader names a submission ``<student>+<assignment>+<time>+<random>`` in the exchange's
``inbound/`` folder. Two gaps remain with stock nbgrader 0.9 even with one account per learner:

- ``nbgrader submit --student=alice`` lets any account choose that name. Stock collect only warns
  ("cheating attempt?") and takes the newest folder per name, so bob could replace alice's
  submission with his own. :class:`OwnerCheckedCollect` collects, per learner on the roster, the
  newest submission their own account made (folder and every file in it) and logs an error for
  each forged one or one from an account not on the roster.
- Stock submit leaves the submission world-readable (files 0644, folder 0777), hidden only by its
  random name. :class:`PrivateSubmit` makes it readable by its owner and the instructor's group
  alone (the inbound folder is setgid to that group, see ``deploy/jupyterhub/setup-exchange.sh``),
  so even a leaked name gives another learner nothing: not the answers, not the secret that names
  the feedback file.

Enable them in the instructor's and the learners' ``nbgrader_config.py``::

    c.ExchangeFactory.collect = "clientcraft.exchange.OwnerCheckedCollect"  # instructor
    c.ExchangeFactory.submit = "clientcraft.exchange.PrivateSubmit"  # learners
"""

from __future__ import annotations

import os
import pwd
import tempfile
from datetime import datetime
from typing import Any

from nbgrader.api import Gradebook
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit

EPOCH = datetime(1970, 1, 1)  # nbgrader compares naive UTC times


def owner(path: str) -> str:
    """The account that owns ``path`` (its uid as text when no account has it)."""
    uid = os.lstat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def made_by(path: str, account: str) -> bool:
    """Whether ``path`` is a real folder that ``account`` owns, with nothing inside owned by another
    account and no symbolic links (a link could point at someone else's files)."""
    if os.path.islink(path) or not os.path.isdir(path) or owner(path) != account:
        return False
    for folder, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            item = os.path.join(folder, name)
            if os.path.islink(item) or owner(item) != account:
                return False
    return True


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that only takes a learner's submissions made by that learner's account."""

    src_records: list[dict[str, Any]]  # set by nbgrader's ExchangeCollect.init_src

    def _path_to_record(self, path: str) -> dict[str, Any]:
        try:
            record: dict[str, Any] = super()._path_to_record(path)
        except Exception as exc:  # noqa: BLE001 - nbgrader raises several kinds for a bad name
            self.log.error("Skipping %s: not a submission name nbgrader can read (%s)", path, exc)
            name = os.path.basename(path)
            return {"username": f"\0{name}", "filename": name, "timestamp": EPOCH, "ok": None}
        record["ok"] = made_by(path, record["username"])
        if not record["ok"]:
            self.log.error(
                "Refusing %s: it claims to be %s's submission, but the account %s made it "
                "(or something in it); it is not collected.",
                path,
                record["username"],
                owner(path),
            )
        return record

    def _sort_by_timestamp(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Genuine submissions first (newest first), so a forged one never hides a real one."""
        return sorted(records, key=lambda r: (bool(r["ok"]), r["timestamp"]), reverse=True)

    def copy_files(self) -> None:
        """Collect each learner's newest genuine submission; a learner with none gets nothing, and
        an account not on the roster (``nbgrader db student``) is refused rather than added."""
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            roster = {student.id for student in gb.students}
        kept = []
        for record in self.src_records:
            if record["ok"] and record["username"] not in roster:
                self.log.error(
                    "Refusing %s: %s is not on the course roster; add them with `nbgrader db "
                    "student add %s` (or import the roster) and collect again.",
                    record["filename"],
                    record["username"],
                    record["username"],
                )
            elif record["ok"]:
                kept.append(record)
        self.src_records = kept
        super().copy_files()


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose submission only its owner and the instructor's group can read.

    A file gets the instructor's group only by being created in a folder that passes its group on
    (the setgid inbound folder); stock submit writes ``timestamp.txt`` and
    ``submission_secret.txt`` after the copy has cleared that bit on the submission folder, so
    both are first created in the inbound folder and moved in, and stock then writes into them.
    """

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        super().do_copy(src, dest, log)
        if os.path.dirname(dest) != self.inbound_path:
            return  # the copy into the learner's own cache
        for name in ("timestamp.txt", "submission_secret.txt"):
            handle, placeholder = tempfile.mkstemp(dir=self.inbound_path, prefix=".submitting-")
            os.close(handle)
            os.replace(placeholder, os.path.join(dest, name))

    def copy_files(self) -> None:
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, dirs, files in os.walk(dest):
            for name in files:
                os.chmod(os.path.join(folder, name), 0o640)
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o770)
        os.chmod(dest, 0o770)
