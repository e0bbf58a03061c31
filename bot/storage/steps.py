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
    BoxAnnounced,
    BoxMessage,
    CloseBox,
    CloseEvent,
    CloseLive,
    ClosePayout,
    EventCredit,
    EventMessage,
    EventStat,
    GuildSettingsSet,
    JoinBox,
    Leg,
    LevelRoleSet,
    LiveMessage,
    Move,
    OpenBox,
    OpenEvent,
    OpenLive,
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
        f" WHERE {col} + excluded.{col} <= ?7{frozen} RETURNING {col}, coins_spent"
    )


@cache
def _debit_sql(col: str, unfrozen: bool) -> str:
    # The conditional debit: it only happens when the balance covers it, so two operations can
    # never both spend the same coins — whoever else writes to this database.
    frozen = " AND frozen = 0" if unfrozen else ""
    return (
        f"UPDATE accounts SET {col} = {col} + ?3, coins_spent = coins_spent + ?4,"
        " gifts_sent = gifts_sent + ?5, lifetime_diamonds = lifetime_diamonds + ?6"
        f" WHERE guild_id = ?1 AND user_id = ?2 AND {col} + ?3 >= 0{frozen}"
        f" RETURNING {col}, coins_spent"
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
    if step.spent:
        applied.spent[step.user_id] = rows[0][1]  # the gifter level after this gift


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


def _open_live(tx: Tx, step: OpenLive, applied: Applied) -> None:
    # The partial unique index lives_one_per_member is the guard: one LIVE per member. ON
    # CONFLICT DO NOTHING answers no row instead of raising, which keeps a PostgreSQL
    # transaction usable (a unique violation would abort it). The plan's record (txn id
    # applied.txn_id) is where the LIVE's gifts begin.
    row = tx.cur.execute(
        "INSERT INTO lives (guild_id, user_id, title, channel_id, started_at, ends_at,"
        " start_txn) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) WHERE ended_at IS NULL DO NOTHING RETURNING id",
        (tx.guild_id, step.user_id, step.title, step.channel_id, tx.now, step.ends_at,
         applied.txn_id),
    ).fetchone()  # fmt: skip
    if row is None:
        raise GuardRefused(step)
    applied.new_id = row[0]


def _close_live(tx: Tx, step: CloseLive, applied: Applied) -> None:
    # A guarded transition: only a LIVE still on ends, once; its gifts end at this record.
    changed = tx.cur.execute(
        "UPDATE lives SET ended_at = ?, end_txn = ? WHERE id = ? AND guild_id = ?"
        " AND ended_at IS NULL",
        (step.at, applied.txn_id, step.live_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _live_message(tx: Tx, step: LiveMessage, applied: Applied) -> None:
    changed = tx.cur.execute(
        "UPDATE lives SET channel_id = ?, message_id = ? WHERE id = ? AND guild_id = ?",
        (step.channel_id, step.message_id, step.live_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _level_role(tx: Tx, step: LevelRoleSet, applied: Applied) -> None:
    if step.role_id is None:
        tx.cur.execute(
            "DELETE FROM level_roles WHERE guild_id = ? AND level = ?", (tx.guild_id, step.level)
        )
        return
    tx.cur.execute(
        "INSERT INTO level_roles (guild_id, level, role_id) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id, level) DO UPDATE SET role_id = excluded.role_id",
        (tx.guild_id, step.level, step.role_id),
    )


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


# --- treasure boxes ---------------------------------------------------------------------------


def _open_box(tx: Tx, step: OpenBox, applied: Applied) -> None:
    applied.new_id = tx.cur.execute(
        "INSERT INTO treasure_boxes (guild_id, dropper_id, coins, openers, created_at, ends_at,"
        " channel_id, txn_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            tx.guild_id,
            step.dropper_id,
            step.coins,
            step.openers,
            tx.now,
            step.ends_at,
            step.channel_id,
            applied.txn_id,
        ),
    ).fetchone()[0]


def _join_box(tx: Tx, step: JoinBox, applied: Applied) -> None:
    cur, g, uid = tx.cur, tx.guild_id, step.user_id
    # Every guard checked first, so a refusal (the usual one: "full") writes nothing: the member
    # is not frozen, has not opened this box, is under today's cap, and the box is open, not
    # past its end and not full.
    allowed = cur.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE guild_id = ?1 AND user_id = ?2"
        " AND frozen = 1)"
        " AND NOT EXISTS (SELECT 1 FROM treasure_opens WHERE box_id = ?3 AND user_id = ?2)"
        " AND NOT EXISTS (SELECT 1 FROM treasure_daily WHERE guild_id = ?1 AND user_id = ?2"
        " AND day = ?4 AND opens >= ?5)"
        " AND EXISTS (SELECT 1 FROM treasure_boxes WHERE id = ?3 AND guild_id = ?1"
        " AND state = 'open' AND opened < openers AND ends_at > ?6)",
        (g, uid, step.box_id, step.day, step.daily_limit, tx.now),
    ).fetchone()[0]
    if not allowed:
        raise GuardRefused(step)
    # The writes carry the same guards as their own conditions (the counted update, the
    # capped upsert, the primary key), so they hold even where writers are not serialised.
    row = cur.execute(
        "UPDATE treasure_boxes SET opened = opened + 1 WHERE id = ? AND guild_id = ?"
        " AND state = 'open' AND opened < openers AND ends_at > ? RETURNING opened",
        (step.box_id, g, tx.now),
    ).fetchone()
    if row is None:
        raise GuardRefused(step)  # nothing written yet
    refused = (
        cur.execute(
            "INSERT INTO treasure_daily (guild_id, user_id, day, opens) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (guild_id, user_id, day) DO UPDATE SET opens = opens + 1"
            " WHERE opens < ? RETURNING opens",
            (g, uid, step.day, step.daily_limit),
        ).fetchone()
        is None
    )
    if not refused:
        # The primary key refuses a second open of this box by this member (a press that
        # raced this one); DO NOTHING answers no row rather than aborting a PostgreSQL
        # transaction.
        refused = (
            cur.execute(
                "INSERT INTO treasure_opens (box_id, user_id, guild_id, seq, opened_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (box_id, user_id) DO NOTHING RETURNING seq",
                (step.box_id, uid, g, row[0], tx.now),
            ).fetchone()
            is None
        )
    if refused:
        # The increment above is written: the batch must undo the whole operation.
        tx.op_wrote = True
        raise GuardRefused(step)


def _close_box(tx: Tx, step: CloseBox, applied: Applied) -> None:
    cur = tx.cur
    changed = cur.execute(
        "UPDATE treasure_boxes SET state = ?, returned = ?, settled_at = ? WHERE id = ?"
        " AND guild_id = ? AND state = 'open' AND opened = ?",
        (step.state.value, step.returned, tx.now, step.box_id, tx.guild_id, len(step.shares)),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)
    cur.executemany(
        "UPDATE treasure_opens SET share = ? WHERE box_id = ? AND seq = ?",
        [(share, step.box_id, seq) for seq, share in enumerate(step.shares, start=1) if share],
    )


def _box_message(tx: Tx, step: BoxMessage, applied: Applied) -> None:
    changed = tx.cur.execute(
        "UPDATE treasure_boxes SET channel_id = ?, message_id = ? WHERE id = ? AND guild_id = ?",
        (step.channel_id, step.message_id, step.box_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


def _box_announced(tx: Tx, step: BoxAnnounced, applied: Applied) -> None:
    changed = tx.cur.execute(
        "UPDATE treasure_boxes SET announced = 1 WHERE id = ? AND guild_id = ? AND state != 'open'",
        (step.box_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


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
    OpenLive: _open_live,
    CloseLive: _close_live,
    LiveMessage: _live_message,
    LevelRoleSet: _level_role,
    OpenBox: _open_box,
    JoinBox: _join_box,
    CloseBox: _close_box,
    BoxMessage: _box_message,
    BoxAnnounced: _box_announced,
}
