"""What a decision is: the facts it asks for, the plan it returns, the refusal it explains.

A decision is pure. The backend, inside the operation's transaction:
1. reads the facts `needs(request)` names (accounts, today's totals, the live event …);
2. calls `decide(request, facts, ctx)`: a refusal (an `EconomyError`, nothing written) or a Plan;
3. applies the plan's guarded steps; if a guard refuses, it undoes the operation, re-reads the
   facts of the accounts involved and raises `explain(...)` — or retries the operation when the
   explanation is None (another writer changed a fact between the read and the write);
4. returns `finish(request, plan, applied, ctx)`, which is also stored for replays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from bot.economy.battle import Battle
from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.errors import EconomyError
from bot.economy.ledger import Account, Event, GuildSettings, Live, Payout, TreasureBox
from bot.economy.plan import Applied, Move, Plan, SetBalance
from bot.economy.rules import utc_day

Req = TypeVar("Req", contravariant=True)
R = TypeVar("R", covariant=True)


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every decision may use besides its facts: configuration and the transaction's
    clock reading (one per batch: every operation of a batch happens "at" the same instant)."""

    cfg: EconomyConfig
    catalog: Catalog
    now: float

    @property
    def day(self) -> int:
        return utc_day(self.now)


@dataclass(frozen=True, slots=True)
class Needs:
    """The facts a decision reads before deciding (each costs a query, so ask for little)."""

    accounts: tuple[int, ...] = ()
    spent_today: int | None = None  # a member id: their purchases' list price today
    cashout_today: int | None = None  # a member id: their cash-out requests today
    live_event: bool = False
    payout: int | None = None  # a payout id of the request's server
    event: int | None = None  # an event id of the request's server
    guild_settings: bool = False
    live_of: int | None = None  # a member id: their LIVE now
    live_id: int | None = None  # a LIVE id of the request's server
    treasure: int | None = None  # a treasure box id: the box and who opened it
    treasure_accounts: bool = False  # also the accounts of its openers and dropper (the split)
    opens_today: int | None = None  # a member id: treasure boxes they opened today
    fighters: tuple[int, ...] = ()  # members: their LIVE and their battle now (a battle's start)
    battle: int | None = None  # a battle id of the request's server


NOTHING = Needs()


@dataclass(slots=True)
class Facts:
    guild_id: int
    accounts: dict[int, Account] = field(default_factory=dict)
    spent_today: Decimal = Decimal(0)
    cashout_today: Decimal = Decimal(0)
    live_event: Event | None = None
    payout: Payout | None = None
    event: Event | None = None
    guild_settings: GuildSettings | None = None
    live: Live | None = None  # the LIVE `live_of` or `live_id` asked for
    treasure: TreasureBox | None = None
    opens_today: int = 0
    lives: dict[int, Live] = field(default_factory=dict)  # `fighters`' LIVEs now
    battles: dict[int, Battle] = field(default_factory=dict)  # `fighters`' battles now
    battle: Battle | None = None

    def running_event(self, now: float) -> Event | None:
        """The live event if its time has not run out: a due event (the bot was down, or its
        timer has not fired yet) takes no more gifts or bonuses."""
        live = self.live_event
        return live if live is not None and live.ends_at > now else None

    def account(self, user_id: int) -> Account:
        got = self.accounts.get(user_id)
        if got is None:
            return Account(self.guild_id, user_id, 0, 0, 0, 0, 0, False, False, None, None, False)
        return got


class Decision(Protocol, Generic[Req, R]):
    def needs(self, req: Req) -> Needs: ...

    def decide(self, req: Req, facts: Facts, ctx: Ctx) -> Plan: ...

    def explain(self, req: Req, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None: ...

    def finish(self, req: Req, plan: Plan, applied: Applied, ctx: Ctx) -> R: ...


def involved(plan: Plan) -> tuple[int, ...]:
    """The members whose balances a plan moves: the facts a refusal is explained from."""
    seen: dict[int, None] = {}
    for step in plan.steps:
        if isinstance(step, (Move, SetBalance)):
            seen.setdefault(step.user_id)
    return tuple(seen)


class Simple:
    """Defaults for decisions that read nothing and whose guards cannot refuse."""

    def needs(self, req: Any) -> Needs:
        return NOTHING

    def explain(self, req: Any, plan: Plan, facts: Facts, ctx: Ctx) -> EconomyError | None:
        return None


def ended_by_record(memo: Any, applied: Applied) -> Any:
    """A LIVE or battle a plan ended, as its result: its gifts end at this plan's record. A
    replay (it had ended already) is answered as it was."""
    return memo if memo.replayed else dataclasses.replace(memo, end_txn=applied.txn_id)
