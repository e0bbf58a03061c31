"""Decisions for LIVE sessions (one per member, many members at once) and level roles.

A LIVE's gifts are never written twice: its start and its end are transaction records, and its
figures are the gifts to the member whose txn ids lie between the two (`bot.economy.ledger.Live`).
"""

from __future__ import annotations

import dataclasses

from bot.economy.decide.base import Ctx, Facts, Needs, Simple, ended_by_record
from bot.economy.errors import EconomyError, InvalidInput, InvalidState, NotFound
from bot.economy.kinds import TxnKind
from bot.economy.ledger import LevelRoleResult, Live
from bot.economy.levels import MAX_LEVEL
from bot.economy.plan import (
    Applied,
    CloseLive,
    LevelRoleSet,
    LiveMessage,
    OpenLive,
    Plan,
    Record,
)
from bot.economy.requests import EndLive, SetLevelRole, SetLiveMessage, StartLive

MAX_TITLE = 100
SECONDS_PER_HOUR = 3600


class StartLiveDecision(Simple):
    def needs(self, req: StartLive) -> Needs:
        return Needs(live_of=req.user_id)

    def decide(self, req: StartLive, facts: Facts, ctx: Ctx) -> Plan:
        title = req.title.strip() if req.title else None
        if title is not None and len(title) > MAX_TITLE:
            raise InvalidInput(f"A LIVE title is at most {MAX_TITLE} characters.")
        if type(req.max_hours) is not int or req.max_hours < 1:
            raise InvalidInput("A LIVE lasts at least one hour ([live] max_hours).")
        steps: tuple = ()
        live = facts.live
        if live is not None:
            if live.ends_at > ctx.now:
                raise InvalidState(
                    "You are already LIVE — end it with `/live end` before starting another."
                )
            # Its time ran out (the bot may have been down): it ends at its scheduled time.
            steps = (CloseLive(live.id, live.ends_at),)
        ends_at = ctx.now + req.max_hours * SECONDS_PER_HOUR
        steps += (OpenLive(req.user_id, title or None, req.channel_id, ends_at),)
        return Plan(
            steps,
            Record(TxnKind.LIVE_START, subject_id=req.user_id, reason=title),
            memo=Live(
                0,
                req.guild_id,
                req.user_id,
                title or None,
                req.channel_id,
                None,
                ctx.now,
                ends_at,
                None,
                0,
                None,
            ),
        )

    def explain(self, req: StartLive, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        # The unique index refused: the member went LIVE in the same moment (a double click).
        return InvalidState("You are already LIVE — end it with `/live end` first.")

    def finish(self, req: StartLive, plan: Plan, applied: Applied, ctx: Ctx) -> Live:
        assert applied.new_id is not None
        return dataclasses.replace(plan.memo, id=applied.new_id, start_txn=applied.txn_id)


class EndLiveDecision(Simple):
    def needs(self, req: EndLive) -> Needs:
        return Needs(live_id=req.live_id)

    def decide(self, req: EndLive, facts: Facts, ctx: Ctx) -> Plan:
        live = facts.live
        if live is None:
            raise NotFound(f"There is no LIVE #{req.live_id} in this server.")
        if live.ended_at is not None:
            return Plan((), memo=dataclasses.replace(live, replayed=True))
        # Never later than its scheduled end: one ended by time (or by someone after its time ran
        # out, while the timer had not fired yet) ends then, even if the bot was down past it.
        at = min(ctx.now, live.ends_at)
        # A moderator ending someone else's LIVE is an audited action; the member's own is not.
        actor = req.ended_by if req.ended_by not in (None, live.user_id) else None
        return Plan(
            (CloseLive(live.id, at),),
            Record(TxnKind.LIVE_END, subject_id=live.user_id, actor_id=actor, reason=live.title),
            memo=dataclasses.replace(live, ended_at=at),
        )

    def explain(self, req: EndLive, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        return None  # ended meanwhile: the retry answers with the ended LIVE

    def finish(self, req: EndLive, plan: Plan, applied: Applied, ctx: Ctx) -> Live:
        return ended_by_record(plan.memo, applied)


class SetLiveMessageDecision(Simple):
    def decide(self, req: SetLiveMessage, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((LiveMessage(req.live_id, req.channel_id, req.message_id),))

    def explain(
        self, req: SetLiveMessage, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        return NotFound(f"There is no LIVE #{req.live_id}.")

    def finish(self, req: SetLiveMessage, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None


class SetLevelRoleDecision(Simple):
    def decide(self, req: SetLevelRole, facts: Facts, ctx: Ctx) -> Plan:
        if type(req.level) is not int or not 1 <= req.level <= MAX_LEVEL:
            raise InvalidInput(f"A gifter level is a whole number from 1 to {MAX_LEVEL}.")
        if req.role_id is not None and (type(req.role_id) is not int or req.role_id <= 0):
            raise InvalidInput("That is not a role of this server.")
        what = f"level {req.level} → " + (f"role {req.role_id}" if req.role_id else "no role")
        return Plan(
            (LevelRoleSet(req.level, req.role_id),),
            Record(TxnKind.LEVEL_ROLE, actor_id=req.actor_id, count=req.level, reason=what),
        )

    def finish(self, req: SetLevelRole, plan: Plan, applied: Applied, ctx: Ctx) -> LevelRoleResult:
        return LevelRoleResult(req.level, req.role_id, applied.txn_id)
