"""Decisions for server gifting events: one live event per server, ended early or by time."""

from __future__ import annotations

import dataclasses

from bot.economy.decide.base import Ctx, Facts, Needs, Simple
from bot.economy.errors import EconomyError, InvalidAmount, InvalidInput, InvalidState, NotFound
from bot.economy.kinds import TxnKind
from bot.economy.ledger import Event
from bot.economy.plan import NEW_ID, Applied, CloseEvent, EventMessage, OpenEvent, Plan, Record
from bot.economy.requests import EndEvent, SetEventMessage, StartEvent

MIN_MINUTES, MAX_MINUTES = 5, 10_080  # 5 minutes to 7 days
MAX_NAME = 100


class StartEventDecision(Simple):
    def needs(self, req: StartEvent) -> Needs:
        return Needs(live_event=True)

    def decide(self, req: StartEvent, facts: Facts, ctx: Ctx) -> Plan:
        title = (req.name or "").strip()
        if not 1 <= len(title) <= MAX_NAME:
            raise InvalidInput(f"An event needs a name of 1 to {MAX_NAME} characters.")
        if type(req.minutes) is not int or not MIN_MINUTES <= req.minutes <= MAX_MINUTES:
            raise InvalidInput("An event lasts from 5 minutes to 7 days (10,080 minutes).")
        goal = req.goal
        if goal is not None and (type(goal) is not int or not 1 <= goal <= ctx.cfg.max_balance):
            raise InvalidAmount("The goal must be a whole number of diamonds of at least 1.")
        if type(req.bonus_percent) is not int or not 0 <= req.bonus_percent <= 100:
            raise InvalidInput("The purchase bonus must be between 0 and 100 percent.")
        steps: tuple = ()
        live = facts.live_event
        if live is not None:
            if live.ends_at > ctx.now:
                raise InvalidState(
                    f"The event “{live.name}” is still running — end it with `/event end` first."
                )
            # Its time ran out (the bot may have been down): it ends at its scheduled time.
            steps = (CloseEvent(live.id, live.ends_at),)
        ends_at = ctx.now + req.minutes * 60
        steps += (OpenEvent(title, ends_at, goal, req.bonus_percent, req.channel_id, req.actor_id),)
        return Plan(
            steps,
            Record(TxnKind.EVENT_START, actor_id=req.actor_id, reason=title, event_id=NEW_ID),
            memo=Event(
                0,
                req.guild_id,
                title,
                ctx.now,
                ends_at,
                None,
                goal,
                req.bonus_percent,
                req.channel_id,
                None,
                req.actor_id,
                0,
            ),
        )

    def finish(self, req: StartEvent, plan: Plan, applied: Applied, ctx: Ctx) -> Event:
        assert applied.new_id is not None
        return dataclasses.replace(plan.memo, id=applied.new_id)


class EndEventDecision(Simple):
    def needs(self, req: EndEvent) -> Needs:
        return Needs(event=req.event_id)

    def decide(self, req: EndEvent, facts: Facts, ctx: Ctx) -> Plan:
        event = facts.event
        if event is None:
            raise NotFound(f"There is no event #{req.event_id} in this server.")
        if event.ended_at is not None:
            # Already over (by time, or another moderator): nothing to write, same answer.
            return Plan((), memo=dataclasses.replace(event, replayed=True))
        # By time (actor None) it ends at its scheduled end even if the bot was down past it.
        ended_at = ctx.now if req.actor_id is not None else min(ctx.now, event.ends_at)
        record = None
        if req.actor_id is not None:  # only a moderator's early end is an audited action
            record = Record(
                TxnKind.EVENT_END, actor_id=req.actor_id, reason=event.name, event_id=event.id
            )
        return Plan(
            (CloseEvent(event.id, ended_at),),
            record,
            memo=dataclasses.replace(event, ended_at=ended_at),
        )

    def explain(self, req: EndEvent, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        return None  # ended meanwhile: the retry answers with the ended event

    def finish(self, req: EndEvent, plan: Plan, applied: Applied, ctx: Ctx) -> Event:
        result: Event = plan.memo
        return result


class SetEventMessageDecision(Simple):
    def decide(self, req: SetEventMessage, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((EventMessage(req.event_id, req.channel_id, req.message_id),))

    def explain(
        self, req: SetEventMessage, plan: Plan, facts: Facts, ctx: Ctx
    ) -> EconomyError | None:
        return NotFound(f"There is no event #{req.event_id}.")

    def finish(self, req: SetEventMessage, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None
