"""Storage faults, loud and safe (docs/reliability.md §8).

A `StorageError` is an `EconomyError`, so the reply mapper shows its user-safe `message` and the
member learns that nothing was changed; the operator reads `operator_detail` in the log.
"""

from __future__ import annotations

import sqlite3

from bot.economy.errors import EconomyError

USER_SENTENCE = (
    "giftcord can't write to its database right now — nothing was changed. Please try again later."
)

# Primary SQLite result codes (the low byte of an extended code).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

# Errors that are about the database file, not about one operation: they fail the whole batch.
FILE_FAULTS = frozenset(
    {
        SQLITE_BUSY,
        SQLITE_LOCKED,
        SQLITE_READONLY,
        SQLITE_IOERR,
        SQLITE_CORRUPT,
        SQLITE_FULL,
        SQLITE_CANTOPEN,
        SQLITE_NOTADB,
    }
)


class StorageError(EconomyError):
    """The database could not do its job. Nothing was written for the caller that receives it."""

    def __init__(self, operator_detail: str, message: str = USER_SENTENCE) -> None:
        super().__init__(message)
        self.operator_detail = operator_detail

    def __str__(self) -> str:
        return self.operator_detail


class CorruptDatabase(StorageError):
    """The database file is damaged or not a database: giftcord refuses to run on it."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"the database file {path} is damaged ({detail}). Stop giftcord, move the damaged "
            f"file (and any {path}-wal / {path}-shm next to it) aside, copy your latest "
            f"`python -m bot backup PATH` file to {path}, then run `python -m bot verify`."
        )
        self.path = path


def primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_file_fault(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and primary_code(exc) in FILE_FAULTS


def storage_error(exc: BaseException, path: str) -> StorageError:
    """Translate a sqlite3 exception into a StorageError naming the cause for the operator."""
    if isinstance(exc, StorageError):
        return exc
    code = primary_code(exc)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return CorruptDatabase(path, str(exc))
    why = {
        SQLITE_FULL: "the disk (or the database's page limit) is full",
        SQLITE_READONLY: "the database file or its directory is read-only",
        SQLITE_BUSY: "the database stayed locked by another process past the busy timeout",
        SQLITE_LOCKED: "the database is locked",
        SQLITE_IOERR: "the operating system reported an I/O error",
        SQLITE_CANTOPEN: "the database file cannot be opened",
    }.get(code or -1, "the database operation failed")
    return StorageError(
        f"database {path}: {why} ({type(exc).__name__}: {exc}); nothing was written"
    )
