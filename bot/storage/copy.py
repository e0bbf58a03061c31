"""`python -m bot copy-db SOURCE TARGET` and `python -m bot restore PATH` (product.md §6).

Moving a server between backends: every giftcord table, row for row, from one snapshot of the
source into an EMPTY target at the same schema version (both schemas keep the same logical
tables and version numbers: storage/sqlite/schema.py, storage/postgres/schema.py). The target is
created and migrated by opening it as a ledger — which also refuses a target a running bot
holds (SQLite's lock file; on PostgreSQL another giftcord connection to the database) — and the
copy is then proved: `verify` on both sides and every account's balances compared.

Sources: a SQLite database, a PostgreSQL database, or a backup file of either (a SQLite file
from SQLite's `backup`, a gzip'd JSON-lines file from PostgreSQL's: postgres/dump.py).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.economy.config import EconomyConfig
from bot.storage import opening
from bot.storage.errors import StorageError
from bot.storage.postgres import dump
from bot.storage.postgres.conn import Cursor, PgWorker, redact
from bot.storage.postgres.schema import IDENTITY_TABLES, LATEST, TABLES, TXN_BLOCK
from bot.storage.postgres.tools import dsn, require_schema
from bot.storage.sqlite.connection import connect_read_only, database_path

Rows = tuple[list[str], Iterator[tuple[Any, ...]]]


@dataclass
class CopyReport:
    rows: dict[str, int]
    accounts_compared: int
    source_ok: bool
    target_ok: bool

    @property
    def ok(self) -> bool:
        return self.source_ok and self.target_ok


# --- sources: (columns, rows) of each table in TABLES order ---------------------------------


def _sqlite_rows(conn: sqlite3.Connection, table: str) -> Rows:
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    return cols, iter(conn.execute(f"SELECT {', '.join(cols)} FROM {table}"))


def _pg_rows(cur: Cursor, table: str) -> Rows:
    cols = [r[0] for r in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))]  # fmt: skip
    return cols, iter(cur.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1"))


def _dump_tables(path: Path) -> dict[str, Rows]:
    """A PostgreSQL backup file, checked: its format and schema version."""
    tables: dict[str, Rows] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
            if header.get("giftcord_backup") != dump.FORMAT:
                raise StorageError(f"{path} is not a giftcord backup file")
            if header.get("schema_version") != LATEST:
                raise StorageError(
                    f"the backup {path} is schema version {header.get('schema_version')}; this "
                    f"giftcord restores version {LATEST}"
                )
            current: list[tuple[Any, ...]] = []
            for line in f:
                item = json.loads(line)
                if isinstance(item, dict):
                    current = []
                    tables[item["table"]] = (item["columns"], iter(current))
                else:
                    current.append(tuple(item))
    except (OSError, EOFError, ValueError) as exc:
        raise StorageError(f"{path} cannot be read as a giftcord backup ({exc})") from None
    return tables


# --- targets ---------------------------------------------------------------------------------


def _fill_sqlite(conn: sqlite3.Connection, source: dict[str, Rows]) -> dict[str, int]:
    counts = {}
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in TABLES:
            cols, rows = source[table]
            marks = ", ".join("?" * len(cols))
            cur = conn.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows
            )
            counts[table] = cur.rowcount
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return counts


def _fill_pg(cur: Cursor, source: dict[str, Rows]) -> dict[str, int]:
    counts = {}
    cur.script("BEGIN")
    try:
        for table in TABLES:
            cols, rows = source[table]
            records = list(rows)
            cur.run(cur.conn.copy_records_to_table(table, records=records, columns=cols))
            counts[table] = len(records)
        # identities and the txn id blocks continue after the copied rows
        for table in IDENTITY_TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        cur.execute(
            "SELECT setval('txn_blocks', COALESCE((SELECT MAX(id) FROM txns), 0) + ?, false)",
            (TXN_BLOCK,),
        )
        cur.script("COMMIT")
    except BaseException:
        if cur.conn.is_in_transaction():
            cur.script("ROLLBACK")
        raise
    return counts


def _pg_holders(cur: Cursor) -> int:
    """Other giftcord connections to this database (a running bot)."""
    row = cur.execute(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'giftcord' AND pid != pg_backend_pid()"
    ).fetchone()
    return int(row[0]) if row else 0


def _count(q: Any) -> int:
    return sum(int(q.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES)


def _balances(q: Any) -> dict[tuple[int, int], tuple[int, int]]:
    return {
        (g, u): (c, d)
        for g, u, c, d in q.execute("SELECT guild_id, user_id, coins, diamonds FROM accounts")
    }


# --- the command -----------------------------------------------------------------------------


async def copy_db(source: str, target: str, economy: EconomyConfig) -> CopyReport:
    """Copy `source` (a URL, or a backup file's path) into the empty database `target`."""
    if opening.is_postgres(source) and opening.is_postgres(target):
        raise StorageError(
            "both are PostgreSQL: copy one PostgreSQL database to another with pg_dump"
        )
    if source == target:
        raise StorageError("the source and the target are the same database")
    opening.check_url(target)
    # Opening the target as a ledger creates and migrates it; on SQLite the ledger's lock file
    # also refuses a target a bot holds, and is held while the rows go in. On PostgreSQL the
    # ledger is closed again first: then any other giftcord connection is a running bot.
    ledger = await opening.open_ledger(target, economy, pool_size=2)
    try:
        if opening.is_postgres(target):
            await ledger.close()
            worker = PgWorker(dsn(target), "giftcord-copy", app="giftcord-copy")
            try:
                counts = await worker.call(_into_pg, source, target)
            finally:
                await worker.close()
        else:
            counts = await asyncio.to_thread(_into_sqlite, source, database_path(target))
    finally:
        await ledger.close()
    source_report = (
        None
        if _is_backup_file(source)
        else await opening.verify(source, max_balance=economy.max_balance)
    )
    target_report = await opening.verify(target, max_balance=economy.max_balance)
    compared = await _compare(source, target)
    return CopyReport(
        counts,
        compared,
        source_ok=source_report is None or source_report.ok,
        target_ok=target_report.ok,
    )


def _is_backup_file(source: str) -> bool:
    """A path (not a URL) to a PostgreSQL backup: gzip, not SQLite."""
    if "://" in source or source.startswith("sqlite:"):
        return False
    try:
        with open(source, "rb") as f:
            return f.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def _sqlite_source(conn: sqlite3.Connection) -> dict[str, Rows]:
    conn.execute("BEGIN")  # one snapshot for every table
    return {t: _sqlite_rows(conn, t) for t in TABLES}


def _into_pg(cur: Cursor, source: str, target: str) -> dict[str, int]:
    if _pg_holders(cur):
        raise StorageError(f"a running giftcord is connected to {redact(target)}: stop it first")
    if _count(cur):
        raise StorageError(f"{redact(target)} is not empty: copy into a new, empty database")
    if _is_backup_file(source):
        return _fill_pg(cur, _dump_tables(Path(source)))
    conn = connect_read_only(database_path(source))
    try:
        return _fill_pg(cur, _sqlite_source(conn))
    finally:
        conn.close()


def _into_sqlite(source: str, path: str) -> dict[str, int]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        if _count(conn):
            raise StorageError(f"{path} is not empty: copy into a new, empty database")
        if _is_backup_file(source):
            return _fill_sqlite(conn, _dump_tables(Path(source)))
        if opening.is_postgres(source):
            return _from_pg_into_sqlite(source, conn)
        src = connect_read_only(database_path(source))
        try:
            return _fill_sqlite(conn, _sqlite_source(src))
        finally:
            src.close()
    finally:
        conn.close()


def _from_pg_into_sqlite(source: str, conn: sqlite3.Connection) -> dict[str, int]:
    """(In a thread of its own: `asyncio.run` drives the PostgreSQL worker.)"""

    async def read() -> dict[str, Rows]:
        worker = PgWorker(dsn(source), "giftcord-copy", app="giftcord-copy")
        try:

            def snapshot(cur: Cursor) -> dict[str, Rows]:
                require_schema(cur, source)
                cur.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    return {t: (c, iter(list(r))) for t, (c, r) in
                            ((t, _pg_rows(cur, t)) for t in TABLES)}  # fmt: skip
                finally:
                    cur.script("ROLLBACK")

            return await worker.call(snapshot)
        finally:
            await worker.close()

    return _fill_sqlite(conn, asyncio.run(read()))


async def _compare(source: str, target: str) -> int:
    """Every account's balances, equal on both sides: the number of accounts compared."""
    if _is_backup_file(source):
        cols, rows = _dump_tables(Path(source))["accounts"]
        idx = [cols.index(c) for c in ("guild_id", "user_id", "coins", "diamonds")]
        before = {(r[idx[0]], r[idx[1]]): (r[idx[2]], r[idx[3]]) for r in rows}
    else:
        before = await _read_balances(source)
    after = await _read_balances(target)
    if before != after:
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        raise StorageError(
            f"the copy differs from its source for {len(differ)} account(s), e.g. server "
            f"{differ[0][0]} member {differ[0][1]}: the target is not to be used"
        )
    return len(after)


async def _read_balances(url: str) -> dict[tuple[int, int], tuple[int, int]]:
    if opening.is_postgres(url):
        worker = PgWorker(dsn(url), "giftcord-copy", app="giftcord-copy")
        try:
            return await worker.call(_balances)
        finally:
            await worker.close()
    conn = connect_read_only(database_path(url))
    try:
        return _balances(conn)
    finally:
        conn.close()
