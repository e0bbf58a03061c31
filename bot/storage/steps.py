"""SQLite's execution of plan steps (`bot.economy.plan`): each step's SQL and its guard.

A guard that refuses raises `GuardRefused`; the batch then rolls the operation back to its
savepoint and asks the decision why. The SQL strings are built once per (step shape), not per
gift: the hot path formats nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.economy.ledger import Currency
from bot.economy.plan import (
    Applied,
    CloseEvent,
    ClosePayout,
    EventCredit,
    EventMessage,
    EventStat,
    GuildSettingsSet,
    Leg,
    Move,
    OpenEvent,
    OpenPayout,
    SetBalance,
    SetProfile,
    Stat,
    Step,
)

if TYPE_CHECKING:
    from bot.storage.batch import Tx


class GuardRefused(Exception):
    """A step's guard did not hold: nothing of the step was written."""

    def __init__(self, step: Step) -> None:
        super().__init__(type(step).__name__)
        self.step = step


# A column name from the enum, never from user text.
_COLUMN = {Currency.COINS: "coins", Currency.DIAMONDS: "diamonds"}


def _col(currency: Currency) -> str:
    return _COLUMN[currency]


@cache
def _credit_sql(col: str, unfrozen: bool) -> str:
    # The account is created by its first credit. The update happens only within the maximum
    # balance (and, when asked, for an account that is not frozen); otherwise RETURNING is empty.
    frozen = " AND frozen = 0" if unfrozen else ""
    return (
        f"INSERT INTO accounts (guild_id, user_id, {col}, coins_spent, gifts_sent,"
        " lifetime_diamonds) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        f" ON CONFLICT (guild_id, user_id) DO UPDATE SET {col} = {col} + excluded.{col},"
        " coins_spent = coins_spent + excluded.coins_spent,"
        " gifts_sent = gifts_sent + excluded.gifts_sent,"
        " lifetime_diamonds = lifetime_diamonds + excluded.lifetime_diamonds"
        f" WHERE {col} + excluded.{col} <= ?7{frozen} RETURNING {col}"
    )


@cache
def _debit_sql(col: str, unfrozen: bool) -> str:
    # The conditional debit: it only happens when the balance covers it, so two operations can
    # never both spend the same coins — whoever else writes to this database.
    frozen = " AND frozen = 0" if unfrozen else ""
    return (
        f"UPDATE accounts SET {col} = {col} + ?3, coins_spent = coins_spent + ?4,"
        " gifts_sent = gifts_sent + ?5, lifetime_diamonds = lifetime_diamonds + ?6"
        f" WHERE guild_id = ?1 AND user_id = ?2 AND {col} + ?3 >= 0{frozen} RETURNING {col}"
    )


def _move(tx: Tx, step: Move, applied: Applied) -> None:
    col = _col(step.currency)
    args = (tx.guild_id, step.user_id, step.delta, step.spent, step.sent, step.earned)
    if step.delta >= 0:
        if step.delta > tx.max_balance:  # a new account would start above the maximum
            raise GuardRefused(step)
        rows = tx.cur.execute(_credit_sql(col, step.unfrozen), (*args, tx.max_balance)).fetchall()
    else:
        rows = tx.cur.execute(_debit_sql(col, step.unfrozen), args).fetchall()
    if not rows:
        raise GuardRefused(step)
    applied.balances[(step.user_id, step.currency)] = rows[0][0]


def _set_balance(tx: Tx, step: SetBalance, applied: Applied) -> None:
    col = _col(step.currency)
    tx.ensure_account(step.user_id)
    # Compare-and-set: only if the balance is still what the decision read.
    rows = tx.cur.execute(
        f"UPDATE accounts SET {col} = ? WHERE guild_id = ? AND user_id = ? AND {col} = ?"
        f" RETURNING {col}",
        (step.value, tx.guild_id, step.user_id, step.expected),
    ).fetchall()
    if not rows:
        raise GuardRefused(step)
    applied.balances[(step.user_id, step.currency)] = rows[0][0]


_PROFILE_COLUMNS = ("frozen", "age_confirmed", "departed", "country", "payout_method")


def _set_profile(tx: Tx, step: SetProfile, applied: Applied) -> None:
    if step.create:
        tx.ensure_account(step.user_id)
    for name in _PROFILE_COLUMNS:
        value = getattr(step, name)
        if value is not None:
            tx.cur.execute(
                f"UPDATE accounts SET {name} = ? WHERE guild_id = ? AND user_id = ?",
                (int(value) if isinstance(value, bool) else value, tx.guild_id, step.user_id),
            )


def _open_payout(tx: Tx, step: OpenPayout, applied: Applied) -> None:
    applied.new_id = tx.cur.execute(
        "INSERT INTO payouts (guild_id, user_id, diamonds, usd, method, state, created_at,"
        " txn_id) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
        (
            tx.guild_id,
            step.user_id,
            step.diamonds,
            str(step.usd),
            step.method,
            tx.now,
            applied.txn_id,
        ),
    ).fetchone()[0]


def _close_payout(tx: Tx, step: ClosePayout, applied: Applied) -> None:
    # A guarded transition: only a pending request can be decided, and only once.
    changed = tx.cur.execute(
        "UPDATE payouts SET state = ?, decided_at = ?, decided_by = ?, reason = ?"
        " WHERE id = ? AND guild_id = ? AND state = 'pending'",
        (step.state.value, tx.now, step.actor_id, step.reason, step.payout_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _open_event(tx: Tx, step: OpenEvent, applied: Applied) -> None:
    tx.forget_live()
    try:
        # The partial unique index events_one_live is the guard: one live event per server.
        applied.new_id = tx.cur.execute(
            "INSERT INTO events (guild_id, name, started_at, ends_at, goal, bonus_percent,"
            " channel_id, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                tx.guild_id,
                step.name,
                tx.now,
                step.ends_at,
                step.goal,
                step.bonus_percent,
                step.channel_id,
                step.started_by,
            ),
        ).fetchone()[0]
    except sqlite3.IntegrityError:
        raise GuardRefused(step) from None


def _close_event(tx: Tx, step: CloseEvent, applied: Applied) -> None:
    tx.forget_live()
    changed = tx.cur.execute(
        "UPDATE events SET ended_at = ? WHERE id = ? AND guild_id = ? AND ended_at IS NULL",
        (step.at, step.event_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _event_credit(tx: Tx, step: EventCredit, applied: Applied) -> None:
    # In place (an end in the same batch reads it); only while the event is live.
    changed = tx.cur.execute(
        "UPDATE events SET diamonds = diamonds + ? WHERE id = ? AND ended_at IS NULL",
        (step.diamonds, step.event_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _event_message(tx: Tx, step: EventMessage, applied: Applied) -> None:
    changed = tx.cur.execute(
        "UPDATE events SET channel_id = ?, message_id = ? WHERE id = ? AND guild_id = ?",
        (step.channel_id, step.message_id, step.event_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _guild_settings(tx: Tx, step: GuildSettingsSet, applied: Applied) -> None:
    tx.cur.execute(
        "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (tx.guild_id,)
    )
    for name in ("audit_channel_id", "announce_channel_id", "mod_role_id"):
        value = getattr(step, name)
        if value is not None:
            tx.cur.execute(
                f"UPDATE guild_settings SET {name} = ? WHERE guild_id = ?",
                (value or None, tx.guild_id),
            )
    if step.public_page is not None:
        tx.cur.execute(
            "UPDATE guild_settings SET public_page = ? WHERE guild_id = ?",
            (int(step.public_page), tx.guild_id),
        )


def _leg(tx: Tx, step: Leg, applied: Applied) -> None:
    tx.entries.append((tx.guild_id, step.account, tx.txn_id, step.currency.value, step.amount))


def _stat(tx: Tx, step: Stat, applied: Applied) -> None:
    tx.daily.append((tx.guild_id, step.user_id, step.coins, step.diamonds, step.gifts))


def _event_stat(tx: Tx, step: EventStat, applied: Applied) -> None:
    tx.event_stats.append((step.event_id, step.user_id, step.coins, step.diamonds))


# Steps that only add to the batch's buffers (written at the flush, dropped with a refused
# operation): they need no undo.
BUFFERED = frozenset({Leg, Stat, EventStat})

EXECUTE: dict[type[Any], Callable[[Tx, Any, Applied], None]] = {
    Move: _move,
    SetBalance: _set_balance,
    SetProfile: _set_profile,
    Leg: _leg,
    Stat: _stat,
    EventStat: _event_stat,
    EventCredit: _event_credit,
    OpenPayout: _open_payout,
    ClosePayout: _close_payout,
    OpenEvent: _open_event,
    CloseEvent: _close_event,
    EventMessage: _event_message,
    GuildSettingsSet: _guild_settings,
}
