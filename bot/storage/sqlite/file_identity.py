"""Is the file the writer has open still the file at the database's path?

Deleting (or replacing) `giftcord.db` under a running bot does not stop SQLite: the open
descriptor keeps the unlinked inode alive, every commit still succeeds — into a file nobody can
open again — and after a restart every acknowledged gift is gone. The writer therefore compares
the path's device and inode with the ones it opened before every batch (and once more when it
closes); one `os.stat` per batch, not per operation, is the whole cost. Once the file is gone
nothing more runs, so nothing more is acknowledged. The writer still has the old file open
then, so it saves a copy of everything acknowledged (`rescue_copy`) before it reports the
loss: restoring that copy loses nothing.
"""

from __future__ import annotations

import os
import sqlite3
import time

from bot.storage.errors import StorageError

GONE_SENTENCE = (
    "giftcord's database is unavailable, so nothing was changed and nothing can be recorded "
    "until a server operator restores it."
)


class DatabaseFileGone(StorageError):
    """The database file was deleted or replaced while the bot ran: every write and every
    read is refused (a read would show balances from a file that is no longer the database)."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(
            f"the database file {path} {what} while giftcord was running: every write and "
            "read is refused from now on (nothing more is acknowledged)",
            GONE_SENTENCE,
        )
        self.path, self.what = path, what

    def again(self) -> DatabaseFileGone:
        """A fresh copy for the next refused caller (re-raising one instance grows its
        traceback with every raise)."""
        return DatabaseFileGone(self.path, self.what)


def rescue_copy(conn: sqlite3.Connection, path: str) -> str:
    """Copy the database `conn` still has open (its file no longer at `path`) next to `path`,
    with SQLite's backup API — it reads through the open descriptors, WAL included. Runs on the
    writer's thread, between batches. Returns the copy's path; raises if it cannot be written
    (say, the whole folder was deleted)."""
    dest = f"{path}.rescued-{time.strftime('%Y%m%dT%H%M%S')}"
    if os.path.exists(dest):
        dest = f"{dest}-{os.getpid()}"
    copy = sqlite3.connect(dest)
    try:
        conn.backup(copy)
    finally:
        copy.close()
    return dest


def loss_report(gone: DatabaseFileGone, rescued: str | None, failure: str | None) -> str:
    """The one loud log line: what happened and how to recover."""
    path = gone.path
    if rescued is not None:
        how = (
            f"Everything acknowledged until then is saved in {rescued}: stop giftcord, move "
            f"that file to {path} (delete any {path}-wal / {path}-shm first), start giftcord "
            "again and run `python -m bot verify`"
        )
    else:
        how = (
            f"A copy of the open file could not be saved ({failure}). To recover, stop "
            f"giftcord, put your latest `python -m bot backup` copy at {path} (if the file "
            "was moved, move it back instead), start giftcord again and run "
            "`python -m bot verify`"
        )
    return f"{gone.operator_detail}. {how}"


class FileIdentity:
    """(st_dev, st_ino) of the database file at open, checked against the path later."""

    def __init__(self, path: str) -> None:
        self.path = path
        st = os.stat(path)
        self._identity = (st.st_dev, st.st_ino)

    def check(self) -> None:
        """Raise DatabaseFileGone unless the path still names the file opened."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise DatabaseFileGone(self.path, "was deleted") from None
        except OSError as exc:
            raise DatabaseFileGone(
                self.path, f"can no longer be reached ({exc.strerror})"
            ) from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise DatabaseFileGone(self.path, "was replaced by another file")
