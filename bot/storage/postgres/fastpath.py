"""A batch of gifts in a constant number of round trips (docs: README "PostgreSQL").

The general executor (batch.py) sends each step's statement as it applies it: ~3 round trips a
gift. For the requests whose decision reads no account before deciding — a gift's plan depends
only on the request and the server's live event — the plans of the whole batch can be made
first, then:

1. one statement locks and reads every account the plans move (`FOR UPDATE`), one reads the
   keys already used, one the live events;
2. each plan's guards are checked in order against those locked rows as the batch changes them
   (exactly the SQL guards of steps.py: 0 <= balance + delta <= max, not frozen, the event still
   live) — a refused guard is explained by the decision from the same rows;
3. the outcome is written with one statement per table over arrays (`unnest`), then COMMIT.

The rows are locked and the server's advisory lock is held from step 1 to the COMMIT, so what
step 2 checks is what the database holds. Anything outside this vocabulary (another step kind,
a refusal the decision cannot explain) raises `NotFast` before anything is written, and the
batch runs on the general path instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.economy.decide import Ctx, Facts, decision_for, involved
from bot.economy.ledger import Currency
from bot.economy.plan import Applied, EventCredit, EventStat, Leg, Move, Plan, Stat
from bot.economy.requests import Write
from bot.storage import codec
from bot.storage.postgres.conn import Cursor

STEPS = (Move, Stat, EventStat, EventCredit, Leg)

# accounts columns the overlay tracks, in this order
_COLS = "coins, diamonds, lifetime_diamonds, coins_spent, gifts_sent, frozen"
_ACCOUNT = {Currency.COINS: 0, Currency.DIAMONDS: 1}

_UPSERT_ACCOUNTS = (
    "INSERT INTO accounts (guild_id, user_id, coins, diamonds, lifetime_diamonds, coins_spent,"
    " gifts_sent) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
    " $5::bigint[], $6::bigint[], $7::bigint[])"
    " ON CONFLICT (guild_id, user_id) DO UPDATE SET coins = excluded.coins,"
    " diamonds = excluded.diamonds, lifetime_diamonds = excluded.lifetime_diamonds,"
    " coins_spent = excluded.coins_spent, gifts_sent = excluded.gifts_sent"
)


class NotFast(Exception):
    """This batch needs the general executor (nothing was written)."""


def eligible(requests: Sequence[Write[Any]]) -> bool:
    """Every request's decision reads at most the live event before deciding."""
    for req in requests:
        needs = decision_for(req).needs(req)
        if (needs.accounts or needs.spent_today is not None or needs.cashout_today is not None
                or needs.payout is not None or needs.event is not None or needs.guild_settings):  # fmt: skip
            return False
    return True


class Overlay:
    """The locked account rows and live events of the batch, as the batch changes them."""

    def __init__(
        self, cur: Cursor, plans: dict[int, list[tuple[int, Plan]]], live_ids: set[int]
    ) -> None:
        self.live_ids = live_ids
        guilds, users = [], []
        for guild_id, items in plans.items():
            for uid in {u for _, plan in items for u in involved(plan)}:
                guilds.append(guild_id)
                users.append(uid)
        # [coins, diamonds, lifetime, spent, sent, frozen]; None: no row yet
        self.rows: dict[tuple[int, int], list[int] | None] = dict.fromkeys(
            zip(guilds, users, strict=True)
        )
        self.full: dict[tuple[int, int], tuple[Any, ...]] = {}
        for row in cur.execute(
            f"SELECT a.guild_id, a.user_id, {codec.ACCOUNT_COLS} FROM accounts a"
            " JOIN unnest(?::bigint[], ?::bigint[]) AS k(g, u) ON a.guild_id = k.g"
            " AND a.user_id = k.u ORDER BY a.guild_id, a.user_id FOR UPDATE OF a",
            (guilds, users),
        ):
            self.full[(row[0], row[1])] = row[2:]
            self.rows[(row[0], row[1])] = [*row[2:7], row[7]]
        self.touched: set[tuple[int, int]] = set()
        self.event_diamonds: dict[int, int] = {}

    def account_facts(self, facts: Facts, users: Sequence[int]) -> Facts:
        """`facts` with the accounts of `users` as they stand now (for `explain`)."""
        for uid in users:
            row = self.rows.get((facts.guild_id, uid))
            base = self.full.get((facts.guild_id, uid))
            if row is None:
                continue
            rest = base[6:] if base is not None else (0, None, None, 0)
            facts.accounts[uid] = codec.account(facts.guild_id, uid, (*row[:5], row[5], *rest))
        return facts

    def apply(self, guild_id: int, plan: Plan, applied: Applied, max_balance: int) -> bool:
        """Check every guard of the plan, then apply it all; False (and nothing changed) when
        a guard refuses. The same conditions as steps.py's SQL."""
        pending: dict[tuple[int, int], list[int] | None] = {}
        credits: dict[int, int] = {}
        for step in plan.steps:
            if isinstance(step, Move):
                k = (guild_id, step.user_id)
                row = pending[k] if k in pending else self.rows.get(k)
                row = None if row is None else list(row)
                col = _ACCOUNT[step.currency]
                if step.delta >= 0:
                    if step.delta > max_balance:
                        return False
                    if row is None:
                        row = [0, 0, 0, 0, 0, 0]  # the first credit creates the account
                    elif row[col] + step.delta > max_balance or (step.unfrozen and row[5]):
                        return False
                elif row is None or row[col] + step.delta < 0 or (step.unfrozen and row[5]):
                    return False
                row[col] += step.delta
                row[2] += step.earned
                row[3] += step.spent
                row[4] += step.sent
                pending[k] = row
                applied.balances[(step.user_id, step.currency)] = row[col]
            elif isinstance(step, EventCredit):
                if step.event_id not in self.live_ids:
                    return False
                credits[step.event_id] = credits.get(step.event_id, 0) + step.diamonds
            elif not isinstance(step, (Stat, EventStat, Leg)):
                raise NotFast(type(step).__name__)
        self.rows.update(pending)
        self.touched.update(pending)
        for event_id, d in credits.items():
            self.event_diamonds[event_id] = self.event_diamonds.get(event_id, 0) + d
        return True

    def write(self, cur: Cursor) -> None:
        """One statement for every account the batch moved, one for the events' diamonds."""
        keys = sorted(self.touched)
        if keys:
            cols: list[list[int]] = [[k[0] for k in keys], [k[1] for k in keys]]
            for i in range(5):
                cols.append([self.rows[k][i] for k in keys])  # type: ignore[index]
            cur.execute(_UPSERT_ACCOUNTS, cols)
        if self.event_diamonds:
            ids = sorted(self.event_diamonds)
            cur.execute(
                "UPDATE events e SET diamonds = e.diamonds + v.d"
                " FROM unnest(?::bigint[], ?::bigint[]) AS v(id, d) WHERE e.id = v.id",
                (ids, [self.event_diamonds[i] for i in ids]),
            )


def run(tx: Any, requests: Sequence[Write[Any]], ctx: Ctx) -> list[tuple[bool, Any]]:
    """The batch on `tx` (a PgTx inside BEGIN, the servers locked, keys prefetched): decide
    every plan, lock and read the accounts, check and apply in order, write. Raises NotFast
    before writing anything when the batch needs the general executor."""
    cur: Cursor = tx.cur
    guilds = sorted({req.guild_id for req in requests})
    for g in guilds:
        tx._live[g] = None
    for row in cur.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE guild_id = ANY(?::bigint[])"
        " AND ended_at IS NULL",
        (guilds,),
    ):
        tx._live[row[1]] = codec.event(row)
    live_ids = {ev.id for ev in tx._live.values() if ev is not None}
    # 1. every plan, from the request and the live event alone (see `eligible`)
    plans: list[Plan | Exception | None] = []
    by_guild: dict[int, list[tuple[int, Plan]]] = {}
    for i, req in enumerate(requests):
        if req.key and tx.replay(req) is not None:
            plans.append(None)
            continue
        facts = Facts(req.guild_id, live_event=tx._live[req.guild_id])
        try:
            made = decision_for(req).decide(req, facts, ctx)
        except Exception as refused:  # noqa: BLE001 - a refusal (or bad input) is its outcome
            plans.append(refused)
            continue
        plans.append(made)
        by_guild.setdefault(req.guild_id, []).append((i, made))
    # 2. lock and read the accounts the plans move
    overlay = Overlay(cur, by_guild, live_ids)
    # 3. in order: replay, or check the guards and apply
    outcomes: list[tuple[bool, Any]] = []
    for req, decided in zip(requests, plans, strict=True):
        if req.key and (done := tx.replay(req)) is not None:
            outcomes.append((True, done))  # an earlier batch's, or this batch's first copy
            continue
        if isinstance(decided, Exception):
            outcomes.append((False, decided))
            continue
        assert decided is not None
        plan = decided
        decision = decision_for(req)
        tx.guild_id = req.guild_id
        applied = Applied(tx.txn_id)
        if not overlay.apply(req.guild_id, plan, applied, ctx.cfg.max_balance):
            facts = Facts(req.guild_id, live_event=tx._live[req.guild_id])
            fresh = overlay.account_facts(facts, involved(plan))
            refusal = decision.explain(req, plan, fresh, ctx)
            if refusal is None:
                raise NotFast("a refusal the decision does not explain")
            outcomes.append((False, refusal))
            continue
        try:
            for step in plan.steps:
                if isinstance(step, (Stat, EventStat, Leg)):
                    tx.steps[type(step)](tx, step, applied)  # buffered: written at the flush
            result = decision.finish(req, plan, applied, ctx)
            if plan.record is not None:
                tx.record(req, plan.record, applied, result)
                tx.txn_id += 1
        except Exception as exc:
            # Undoing one operation's share of the overlay is the general path's job (its
            # savepoints): nothing is written yet, so hand the whole batch over.
            raise NotFast(f"{type(exc).__name__} in {type(req).__name__}") from exc
        outcomes.append((True, result))
    # 4. the writes: one statement per table
    overlay.write(cur)
    tx.flush()
    return outcomes
