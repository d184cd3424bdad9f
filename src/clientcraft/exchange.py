"""nbgrader's collect step, refusing submissions that one learner made in another's name.

nbgrader's shared-folder exchange names a submission ``<student>+<assignment>+<time>+<random>``,
and ``nbgrader submit --student=alice`` lets any account choose that name. Stock collect only
warns ("cheating attempt?") and then takes the newest folder per name, so bob could replace
alice's submission with his own. With one Unix account per learner the folder's owner says who
made it: :class:`OwnerCheckedCollect` collects, per learner, the newest submission that their own
account made (folder and every file in it), logs an error for each forged one, and skips folders
whose names nbgrader cannot read instead of aborting the whole collect.
Enable it in the instructor's ``nbgrader_config.py``::

    c.ExchangeFactory.collect = "clientcraft.exchange.OwnerCheckedCollect"
"""

from __future__ import annotations

import os
import pwd
from datetime import datetime
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect

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
        """Collect each learner's newest genuine submission; a learner with none gets nothing."""
        self.src_records = [r for r in self.src_records if r["ok"]]
        super().copy_files()
