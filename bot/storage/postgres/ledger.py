"""`PostgresLedger`: the `Ledger` port on a PostgreSQL database (asyncpg).

The same requests, decisions and plans as SqliteLedger: writes go through the group-commit
writer (writer.py, batch.py), reads run the shared queries (queries.READS) in one REPEATABLE READ
read-only transaction on one of `pool_size` reader connections. Many processes may share the
database (shards): every write is guarded in SQL and serialised per server only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.economy import ledger as L
from bot.economy.config import EconomyConfig
from bot.economy.requests import Request, Write
from bot.storage import queries, tools
from bot.storage.errors import StorageError
from bot.storage.postgres import dump
from bot.storage.postgres.conn import (
    Cursor,
    PgWorker,
    connect_error,
    is_pg_error,
    is_transient,
    redact,
    snapshot,
)
from bot.storage.postgres.migrate import apply_migrations, schema_version
from bot.storage.postgres.schema import TXN_BLOCK
from bot.storage.postgres.writer import PgGroupCommitWriter

T = TypeVar("T")
READ_RETRIES = 8
READ_SENTENCE = "giftcord can't read its database right now. Please try again later."


class PostgresLedger:
    """Implements `bot.economy.ledger.Ledger`. Open with `await PostgresLedger.open(url, …)`."""

    def __init__(
        self,
        url: str,
        economy: EconomyConfig,
        clock: Callable[[], float],
        writer: PgWorker,
        readers: list[PgWorker],
        version_at_open: int,
        max_batch: int,
    ) -> None:
        self.url = url
        self.where = redact(url)
        self.economy = economy
        self._clock = clock
        self._writer_conn = writer
        self._readers = readers
        self._idle: asyncio.Queue[PgWorker] = asyncio.Queue()
        for reader in readers:
            self._idle.put_nowait(reader)
        self._version_at_open = version_at_open
        self.writer = PgGroupCommitWriter(
            writer,
            where=self.where,
            cfg=economy,
            catalog=economy.catalog(),
            clock=clock,
            max_batch=max_batch,
        )
        self.writer.start()

    @classmethod
    async def open(
        cls,
        url: str,
        economy: EconomyConfig,
        *,
        clock: Callable[[], float] = time.time,
        pool_size: int = 10,
        max_batch: int = 512,
        **_ignored: Any,  # SQLite's options (synchronous, exclusive …) mean nothing here
    ) -> PostgresLedger:
        """Connect (the writer and `pool_size - 1` readers, at least one), migrate if needed."""
        dsn = "postgresql://" + url.split("://", 1)[1]
        if not 1 <= max_batch <= TXN_BLOCK:  # a batch's txn ids are one block of the sequence
            raise StorageError(f"max_batch must be between 1 and {TXN_BLOCK}")
        workers: list[PgWorker] = []
        try:
            writer = PgWorker(dsn, "giftcord-pg-writer")
            workers.append(writer)
            before = await writer.call(schema_version)
            await writer.call(apply_migrations)
            readers = [
                PgWorker(dsn, f"giftcord-pg-reader{i}") for i in range(max(1, pool_size - 1))
            ]
            workers.extend(readers)
            await asyncio.gather(*(r.call(schema_version) for r in readers))
        except BaseException as exc:
            for worker in workers:
                await worker.close()
            if isinstance(exc, StorageError):
                raise
            if isinstance(exc, RuntimeError):
                raise StorageError(f"database {redact(url)}: {exc}") from None
            if is_pg_error(exc):
                raise connect_error(exc, url) from None
            raise
        return cls(url, economy, clock, writer, readers, before, max_batch)

    async def close(self) -> None:
        """Finish every queued write, then close every connection."""
        try:
            await self.writer.close()
        finally:
            for worker in (self._writer_conn, *self._readers):
                await worker.close()

    async def migrate(self) -> tuple[int, int]:
        await self.writer.run_now(apply_migrations)
        return self._version_at_open, await self.writer.run_now(schema_version)

    # --- the port -------------------------------------------------------------------------

    async def run(self, request: Request[T]) -> T:
        if isinstance(request, Write):
            result: T = await self.writer.submit(request)
            return result
        query = queries.READS.get(type(request))
        if query is None:
            raise TypeError(f"no query for {type(request).__name__}")
        got: T = await self._read(snapshot, query, request, self._clock())
        return got

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """On an idle reader; a lost connection or a restarting server is retried (a read
        changes nothing), anything else is one sentence."""
        reader = await self._idle.get()
        try:
            for attempt in range(READ_RETRIES + 1):
                try:
                    return await reader.call(fn, *args)
                except Exception as exc:
                    if not is_pg_error(exc):
                        raise
                    await reader.drop()  # reopened by the next call on it
                    if is_transient(exc) and attempt < READ_RETRIES:
                        await asyncio.sleep(0.05 * 2**attempt)
                        continue
                    raise StorageError(
                        f"database {self.where}: a read failed ({type(exc).__name__}: {exc})",
                        READ_SENTENCE,
                    ) from None
            raise AssertionError("unreachable")
        finally:
            self._idle.put_nowait(reader)

    # --- operator tools -------------------------------------------------------------------

    async def verify(self) -> tools.VerifyReport:
        return await self._read(tools.verify_connection, self.economy.max_balance)

    async def backup(self, dest: str | Path) -> Path:
        return await self._read(dump.write_dump, Path(dest))

    async def export_rows(
        self, guild_id: int, *, days: int | None, now: float
    ) -> list[dict[str, object]]:
        from bot.economy.reads import ExportRows

        return await self._read(snapshot, queries.export_rows, ExportRows(guild_id, days), now)


def _protocol_check(ledger: PostgresLedger) -> L.Ledger:
    return ledger  # mypy proves PostgresLedger satisfies the Ledger port


__all__ = ["Cursor", "PostgresLedger"]
