"""One group-commit batch, run entirely in the writer connection's thread.

`run_batch` opens ONE `BEGIN IMMEDIATE` transaction, runs each operation inside its own SAVEPOINT
(a refusal rolls back only that operation), writes the batch-level rows that cannot fail per
operation (double-entry `entries`, daily and event statistics) with `executemany`, and commits
once. The caller resolves futures only after this function returns, i.e. after the COMMIT.

`Tx` is what each operation sees: the connection, the batch's clock reading, the economy, and
buffers for its deferred rows, which join the batch only if the operation succeeds.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.rules import utc_day
from bot.storage import codec
from bot.storage.errors import is_file_fault

R = TypeVar("R")
Op = Callable[["Tx"], Any]


class Tx:
    """The batch context handed to each operation (writer thread only)."""

    def __init__(
        self, conn: sqlite3.Connection, cfg: EconomyConfig, catalog: Catalog, now: float
    ) -> None:
        self.conn = conn
        self.cur = conn.cursor()
        self.cfg = cfg
        self.catalog = catalog
        self.ratio: Decimal = cfg.diamonds_per_coin
        self.ratio_text = str(cfg.diamonds_per_coin)
        self.max_balance = cfg.max_balance
        self.now = now
        self.day = utc_day(now)
        # Ids are allocated here, not by AUTOINCREMENT, so a result can name its txn id before
        # the row (which stores that result) is written. The writer holds the write lock for
        # the whole batch, so nobody else can take the same id.
        self.txn_id: int = self.cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM txns").fetchone()[
            0
        ]
        self._used_txn = False
        # Batch-level rows. An operation appends to them directly; if it is rolled back they
        # are truncated back to the marks taken when it began.
        self._entries: list[tuple[int, int, int, str, int]] = []
        self._daily: list[tuple[int, int, int, int, int, int]] = []
        self._event: list[tuple[int, int, int, int]] = []
        self._marks = (0, 0, 0)
        self._live: dict[int, tuple[int, int] | None] = {}
        # Idempotency keys: the batch asks once for every key its operations carry (one query
        # instead of one per operation). `_known` maps (guild, key) → stored result JSON, for
        # keys found in the database or written earlier in this batch; `_asked` is every key
        # the batch query covered, so a miss there is a definite "not used yet".
        self._asked: set[tuple[int, str]] = set()
        self._known: dict[tuple[int, str], str] = {}
        self._new_keys: list[tuple[int, str]] = []
        # Set by an operation that runs without a savepoint (see `savepoint_free`) once it has
        # written: if it then fails, only a rollback of the whole batch can undo it.
        self.wrote = False

    # --- per-operation bookkeeping (called by run_batch) ----------------------------------

    def begin(self) -> None:
        self._used_txn = False
        self.wrote = False
        self._new_keys.clear()
        self._marks = (len(self._entries), len(self._daily), len(self._event))

    def keep(self) -> None:
        """The operation succeeded: its deferred rows stay in the batch."""
        if self._used_txn:
            self.txn_id += 1

    def discard(self) -> None:
        """The operation was rolled back to its savepoint: forget what it buffered."""
        e, d, v = self._marks
        del self._entries[e:], self._daily[d:], self._event[v:]
        for k in self._new_keys:  # its txn row is gone, so its key is unused again
            self._known.pop(k, None)
        self._live.clear()  # it may have started or ended an event before failing

    def flush(self) -> None:
        """Write the batch-level rows. Plain inserts and additive upserts: they cannot refuse,
        so they need no savepoint, and executemany makes them nearly free."""
        cur = self.cur
        if self._entries:
            cur.executemany(
                "INSERT INTO entries (guild_id, account, txn_id, currency, amount) "
                "VALUES (?, ?, ?, ?, ?)",
                self._entries,
            )
        if self._daily:
            daily: dict[tuple[int, int, int], list[int]] = {}
            for g, d, u, c, dia, n in self._daily:
                acc = daily.get((g, d, u))
                if acc is None:
                    daily[(g, d, u)] = [c, dia, n]
                else:
                    acc[0] += c
                    acc[1] += dia
                    acc[2] += n
            cur.executemany(
                "INSERT INTO daily_stats (guild_id, day, user_id, coins_spent, diamonds_earned,"
                " gifts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, day, user_id) DO UPDATE"
                " SET coins_spent = coins_spent + excluded.coins_spent,"
                " diamonds_earned = diamonds_earned + excluded.diamonds_earned,"
                " gifts = gifts + excluded.gifts",
                [(g, d, u, *v) for (g, d, u), v in sorted(daily.items())],
            )
        if self._event:
            stats: dict[tuple[int, int], list[int]] = {}
            for e, u, c, dia in self._event:
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

    # --- helpers for operations -----------------------------------------------------------

    def entry(self, guild_id: int, account: int, currency: str, amount: int) -> None:
        if amount:
            self._entries.append((guild_id, account, self.txn_id, currency, amount))

    def daily(
        self, guild_id: int, user_id: int, *, coins: int = 0, diamonds: int = 0, gifts: int = 0
    ) -> None:
        self._daily.append((guild_id, self.day, user_id, coins, diamonds, gifts))

    def event_stat(self, event_id: int, user_id: int, *, coins: int = 0, diamonds: int = 0) -> None:
        self._event.append((event_id, user_id, coins, diamonds))

    def replay(self, guild_id: int, key: str, cls: type[R]) -> R | None:
        """The stored result of an earlier operation with this key, flagged replayed."""
        k = (guild_id, key)
        text = self._known.get(k)
        if text is None and k not in self._asked:
            row = self.cur.execute(
                "SELECT result FROM txns WHERE guild_id = ? AND idem_key = ?", k
            ).fetchone()
            text = None if row is None else row[0]
        return None if text is None else codec.decode(cls, text)

    def prefetch_keys(self, ops: Sequence[Op]) -> None:
        """Look up, in one query per server, every idempotency key the batch's operations carry
        (an operation is a `functools.partial` of an ops function; keys are keyword args)."""
        by_guild: dict[int, list[str]] = {}
        for op in ops:
            kw = getattr(op, "keywords", None)
            if kw and type(kw.get("key")) is str and type(kw.get("guild_id")) is int:
                by_guild.setdefault(kw["guild_id"], []).append(kw["key"])
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

    def insert_txn(self, guild_id: int, key: str, kind: str, result: Any, **cols: Any) -> None:
        names = ", ".join(cols)
        marks = ", ?" * len(cols)
        text = codec.encode(result)
        self.cur.execute(
            f"INSERT INTO txns (id, guild_id, idem_key, kind, created_at, result, {names}) "
            f"VALUES (?, ?, ?, ?, ?, ?{marks})",
            (self.txn_id, guild_id, key, kind, self.now, text, *cols.values()),
        )
        self._used_txn = True
        # Later operations of this batch with the same key replay it without asking SQLite.
        self._known[(guild_id, key)] = text
        self._new_keys.append((guild_id, key))

    def account_row(self, guild_id: int, user_id: int) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.cur.execute(
            f"SELECT {codec.ACCOUNT_COLS} FROM accounts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ).fetchone()
        return row

    def ensure_account(self, guild_id: int, user_id: int) -> None:
        self.cur.execute(
            "INSERT INTO accounts (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (guild_id, user_id),
        )

    def live_event(self, guild_id: int) -> tuple[int, int] | None:
        """(id, bonus_percent) of the event running now, cached for the batch: a gift storm
        asks this for every gift."""
        if guild_id not in self._live:
            self._live[guild_id] = self.cur.execute(
                "SELECT id, bonus_percent FROM events "
                "WHERE guild_id = ? AND ended_at IS NULL AND ends_at > ?",
                (guild_id, self.now),
            ).fetchone()
        return self._live[guild_id]

    def forget_live(self) -> None:
        self._live.clear()


def savepoint_free(fn: Callable[..., R]) -> Callable[..., R]:
    """Mark an operation that decides every refusal before its first write (or undoes its own
    writes before refusing), so it needs no savepoint. If it fails any other way after writing
    (it sets `tx.wrote`), the batch is rolled back and rerun with a savepoint per operation."""
    fn.savepoint_free = True  # type: ignore[attr-defined]
    return fn


class _Unclean(Exception):
    """A savepoint-free operation failed after writing: only the whole batch can be undone."""


def run_batch(
    conn: sqlite3.Connection,
    ops: Sequence[Op],
    cfg: EconomyConfig,
    catalog: Catalog,
    now: float,
) -> list[tuple[bool, Any]]:
    """Run `ops` in one transaction; return (ok, result-or-exception) per op.

    Raises (and rolls everything back) when the file itself fails — full, read-only, locked,
    I/O error, corrupt — or when COMMIT fails: then no caller of the batch is acknowledged.
    """
    try:
        return _run(conn, ops, cfg, catalog, now, fast=True)
    except _Unclean:
        # Nothing was committed (the batch transaction was rolled back): rerun every operation
        # under its own savepoint, so the failing one is undone alone.
        return _run(conn, ops, cfg, catalog, now, fast=False)


def _free(op: Op) -> bool:
    return getattr(getattr(op, "func", op), "savepoint_free", False) is True


def _run(
    conn: sqlite3.Connection,
    ops: Sequence[Op],
    cfg: EconomyConfig,
    catalog: Catalog,
    now: float,
    *,
    fast: bool,
) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    append = outcomes.append
    # BEGIN IMMEDIATE takes the write lock up front: every read an operation makes inside the
    # batch is followed by its write with no other writer in between (no lost updates).
    conn.execute("BEGIN IMMEDIATE")
    try:
        tx = Tx(conn, cfg, catalog, now)
        cur = tx.cur
        tx.prefetch_keys(ops)
        for op in ops:
            tx.begin()
            if fast and _free(op):
                # No savepoint: the operation refuses before writing anything (see
                # `savepoint_free`), so a refusal leaves nothing to undo.
                try:
                    value = op(tx)
                except Exception as exc:
                    if is_file_fault(exc):
                        raise
                    if tx.wrote:
                        raise _Unclean() from exc
                    tx.discard()
                    append((False, exc))
                else:
                    tx.keep()
                    append((True, value))
                continue
            # A savepoint per operation: a refusal undoes only that operation's writes.
            cur.execute("SAVEPOINT op")
            try:
                value = op(tx)
            except Exception as exc:
                if is_file_fault(exc):
                    raise  # the file is failing: nothing in this batch may be acknowledged
                cur.execute("ROLLBACK TO op")
                cur.execute("RELEASE op")
                tx.discard()
                append((False, exc))
            else:
                cur.execute("RELEASE op")
                tx.keep()
                append((True, value))
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
