"""A batch on PostgreSQL: the same executor as SQLite's (storage/batch.py `execute`: replay,
facts, the domain's decision, the plan's guarded steps, the key claimed by a unique insert),
inside one transaction, with what PostgreSQL needs around it.

- Servers, not the database, are the unit of waiting: the batch takes a transaction-scoped
  advisory lock per server it touches (sorted: no deadlock between two writers), so the facts a
  decision reads that no guard re-checks (today's purchase total for the daily cap) cannot
  change under it; two shard processes on different servers never wait for each other. The
  guards (conditional debits, compare-and-set, guarded transitions, the unique key) are what
  keep money right; the lock only saves re-deciding.
- Txn ids come from a block of the sequence `txn_blocks`, so a result can name its id before
  the row is written (as on SQLite) without a database-wide lock.
- A failed statement aborts a PostgreSQL transaction (SQLite keeps it): in the first, savepoint-
  free run any SQL error makes the batch run again carefully (a savepoint per operation).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import asyncpg

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.decide import Ctx
from bot.economy.plan import Applied, OpenEvent
from bot.economy.requests import Write
from bot.storage import batch as shared
from bot.storage.battle_steps import BATTLE_STEPS
from bot.storage.errors import StorageError
from bot.storage.postgres import fastpath
from bot.storage.postgres.conn import Cursor, is_pg_error, is_transient
from bot.storage.steps import EXECUTE, GuardRefused

OP_SENTENCE = "giftcord could not save that — nothing was changed. Please try again."


def _open_event(tx: shared.Tx, step: OpenEvent, applied: Applied) -> None:
    # The partial unique index is the guard; ON CONFLICT keeps the transaction usable (a unique
    # violation would abort it on PostgreSQL).
    tx.forget_live()
    row = tx.cur.execute(
        "INSERT INTO events (guild_id, name, started_at, ends_at, goal, bonus_percent,"
        " channel_id, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id) WHERE ended_at IS NULL DO NOTHING RETURNING id",
        (tx.guild_id, step.name, tx.now, step.ends_at, step.goal, step.bonus_percent,
         step.channel_id, step.started_by),
    ).fetchone()  # fmt: skip
    if row is None:
        raise GuardRefused(step)
    applied.new_id = row[0]


# Every step runs its shared SQL (translated, dialect.py) except where PostgreSQL must differ.
PG_STEPS: dict[type[Any], Any] = {**EXECUTE, **BATTLE_STEPS, OpenEvent: _open_event}


class PgTx(shared.Tx):
    steps = PG_STEPS
    unique_errors = (asyncpg.UniqueViolationError,)

    def __init__(
        self, cur: Cursor, ctx: Ctx, first_id: int, rolled: set[tuple[int, int]], *, careful: bool
    ) -> None:
        self._first_id = first_id
        self._rolled = rolled
        super().__init__(cur, ctx, careful=careful)  # type: ignore[arg-type]

    def first_txn_id(self) -> int:
        return self._first_id

    def prefetch_keys(self, requests: Sequence[Write[Any]]) -> None:
        """Every key of the batch, every server, in one statement."""
        asked = [(req.guild_id, req.key) for req in requests if req.key]
        if not asked:
            return
        for guild_id, key, text in self.cur.execute(
            "SELECT t.guild_id, t.idem_key, t.result FROM txns t"
            " JOIN unnest(?::bigint[], ?::text[]) AS k(g, key)"
            " ON t.guild_id = k.g AND t.idem_key = k.key",
            ([g for g, _ in asked], [k for _, k in asked]),
        ):
            self._known[(guild_id, key)] = text
        self._asked.update(asked)

    def roll_up(self, guild_id: int) -> None:
        """Once per server and day in this process: a closed day never changes, and a roll-up
        that did not commit is redone by the next day's (it adds every day since its last)."""
        if (guild_id, self.day) not in self._rolled:
            super().roll_up(guild_id)
            self._rolled.add((guild_id, self.day))


def reserve_ids(cur: Cursor) -> int:
    """The first of this batch's block of TXN_BLOCK txn ids (schema V1's `txn_blocks`)."""
    row = cur.execute("SELECT nextval('txn_blocks')").fetchone()
    assert row is not None
    return int(row[0])


def run_batch(
    cur: Cursor,
    requests: Sequence[Write[Any]],
    cfg: EconomyConfig,
    catalog: Catalog,
    now: float,
    rolled: set[tuple[int, int]],
) -> list[tuple[bool, Any]]:
    """Run `requests` in one transaction; (ok, result-or-exception) per request. A connection
    or server fault raises (nothing of the batch acknowledged; the writer decides on a retry).
    A batch of gifts takes the constant-round-trip path (fastpath.py)."""
    ctx = Ctx(cfg, catalog, now)
    if fastpath.eligible(requests):
        try:
            return _run(cur, requests, ctx, rolled, mode=FAST)
        except (fastpath.NotFast, shared._Unclean):
            pass  # rolled back: nothing of it was written
        except Exception as exc:
            if is_transient(exc) or not is_pg_error(exc):
                raise
            # rolled back; the general path gives each operation its own outcome
    try:
        return _run(cur, requests, ctx, rolled, mode=PLAIN)
    except shared._Unclean:
        return _run(cur, requests, ctx, rolled, mode=CAREFUL)


FAST, PLAIN, CAREFUL = "fast", "plain", "careful"


def _begin(cur: Cursor, requests: Sequence[Write[Any]]) -> None:
    """BEGIN and lock the batch's servers, in one round trip (ids are ints: safe to inline)."""
    guilds = ", ".join(str(int(g)) for g in sorted({req.guild_id for req in requests}))
    cur.script(
        f"BEGIN; SELECT pg_advisory_xact_lock(g) FROM unnest(ARRAY[{guilds}]::bigint[]) AS g"
        " ORDER BY g"
    )


def _run(
    cur: Cursor,
    requests: Sequence[Write[Any]],
    ctx: Ctx,
    rolled: set[tuple[int, int]],
    *,
    mode: str,
) -> list[tuple[bool, Any]]:
    careful = mode == CAREFUL
    outcomes: list[tuple[bool, Any]] = []
    _begin(cur, requests)
    try:
        tx = PgTx(cur, ctx, reserve_ids(cur), rolled, careful=careful)
        tx.prefetch_keys(requests)
        if mode == FAST:
            outcomes = fastpath.run(tx, requests, ctx)
            cur.script("COMMIT")
            return outcomes
        for req in requests:
            try:
                outcomes.append((True, shared.execute(tx, req, careful=careful)))
            except shared._Unclean:
                raise
            except Exception as exc:
                if is_transient(exc):
                    raise  # the connection or server: nothing in this batch may be acknowledged
                if is_pg_error(exc):
                    if not careful:
                        raise shared._Unclean() from exc  # the transaction is aborted
                    # Rolled back to its savepoint: this operation alone failed.
                    exc = StorageError(f"operation {type(req).__name__}: {exc}", OP_SENTENCE)
                outcomes.append((False, exc))
        tx.flush()
        cur.script("COMMIT")
    except BaseException:
        if not cur.conn.is_closed() and cur.conn.is_in_transaction():
            # The original error is the one to report; the rollback may fail on a dead connection.
            with contextlib.suppress(Exception):
                cur.script("ROLLBACK")
        raise
    return outcomes
