"""The single writer: a queue of operations drained in group-commit batches.

Every write goes through here, so write transactions never interleave on the connection, and
a burst of concurrent operations shares one thread hop and one durable commit
(docs/performance.md). Callers are answered only after their batch committed; if the commit fails,
every caller of the batch gets a StorageError and nothing of the batch is kept.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.requests import Write
from bot.storage.batch import run_batch
from bot.storage.errors import StorageError, storage_error
from bot.storage.sqlite.file_identity import (
    DatabaseFileGone,
    FileIdentity,
    loss_report,
    rescue_copy,
)

log = logging.getLogger("giftcord.storage")

_Item = tuple[Write[Any], "asyncio.Future[Any]"]


class GroupCommitWriter:
    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        path: str,
        cfg: EconomyConfig,
        catalog: Catalog,
        clock: Callable[[], float],
        max_batch: int = 512,
    ) -> None:
        self._conn = conn
        self._path = path
        self._cfg = cfg
        self._catalog = catalog
        self._clock = clock
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._identity: FileIdentity | None = None
        self._gone: DatabaseFileGone | None = None
        self.batches = 0  # statistics for benchmarks and tests
        self.operations = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="giftcord-ledger-writer")

    def watch(self, identity: FileIdentity) -> None:
        """Check before every batch (and at close) that `identity` still names the database file."""
        self._identity = identity

    async def submit(self, op: Write[Any]) -> Any:
        """Queue the write request and wait until the batch holding it has committed."""
        if self._closing:
            raise StorageError("the ledger is closed; no more writes are accepted")
        if self._gone is not None:
            raise self._gone.again()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, future))
        return await future

    async def run_now(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `fn(connection)` on the writer's thread outside any batch (set-up, tests)."""
        return await self._conn._execute(fn, self._conn._conn)

    async def close(self) -> None:
        """Stop accepting writes, finish everything already queued, then stop."""
        if self._closing:
            return
        self._closing = True
        self._queue.put_nowait(None)
        if self._task is not None:
            await self._task
        # A file deleted after the last write (then SIGTERM): still open here, still rescuable.
        if self._gone is None and (gone := self._file_gone()) is not None:
            await self._report_loss(gone)

    async def _loop(self) -> None:
        stop = False
        while not stop:
            first = await self._queue.get()
            if first is None:
                break
            # Yield once so coroutines that were just woken (by the previous batch's answers)
            # can queue their next operation into this batch.
            await asyncio.sleep(0)
            batch: list[_Item] = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            await self._run(batch)

    async def _run(self, batch: list[_Item]) -> None:
        # Before the batch runs: refused operations then are in no file at all, and the copy
        # `_report_loss` saves holds exactly what was acknowledged (a batch racing the unlink
        # itself commits into the old file, is acknowledged, and is in that copy).
        if self._gone is None and (gone := self._file_gone()) is not None:
            self._fail(batch, gone)
            await self._report_loss(gone)
            return
        if self._gone is not None:  # found gone earlier: refused quietly
            self._fail(batch, self._gone.again())
            return
        ops = [op for op, _ in batch]
        try:
            # aiosqlite has no public "run this callable in your thread" API; `_execute` (with
            # `_conn`, the sqlite3 connection) is pinned by pyproject's aiosqlite<0.23. One hop
            # runs the whole batch: the per-operation cost stays off the thread hop.
            outcomes = await self._conn._execute(
                run_batch, self._conn._conn, ops, self._cfg, self._catalog, self._clock()
            )
        except Exception as exc:  # noqa: BLE001 - whatever sank the batch, its callers must hear
            log.error("ledger batch of %d operations failed: %r", len(batch), exc)
            self._fail(batch, _as_storage_error(exc, self._path))
            return
        self._answer(batch, outcomes)

    def _answer(self, batch: list[_Item], outcomes: list[tuple[bool, Any]]) -> None:
        """The batch committed: count it and answer each caller with its outcome."""
        self.batches += 1
        self.operations += len(batch)
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():  # the caller gave up waiting (cancelled); the op still committed
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    async def refuse_if_gone(self) -> None:
        """Before a read: a file found gone (by a write, or now) refuses the read too, so no
        member is shown balances from a file that is no longer the database."""
        gone = self._gone
        if gone is None:
            gone = self._file_gone()
            if gone is None:
                return
            await self._report_loss(gone)
        raise gone.again()

    def _file_gone(self) -> DatabaseFileGone | None:
        if self._identity is None:
            return None
        try:
            self._identity.check()
        except DatabaseFileGone as gone:
            self._gone = gone
            return gone
        return None

    async def _report_loss(self, gone: DatabaseFileGone) -> None:
        """Once, when the file is found gone (later refusals stay quiet): save what the old
        file holds while it is still open, then one CRITICAL line saying how to recover."""
        try:
            rescued = await self._conn._execute(rescue_copy, self._conn._conn, self._path)
        except (sqlite3.Error, OSError) as exc:
            log.critical("%s", loss_report(gone, None, str(exc)))
        else:
            log.critical("%s", loss_report(gone, rescued, None))

    @staticmethod
    def _fail(batch: list[_Item], exc: StorageError) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)


def _as_storage_error(exc: BaseException, path: str) -> StorageError:
    if isinstance(exc, sqlite3.Error):
        return storage_error(exc, path)
    if isinstance(exc, StorageError):
        return exc
    return StorageError(f"database {path}: the batch failed ({type(exc).__name__}: {exc})")
