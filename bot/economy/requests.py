"""Every ledger operation as data: a request dataclass in, a result dataclass out.

`Ledger.run(request)` is the one entry point (see `bot.economy.ledger`): a `Write` is decided by
`bot.economy.decide` and executed by a backend as one transaction, idempotent by `key`; a `Read`
is a query answered from one consistent snapshot. Adding an operation means adding its request
here, its decision, the backend's step or query, and its test — never another copy of its
signature. Ids are plain ints: the domain never sees a discord object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from bot.economy import battle as B
from bot.economy import ledger as L

R = TypeVar("R")


class Request(Generic[R]):
    """Base of every request; `result` names the dataclass a replay decodes into."""

    __slots__ = ()
    result: ClassVar[type[Any]]


class Write(Request[R]):
    """A money or state change: one transaction, idempotent by `(guild_id, key)`."""

    __slots__ = ()
    guild_id: int
    key: str


class Read(Request[R]):
    """A query of one snapshot; it never waits behind writes."""

    __slots__ = ()


# --- writes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfirmAge(Write[None]):
    """Record the one-time "I am 18 or older" answer (setting a flag twice is harmless, so it
    needs no key of its own)."""

    result = type(None)
    guild_id: int
    user_id: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class Purchase(Write[L.PurchaseResult]):
    """Demo purchase of a package (`package=True`) or a custom amount of coins."""

    result = L.PurchaseResult
    guild_id: int
    user_id: int
    key: str
    coins: int
    package: bool


@dataclass(frozen=True, slots=True)
class ExchangeDiamonds(Write[L.ExchangeResult]):
    """Turn diamonds into coins at the configured rate; what does not make a whole coin stays."""

    result = L.ExchangeResult
    guild_id: int
    user_id: int
    key: str
    diamonds: int


@dataclass(frozen=True, slots=True)
class SendGift(Write[L.GiftResult]):
    """`count` × the gift named `gift_name` from sender to recipient. The decision resolves the
    name once; the result carries the catalogue entry it used."""

    result = L.GiftResult
    guild_id: int
    sender_id: int
    recipient_id: int
    key: str
    gift_name: str
    count: int
    recipient_is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Adjust(Write[L.AdjustResult]):
    """A moderator's grant, revoke or set of one member's balance."""

    result = L.AdjustResult
    guild_id: int
    user_id: int
    key: str
    actor_id: int
    currency: L.Currency
    mode: L.AdjustMode
    amount: int
    reason: str


@dataclass(frozen=True, slots=True)
class GrantMany(Write[L.BulkAdjustResult]):
    """The same grant to many members (a role), one transaction."""

    result = L.BulkAdjustResult
    guild_id: int
    user_ids: Sequence[int]
    key: str
    actor_id: int
    currency: L.Currency
    amount: int
    reason: str


@dataclass(frozen=True, slots=True)
class SetFrozen(Write[L.FreezeResult]):
    result = L.FreezeResult
    guild_id: int
    user_id: int
    key: str
    actor_id: int
    frozen: bool
    reason: str


@dataclass(frozen=True, slots=True)
class RegisterCreator(Write[L.Account]):
    """Record a creator's country and payout method (answers, not money: no key needed)."""

    result = L.Account
    guild_id: int
    user_id: int
    country: str
    method: L.PayoutMethod
    key: str = ""


@dataclass(frozen=True, slots=True)
class RequestCashout(Write[L.Payout]):
    result = L.Payout
    guild_id: int
    user_id: int
    key: str
    diamonds: int
    method: L.PayoutMethod


@dataclass(frozen=True, slots=True)
class DecideCashout(Write[L.Payout]):
    result = L.Payout
    guild_id: int
    payout_id: int
    key: str
    actor_id: int
    approve: bool
    reason: str


@dataclass(frozen=True, slots=True)
class StartEvent(Write[L.Event]):
    result = L.Event
    guild_id: int
    key: str
    actor_id: int
    name: str
    minutes: int
    goal: int | None
    bonus_percent: int
    channel_id: int | None


@dataclass(frozen=True, slots=True)
class EndEvent(Write[L.Event]):
    """End a live event early (a moderator) or by time (`actor_id` None). Ending an ended event
    returns it with `replayed=True`; the key is the event's own, so two enders end it once."""

    result = L.Event
    guild_id: int
    event_id: int
    actor_id: int | None
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"event-end:{self.event_id}")


@dataclass(frozen=True, slots=True)
class SetEventMessage(Write[None]):
    result = type(None)
    guild_id: int
    event_id: int
    channel_id: int
    message_id: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class StartLive(Write[L.Live]):
    """The member goes LIVE for at most `max_hours` ([live] max_hours, passed by the caller like
    an event's minutes)."""

    result = L.Live
    guild_id: int
    user_id: int
    key: str
    title: str | None
    channel_id: int | None
    max_hours: int


@dataclass(frozen=True, slots=True)
class EndLive(Write[L.Live]):
    """End a LIVE: by its member, a moderator (`ended_by`), or by time (`ended_by` None). The
    key is the LIVE's own, so two enders end it once; an ended LIVE returns `replayed=True`."""

    result = L.Live
    guild_id: int
    live_id: int
    ended_by: int | None
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"live-end:{self.live_id}")


@dataclass(frozen=True, slots=True)
class SetLiveMessage(Write[None]):
    result = type(None)
    guild_id: int
    live_id: int
    channel_id: int
    message_id: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class SetLevelRole(Write[L.LevelRoleResult]):
    """A moderator maps gifter level `level` to `role_id` (None removes the mapping)."""

    result = L.LevelRoleResult
    guild_id: int
    key: str
    actor_id: int
    level: int
    role_id: int | None


@dataclass(frozen=True, slots=True)
class UpdateGuildSettings(Write[L.GuildSettings]):
    """None leaves a setting unchanged; 0 clears it."""

    result = L.GuildSettings
    guild_id: int
    audit_channel_id: int | None = None
    announce_channel_id: int | None = None
    mod_role_id: int | None = None
    key: str = ""
    public_page: bool | None = None  # None leaves it unchanged


@dataclass(frozen=True, slots=True)
class SetDeparted(Write[None]):
    """Hide (or show again) a member on leaderboards; their ledger is kept either way."""

    result = type(None)
    guild_id: int
    user_id: int
    departed: bool
    key: str = ""


# --- treasure boxes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DropTreasure(Write[L.TreasureBox]):
    """Move `coins` of the dropper's into escrow and open a box for `openers` members, for
    `minutes` (TigerBeetle's pending transfer; the split posts it, a return voids it)."""

    result = L.TreasureBox
    guild_id: int
    user_id: int
    key: str
    coins: int
    openers: int
    minutes: int
    channel_id: int | None


@dataclass(frozen=True, slots=True)
class OpenTreasure(Write[L.TreasureOpen]):
    """One member's press of Open. `daily_limit` is `[treasure] daily_opens` (the guard's
    bound, passed in so the decision and the database enforce the same number)."""

    result = L.TreasureOpen
    guild_id: int
    box_id: int
    user_id: int
    key: str
    daily_limit: int
    opener_is_bot: bool = False


@dataclass(frozen=True, slots=True)
class SettleTreasure(Write[L.TreasureBox]):
    """Split a full or timed-out box among its openers (or return it to the dropper when nobody
    opened it). `seed` is the random draw, made by the caller; the key is the box's own, so a
    timer, a full box and the start-up sweep settle it exactly once between them."""

    result = L.TreasureBox
    guild_id: int
    box_id: int
    seed: int
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"treasure-settle:{self.box_id}")


@dataclass(frozen=True, slots=True)
class MarkTreasureAnnounced(Write[None]):
    """The settled box's results are out: the sweep stops posting them (a crash between the
    split and the results post leaves this unset, so the next start posts them)."""

    result = type(None)
    guild_id: int
    box_id: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class SetTreasureMessage(Write[None]):
    """Where the box's public post lives, so the results replace it even after a restart."""

    result = type(None)
    guild_id: int
    box_id: int
    channel_id: int
    message_id: int
    key: str = ""


# --- LIVE Match battles ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartBattle(Write[B.Battle]):
    """The opponent accepted: the battle starts now and lasts `minutes`. (The invitation before
    it is the cog's: it lives 60 s and holds nothing worth keeping across a restart.) The key is
    the accepting press's interaction id."""

    result = B.Battle
    guild_id: int
    challenger_id: int
    opponent_id: int
    key: str
    minutes: int
    gift_name: str | None
    channel_id: int | None
    opponent_is_bot: bool = False


@dataclass(frozen=True, slots=True)
class EndBattle(Write[B.Battle]):
    """End a battle (by time). The key is the battle's own, so the timer and the start-up sweep
    end it once between them; an ended battle returns `replayed=True`."""

    result = B.Battle
    guild_id: int
    battle_id: int
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"battle-end:{self.battle_id}")


@dataclass(frozen=True, slots=True)
class SetBattleMessage(Write[None]):
    result = type(None)
    guild_id: int
    battle_id: int
    channel_id: int
    message_id: int
    key: str = ""
