"""The decision for `/diamonds exchange`: diamonds back into coins (the seeds' "other virtual
rewards"), at `[economy] exchange_diamonds_per_coin`, rounding down — the diamonds that do not
make a whole coin stay with the member."""

from __future__ import annotations

from decimal import Decimal

from bot.economy.decide.base import Ctx, Facts, Needs
from bot.economy.errors import (
    AccountFrozen,
    BalanceLimit,
    EconomyError,
    InsufficientDiamonds,
    InvalidAmount,
)
from bot.economy.kinds import TxnKind
from bot.economy.ledger import Currency, ExchangeResult, SystemAccount
from bot.economy.money import format_count
from bot.economy.plan import Applied, Leg, Move, Plan, Record
from bot.economy.requests import ExchangeDiamonds

COINS, DIAMONDS = Currency.COINS, Currency.DIAMONDS


def coins_for(diamonds: int, rate: int) -> tuple[int, int]:
    """(coins, diamonds burnt) for `diamonds` at `rate` diamonds per coin: whole coins only."""
    coins = diamonds // rate
    return coins, coins * rate


class ExchangeDecision:
    def needs(self, req: ExchangeDiamonds) -> Needs:
        return Needs(accounts=(req.user_id,))

    def decide(self, req: ExchangeDiamonds, facts: Facts, ctx: Ctx) -> Plan:
        rate, acct = ctx.cfg.exchange_diamonds_per_coin, facts.account(req.user_id)
        if type(req.diamonds) is not int or req.diamonds < 1:
            raise InvalidAmount("Exchange at least 1 diamond.")
        if acct.frozen:
            raise AccountFrozen(own=True)
        if req.diamonds > acct.diamonds:
            raise InsufficientDiamonds(have=acct.diamonds, need=req.diamonds)
        coins, burnt = coins_for(req.diamonds, rate)
        if coins == 0:
            raise InvalidAmount(
                f"{format_count(req.diamonds)} diamonds are less than one coin's worth: a coin "
                f"costs {format_count(rate)} diamonds."
            )
        if acct.coins + coins > ctx.cfg.max_balance:
            raise BalanceLimit("coin", ctx.cfg.max_balance)
        u = req.user_id
        return Plan(
            (
                # Both guarded: the diamonds must still be there and the account not frozen.
                Move(u, DIAMONDS, -burnt, unfrozen=True),
                Move(u, COINS, coins, unfrozen=True),
                Leg(u, DIAMONDS, -burnt),
                Leg(SystemAccount.EXCHANGE, DIAMONDS, burnt),
                Leg(SystemAccount.EXCHANGE, COINS, -coins),
                Leg(u, COINS, coins),
            ),
            # The rate is recorded so `verify` can prove coins × rate = diamonds burnt even after
            # the setting changes.
            Record(
                TxnKind.EXCHANGE,
                subject_id=u,
                currency=COINS,
                amount=coins,
                diamonds=burnt,
                ratio=Decimal(rate),
            ),
            memo=(coins, burnt, rate),
        )

    def explain(
        self, req: ExchangeDiamonds, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        acct = facts.account(req.user_id)
        coins, burnt, _rate = plan.memo
        if acct.frozen:
            return AccountFrozen(own=True)
        if acct.diamonds < burnt:
            return InsufficientDiamonds(have=acct.diamonds, need=req.diamonds)
        if acct.coins + coins > ctx.cfg.max_balance:
            return BalanceLimit("coin", ctx.cfg.max_balance)
        return None

    def finish(
        self, req: ExchangeDiamonds, plan: Plan, applied: Applied, ctx: Ctx
    ) -> ExchangeResult:
        coins, burnt, rate = plan.memo
        return ExchangeResult(
            applied.txn_id,
            burnt,
            coins,
            rate,
            applied.balances[(req.user_id, DIAMONDS)],
            applied.balances[(req.user_id, COINS)],
        )
