"""Decisions for cash-outs: a request holds diamonds pending (TigerBeetle's pending transfer);
approving posts them to the paid-out account, rejecting voids the hold and returns them."""

from __future__ import annotations

from bot.economy import rules, text
from bot.economy.decide.base import Ctx, Facts, Needs, Simple
from bot.economy.decide.members import payout_method
from bot.economy.errors import (
    AccountFrozen,
    BalanceLimit,
    BelowMinimum,
    DailyCapReached,
    EconomyError,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidState,
    NotEligible,
    NotFound,
)
from bot.economy.kinds import TxnKind
from bot.economy.ledger import Currency, Payout, PayoutState, SystemAccount
from bot.economy.money import format_usd
from bot.economy.plan import Applied, ClosePayout, Leg, Move, OpenPayout, Plan, Record
from bot.economy.requests import DecideCashout, RequestCashout

DIAMONDS = Currency.DIAMONDS


class RequestCashoutDecision:
    def needs(self, req: RequestCashout) -> Needs:
        return Needs(accounts=(req.user_id,), cashout_today=req.user_id)

    def decide(self, req: RequestCashout, facts: Facts, ctx: Ctx) -> Plan:
        if type(req.diamonds) is not int or req.diamonds < 1:
            raise InvalidAmount("Cash out at least 1 diamond.")
        method = payout_method(req.method)
        cfg, acct = ctx.cfg, facts.account(req.user_id)
        checklist = rules.eligibility(cfg, acct)
        if failed := rules.failed_items(checklist):
            raise NotEligible(failed)
        if req.diamonds > acct.diamonds:
            raise InsufficientDiamonds(have=acct.diamonds, need=req.diamonds)
        # The estimate rounds the gross down to whole cents (money.to_cents): never promise a
        # cent the rules did not earn. That rounded gross is what the payout row records.
        est = rules.cashout_estimate(cfg, req.diamonds, facts.cashout_today, checklist)
        if est.missing_to_minimum > 0:
            raise BelowMinimum(format_usd(est.gross), format_usd(est.minimum), est.missing_diamonds)
        if est.over_daily_max:
            raise DailyCapReached(
                f"cash-out maximum ({format_usd(cfg.cashout_daily_max_usd)} per day)",
                format_usd(est.remaining_today),
                rules.next_reset(ctx.now),
            )
        d = req.diamonds
        return Plan(
            (
                # The hold: the diamonds leave the balance only if they are still there.
                Move(req.user_id, DIAMONDS, -d, unfrozen=True),
                OpenPayout(req.user_id, d, est.gross, method.value),
                Leg(req.user_id, DIAMONDS, -d),
                Leg(SystemAccount.PAYOUT_PENDING, DIAMONDS, d),
            ),
            Record(
                TxnKind.CASHOUT_REQUEST,
                subject_id=req.user_id,
                currency=DIAMONDS,
                amount=d,
                usd=est.gross,
            ),
            memo=(est.gross, method.value),
        )

    def explain(
        self, req: RequestCashout, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        acct = facts.account(req.user_id)
        if acct.frozen:
            return AccountFrozen(own=True)
        if acct.diamonds < req.diamonds:
            return InsufficientDiamonds(have=acct.diamonds, need=req.diamonds)
        return None

    def finish(self, req: RequestCashout, plan: Plan, applied: Applied, ctx: Ctx) -> Payout:
        gross, method = plan.memo
        assert applied.new_id is not None
        return Payout(
            applied.new_id,
            req.guild_id,
            req.user_id,
            req.diamonds,
            gross,
            method,
            PayoutState.PENDING,
            ctx.now,
            None,
            None,
            None,
            applied.txn_id,
        )


class DecideCashoutDecision(Simple):
    def needs(self, req: DecideCashout) -> Needs:
        return Needs(payout=req.payout_id)

    def decide(self, req: DecideCashout, facts: Facts, ctx: Ctx) -> Plan:
        payout = facts.payout
        if payout is None:
            raise NotFound(f"There is no cash-out request #{req.payout_id} in this server.")
        if payout.state is not PayoutState.PENDING:
            raise InvalidState(
                f"Cash-out request #{req.payout_id} was already {payout.state.value}."
            )
        # Approving needs no reason; rejecting does (the member is told why).
        why = text.reason(req.reason, required=not req.approve)
        d, uid = payout.diamonds, payout.user_id
        state = PayoutState.APPROVED if req.approve else PayoutState.REJECTED
        steps: tuple = (
            ClosePayout(payout.id, state, req.actor_id, why),
            Leg(SystemAccount.PAYOUT_PENDING, DIAMONDS, -d),
        )
        if req.approve:
            steps += (Leg(SystemAccount.PAID_OUT, DIAMONDS, d),)
        else:
            # Rejected: the held diamonds go back to the member (within the maximum balance).
            steps += (Move(uid, DIAMONDS, d), Leg(uid, DIAMONDS, d))
        return Plan(
            steps,
            Record(
                TxnKind.CASHOUT_APPROVE if req.approve else TxnKind.CASHOUT_REJECT,
                actor_id=req.actor_id,
                subject_id=uid,
                currency=DIAMONDS,
                amount=d,
                usd=payout.usd,
                reason=why,
            ),
            memo=payout,
        )

    def explain(
        self, req: DecideCashout, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        payout = facts.payout
        if payout is not None and payout.state is not PayoutState.PENDING:
            return None  # decided meanwhile: the retry says so with the state it has now
        return BalanceLimit("diamond", ctx.cfg.max_balance)

    def finish(self, req: DecideCashout, plan: Plan, applied: Applied, ctx: Ctx) -> Payout:
        p: Payout = plan.memo
        record = plan.record
        assert record is not None
        return Payout(
            p.id,
            p.guild_id,
            p.user_id,
            p.diamonds,
            p.usd,
            p.method,
            PayoutState.APPROVED if req.approve else PayoutState.REJECTED,
            p.created_at,
            ctx.now,
            req.actor_id,
            record.reason,
            p.txn_id,
        )
