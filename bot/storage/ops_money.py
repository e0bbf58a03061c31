"""Money operations, each run by the writer inside one batch transaction.

Every function takes the batch context `tx` first, checks the idempotency key BEFORE anything
else (so a replayed success stays a success even if the member is broke now), validates, then
writes with conditional updates. The hot ones (`gift`, `purchase`, `adjust`) are
`savepoint_free`: every refusal is decided before their first write (or the write is undone
first), and they set `tx.wrote` once they have written, so any other failure after that makes
the writer rerun the batch with a savepoint per operation. The others run in a savepoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.economy.errors import (
    AgeConfirmationRequired,
    BalanceLimit,
    BotRecipient,
    DailyCapReached,
    InsufficientCoins,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidInput,
    SelfGift,
)
from bot.economy.ledger import (
    AdjustMode,
    AdjustResult,
    BulkAdjustResult,
    Currency,
    GiftResult,
    PurchaseResult,
    SystemAccount,
)
from bot.economy.money import format_usd
from bot.economy.rules import (
    bonus_coins,
    diamonds_for_coins,
    next_reset,
    quote_custom,
    quote_package,
)
from bot.storage.batch import Tx, savepoint_free
from bot.storage.ops_common import account_frozen, refuse_frozen, require_reason
from bot.storage.queries import spent_today

COINS, DIAMONDS = Currency.COINS.value, Currency.DIAMONDS.value

# The conditional debit: it only happens when the sender is not frozen and can pay, so two
# gifts can never both spend the same coins.
_DEBIT_SENDER = (
    "UPDATE accounts SET coins = coins - ?1, coins_spent = coins_spent + ?1,"
    " gifts_sent = gifts_sent + 1"
    " WHERE guild_id = ?2 AND user_id = ?3 AND coins >= ?1 AND frozen = 0 RETURNING coins"
)
_UNDO_DEBIT = (
    "UPDATE accounts SET coins = coins + ?1, coins_spent = coins_spent - ?1,"
    " gifts_sent = gifts_sent - 1 WHERE guild_id = ?2 AND user_id = ?3"
)
# The recipient's account is created by their first gift; the credit only happens when they
# are not frozen and stay within the maximum balance.
_CREDIT_RECIPIENT = (
    "INSERT INTO accounts (guild_id, user_id, diamonds, lifetime_diamonds) VALUES (?1, ?2, ?3, ?3)"
    " ON CONFLICT (guild_id, user_id) DO UPDATE SET diamonds = diamonds + excluded.diamonds,"
    " lifetime_diamonds = lifetime_diamonds + excluded.lifetime_diamonds"
    " WHERE frozen = 0 AND diamonds + excluded.diamonds <= ?4 RETURNING diamonds"
)


def confirm_age(tx: Tx, guild_id: int, user_id: int) -> None:
    tx.cur.execute(
        "INSERT INTO accounts (guild_id, user_id, age_confirmed) VALUES (?, ?, 1)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET age_confirmed = 1",
        (guild_id, user_id),
    )


@savepoint_free
def purchase(
    tx: Tx, guild_id: int, user_id: int, *, key: str, coins: int, package: bool
) -> PurchaseResult:
    if (done := tx.replay(guild_id, key, PurchaseResult)) is not None:
        return done
    cfg = tx.cfg
    quote = quote_package(cfg, coins) if package else quote_custom(cfg, coins)
    row = tx.account_row(guild_id, user_id)
    if row is None or not row[6]:  # age_confirmed
        raise AgeConfirmationRequired()
    spent = spent_today(tx.cur, guild_id, user_id, tx.now)
    cap = cfg.daily_spend_cap_usd
    if spent + quote.usd > cap:
        raise DailyCapReached(
            "demo spending limit", format_usd(max(Decimal(0), cap - spent)), next_reset(tx.now)
        )
    live = tx.live_event(guild_id)
    # Bonus coins are rounded down (rules.bonus_coins): a bonus never mints part of a coin.
    bonus = bonus_coins(quote.coins, live[1]) if live else 0
    total = quote.coins + bonus
    got = tx.cur.execute(
        "UPDATE accounts SET coins = coins + ?1 WHERE guild_id = ?2 AND user_id = ?3"
        " AND coins + ?1 <= ?4 RETURNING coins",
        (total, guild_id, user_id, tx.max_balance),
    ).fetchall()
    if not got:  # the conditional update wrote nothing
        raise BalanceLimit("coin", tx.max_balance)
    tx.wrote = True
    tx.entry(guild_id, SystemAccount.MINT, COINS, -total)
    tx.entry(guild_id, user_id, COINS, total)
    result = PurchaseResult(
        txn_id=tx.txn_id,
        coins=quote.coins,
        bonus_coins=bonus,
        usd=quote.usd,
        balance=got[0][0],
        remaining_today_usd=cap - spent - quote.usd,
        event_id=live[0] if live else None,
    )
    tx.insert_txn(
        guild_id,
        key,
        "purchase",
        result,
        subject_id=user_id,
        currency=COINS,
        amount=total,
        usd=str(quote.usd),
        event_id=result.event_id,
    )
    return result


@savepoint_free
def gift(
    tx: Tx,
    guild_id: int,
    sender_id: int,
    recipient_id: int,
    *,
    key: str,
    gift_name: str,
    count: int,
    recipient_is_bot: bool,
) -> GiftResult:
    if (done := tx.replay(guild_id, key, GiftResult)) is not None:
        return done
    if type(count) is not int or not 1 <= count <= 99:
        raise InvalidInput("A gift count must be a whole number from 1 to 99.")
    if sender_id == recipient_id:
        raise SelfGift()
    if recipient_is_bot:
        raise BotRecipient()
    item = tx.catalog.find(gift_name)
    coins = item.coins * count
    # Diamonds are rounded down per gift (rules.diamonds_for_coins); the ratio is stored on the
    # txn so `verify` can recompute exactly what was minted even after the ratio changes.
    diamonds = diamonds_for_coins(coins, tx.ratio)
    cur = tx.cur
    # Not enough coins and a frozen sender refuse before this (the debit is conditional), so a
    # too-large gift is refused here, before any write: no savepoint needed.
    if diamonds > tx.max_balance and _can_pay(tx, guild_id, sender_id, coins):
        raise BalanceLimit("diamond", tx.max_balance)
    debited = cur.execute(_DEBIT_SENDER, (coins, guild_id, sender_id)).fetchall()
    if not debited:  # the conditional debit wrote nothing
        _refuse_sender(tx, guild_id, sender_id, recipient_id, coins)
    tx.wrote = True
    credited = cur.execute(
        _CREDIT_RECIPIENT, (guild_id, recipient_id, diamonds, tx.max_balance)
    ).fetchall()
    if not credited:
        # The conditional credit wrote nothing; undo the debit exactly (the writer is the only
        # writer, inside this batch's transaction), then refuse as a savepoint would have.
        cur.execute(_UNDO_DEBIT, (coins, guild_id, sender_id))
        tx.wrote = False
        refuse_frozen(tx, guild_id, recipient_id, own=False)
        raise BalanceLimit("diamond", tx.max_balance)
    live = tx.live_event(guild_id)
    event_id = live[0] if live else None
    if event_id is not None:
        # Event totals are updated in place (end_event in the same batch reads them); the
        # per-member event statistics are deferred to the batch flush.
        cur.execute("UPDATE events SET diamonds = diamonds + ? WHERE id = ?", (diamonds, event_id))
        tx.event_stat(event_id, sender_id, coins=coins)
        tx.event_stat(event_id, recipient_id, diamonds=diamonds)
    tx.daily(guild_id, sender_id, coins=coins, gifts=1)
    tx.daily(guild_id, recipient_id, diamonds=diamonds)
    tx.entry(guild_id, sender_id, COINS, -coins)
    tx.entry(guild_id, SystemAccount.GIFTS, COINS, coins)
    tx.entry(guild_id, SystemAccount.GIFTS, DIAMONDS, -diamonds)
    tx.entry(guild_id, recipient_id, DIAMONDS, diamonds)
    result = GiftResult(
        txn_id=tx.txn_id,
        gift_name=item.name,
        count=count,
        coins=coins,
        diamonds=diamonds,
        sender_coins=debited[0][0],
        recipient_diamonds=credited[0][0],
        event_id=event_id,
        created_at=tx.now,
    )
    tx.insert_txn(
        guild_id,
        key,
        "gift",
        result,
        subject_id=sender_id,
        counterparty_id=recipient_id,
        currency=COINS,
        amount=coins,
        diamonds=diamonds,
        gift_name=item.name,
        count=count,
        ratio=tx.ratio_text,
        event_id=event_id,
    )
    return result


def _can_pay(tx: Tx, guild_id: int, sender_id: int, coins: int) -> bool:
    """Would `_DEBIT_SENDER` succeed? (Only asked on the rare too-large-gift path.)"""
    row = tx.account_row(guild_id, sender_id)
    return row is not None and row[0] >= coins and not row[5]


def _refuse_sender(tx: Tx, guild_id: int, sender_id: int, recipient_id: int, coins: int) -> None:
    """The debit did not happen: say why, in a fixed order (sender frozen, recipient frozen,
    not enough coins) so the same situation always gets the same sentence."""
    refuse_frozen(tx, guild_id, sender_id, own=True)
    refuse_frozen(tx, guild_id, recipient_id, own=False)
    row = tx.account_row(guild_id, sender_id)
    raise InsufficientCoins(have=row[0] if row else 0, need=coins)


@savepoint_free
def adjust(
    tx: Tx,
    guild_id: int,
    user_id: int,
    *,
    key: str,
    actor_id: int,
    currency: Currency,
    mode: AdjustMode,
    amount: int,
    reason: str,
) -> AdjustResult:
    if (done := tx.replay(guild_id, key, AdjustResult)) is not None:
        return done
    currency, mode = Currency(currency), AdjustMode(mode)
    reason = require_reason(reason)
    if type(amount) is not int or amount < 0 or (amount == 0 and mode is not AdjustMode.SET):
        raise InvalidAmount("The amount must be a whole number of at least 1 (`set` accepts 0).")
    col = currency.value  # "coins" or "diamonds": a column name from the enum, never user text
    row = tx.account_row(guild_id, user_id)
    before = 0 if row is None else (row[0] if currency is Currency.COINS else row[1])
    if mode is AdjustMode.GRANT:
        after = before + amount
    elif mode is AdjustMode.REVOKE:
        if amount > before:
            if currency is Currency.COINS:
                raise InsufficientCoins(have=before, need=amount)
            raise InsufficientDiamonds(have=before, need=amount)
        after = before - amount
    else:
        after = amount
    if after > tx.max_balance:
        raise BalanceLimit(currency.value[:-1], tx.max_balance)
    # Read-then-write is safe here: the writer holds the database's write lock for the whole
    # batch and runs operations one at a time.
    tx.ensure_account(guild_id, user_id)
    tx.cur.execute(
        f"UPDATE accounts SET {col} = ? WHERE guild_id = ? AND user_id = ?",
        (after, guild_id, user_id),
    )
    tx.wrote = True  # every refusal was decided above
    delta = after - before
    tx.entry(guild_id, SystemAccount.ADJUST, col, -delta)
    tx.entry(guild_id, user_id, col, delta)
    result = AdjustResult(tx.txn_id, user_id, currency, mode, before, after)
    tx.insert_txn(
        guild_id,
        key,
        mode.value,
        result,
        actor_id=actor_id,
        subject_id=user_id,
        currency=col,
        amount=amount,
        before=before,
        after=after,
        reason=reason,
    )
    return result


def grant_many(
    tx: Tx,
    guild_id: int,
    user_ids: Sequence[int],
    *,
    key: str,
    actor_id: int,
    currency: Currency,
    amount: int,
    reason: str,
) -> BulkAdjustResult:
    if (done := tx.replay(guild_id, key, BulkAdjustResult)) is not None:
        return done
    currency = Currency(currency)
    reason = require_reason(reason)
    if type(amount) is not int or amount < 1:
        raise InvalidAmount("The amount must be a whole number of at least 1.")
    if amount > tx.max_balance:
        raise BalanceLimit(currency.value[:-1], tx.max_balance)
    col = currency.value
    credited = skipped = 0
    for user_id in dict.fromkeys(user_ids):  # a member listed twice is credited once
        if account_frozen(tx, guild_id, user_id):
            skipped += 1
            continue
        got = tx.cur.execute(
            f"INSERT INTO accounts (guild_id, user_id, {col}) VALUES (?1, ?2, ?3)"
            f" ON CONFLICT (guild_id, user_id) DO UPDATE SET {col} = {col} + excluded.{col}"
            f" WHERE {col} + excluded.{col} <= ?4 RETURNING {col}",
            (guild_id, user_id, amount, tx.max_balance),
        ).fetchall()
        if not got:  # would pass the maximum balance: left unchanged, counted as skipped
            skipped += 1
            continue
        tx.entry(guild_id, user_id, col, amount)
        credited += 1
    tx.entry(guild_id, SystemAccount.ADJUST, col, -amount * credited)
    result = BulkAdjustResult(tx.txn_id, currency, amount, credited, skipped)
    tx.insert_txn(
        guild_id,
        key,
        "bulk_grant",
        result,
        actor_id=actor_id,
        currency=col,
        amount=amount,
        count=credited,
        reason=reason,
    )
    return result
