"""One group-commit batch, run entirely in the writer connection's thread.

`run_batch` opens ONE `BEGIN IMMEDIATE` transaction and executes the write requests in order:
replay check, facts, the domain's decision, the plan's guarded steps, the transaction row that
claims the key. Batch-level rows that cannot refuse (stored double-entry legs, daily and event
statistics) are buffered, dropped with a refused operation, and written once with
`executemany`; then ONE commit. Callers are answered only after this function returns, i.e.
after the COMMIT.

A refusal must undo exactly its own operation. The first run of a batch uses no savepoints:
almost every refusal is decided, or refused by the first guard, before anything is written.
The executor records whether an operation has written (no flag is set by hand); a failure
after a write makes the whole batch roll back and run again with a savepoint per operation.
Group commit is a performance choice: correctness rests on the guards, the savepoints and the
unique key, so a second writer (another process) changes nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.decide import Ctx, decision_for, involved
from bot.economy.plan import Applied, Plan, Record
from bot.economy.requests import Write
from bot.economy.rules import utc_day
from bot.storage import codec, facts, periods
from bot.storage.battle_steps import BATTLE_STEPS
from bot.storage.errors import StorageError, is_file_fault
from bot.storage.steps import BUFFERED, EXECUTE, GuardRefused

# A decision whose guard lost a race to another writer is retried with fresh facts; more
# than this many lost races in a row is reported rather than looped on.
MAX_ATTEMPTS = 4


_INSERT_TXN = (
    "INSERT INTO txns (id, guild_id, idem_key, kind, created_at, result, "
    + ", ".join(codec.RECORD_COLUMNS)
    + ") VALUES (?, ?, ?, ?, ?, ?"
    + ", ?" * len(codec.RECORD_COLUMNS)
    + ")"
)


class KeyTaken(Exception):
    """The unique insert of the key failed: another writer applied this key first."""


# Every plan step's execution: the shared table and the battle steps (storage/battle_steps.py).
STEPS: dict[type[Any], Any] = {**EXECUTE, **BATTLE_STEPS}


class Tx:
    """The batch context (writer thread only): the cursor, the clock reading, the buffers."""

    # What a backend differs in (storage/postgres/batch.py): its step table, the error its
    # unique index raises, where txn ids come from.
    steps: dict[type[Any], Any] = STEPS
    unique_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

    def __init__(self, conn: sqlite3.Connection, ctx: Ctx, *, careful: bool = False) -> None:
        self.conn = conn
        self.cur = conn.cursor()
        self.ctx = ctx
        self.now = ctx.now
        self.day = utc_day(ctx.now)
        self.max_balance = ctx.cfg.max_balance
        self.guild_id = 0  # of the operation running now
        self.op_wrote = False  # whether the operation running now has written (not buffered)
        # Ids are allocated here, not by AUTOINCREMENT, so a result can name its txn id before
        # the row (which stores that result) is written. BEGIN IMMEDIATE holds the database's
        # write lock for the whole batch, so no other writer can take the same id.
        self.txn_id: int = self.first_txn_id()
        self.careful = careful
        # Fast runs buffer the txns rows too and insert them with one executemany at the flush
        # (the keys were looked up in this transaction, which holds the write lock, so the
        # unique index cannot refuse one there; if it ever does, the batch runs again carefully).
        self.txns: list[tuple[Any, ...]] = []
        self.entries: list[tuple[int, int, int, str, int]] = []
        self.daily: list[tuple[int, int, int, int, int]] = []
        self.event_stats: list[tuple[int, int, int, int]] = []
        self._live: dict[int, Any] = {}
        # (guild, key) → stored result JSON: keys found by the batch's one look-up, or written
        # earlier in this batch. `_asked` is every key that look-up covered.
        self._known: dict[tuple[int, str], str] = {}
        self._asked: set[tuple[int, str]] = set()

    def first_txn_id(self) -> int:
        return int(self.cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM txns").fetchone()[0])

    # --- helpers for steps and facts ------------------------------------------------------

    def ensure_account(self, user_id: int) -> None:
        self.cur.execute(
            "INSERT INTO accounts (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (self.guild_id, user_id),
        )

    def live_event(self, guild_id: int) -> Any:
        """The server's live event, cached for the batch (a gift storm asks for every gift);
        steps that open or close an event drop the cache."""
        if guild_id not in self._live:
            self._live[guild_id] = facts.live_event(self.cur, guild_id)
        return self._live[guild_id]

    def forget_live(self) -> None:
        self._live.clear()

    # --- idempotency ----------------------------------------------------------------------

    def prefetch_keys(self, requests: Sequence[Write[Any]]) -> None:
        """Ask once per server for every key the batch carries (one query, not one per op)."""
        by_guild: dict[int, list[str]] = {}
        for req in requests:
            if req.key:
                by_guild.setdefault(req.guild_id, []).append(req.key)
        for guild_id, keys in by_guild.items():
            for i in range(0, len(keys), 500):  # well under SQLite's bound-parameter limit
                chunk = keys[i : i + 500]
                marks = ", ".join("?" * len(chunk))
                for key, text in self.cur.execute(
                    f"SELECT idem_key, result FROM txns WHERE guild_id = ? AND idem_key IN ({marks})",
                    (guild_id, *chunk),
                ):
                    self._known[(guild_id, key)] = text
                self._asked.update((guild_id, k) for k in chunk)

    def replay(self, req: Write[Any], *, ask: bool = False) -> Any:
        """The stored result of an earlier operation with this key, flagged replayed (`ask`:
        look in the database even if the batch's look-up found nothing)."""
        k = (req.guild_id, req.key)
        text = self._known.get(k)
        if text is None and (ask or k not in self._asked):
            row = self.cur.execute(
                "SELECT result FROM txns WHERE guild_id = ? AND idem_key = ?", k
            ).fetchone()
            text = None if row is None else row[0]
        return None if text is None else codec.decode(type(req).result, text)

    def record(self, req: Write[Any], record: Record, applied: Applied, result: Any) -> None:
        text = codec.encode(result)
        row = (self.txn_id, req.guild_id, req.key, record.kind.value, self.now, text,
               *codec.record_row(record, applied))  # fmt: skip
        self._known[(req.guild_id, req.key)] = text
        if not self.careful:
            self.txns.append(row)
            return
        try:
            # UNIQUE (guild_id, idem_key): claiming the key is part of the effect's transaction.
            self.cur.execute(_INSERT_TXN, row)
        except self.unique_errors as exc:
            self._known.pop((req.guild_id, req.key), None)
            if "idem_key" in str(exc):
                raise KeyTaken() from exc
            raise

    # --- batch-level rows -------------------------------------------------------------------

    def roll_up(self, guild_id: int) -> None:
        periods.roll_up(self.cur, guild_id, self.day)

    def marks(self) -> tuple[int, int, int]:
        return len(self.entries), len(self.daily), len(self.event_stats)

    def truncate(self, marks: tuple[int, int, int]) -> None:
        e, d, v = marks
        del self.entries[e:], self.daily[d:], self.event_stats[v:]

    def flush(self) -> None:
        """Plain inserts and additive upserts: they cannot refuse, and executemany makes them
        nearly free. Statistics are summed per member first (one upsert per row touched)."""
        cur = self.cur
        if self.txns:  # first: entries reference them
            try:
                cur.executemany(_INSERT_TXN, self.txns)
            except self.unique_errors as exc:
                raise _Unclean() from exc  # a key taken after all: run the batch carefully
        if self.entries:
            cur.executemany(
                "INSERT INTO entries (guild_id, account, txn_id, currency, amount)"
                " VALUES (?, ?, ?, ?, ?)",
                self.entries,
            )
        if self.daily:
            # A new day closes the one before: its totals join the week's and the month's.
            for guild_id in {row[0] for row in self.daily}:
                self.roll_up(guild_id)
            daily: dict[tuple[int, int], list[int]] = {}
            for g, u, c, dia, n in self.daily:
                acc = daily.setdefault((g, u), [0, 0, 0])
                acc[0] += c
                acc[1] += dia
                acc[2] += n
            cur.executemany(
                "INSERT INTO daily_stats (guild_id, day, user_id, coins_spent, diamonds_earned,"
                " gifts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, day, user_id) DO UPDATE"
                " SET coins_spent = coins_spent + excluded.coins_spent,"
                " diamonds_earned = diamonds_earned + excluded.diamonds_earned,"
                " gifts = gifts + excluded.gifts",
                [(g, self.day, u, *v) for (g, u), v in sorted(daily.items())],
            )
        if self.event_stats:
            stats: dict[tuple[int, int], list[int]] = {}
            for e, u, c, dia in self.event_stats:
                acc2 = stats.setdefault((e, u), [0, 0])
                acc2[0] += c
                acc2[1] += dia
            cur.executemany(
                "INSERT INTO event_stats (event_id, user_id, coins_spent, diamonds_earned)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (event_id, user_id) DO UPDATE"
                " SET coins_spent = coins_spent + excluded.coins_spent,"
                " diamonds_earned = diamonds_earned + excluded.diamonds_earned",
                [(e, u, *v) for (e, u), v in sorted(stats.items())],
            )


class _Unclean(Exception):
    """An operation run without a savepoint failed after it had written: only undoing the
    whole batch — and running it again with a savepoint per operation — takes it back."""


def _apply(tx: Tx, plan: Plan) -> Applied:
    applied = Applied(tx.txn_id)
    for step in plan.steps:
        tx.steps[type(step)](tx, step, applied)
        if type(step) not in BUFFERED:
            tx.op_wrote = True  # recorded by the executor, never set by an operation
    return applied


def execute(tx: Tx, req: Write[Any], *, careful: bool) -> Any:
    """One write request: replay it, or decide and apply it.

    `careful`: inside its own savepoint, so any failure undoes exactly this operation. Not
    careful (the first run of every batch): no savepoint, which a gift's refusal does not need
    when its first guard refuses (nothing was written yet, buffered rows are dropped); a
    failure after a write raises `_Unclean` and the batch is run again carefully.
    """
    if req.key and (done := tx.replay(req)) is not None:
        return done  # read only: nothing to undo
    decision = decision_for(req)
    ctx, cur = tx.ctx, tx.cur
    tx.guild_id = req.guild_id
    tx.op_wrote = False
    marks = tx.marks()
    if careful:
        cur.execute("SAVEPOINT op")
    try:
        for _attempt in range(MAX_ATTEMPTS):
            plan = decision.decide(req, facts.read(tx, req.guild_id, decision.needs(req)), ctx)
            try:
                applied = _apply(tx, plan)
            except GuardRefused:
                if not careful and tx.op_wrote:
                    raise _Unclean() from None
                if careful:  # back to the operation's start; the savepoint stays open
                    cur.execute("ROLLBACK TO op")
                tx.truncate(marks)
                tx.op_wrote = False
                fresh = facts.read(tx, req.guild_id, decision.needs(req), also=involved(plan))
                refusal = decision.explain(req, plan, fresh, ctx)
                if refusal is not None:
                    raise refusal from None
                continue  # a fact changed under the decision (another writer): decide again
            result = decision.finish(req, plan, applied, ctx)
            if plan.record is not None:
                tx.record(req, plan.record, applied, result)
                tx.txn_id += 1
            if careful:
                cur.execute("RELEASE op")
            return result
        raise StorageError(
            f"operation {type(req).__name__} lost {MAX_ATTEMPTS} races in a row",
            "giftcord is very busy right now — please try again in a moment.",
        )
    except BaseException as exc:
        if is_file_fault(exc) or isinstance(exc, _Unclean):
            raise  # the whole batch is rolled back by the caller
        if careful:
            cur.execute("ROLLBACK TO op")
            cur.execute("RELEASE op")
        elif tx.op_wrote:
            raise _Unclean() from exc
        tx.truncate(marks)
        tx.forget_live()  # it may have opened or closed an event before failing
        if isinstance(exc, KeyTaken):
            return tx.replay(req, ask=True)  # another writer applied this key first
        raise


def run_batch(
    conn: sqlite3.Connection,
    requests: Sequence[Write[Any]],
    cfg: EconomyConfig,
    catalog: Catalog,
    now: float,
) -> list[tuple[bool, Any]]:
    """Run `requests` in one transaction; return (ok, result-or-exception) per request.

    Raises (and rolls everything back) when the file itself fails — full, read-only, locked,
    I/O error, corrupt — or when COMMIT fails: then no caller of the batch is acknowledged.
    """
    try:
        return _run(conn, requests, Ctx(cfg, catalog, now), careful=False)
    except _Unclean:
        # Nothing of the batch was committed: run it again, each operation in a savepoint.
        return _run(conn, requests, Ctx(cfg, catalog, now), careful=True)


def _run(
    conn: sqlite3.Connection, requests: Sequence[Write[Any]], ctx: Ctx, *, careful: bool
) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    # BEGIN IMMEDIATE takes the write lock up front: every fact an operation reads inside the
    # batch is still true when its guarded write runs (another process waits for the lock).
    conn.execute("BEGIN IMMEDIATE")
    try:
        tx = Tx(conn, ctx, careful=careful)
        tx.prefetch_keys(requests)
        for req in requests:
            try:
                outcomes.append((True, execute(tx, req, careful=careful)))
            except _Unclean:
                raise
            except Exception as exc:
                if is_file_fault(exc):
                    raise  # nothing in this batch may be acknowledged
                outcomes.append((False, exc))
        tx.flush()
        # The one durable commit for the whole batch (synchronous=FULL fsyncs the WAL here).
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            # The original error is the one to report; the rollback may fail on a dead file.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return outcomes
