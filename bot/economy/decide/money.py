"""Decisions for the money operations: purchase, gift, a moderator's adjustment, a bulk grant."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.economy import rules, text
from bot.economy.catalog import Gift
from bot.economy.decide.base import Ctx, Facts, Needs, Simple
from bot.economy.errors import (
    AccountFrozen,
    AgeConfirmationRequired,
    BalanceLimit,
    BotRecipient,
    EconomyError,
    InsufficientCoins,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidInput,
    SelfGift,
)
from bot.economy.kinds import TxnKind
from bot.economy.ledger import (
    AdjustMode,
    AdjustResult,
    BulkAdjustResult,
    Currency,
    GiftResult,
    PurchaseResult,
    SystemAccount,
)
from bot.economy.plan import (
    Applied,
    EventCredit,
    EventStat,
    Leg,
    Move,
    Plan,
    Record,
    SetBalance,
    Stat,
)
from bot.economy.requests import Adjust, GrantMany, Purchase, SendGift

COINS, DIAMONDS = Currency.COINS, Currency.DIAMONDS


def _unit(currency: Currency) -> str:
    return "coin" if currency is COINS else "diamond"


def transfer(account: int, other: int, currency: Currency, amount: int) -> tuple[Leg, Leg]:
    """The two legs of moving `amount` from `other` to `account` (double entry: they sum to 0)."""
    return Leg(other, currency, -amount), Leg(account, currency, amount)


# --- purchase -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Bought:
    quote: rules.PurchaseQuote
    bonus: int
    promotion: bool
    remaining: Decimal  # today's cap left after this purchase
    event_id: int | None


class PurchaseDecision:
    def needs(self, req: Purchase) -> Needs:
        return Needs(accounts=(req.user_id,), spent_today=req.user_id, live_event=True)

    def decide(self, req: Purchase, facts: Facts, ctx: Ctx) -> Plan:
        cfg = ctx.cfg
        quote = (
            rules.quote_package(cfg, req.coins)
            if req.package
            else rules.quote_custom(cfg, req.coins)
        )
        if not facts.account(req.user_id).age_confirmed:
            raise AgeConfirmationRequired()
        rules.check_spend(cfg, facts.spent_today, quote, ctx.now)
        live = facts.running_event(ctx.now)
        # The event's bonus or a promotion, whichever is larger; bonus coins are minted like
        # bought ones but have no list price, so they never count toward the daily cap. Rounded
        # down (rules.bonus_coins): a bonus never mints part of a coin.
        offer = rules.purchase_bonus(cfg, quote.coins, live.bonus_percent if live else 0, ctx.now)
        bonus = offer.coins(quote.coins)
        total = quote.coins + bonus
        event_id = live.id if live else None
        return Plan(
            (
                Move(req.user_id, COINS, total),
                *transfer(req.user_id, SystemAccount.MINT, COINS, total),
            ),
            Record(
                TxnKind.PURCHASE,
                subject_id=req.user_id,
                currency=COINS,
                amount=total,
                usd=quote.usd,
                event_id=event_id,
            ),
            memo=_Bought(
                quote,
                bonus,
                offer.promotion,
                rules.remaining_spend(cfg, facts.spent_today + quote.usd),
                event_id,
            ),
        )

    def explain(self, req: Purchase, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        # The only guard is the credit's maximum balance.
        return BalanceLimit("coin", ctx.cfg.max_balance)

    def finish(self, req: Purchase, plan: Plan, applied: Applied, ctx: Ctx) -> PurchaseResult:
        m: _Bought = plan.memo
        return PurchaseResult(
            txn_id=applied.txn_id,
            coins=m.quote.coins,
            bonus_coins=m.bonus,
            usd=m.quote.usd,
            balance=applied.balances[(req.user_id, COINS)],
            remaining_today_usd=m.remaining,
            event_id=m.event_id,
            promotion=m.promotion,
        )


@dataclass(frozen=True, slots=True)
class _Gift:
    item: Gift
    coins: int
    diamonds: int


# --- gift -----------------------------------------------------------------------------------


class GiftDecision:
    """Decided from the request alone: whether the sender can pay and whether either side is
    frozen are the debit's and the credit's guards, so the hot path reads nothing first."""

    def needs(self, req: SendGift) -> Needs:
        return Needs(live_event=True)

    def decide(self, req: SendGift, facts: Facts, ctx: Ctx) -> Plan:
        if type(req.count) is not int or not 1 <= req.count <= 99:
            raise InvalidInput("A gift count must be a whole number from 1 to 99.")
        if req.sender_id == req.recipient_id:
            raise SelfGift()
        if req.recipient_is_bot:
            raise BotRecipient()
        item = ctx.catalog.find(req.gift_name)
        coins = item.coins * req.count
        # Diamonds are rounded down per gift (rules.diamonds_for_coins); the ratio is recorded so
        # `verify` can recompute exactly what was minted even after the ratio changes.
        ratio = ctx.cfg.diamonds_per_coin
        diamonds = rules.diamonds_for_coins(coins, ratio)
        s, r = req.sender_id, req.recipient_id
        steps: list = [
            Move(s, COINS, -coins, unfrozen=True, spent=coins, sent=1),
            Move(r, DIAMONDS, diamonds, unfrozen=True, earned=diamonds),
            # No Leg steps: the gift's record implies its four legs (plan.implied_legs).
            Stat(s, coins=coins, gifts=1),
            Stat(r, diamonds=diamonds),
        ]
        live = facts.running_event(ctx.now)
        event_id = live.id if live else None
        if event_id is not None:
            steps += [
                EventCredit(event_id, diamonds),
                EventStat(event_id, s, coins=coins),
                EventStat(event_id, r, diamonds=diamonds),
            ]
        return Plan(
            tuple(steps),
            Record(
                TxnKind.GIFT,
                subject_id=s,
                counterparty_id=r,
                currency=COINS,
                amount=coins,
                diamonds=diamonds,
                gift_name=item.name,
                count=req.count,
                ratio=ratio,
                event_id=event_id,
            ),
            memo=_Gift(item, coins, diamonds),
        )

    def explain(self, req: SendGift, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        """Why a guard refused, in a fixed order (sender frozen, recipient frozen, not enough
        coins, too many diamonds) so the same situation always gets the same sentence."""
        sender, recipient = facts.account(req.sender_id), facts.account(req.recipient_id)
        g: _Gift = plan.memo
        if sender.frozen:
            return AccountFrozen(own=True)
        if recipient.frozen:
            return AccountFrozen(own=False)
        if sender.coins < g.coins:
            return InsufficientCoins(have=sender.coins, need=g.coins)
        if recipient.diamonds + g.diamonds > ctx.cfg.max_balance:
            return BalanceLimit("diamond", ctx.cfg.max_balance)
        return None  # a fact changed between the guard and this read: try again

    def finish(self, req: SendGift, plan: Plan, applied: Applied, ctx: Ctx) -> GiftResult:
        g: _Gift = plan.memo
        live = plan.record.event_id if plan.record else None
        return GiftResult(
            txn_id=applied.txn_id,
            gift_name=g.item.name,
            count=req.count,
            coins=g.coins,
            diamonds=g.diamonds,
            sender_coins=applied.balances[(req.sender_id, COINS)],
            recipient_diamonds=applied.balances[(req.recipient_id, DIAMONDS)],
            event_id=live,
            created_at=ctx.now,
            gift_id=g.item.tiktok_id,
            streakable=g.item.streakable,
            sender_id=req.sender_id,
            recipient_id=req.recipient_id,
            sender_spent=applied.spent.get(req.sender_id, 0),
        )


# --- moderator adjustments ------------------------------------------------------------------


def _balance(facts: Facts, user_id: int, currency: Currency) -> int:
    acct = facts.account(user_id)
    return acct.coins if currency is COINS else acct.diamonds


class AdjustDecision:
    """A compare-and-set on the balance read: the record's before/after are exact, and a
    concurrent change (another writer) makes the set refuse and the operation retry."""

    def needs(self, req: Adjust) -> Needs:
        return Needs(accounts=(req.user_id,))

    def decide(self, req: Adjust, facts: Facts, ctx: Ctx) -> Plan:
        currency, mode = Currency(req.currency), AdjustMode(req.mode)
        why = text.reason(req.reason)
        amount = req.amount
        if type(amount) is not int or amount < 0 or (amount == 0 and mode is not AdjustMode.SET):
            raise InvalidAmount(
                "The amount must be a whole number of at least 1 (`set` accepts 0)."
            )
        before = _balance(facts, req.user_id, currency)
        if mode is AdjustMode.GRANT:
            after = before + amount
        elif mode is AdjustMode.REVOKE:
            if amount > before:
                if currency is COINS:
                    raise InsufficientCoins(have=before, need=amount)
                raise InsufficientDiamonds(have=before, need=amount)
            after = before - amount
        else:
            after = amount
        if after > ctx.cfg.max_balance:
            raise BalanceLimit(_unit(currency), ctx.cfg.max_balance)
        return Plan(
            (
                SetBalance(req.user_id, currency, before, after),
                *transfer(req.user_id, SystemAccount.ADJUST, currency, after - before),
            ),
            Record(
                TxnKind(mode.value),
                actor_id=req.actor_id,
                subject_id=req.user_id,
                currency=currency,
                amount=amount,
                before=before,
                after=after,
                reason=why,
            ),
            memo=(before, after),
        )

    explain = Simple.explain  # the compare-and-set lost a race: retry with fresh facts

    def finish(self, req: Adjust, plan: Plan, applied: Applied, ctx: Ctx) -> AdjustResult:
        before, after = plan.memo
        return AdjustResult(
            applied.txn_id,
            req.user_id,
            Currency(req.currency),
            AdjustMode(req.mode),
            before,
            after,
        )


class GrantManyDecision:
    def needs(self, req: GrantMany) -> Needs:
        return Needs(accounts=tuple(dict.fromkeys(req.user_ids)))

    def decide(self, req: GrantMany, facts: Facts, ctx: Ctx) -> Plan:
        currency = Currency(req.currency)
        why = text.reason(req.reason)
        amount, limit = req.amount, ctx.cfg.max_balance
        if type(amount) is not int or amount < 1:
            raise InvalidAmount("The amount must be a whole number of at least 1.")
        if amount > limit:
            raise BalanceLimit(_unit(currency), limit)
        steps: list = []
        skipped = 0
        for user_id in dict.fromkeys(req.user_ids):  # a member listed twice is credited once
            acct = facts.account(user_id)
            # Frozen members and those the grant would take past the maximum are left alone.
            if acct.frozen or _balance(facts, user_id, currency) + amount > limit:
                skipped += 1
                continue
            steps += [
                Move(user_id, currency, amount, unfrozen=True),
                Leg(user_id, currency, amount),
            ]
        credited = len(steps) // 2
        steps.append(Leg(SystemAccount.ADJUST, currency, -amount * credited))
        return Plan(
            tuple(steps),
            Record(
                TxnKind.BULK_GRANT,
                actor_id=req.actor_id,
                currency=currency,
                amount=amount,
                count=credited,
                reason=why,
            ),
            memo=(credited, skipped),
        )

    explain = Simple.explain  # a member changed after the read: retry with fresh facts

    def finish(self, req: GrantMany, plan: Plan, applied: Applied, ctx: Ctx) -> BulkAdjustResult:
        credited, skipped = plan.memo
        return BulkAdjustResult(
            applied.txn_id, Currency(req.currency), req.amount, credited, skipped
        )
