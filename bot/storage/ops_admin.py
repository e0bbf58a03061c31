"""Moderation, creator, cash-out, event and settings operations (writer thread only).

Same shape as ops_money: idempotency key first, then validation, then conditional writes; a
raise rolls the operation back to its savepoint. Moderator actions record a txn with actor_id,
which is what `audit()` lists.
"""

from __future__ import annotations

from bot.economy import countries
from bot.economy.errors import (
    BalanceLimit,
    BelowMinimum,
    DailyCapReached,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidInput,
    InvalidState,
    NotEligible,
    NotFound,
)
from bot.economy.ledger import (
    Account,
    Currency,
    Event,
    FreezeResult,
    GuildSettings,
    Payout,
    PayoutMethod,
    PayoutState,
    SystemAccount,
)
from bot.economy.money import format_usd
from bot.economy.rules import CreatorFacts, cashout_estimate, eligibility, failed_items, next_reset
from bot.storage import codec
from bot.storage.batch import Tx
from bot.storage.ops_common import require_reason
from bot.storage.queries import cashout_requested_today

DIAMONDS = Currency.DIAMONDS.value


def set_frozen(
    tx: Tx, guild_id: int, user_id: int, *, key: str, actor_id: int, frozen: bool, reason: str
) -> FreezeResult:
    if (done := tx.replay(guild_id, key, FreezeResult)) is not None:
        return done
    reason = require_reason(reason)
    row = tx.account_row(guild_id, user_id)
    was = bool(row[5]) if row else False
    tx.ensure_account(guild_id, user_id)
    tx.cur.execute(
        "UPDATE accounts SET frozen = ? WHERE guild_id = ? AND user_id = ?",
        (int(frozen), guild_id, user_id),
    )
    result = FreezeResult(tx.txn_id, user_id, frozen, changed=was != frozen)
    tx.insert_txn(
        guild_id,
        key,
        "freeze" if frozen else "unfreeze",
        result,
        actor_id=actor_id,
        subject_id=user_id,
        before=int(was),
        after=int(frozen),
        reason=reason,
    )
    return result


def register_creator(
    tx: Tx, guild_id: int, user_id: int, *, country: str, method: PayoutMethod
) -> Account:
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha() or not _known_country(code):
        raise InvalidInput(
            f"“{(country or '').strip()[:20]}” is not a country code — pick your country from "
            "the list (two letters, e.g. US, DE, BR)."
        )
    try:
        payout_method = PayoutMethod(method)
    except ValueError:
        raise InvalidInput("Choose a payout method: paypal or bank.") from None
    tx.cur.execute(
        "INSERT INTO accounts (guild_id, user_id, country, payout_method) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE"
        " SET country = excluded.country, payout_method = excluded.payout_method",
        (guild_id, user_id, code, payout_method.value),
    )
    return codec.account(guild_id, user_id, tx.account_row(guild_id, user_id))


def _known_country(code: str) -> bool:
    """ISO 3166 codes from bot/data/countries.csv; any two letters if the file is missing."""
    try:
        known = countries.countries()
    except (OSError, KeyError, ValueError):
        return True
    return not known or code in known


def request_cashout(
    tx: Tx, guild_id: int, user_id: int, *, key: str, diamonds: int, method: PayoutMethod
) -> Payout:
    if (done := tx.replay(guild_id, key, Payout)) is not None:
        return done
    if type(diamonds) is not int or diamonds < 1:
        raise InvalidAmount("Cash out at least 1 diamond.")
    try:
        payout_method = PayoutMethod(method)
    except ValueError:
        raise InvalidInput("Choose a payout method: paypal or bank.") from None
    cfg = tx.cfg
    acct = codec.account(guild_id, user_id, tx.account_row(guild_id, user_id))
    checklist = eligibility(
        cfg, CreatorFacts(acct.age_confirmed, acct.country, acct.payout_method, acct.frozen)
    )
    if failed := failed_items(checklist):
        raise NotEligible(failed)
    if diamonds > acct.diamonds:
        raise InsufficientDiamonds(have=acct.diamonds, need=diamonds)
    requested = cashout_requested_today(tx.cur, guild_id, user_id, tx.now)
    # The estimate rounds the gross down to whole cents (money.to_cents): never promise a cent
    # the rules did not earn. That rounded gross is what the payout row records.
    est = cashout_estimate(cfg, diamonds, requested, checklist)
    if est.missing_to_minimum > 0:
        raise BelowMinimum(format_usd(est.gross), format_usd(est.minimum), est.missing_diamonds)
    if est.over_daily_max:
        raise DailyCapReached(
            f"cash-out maximum ({format_usd(cfg.cashout_daily_max_usd)} per day)",
            format_usd(est.remaining_today),
            next_reset(tx.now),
        )
    # Conditional debit: the diamonds leave the balance only if they are still there.
    moved = tx.cur.execute(
        "UPDATE accounts SET diamonds = diamonds - ?1"
        " WHERE guild_id = ?2 AND user_id = ?3 AND diamonds >= ?1",
        (diamonds, guild_id, user_id),
    ).rowcount
    if moved != 1:
        raise InsufficientDiamonds(have=acct.diamonds, need=diamonds)
    payout_id = tx.cur.execute(
        "INSERT INTO payouts (guild_id, user_id, diamonds, usd, method, state, created_at,"
        " txn_id) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
        (guild_id, user_id, diamonds, str(est.gross), payout_method.value, tx.now, tx.txn_id),
    ).lastrowid
    assert payout_id is not None
    tx.entry(guild_id, user_id, DIAMONDS, -diamonds)
    tx.entry(guild_id, SystemAccount.PAYOUT_PENDING, DIAMONDS, diamonds)
    result = Payout(
        payout_id,
        guild_id,
        user_id,
        diamonds,
        est.gross,
        payout_method.value,
        PayoutState.PENDING,
        tx.now,
        None,
        None,
        None,
        tx.txn_id,
    )
    tx.insert_txn(
        guild_id,
        key,
        "cashout_request",
        result,
        subject_id=user_id,
        currency=DIAMONDS,
        amount=diamonds,
        usd=str(est.gross),
    )
    return result


def decide_cashout(
    tx: Tx, guild_id: int, payout_id: int, *, key: str, actor_id: int, approve: bool, reason: str
) -> Payout:
    if (done := tx.replay(guild_id, key, Payout)) is not None:
        return done
    row = tx.cur.execute(
        f"SELECT {codec.PAYOUT_COLS} FROM payouts WHERE id = ? AND guild_id = ?",
        (payout_id, guild_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no cash-out request #{payout_id} in this server.")
    payout = codec.payout(row)
    if payout.state is not PayoutState.PENDING:
        raise InvalidState(f"Cash-out request #{payout_id} was already {payout.state.value}.")
    reason_text = (reason or "").strip()[:500] or None
    if not approve and reason_text is None:
        reason_text = require_reason(reason)
    d, uid = payout.diamonds, payout.user_id
    tx.entry(guild_id, SystemAccount.PAYOUT_PENDING, DIAMONDS, -d)
    if approve:
        tx.entry(guild_id, SystemAccount.PAID_OUT, DIAMONDS, d)
    else:
        # Rejected: the held diamonds go back to the member (within the maximum balance).
        back = tx.cur.execute(
            "UPDATE accounts SET diamonds = diamonds + ?1"
            " WHERE guild_id = ?2 AND user_id = ?3 AND diamonds + ?1 <= ?4",
            (d, guild_id, uid, tx.max_balance),
        ).rowcount
        if back != 1:
            raise BalanceLimit("diamond", tx.max_balance)
        tx.entry(guild_id, uid, DIAMONDS, d)
    state = PayoutState.APPROVED if approve else PayoutState.REJECTED
    tx.cur.execute(
        "UPDATE payouts SET state = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ?",
        (state.value, tx.now, actor_id, reason_text, payout_id),
    )
    result = codec.payout(
        tx.cur.execute(
            f"SELECT {codec.PAYOUT_COLS} FROM payouts WHERE id = ?", (payout_id,)
        ).fetchone()
    )
    tx.insert_txn(
        guild_id,
        key,
        "cashout_approve" if approve else "cashout_reject",
        result,
        actor_id=actor_id,
        subject_id=uid,
        currency=DIAMONDS,
        amount=d,
        usd=str(payout.usd),
        reason=reason_text,
    )
    return result


# --- events -------------------------------------------------------------------------------


def _event_row(tx: Tx, event_id: int) -> Event:
    return codec.event(
        tx.cur.execute(
            f"SELECT {codec.EVENT_COLS} FROM events WHERE id = ?", (event_id,)
        ).fetchone()
    )


def _end_due(tx: Tx, guild_id: int) -> None:
    """Events whose time ran out end at their scheduled time (the bot may have been down)."""
    tx.cur.execute(
        "UPDATE events SET ended_at = ends_at"
        " WHERE guild_id = ? AND ended_at IS NULL AND ends_at <= ?",
        (guild_id, tx.now),
    )


def start_event(
    tx: Tx,
    guild_id: int,
    *,
    key: str,
    actor_id: int,
    name: str,
    minutes: int,
    goal: int | None,
    bonus_percent: int,
    channel_id: int | None,
) -> Event:
    if (done := tx.replay(guild_id, key, Event)) is not None:
        return done
    title = (name or "").strip()
    if not 1 <= len(title) <= 100:
        raise InvalidInput("An event needs a name of 1 to 100 characters.")
    if type(minutes) is not int or not 5 <= minutes <= 10_080:
        raise InvalidInput("An event lasts from 5 minutes to 7 days (10,080 minutes).")
    if goal is not None and (type(goal) is not int or not 1 <= goal <= tx.max_balance):
        raise InvalidAmount("The goal must be a whole number of diamonds of at least 1.")
    if type(bonus_percent) is not int or not 0 <= bonus_percent <= 100:
        raise InvalidInput("The purchase bonus must be between 0 and 100 percent.")
    tx.forget_live()
    _end_due(tx, guild_id)
    live = tx.cur.execute(
        "SELECT name FROM events WHERE guild_id = ? AND ended_at IS NULL", (guild_id,)
    ).fetchone()
    if live is not None:
        raise InvalidState(
            f"The event “{live[0]}” is still running — end it with `/event end` first."
        )
    event_id = tx.cur.execute(
        "INSERT INTO events (guild_id, name, started_at, ends_at, goal, bonus_percent,"
        " channel_id, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (guild_id, title, tx.now, tx.now + minutes * 60, goal, bonus_percent, channel_id, actor_id),
    ).lastrowid
    assert event_id is not None
    result = _event_row(tx, event_id)
    tx.insert_txn(
        guild_id,
        key,
        "event_start",
        result,
        actor_id=actor_id,
        reason=title,
        event_id=event_id,
    )
    return result


def end_event(tx: Tx, guild_id: int, event_id: int, *, actor_id: int | None) -> Event:
    row = tx.cur.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE id = ? AND guild_id = ?",
        (event_id, guild_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no event #{event_id} in this server.")
    current = codec.event(row)
    if current.ended_at is not None:
        return codec.event(row, replayed=True)
    tx.forget_live()
    # By time (actor None) it ends at its scheduled end even if the bot was down past it.
    ended_at = tx.now if actor_id is not None else min(tx.now, current.ends_at)
    tx.cur.execute("UPDATE events SET ended_at = ? WHERE id = ?", (ended_at, event_id))
    result = _event_row(tx, event_id)
    if actor_id is not None:
        tx.insert_txn(
            guild_id,
            f"event-end:{event_id}",
            "event_end",
            result,
            actor_id=actor_id,
            reason=current.name,
            event_id=event_id,
        )
    return result


def set_event_message(tx: Tx, event_id: int, channel_id: int, message_id: int) -> None:
    changed = tx.cur.execute(
        "UPDATE events SET channel_id = ?, message_id = ? WHERE id = ?",
        (channel_id, message_id, event_id),
    ).rowcount
    if changed != 1:
        raise NotFound(f"There is no event #{event_id}.")


# --- settings and membership --------------------------------------------------------------


def update_guild_settings(
    tx: Tx,
    guild_id: int,
    *,
    audit_channel_id: int | None,
    announce_channel_id: int | None,
    mod_role_id: int | None,
) -> GuildSettings:
    """None leaves a setting unchanged; 0 clears it."""
    tx.cur.execute(
        "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,)
    )
    for column, value in (
        ("audit_channel_id", audit_channel_id),
        ("announce_channel_id", announce_channel_id),
        ("mod_role_id", mod_role_id),
    ):
        if value is not None:
            tx.cur.execute(
                f"UPDATE guild_settings SET {column} = ? WHERE guild_id = ?",
                (value or None, guild_id),
            )
    row = tx.cur.execute(
        "SELECT guild_id, audit_channel_id, announce_channel_id, mod_role_id"
        " FROM guild_settings WHERE guild_id = ?",
        (guild_id,),
    ).fetchone()
    return GuildSettings(*row)


def set_departed(tx: Tx, guild_id: int, user_id: int, departed: bool) -> None:
    """Hide (or show again) a member on leaderboards; their ledger is kept either way."""
    tx.cur.execute(
        "UPDATE accounts SET departed = ? WHERE guild_id = ? AND user_id = ?",
        (int(departed), guild_id, user_id),
    )
