"""`SqliteLedger`: the `Ledger` port on one SQLite file (WAL), and `open_ledger(url, …)`.

Two connections: the writer (every write goes through the group-commit queue in writer.py and
runs on this connection's thread) and the reader (queries; WAL lets them read the last commit
without waiting behind writes). Each query runs in one read transaction: one snapshot.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar

import aiosqlite

from bot.economy import ledger as L
from bot.economy.config import EconomyConfig
from bot.storage import ops_admin, ops_money, queries, tools
from bot.storage.checkpointer import Checkpointer
from bot.storage.connection import (
    SYNC_MODES,
    database_path,
    setup_reader,
    setup_writer,
    snapshot,
)
from bot.storage.errors import StorageError, storage_error
from bot.storage.file_identity import FileIdentity
from bot.storage.filelock import DatabaseLock
from bot.storage.schema import apply_migrations, schema_version
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

    # --- plumbing -----------------------------------------------------------------------

    async def _write(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        result: T = await self.writer.submit(partial(fn, **kwargs))
        return result

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            result: T = await self._rconn._execute(snapshot, self._rconn._conn, fn, *args)
        except sqlite3.Error as exc:
            err = storage_error(exc, self.path)
            raise StorageError(err.operator_detail, READ_SENTENCE) from exc
        return result

    async def _execute_on_writer(self, sql: str) -> list[Any]:
        """Run one statement on the writer connection, outside any batch (fault-injection
        tests, e.g. `PRAGMA max_page_count`). Not for application code."""
        rows: list[Any] = await self.writer.run_now(lambda c: c.execute(sql).fetchall())
        return rows

    # --- writes (each one transaction, idempotent by key) ---------------------------------

    async def confirm_age(self, guild_id: int, user_id: int) -> None:
        await self._write(ops_money.confirm_age, guild_id=guild_id, user_id=user_id)

    async def purchase(
        self, guild_id: int, user_id: int, *, key: str, coins: int, package: bool
    ) -> L.PurchaseResult:
        return await self._write(
            ops_money.purchase,
            guild_id=guild_id,
            user_id=user_id,
            key=str(key),
            coins=coins,
            package=package,
        )

    async def gift(
        self,
        guild_id: int,
        sender_id: int,
        recipient_id: int,
        *,
        key: str,
        gift_name: str,
        count: int,
        recipient_is_bot: bool = False,
    ) -> L.GiftResult:
        return await self._write(
            ops_money.gift,
            guild_id=guild_id,
            sender_id=sender_id,
            recipient_id=recipient_id,
            key=str(key),
            gift_name=gift_name,
            count=count,
            recipient_is_bot=recipient_is_bot,
        )

    async def adjust(
        self,
        guild_id: int,
        user_id: int,
        *,
        key: str,
        actor_id: int,
        currency: L.Currency,
        mode: L.AdjustMode,
        amount: int,
        reason: str,
    ) -> L.AdjustResult:
        return await self._write(
            ops_money.adjust,
            guild_id=guild_id,
            user_id=user_id,
            key=str(key),
            actor_id=actor_id,
            currency=currency,
            mode=mode,
            amount=amount,
            reason=reason,
        )

    async def grant_many(
        self,
        guild_id: int,
        user_ids: Sequence[int],
        *,
        key: str,
        actor_id: int,
        currency: L.Currency,
        amount: int,
        reason: str,
    ) -> L.BulkAdjustResult:
        return await self._write(
            ops_money.grant_many,
            guild_id=guild_id,
            user_ids=list(user_ids),
            key=str(key),
            actor_id=actor_id,
            currency=currency,
            amount=amount,
            reason=reason,
        )

    async def set_frozen(
        self, guild_id: int, user_id: int, *, key: str, actor_id: int, frozen: bool, reason: str
    ) -> L.FreezeResult:
        return await self._write(
            ops_admin.set_frozen,
            guild_id=guild_id,
            user_id=user_id,
            key=str(key),
            actor_id=actor_id,
            frozen=frozen,
            reason=reason,
        )

    async def register_creator(
        self, guild_id: int, user_id: int, *, country: str, method: L.PayoutMethod
    ) -> L.Account:
        return await self._write(
            ops_admin.register_creator,
            guild_id=guild_id,
            user_id=user_id,
            country=country,
            method=method,
        )

    async def request_cashout(
        self, guild_id: int, user_id: int, *, key: str, diamonds: int, method: L.PayoutMethod
    ) -> L.Payout:
        return await self._write(
            ops_admin.request_cashout,
            guild_id=guild_id,
            user_id=user_id,
            key=str(key),
            diamonds=diamonds,
            method=method,
        )

    async def decide_cashout(
        self, guild_id: int, payout_id: int, *, key: str, actor_id: int, approve: bool, reason: str
    ) -> L.Payout:
        return await self._write(
            ops_admin.decide_cashout,
            guild_id=guild_id,
            payout_id=payout_id,
            key=str(key),
            actor_id=actor_id,
            approve=approve,
            reason=reason,
        )

    async def start_event(
        self,
        guild_id: int,
        *,
        key: str,
        actor_id: int,
        name: str,
        minutes: int,
        goal: int | None,
        bonus_percent: int,
        channel_id: int | None,
    ) -> L.Event:
        return await self._write(
            ops_admin.start_event,
            guild_id=guild_id,
            key=str(key),
            actor_id=actor_id,
            name=name,
            minutes=minutes,
            goal=goal,
            bonus_percent=bonus_percent,
            channel_id=channel_id,
        )

    async def end_event(self, guild_id: int, event_id: int, *, actor_id: int | None) -> L.Event:
        return await self._write(
            ops_admin.end_event, guild_id=guild_id, event_id=event_id, actor_id=actor_id
        )

    async def set_event_message(self, event_id: int, channel_id: int, message_id: int) -> None:
        await self._write(
            ops_admin.set_event_message,
            event_id=event_id,
            channel_id=channel_id,
            message_id=message_id,
        )

    async def update_guild_settings(
        self,
        guild_id: int,
        *,
        audit_channel_id: int | None = None,
        announce_channel_id: int | None = None,
        mod_role_id: int | None = None,
    ) -> L.GuildSettings:
        """None leaves a setting unchanged; pass 0 to clear it."""
        return await self._write(
            ops_admin.update_guild_settings,
            guild_id=guild_id,
            audit_channel_id=audit_channel_id,
            announce_channel_id=announce_channel_id,
            mod_role_id=mod_role_id,
        )

    async def set_departed(self, guild_id: int, user_id: int, departed: bool) -> None:
        await self._write(
            ops_admin.set_departed, guild_id=guild_id, user_id=user_id, departed=departed
        )

    # --- queries (one snapshot each, never queued behind writes) --------------------------

    async def account(self, guild_id: int, user_id: int) -> L.Account:
        return await self._read(queries.account, guild_id, user_id)

    async def rank(
        self,
        guild_id: int,
        user_id: int,
        board: L.Board,
        period: L.Period,
        event_id: int | None = None,
    ) -> int | None:
        return await self._read(
            queries.rank, guild_id, user_id, board, period, event_id, self._clock()
        )

    async def leaderboard(
        self,
        guild_id: int,
        board: L.Board,
        period: L.Period,
        *,
        event_id: int | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> L.Page[L.LeaderRow]:
        return await self._read(
            queries.leaderboard, guild_id, board, period, event_id, page, per_page, self._clock()
        )

    async def history(
        self, guild_id: int, user_id: int, *, page: int = 1, per_page: int = 10
    ) -> L.Page[L.HistoryEntry]:
        return await self._read(queries.history, guild_id, user_id, page, per_page)

    async def audit(
        self,
        guild_id: int,
        *,
        member_id: int | None = None,
        actor_id: int | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> L.Page[L.AuditEntry]:
        return await self._read(queries.audit, guild_id, member_id, actor_id, page, per_page)

    async def spent_today(self, guild_id: int, user_id: int) -> Decimal:
        return await self._read(queries.spent_today, guild_id, user_id, self._clock())

    async def cashout_requested_today(self, guild_id: int, user_id: int) -> Decimal:
        return await self._read(queries.cashout_requested_today, guild_id, user_id, self._clock())

    async def cashouts(
        self,
        guild_id: int,
        *,
        user_id: int | None = None,
        state: L.PayoutState | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> L.Page[L.Payout]:
        return await self._read(queries.cashouts, guild_id, user_id, state, page, per_page)

    async def cashout(self, guild_id: int, payout_id: int) -> L.Payout | None:
        return await self._read(queries.cashout, guild_id, payout_id)

    async def earnings_per_day(self, guild_id: int, user_id: int, days: int) -> list[L.DayEarnings]:
        return await self._read(queries.earnings_per_day, guild_id, user_id, days, self._clock())

    async def top_gifts(
        self, guild_id: int, user_id: int, days: int, limit: int = 5
    ) -> list[L.GiftTotal]:
        return await self._read(queries.top_gifts, guild_id, user_id, days, limit, self._clock())

    async def top_supporters(
        self, guild_id: int, user_id: int, days: int, limit: int = 5
    ) -> list[L.SupporterTotal]:
        return await self._read(
            queries.top_supporters, guild_id, user_id, days, limit, self._clock()
        )

    async def live_event(self, guild_id: int) -> L.Event | None:
        return await self._read(queries.live_event, guild_id)

    async def events(self, guild_id: int, *, limit: int = 25) -> list[L.Event]:
        return await self._read(queries.events, guild_id, limit)

    async def event(self, guild_id: int, event_id: int) -> L.Event | None:
        return await self._read(queries.event, guild_id, event_id)

    async def due_events(self) -> list[L.Event]:
        return await self._read(queries.due_events, self._clock())

    async def guild_settings(self, guild_id: int) -> L.GuildSettings:
        return await self._read(queries.guild_settings, guild_id)

    async def export_rows(
        self, guild_id: int, *, days: int | None = None
    ) -> list[dict[str, object]]:
        return await self._read(queries.export_rows, guild_id, days, self._clock())

    # --- operator tools -------------------------------------------------------------------

    async def verify(self) -> tools.VerifyReport:
        return await tools.verify(self.path, max_balance=self.economy.max_balance)

    async def backup(self, dest: str | Path) -> Path:
        return await tools.backup(self.path, dest)

    async def export_csv(self, guild_id: int, out: TextIO, *, days: int | None = None) -> int:
        return await tools.export_csv(self, guild_id, out, days=days)


async def open_ledger(url: str, economy: EconomyConfig, **kw: Any) -> SqliteLedger:
    """Open the ledger named by `[database] url` (see `database_path` for the accepted forms)."""
    return await SqliteLedger.open(database_path(url), economy, **kw)


def _protocol_check(ledger: SqliteLedger) -> L.Ledger:
    return ledger  # mypy proves SqliteLedger satisfies the Ledger port
