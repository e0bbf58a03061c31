"""Decisions for treasure boxes: the drop holds the dropper's coins in escrow (a pending
transfer), each Open adds one opener, and the settlement posts the escrow to the openers at
random (or voids it back to the dropper when nobody opened the box)."""

from __future__ import annotations

import dataclasses

from bot.economy import rules
from bot.economy.decide.base import Ctx, Facts, Needs, Simple
from bot.economy.errors import (
    AccountFrozen,
    BalanceLimit,
    DailyCapReached,
    EconomyError,
    InsufficientCoins,
    InvalidAmount,
    InvalidInput,
    InvalidState,
    NotFound,
)
from bot.economy.kinds import TxnKind
from bot.economy.ledger import (
    Currency,
    SystemAccount,
    TreasureBox,
    TreasureOpen,
    TreasureState,
)
from bot.economy.money import format_count
from bot.economy.plan import (
    Applied,
    BoxAnnounced,
    BoxMessage,
    CloseBox,
    JoinBox,
    Leg,
    Move,
    OpenBox,
    Plan,
    Record,
)
from bot.economy.requests import (
    DropTreasure,
    MarkTreasureAnnounced,
    OpenTreasure,
    SettleTreasure,
    SetTreasureMessage,
)
from bot.economy.treasure import MAX_MINUTES, MAX_OPENERS, MIN_MINUTES, MIN_OPENERS, split_shares

COINS = Currency.COINS
ESCROW = SystemAccount.TREASURE_ESCROW


def _box_or_refuse(facts: Facts, box_id: int) -> TreasureBox:
    box = facts.treasure
    if box is None:
        raise NotFound(f"There is no treasure box #{box_id} in this server.")
    return box


# --- the drop -------------------------------------------------------------------------------


class DropTreasureDecision:
    def needs(self, req: DropTreasure) -> Needs:
        return Needs(accounts=(req.user_id,))

    def decide(self, req: DropTreasure, facts: Facts, ctx: Ctx) -> Plan:
        if type(req.openers) is not int or not MIN_OPENERS <= req.openers <= MAX_OPENERS:
            raise InvalidInput(f"A box is for {MIN_OPENERS} to {MAX_OPENERS} openers.")
        if type(req.minutes) is not int or not MIN_MINUTES <= req.minutes <= MAX_MINUTES:
            raise InvalidInput(f"A box stays open for {MIN_MINUTES} to {MAX_MINUTES} minutes.")
        if type(req.coins) is not int or req.coins < 1:
            raise InvalidAmount("Drop at least 1 coin.")
        if req.coins < req.openers:
            raise InvalidAmount(
                f"Every opener gets at least 1 coin: drop at least {format_count(req.openers)}"
                f" coins for {format_count(req.openers)} openers, or ask for fewer openers."
            )
        acct = facts.account(req.user_id)
        if acct.frozen:
            raise AccountFrozen(own=True)
        if req.coins > acct.coins:
            raise InsufficientCoins(have=acct.coins, need=req.coins)
        ends_at = ctx.now + req.minutes * 60
        c = req.coins
        return Plan(
            (
                # The hold: the coins leave the balance only if they are still there.
                Move(req.user_id, COINS, -c, unfrozen=True),
                OpenBox(req.user_id, c, req.openers, ends_at, req.channel_id),
                Leg(req.user_id, COINS, -c),
                Leg(ESCROW, COINS, c),
            ),
            Record(TxnKind.TREASURE_DROP, subject_id=req.user_id, currency=COINS, amount=c),
            memo=ends_at,
        )

    def explain(self, req: DropTreasure, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        acct = facts.account(req.user_id)
        if acct.frozen:
            return AccountFrozen(own=True)
        if acct.coins < req.coins:
            return InsufficientCoins(have=acct.coins, need=req.coins)
        return None

    def finish(self, req: DropTreasure, plan: Plan, applied: Applied, ctx: Ctx) -> TreasureBox:
        assert applied.new_id is not None
        return TreasureBox(
            applied.new_id,
            req.guild_id,
            req.user_id,
            req.coins,
            req.openers,
            ctx.now,
            plan.memo,
            TreasureState.OPEN,
            req.channel_id,
            None,
            applied.txn_id,
        )


# --- opening --------------------------------------------------------------------------------


def _open_refusal(req: OpenTreasure, facts: Facts, ctx: Ctx) -> EconomyError | None:
    """Why this member may not open this box now, from the facts; None when they may."""
    box = _box_or_refuse(facts, req.box_id)
    if req.opener_is_bot:
        return InvalidInput("Bots can't open treasure boxes.")
    if req.user_id == box.dropper_id:
        return InvalidInput("You dropped this box — it is for the others to open.")
    if req.user_id in box.opener_ids:
        return InvalidState("You already opened this box — your share comes when it is split.")
    if box.state is not TreasureState.OPEN or box.ends_at <= ctx.now:
        return InvalidState(
            "This treasure box has closed — watch for the next one, or drop your own with "
            "`/treasure drop`."
        )
    if box.full:
        return InvalidState(
            f"This box is full: {format_count(box.openers)} members opened it already. "
            "Be quicker on the next one!"
        )
    if facts.account(req.user_id).frozen:
        return AccountFrozen(own=True)
    if facts.opens_today >= req.daily_limit:
        return DailyCapReached(
            f"treasure boxes ({format_count(req.daily_limit)} opens per day)",
            "0 opens",
            rules.next_reset(ctx.now),
        )
    return None


class OpenTreasureDecision:
    def needs(self, req: OpenTreasure) -> Needs:
        return Needs(accounts=(req.user_id,), treasure=req.box_id, opens_today=req.user_id)

    def decide(self, req: OpenTreasure, facts: Facts, ctx: Ctx) -> Plan:
        if type(req.daily_limit) is not int or req.daily_limit < 1:
            raise InvalidInput("The daily limit of treasure box opens must be at least 1.")
        refusal = _open_refusal(req, facts, ctx)
        if refusal is not None:
            raise refusal
        box = facts.treasure
        assert box is not None
        return Plan(
            (JoinBox(box.id, req.user_id, ctx.day, req.daily_limit),),
            # No money moves: the row claims the interaction's key, so a redelivery is answered
            # with this first result instead of "you already opened this box".
            Record(TxnKind.TREASURE_OPEN, subject_id=req.user_id, counterparty_id=box.dropper_id),
            memo=box,
        )

    def explain(self, req: OpenTreasure, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        # Another writer got in first: the fresh facts say why (full, opened, capped …).
        return _open_refusal(req, facts, ctx)

    def finish(self, req: OpenTreasure, plan: Plan, applied: Applied, ctx: Ctx) -> TreasureOpen:
        box: TreasureBox = plan.memo
        return TreasureOpen(box.id, req.guild_id, req.user_id, box.opened + 1, box.openers)


# --- the settlement ---------------------------------------------------------------------------


class SettleTreasureDecision:
    def needs(self, req: SettleTreasure) -> Needs:
        return Needs(treasure=req.box_id, treasure_accounts=True)

    def decide(self, req: SettleTreasure, facts: Facts, ctx: Ctx) -> Plan:
        box = _box_or_refuse(facts, req.box_id)
        if box.state is not TreasureState.OPEN:
            # Settled already (the timer, a full box and the start-up sweep race): same answer.
            return Plan((), memo=dataclasses.replace(box, replayed=True))
        if not box.full and box.ends_at > ctx.now:
            raise InvalidState(
                f"Treasure box #{box.id} is still open until <t:{int(box.ends_at)}:R>."
            )
        # A frozen member can't receive; a credit above the maximum balance is refused: their
        # share stays out of the draw and goes back to the dropper with any unclaimed coins.
        limit = ctx.cfg.max_balance
        eligible = [u for u in box.opener_ids if not facts.account(u).frozen]
        shares_of: dict[int, int] = {}
        if eligible:
            drawn = split_shares(box.coins, len(eligible), req.seed)
            for uid, share in zip(eligible, drawn, strict=True):
                if facts.account(uid).coins + share <= limit:
                    shares_of[uid] = share
        shares = tuple(shares_of.get(u, 0) for u in box.opener_ids)
        paid = sum(shares)
        returned = box.coins - paid
        state = TreasureState.SPLIT if paid else TreasureState.RETURNED
        steps: tuple = (CloseBox(box.id, state, shares, returned), Leg(ESCROW, COINS, -box.coins))
        for uid, share in zip(box.opener_ids, shares, strict=True):
            if share:
                steps += (Move(uid, COINS, share, unfrozen=True), Leg(uid, COINS, share))
        if returned:
            steps += (Move(box.dropper_id, COINS, returned), Leg(box.dropper_id, COINS, returned))
        kind = TxnKind.TREASURE_SPLIT if paid else TxnKind.TREASURE_RETURN
        settled = dataclasses.replace(box, state=state, shares=shares, returned=returned)
        return Plan(
            steps,
            Record(kind, subject_id=box.dropper_id, currency=COINS, amount=box.coins),
            memo=settled,
        )

    def explain(
        self, req: SettleTreasure, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        # Decided afresh: a different plan means another writer changed a fact (an opener,
        # a frozen account, a balance) — retry. The same plan refused again can only be the
        # dropper's refund above the maximum balance: the coins stay in escrow (verify still
        # accounts for them) and the next sweep tries again.
        if self.decide(req, facts, ctx).memo != plan.memo:
            return None
        return BalanceLimit("coin", ctx.cfg.max_balance)

    def finish(self, req: SettleTreasure, plan: Plan, applied: Applied, ctx: Ctx) -> TreasureBox:
        result: TreasureBox = plan.memo
        return result


class MarkTreasureAnnouncedDecision(Simple):
    def decide(self, req: MarkTreasureAnnounced, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((BoxAnnounced(req.box_id),))

    def explain(
        self, req: MarkTreasureAnnounced, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        return InvalidState(f"Treasure box #{req.box_id} is not settled yet.")

    def finish(self, req: MarkTreasureAnnounced, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None


class SetTreasureMessageDecision(Simple):
    def decide(self, req: SetTreasureMessage, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((BoxMessage(req.box_id, req.channel_id, req.message_id),))

    def explain(
        self, req: SetTreasureMessage, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        return NotFound(f"There is no treasure box #{req.box_id}.")

    def finish(self, req: SetTreasureMessage, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None
