"""Decisions for LIVE Match battles: who may battle whom, for how long, on which gift.

The invitation (60 s, accept or decline) is the cog's; this starts the battle once the opponent
accepted — its minutes count from that moment — and ends it once. The scores are never written:
they are the gift rows between the BATTLE_START and BATTLE_END records (`bot.economy.battle`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from bot.economy.battle import MAX_MINUTES, MIN_MINUTES, Battle
from bot.economy.catalog import Catalog
from bot.economy.decide.base import Ctx, Facts, Needs, Simple, ended_by_record
from bot.economy.errors import EconomyError, InvalidInput, InvalidState, NotFound
from bot.economy.kinds import TxnKind
from bot.economy.plan import Applied, BattleMessage, CloseBattle, OpenBattle, Plan, Record
from bot.economy.requests import EndBattle, SetBattleMessage, StartBattle

SECONDS_PER_MINUTE = 60

ALREADY_BATTLING = "You are already in a battle — `/battle status` shows it; wait for it to end."


def check_battle(
    req: StartBattle, catalog: Catalog, live: Collection[int], battling: Collection[int]
) -> str | None:
    """The §7 refusals, in the order a member can act on them, from who is LIVE and who is
    battling now; the gift that scores (its catalogue name), or None for every gift. The cog
    asks it before inviting (with reads), the decision again when the opponent accepts (with
    the transaction's facts)."""
    if type(req.minutes) is not int or not MIN_MINUTES <= req.minutes <= MAX_MINUTES:
        raise InvalidInput(
            f"A battle lasts {MIN_MINUTES}–{MAX_MINUTES} minutes — pick a whole number."
        )
    # Only that gift scores: a typo is refused with the closest names, like `/gift`.
    gift = catalog.find(req.gift_name).name if req.gift_name else None
    me, them = req.challenger_id, req.opponent_id
    if me == them:
        raise InvalidInput("You cannot battle yourself — pick another LIVE creator.")
    if req.opponent_is_bot:
        raise InvalidInput("Bots do not go LIVE — pick a member who is LIVE.")
    if me not in live:
        raise InvalidState("You are not LIVE — go LIVE with `/live start` first.")
    if them not in live:
        raise InvalidState(
            f"<@{them}> is not LIVE — a battle needs both creators LIVE; ask them to `/live start`."
        )
    if me in battling:
        raise InvalidState(ALREADY_BATTLING)
    if them in battling:
        raise InvalidState(f"<@{them}> is already in a battle — try again when it ends.")
    return gift


def _check(req: StartBattle, facts: Facts, ctx: Ctx) -> str | None:
    live = {uid for uid, lv in facts.lives.items() if lv.ends_at > ctx.now}
    return check_battle(req, ctx.catalog, live, facts.battles)


class StartBattleDecision(Simple):
    def needs(self, req: StartBattle) -> Needs:
        return Needs(fighters=(req.challenger_id, req.opponent_id))

    def decide(self, req: StartBattle, facts: Facts, ctx: Ctx) -> Plan:
        gift = _check(req, facts, ctx)
        mine, theirs = facts.lives[req.challenger_id], facts.lives[req.opponent_id]
        ends_at = ctx.now + req.minutes * SECONDS_PER_MINUTE
        step = OpenBattle(
            req.challenger_id, req.opponent_id, mine.id, theirs.id, gift, req.minutes, ends_at,
            req.channel_id,
        )  # fmt: skip
        memo = Battle(
            0, req.guild_id, req.challenger_id, req.opponent_id, mine.id, theirs.id, gift,
            req.minutes, req.channel_id, None, ctx.now, ends_at, None, 0, None,
        )  # fmt: skip
        return Plan(
            (step,),
            Record(
                TxnKind.BATTLE_START,
                subject_id=req.challenger_id,
                counterparty_id=req.opponent_id,
                gift_name=gift,
                count=req.minutes,
            ),
            memo=memo,
        )

    def explain(self, req: StartBattle, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        # A fighter's row was taken meanwhile (another battle started in the same moment).
        try:
            _check(req, facts, ctx)
        except EconomyError as refusal:
            return refusal
        return InvalidState(ALREADY_BATTLING)

    def finish(self, req: StartBattle, plan: Plan, applied: Applied, ctx: Ctx) -> Battle:
        assert applied.new_id is not None
        return dataclasses.replace(plan.memo, id=applied.new_id, start_txn=applied.txn_id)


class EndBattleDecision(Simple):
    def needs(self, req: EndBattle) -> Needs:
        return Needs(battle=req.battle_id)

    def decide(self, req: EndBattle, facts: Facts, ctx: Ctx) -> Plan:
        battle = facts.battle
        if battle is None:
            raise NotFound(f"There is no battle #{req.battle_id} in this server.")
        if battle.ended_at is not None:
            return Plan((), memo=dataclasses.replace(battle, replayed=True))
        # Never later than its scheduled end, even when the bot was down past it.
        at = min(ctx.now, battle.ends_at)
        return Plan(
            (CloseBattle(battle.id, at),),
            Record(
                TxnKind.BATTLE_END,
                subject_id=battle.challenger_id,
                counterparty_id=battle.opponent_id,
                gift_name=battle.gift_name,
            ),
            memo=dataclasses.replace(battle, ended_at=at),
        )

    def explain(self, req: EndBattle, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        return None  # ended meanwhile: the retry answers with the ended battle

    def finish(self, req: EndBattle, plan: Plan, applied: Applied, ctx: Ctx) -> Battle:
        return ended_by_record(plan.memo, applied)


class SetBattleMessageDecision(Simple):
    def decide(self, req: SetBattleMessage, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((BattleMessage(req.battle_id, req.channel_id, req.message_id),))

    def explain(
        self, req: SetBattleMessage, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        return NotFound(f"There is no battle #{req.battle_id}.")

    def finish(self, req: SetBattleMessage, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None
