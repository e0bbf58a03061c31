"""The PostgreSQL group-commit writer: writer.py's queue and batching, a PostgreSQL batch.

Transient faults (connection lost, serialization failure, deadlock, the server restarting) are
retried with the whole batch: either it was rolled back, or — a COMMIT whose answer was lost —
it committed, and then the re-run finds every key already taken and returns the first results
(replayed). Keyless writes are flags set to a value, so running one twice sets it twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.storage.errors import StorageError
from bot.storage.postgres.batch import run_batch
from bot.storage.postgres.conn import PgWorker, is_transient
from bot.storage.writer import GroupCommitWriter, _Item

log = logging.getLogger("giftcord.storage")

RETRIES = 10  # ~11 s of back-off in all: a server restart fits
BUSY_SENTENCE = (
    "giftcord can't reach its database right now — nothing was changed. Please try again later."
)


class PgGroupCommitWriter(GroupCommitWriter):
    def __init__(
        self,
        worker: PgWorker,
        *,
        where: str,
        cfg: EconomyConfig,
        catalog: Catalog,
        clock: Any,
        max_batch: int,
    ) -> None:
        super().__init__(
            worker,  # type: ignore[arg-type]
            path=where,
            cfg=cfg,
            catalog=catalog,
            clock=clock,
            max_batch=max_batch,
        )
        self._worker = worker
        self.round_trips = 0  # statements sent by batches (benchmarks divide by self.batches)
        self.retries = 0
        self._rolled: set[tuple[int, int]] = set()  # (server, day) rolled up (PgTx.roll_up)

    async def run_now(self, fn: Any) -> Any:
        return await self._worker.call(fn)

    async def _run(self, batch: list[_Item]) -> None:
        ops = [op for op, _ in batch]
        delay = 0.05
        for attempt in range(RETRIES + 1):
            try:
                outcomes, trips = await self._worker.call(
                    _counted, ops, self._cfg, self._catalog, self._clock(), self._rolled
                )
                break
            except Exception as exc:  # noqa: BLE001 - whatever sank the batch, its callers must hear
                if is_transient(exc) and attempt < RETRIES:
                    self.retries += 1
                    log.warning("ledger batch hit %s; running it again", type(exc).__name__)
                    await self._worker.drop()
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    continue
                log.error("ledger batch of %d operations failed: %r", len(batch), exc)
                self._fail(batch, _as_error(exc, self._path))
                return
        self.round_trips += trips
        self._answer(batch, outcomes)


def _counted(
    cur: Any, ops: Any, cfg: Any, catalog: Any, now: float, rolled: Any
) -> tuple[Any, int]:
    before = cur.round_trips
    outcomes = run_batch(cur, ops, cfg, catalog, now, rolled)
    return outcomes, cur.round_trips - before


def _as_error(exc: BaseException, where: str) -> StorageError:
    if isinstance(exc, StorageError):
        return exc
    if is_transient(exc):
        return StorageError(
            f"database {where}: the server stayed unreachable ({type(exc).__name__}: {exc});"
            " nothing of the batch was written",
            BUSY_SENTENCE,
        )
    return StorageError(f"database {where}: the batch failed ({type(exc).__name__}: {exc})")
