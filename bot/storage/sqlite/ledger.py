"""`SqliteLedger`: the `Ledger` port on one SQLite file (WAL), and `open_ledger(url, …)`.

Two connections: the writer (every write goes through the group-commit queue in writer.py and
runs on this connection's thread) and the reader (queries; WAL lets them read the last commit
without waiting behind writes). Each query runs in one read transaction: one snapshot.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.economy import ledger as L
from bot.economy.config import EconomyConfig
from bot.economy.requests import Request, Write
from bot.storage import queries, tools
from bot.storage.errors import StorageError, storage_error
from bot.storage.sqlite.checkpointer import Checkpointer
from bot.storage.sqlite.connection import (
    SYNC_MODES,
    database_path,
    setup_reader,
    setup_writer,
    snapshot,
)
from bot.storage.sqlite.file_identity import FileIdentity
from bot.storage.sqlite.filelock import DatabaseLock
from bot.storage.sqlite.schema import apply_migrations, schema_version
from bot.storage.writer import GroupCommitWriter

T = TypeVar("T")
READ_SENTENCE = "giftcord can't read its database right now. Please try again later."


class SqliteLedger:
    """Implements `bot.economy.ledger.Ledger`. Open with `await SqliteLedger.open(...)`."""

    def __init__(
        self,
        path: str,
        economy: EconomyConfig,
        clock: Callable[[], float],
        writer_conn: aiosqlite.Connection,
        reader_conn: aiosqlite.Connection,
        version_at_open: int,
        max_batch: int,
    ) -> None:
        self.path = path
        self.economy = economy
        self._clock = clock
        self._wconn = writer_conn
        self._rconn = reader_conn
        self._version_at_open = version_at_open
        self.writer = GroupCommitWriter(
            writer_conn,
            path=path,
            cfg=economy,
            catalog=economy.catalog(),
            clock=clock,
            max_batch=max_batch,
        )
        self.writer.start()
        self.checkpointer: Checkpointer | None = None
        self._lock: DatabaseLock | None = None

    @classmethod
    async def open(
        cls,
        path_or_url: str | Path,
        economy: EconomyConfig,
        *,
        clock: Callable[[], float] = time.time,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        max_batch: int = 512,
        exclusive: bool = True,
    ) -> SqliteLedger:
        """Open (creating and migrating if needed) the database for writing. `exclusive` holds
        `<path>.lock` until `close()`, so a second process on the file is refused at start-up
        (filelock.py); only a test of two writers on one file passes False."""
        path = database_path(str(path_or_url))
        sync = synchronous.upper()
        if sync not in SYNC_MODES:
            raise StorageError(f"database.synchronous must be one of {', '.join(SYNC_MODES)}")
        conns: list[aiosqlite.Connection] = []
        lock = DatabaseLock(path) if exclusive else None
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            if lock is not None:
                lock.acquire()  # before any connection: the second process touches nothing
            # isolation_level=None: sqlite3 issues no implicit BEGIN/COMMIT; we write them.
            wconn = await aiosqlite.connect(path, isolation_level=None)
            conns.append(wconn)
            before = await wconn._execute(setup_writer, wconn._conn, path, sync, busy_timeout_ms)
            rconn = await aiosqlite.connect(path, isolation_level=None)
            conns.append(rconn)
            await rconn._execute(setup_reader, rconn._conn, busy_timeout_ms)
            identity = FileIdentity(path)  # the file the writer now has open
        except BaseException as exc:
            for conn in conns:
                await conn.close()
            if lock is not None:
                lock.release()
            if isinstance(exc, StorageError):
                raise
            if isinstance(exc, sqlite3.Error):
                raise storage_error(exc, path) from exc
            if isinstance(exc, (OSError, RuntimeError)):
                raise StorageError(f"database {path}: {exc}") from exc
            raise
        ledger = cls(path, economy, clock, wconn, rconn, before, max_batch)
        ledger.writer.watch(identity)
        ledger._lock = lock
        ledger.checkpointer = Checkpointer(path, busy_timeout_ms)
        await ledger.checkpointer.start()
        return ledger

    async def close(self) -> None:
        """Finish every queued write, then close the connections and drop the lock."""
        try:
            if self.checkpointer is not None:
                await self.checkpointer.close()
            await self.writer.close()
            await self._wconn.close()
            await self._rconn.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    async def migrate(self) -> tuple[int, int]:
        """(schema version when this process opened the file, version now). Opening already
        ran the pending steps; this runs any left and reports."""
        await self.writer.run_now(apply_migrations)
        return self._version_at_open, await self.writer.run_now(schema_version)

    # --- the port: one generic path for every request ------------------------------------

    async def run(self, request: Request[T]) -> T:
        """A `Write` joins the group-commit queue and is answered after its batch commits; a
        `Read` runs on the reader connection in one read transaction (one snapshot)."""
        if isinstance(request, Write):
            result: T = await self.writer.submit(request)
            return result
        query = queries.READS.get(type(request))
        if query is None:
            raise TypeError(f"no query for {type(request).__name__}")
        await self.writer.refuse_if_gone()
        try:
            got: T = await self._rconn._execute(
                snapshot, self._rconn._conn, query, request, self._clock()
            )
        except sqlite3.Error as exc:
            err = storage_error(exc, self.path)
            raise StorageError(err.operator_detail, READ_SENTENCE) from exc
        return got

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(connection)` in one read snapshot. For SQLite-specific tests (crash and
        fault injection) only: the contract suite reads through `run`."""
        result: T = await self._rconn._execute(snapshot, self._rconn._conn, fn)
        return result

    async def _execute_on_writer(self, sql: str) -> list[Any]:
        """Run one statement on the writer connection, outside any batch (fault-injection
        tests, e.g. `PRAGMA max_page_count`). Not for application code."""
        rows: list[Any] = await self.writer.run_now(lambda c: c.execute(sql).fetchall())
        return rows

    # --- operator tools -------------------------------------------------------------------

    async def verify(self) -> tools.VerifyReport:
        return await tools.verify(self.path, max_balance=self.economy.max_balance)

    async def backup(self, dest: str | Path) -> Path:
        return await tools.backup(self.path, dest)


async def open_ledger(url: str, economy: EconomyConfig, **kw: Any) -> SqliteLedger:
    """Open the ledger named by `[database] url` (see `database_path` for the accepted forms)."""
    return await SqliteLedger.open(database_path(url), economy, **kw)


def _protocol_check(ledger: SqliteLedger) -> L.Ledger:
    return ledger  # mypy proves SqliteLedger satisfies the Ledger port
