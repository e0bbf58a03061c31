"""WAL checkpoints off the commit path.

With SQLite's automatic checkpoint, the connection whose commit crosses the threshold copies the
whole WAL back into the database and fsyncs it before that commit returns — every caller of the
batch waits behind a multi-megabyte copy, which is what a gift's p99 latency measured. Here a
separate connection (its own thread) runs `PRAGMA wal_checkpoint(PASSIVE)` every half second:
PASSIVE never blocks the writer or the readers, and SQLite restarts the WAL from the beginning
once a checkpoint has caught up. The writer keeps a large automatic threshold only as a safety
net should this task ever stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

import aiosqlite

log = logging.getLogger("giftcord.storage")

INTERVAL_SECONDS = 0.5


class Checkpointer:
    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.checkpoints = 0  # for tests and benchmarks

    async def start(self) -> None:
        self._conn = await aiosqlite.connect(self._path, isolation_level=None)
        await self._conn.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
        self._task = asyncio.create_task(self._loop(), name="giftcord-wal-checkpoints")

    async def _loop(self) -> None:
        assert self._conn is not None
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            try:
                await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self.checkpoints += 1
            except sqlite3.Error as exc:
                # A failed checkpoint loses nothing (the WAL keeps every commit); the writer's
                # automatic threshold takes over if this keeps failing.
                log.warning("WAL checkpoint of %s failed: %s", self._path, exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()
