"""Is the file the writer has open still the file at the database's path?

Deleting (or replacing) `giftcord.db` under a running bot does not stop SQLite: the open
descriptor keeps the unlinked inode alive, every commit still succeeds — into a file nobody can
open again — and after a restart every acknowledged gift is gone. The writer therefore compares
the path's device and inode with the ones it opened after every batch, before it acknowledges
anything; one `os.stat` per batch (not per operation) is the whole cost.
"""

from __future__ import annotations

import os

from bot.storage.errors import StorageError

GONE_SENTENCE = (
    "giftcord's database is unavailable, so nothing was changed and nothing can be recorded "
    "until a server operator restores it."
)


class DatabaseFileGone(StorageError):
    """The database file was deleted or replaced while the bot ran: every write is refused."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(
            f"the database file {path} {what} while giftcord was running: every write is "
            "refused from now on (nothing more is acknowledged). To recover, stop giftcord, "
            f"put your latest `python -m bot backup` copy at {path} (if the file was moved, "
            "move it back instead), start giftcord again and run `python -m bot verify`",
            GONE_SENTENCE,
        )
        self.path, self.what = path, what

    def again(self) -> DatabaseFileGone:
        """A fresh copy for the next refused caller (re-raising one instance grows its
        traceback with every raise)."""
        return DatabaseFileGone(self.path, self.what)


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
