"""Opening the SQLite file: URL → path, per-connection PRAGMAs, the start-up integrity check,
and the one-snapshot read wrapper."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from bot.storage.errors import (
    SQLITE_READONLY,
    CorruptDatabase,
    StorageError,
    primary_code,
    storage_error,
)
from bot.storage.sqlite.schema import LATEST, apply_migrations, schema_version

T = TypeVar("T")
SYNC_MODES = ("FULL", "EXTRA", "NORMAL", "OFF")


def setup_writer(conn: sqlite3.Connection, path: str, synchronous: str, busy_ms: int) -> int:
    try:
        return _setup_writer(conn, path, synchronous, busy_ms)
    except sqlite3.Error as exc:
        if primary_code(exc) != SQLITE_READONLY:
            raise
        # Whichever step met it first (WAL switch, migration, the probe below): one sentence.
        raise StorageError(
            f"the database {path} is read-only for this process ({exc}): giftcord must be able "
            "to write the file and create files in its folder — fix the permissions (or the "
            "mount), then start again"
        ) from None


def _setup_writer(conn: sqlite3.Connection, path: str, synchronous: str, busy_ms: int) -> int:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    open_check(conn, path)
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StorageError(f"database {path}: could not switch to WAL (journal_mode={mode})")
    # FULL: the WAL is fsynced at every commit, so an acknowledged batch survives power loss.
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    # An 8 MB page cache (was 32 MB: ~30 MB of RSS at 100k accounts) still holds the hot B-tree
    # pages a batch touches (accounts, the right edges of txns/entries).
    conn.execute("PRAGMA cache_size = -8192")
    # Checkpoints run beside the writer (checkpointer.py), not inside a commit; this threshold
    # (~200 MB of WAL) is only the safety net if that task ever stops.
    conn.execute("PRAGMA wal_autocheckpoint = 50000")
    before = schema_version(conn)
    apply_migrations(conn)
    writable_check(conn)
    return before


def writable_check(conn: sqlite3.Connection) -> None:
    """Refuse to start on a database this process cannot write, instead of reporting ready and
    then refusing every gift. SQLite opens a file it may not write (permissions, an immutable
    file, a read-only mount) read-only without a word, and an up-to-date WAL database needs no
    write to open — so write once, inside a transaction that is rolled back: setting
    `user_version` to its own value dirties page 1, which a read-only connection refuses
    with SQLITE_READONLY (BEGIN IMMEDIATE alone does not: it succeeds read-only)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"PRAGMA user_version = {schema_version(conn)}")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def open_check(conn: sqlite3.Connection, path: str) -> None:
    """Refuse, loudly and at once, to run on a file that is not a giftcord database or whose
    B-trees are visibly damaged — without reading the whole file.

    Why not `PRAGMA quick_check` here: it reads every page (1.8 s of a 2 s start-up budget on a
    314 MB file, and `quick_check(N)` only caps the errors it reports, not the pages it reads).
    Instead: the 16-byte SQLite header (a garbage file), the schema (page 1 and the schema
    B-tree), and the first and last row of every table (each table's root and edge leaves).
    Microseconds, whatever the size. What it cannot see — a bad page in the middle of a table —
    SQLite reports as SQLITE_CORRUPT when a query reaches it (a StorageError naming the restore
    command, nothing acknowledged), and the full `integrity_check` runs in `python -m bot verify`
    and before every `backup` is declared good.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        head = b""
    if head and head != b"SQLite format 3\x00":
        raise CorruptDatabase(path, "the file does not start with the SQLite header")
    tables = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (name,) in tables:
        quoted = '"' + name.replace('"', '""') + '"'
        # ORDER BY the primary key both ways walks the root to the leftmost and rightmost leaf.
        pk = [r[1] for r in conn.execute(f"PRAGMA table_info({quoted})") if r[5]] or ["rowid"]
        order = ", ".join('"' + c.replace('"', '""') + '"' for c in pk)
        desc = ", ".join('"' + c.replace('"', '""') + '" DESC' for c in pk)
        conn.execute(f"SELECT * FROM {quoted} ORDER BY {order} LIMIT 1").fetchall()
        conn.execute(f"SELECT * FROM {quoted} ORDER BY {desc} LIMIT 1").fetchall()


def connect_read_only(path: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection for `verify`, `backup` and `export`: SQLite's read-only mode (`mode=ro`), so
    it never creates the database or a folder, never migrates and never changes the journal
    mode; on a WAL database it reads one consistent snapshot while the bot writes. A missing
    file, or a file that is not a giftcord database at this schema version, is a StorageError.
    (On a WAL database that no process has open, SQLite itself creates the empty -wal/-shm
    files a read needs; the next giftcord start or stop removes them.)"""
    if not os.path.exists(path):
        raise StorageError(f"database {path} does not exist — check database.url")
    if not os.path.isfile(path):
        raise StorageError(f"database {path} is not a file — check database.url")
    uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
    try:
        conn.execute("PRAGMA query_only = ON")  # belt and braces: these tools never write
        _require_giftcord_schema(conn, path)
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise storage_error(exc, path) from None
        raise
    return conn


GIFTCORD_TABLES = frozenset({"accounts", "txns", "entries"})


def _require_giftcord_schema(conn: sqlite3.Connection, path: str) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise StorageError(f"database {path} cannot be read: {exc.strerror}") from None
    if head != b"SQLite format 3\x00":
        raise CorruptDatabase(path, "the file does not start with the SQLite header")
    version = schema_version(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    if version == 0 or not GIFTCORD_TABLES.issubset(tables):
        raise StorageError(
            f"{path} is an SQLite file but not a giftcord database (no giftcord schema) — "
            "check database.url"
        )
    if version > LATEST:
        raise StorageError(
            f"the database {path} has schema version {version}, newer than this giftcord "
            f"knows ({LATEST}): upgrade giftcord"
        )
    if version < LATEST:
        raise StorageError(
            f"the database {path} has schema version {version}, older than this giftcord's "
            f"({LATEST}): stop the bot and run `python -m bot migrate` first"
        )


def setup_reader(conn: sqlite3.Connection, busy_ms: int) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    conn.execute("PRAGMA query_only = ON")  # the reader must never write, by construction


def snapshot(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    conn.execute("BEGIN")  # deferred read transaction: every SELECT in fn sees one snapshot
    try:
        return fn(conn, *args)
    finally:
        conn.execute("ROLLBACK")


def database_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////absolute.db` or a plain path → a file path."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+")):
        raise StorageError("PostgreSQL is planned for scale-out; use sqlite:/// for now")
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
    elif "://" in url or url.startswith("sqlite:"):
        raise StorageError(
            f"unsupported database URL {url.split('://')[0]}://… — use sqlite:///giftcord.db"
        )
    else:
        path = url
    if not path or path == ":memory:" or path.startswith("file:"):
        raise StorageError("the database must be a file path, e.g. sqlite:///giftcord.db")
    return path
