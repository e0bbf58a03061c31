"""One process per SQLite file: an exclusive `flock` on `<database>.lock`, held for the ledger's
lifetime (product.md §6: a second process on the same file is refused at start-up).

Why a lock file and not SQLite's own locks: SQLite locks a transaction, not a process, so two
bots on one file both run (the ledger stays right, but combo windows, event boards and battles
live in each process's memory and split). Why `flock`: the kernel drops it when the process
dies, however it dies — a SIGKILLed bot never blocks its own restart, and there is no stale
lock to clean up by hand. The file itself is never deleted: removing a lock file while another
process may be about to lock it is how two processes end up holding "the" lock.

Only openers that write take it (`run`, `migrate`); `verify`, `backup` and `export` read a WAL
snapshot and never do, so they keep working while the bot runs.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os

from bot.storage.errors import StorageError


def lock_path(db_path: str) -> str:
    return db_path + ".lock"


class DatabaseLock:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise a StorageError naming the process that holds it."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f" (process {holder})" if holder else ""
            raise StorageError(
                f"another giftcord process{who} is already running on the database "
                f"{self.db_path} (it holds {self.path}); stop it first — one SQLite file "
                "serves one giftcord process"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StorageError(f"cannot lock {self.path}: {exc.strerror}") from None
        # The holder's pid, for the sentence the next process prints; best effort (the lock,
        # not this text, is what refuses the second process).
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise StorageError(f"cannot create the lock file {self.path}: {exc}") from None
        # A read-only folder: an existing lock file can still be locked (flock needs no write
        # access); without one, this folder cannot hold giftcord's WAL files either.
        try:
            return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            raise StorageError(
                f"the folder of the database {self.db_path} is read-only: giftcord must be "
                f"able to create {self.path} and the database's -wal/-shm files there — fix "
                "its permissions (or point database.url elsewhere) and start again"
            ) from None


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
