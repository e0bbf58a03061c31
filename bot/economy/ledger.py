"""The ledger port: every money operation and query giftcord needs, as one Protocol.

Each write is atomic (one database transaction: all of it or none of it) and idempotent by `key`
(the Discord interaction id, or a generated key a CLI or bulk operation stores first): calling it
again with the same key changes nothing and returns the first result with `replayed=True`.
Writes never overdraw and never exceed `max_balance`. Refusals raise `EconomyError` subclasses
and change nothing. Ids are plain ints — the domain never sees a discord object.

Double-entry: every write records entries that sum to zero per currency across member accounts
and the system accounts below, so `verify` can prove nothing was created or destroyed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from bot.economy.kinds import TxnKind

if TYPE_CHECKING:
    from bot.economy.requests import Request

T = TypeVar("T")


class Currency(StrEnum):
    COINS = "coins"
    DIAMONDS = "diamonds"


class AdjustMode(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"
    SET = "set"


class Board(StrEnum):
    GIFTERS = "gifters"  # ranked by coins spent on gifts
    CREATORS = "creators"  # ranked by diamonds earned from gifts


class Period(StrEnum):
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class PayoutState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class TreasureState(StrEnum):
    OPEN = "open"  # escrowed, members may open it
    SPLIT = "split"  # shared among its openers
    RETURNED = "returned"  # nobody opened it: back to the dropper


class PayoutMethod(StrEnum):
    PAYPAL = "paypal"
    BANK = "bank"


class SystemAccount:
    """Negative account ids: the other side of every entry. Their balances go negative by design."""

    MINT = -1  # coins created by purchases and event bonuses
    GIFTS = -2  # coins spent on gifts flow in; diamonds for creators flow out
    ADJUST = -3  # moderator grants (out) and revocations (in), both currencies
    PAYOUT_PENDING = -4  # diamonds held for a pending cash-out
    PAID_OUT = -5  # diamonds of approved cash-outs
    EXCHANGE = -6  # diamonds exchanged for coins flow in; the coins they buy flow out
    TREASURE_ESCROW = -7  # coins of treasure boxes not split or returned yet


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    guild_id: int
    user_id: int
    coins: int
    diamonds: int
    lifetime_diamonds: int  # diamonds earned from gifts, all time
    coins_spent: int  # coins spent on gifts, all time
    gifts_sent: int  # gift operations sent (a count of 5 Roses is one)
    frozen: bool
    age_confirmed: bool
    country: str | None
    payout_method: str | None
    departed: bool


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    txn_id: int
    coins: int
    bonus_coins: int  # an event's or a promotion's bonus, minted on top
    usd: Decimal  # list price, exact
    balance: int  # coins after
    remaining_today_usd: Decimal  # of the daily spend cap
    event_id: int | None
    promotion: bool = False  # the bonus came from a purchase promotion, not the event
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class ExchangeResult:
    txn_id: int
    diamonds: int  # exchanged (burnt): the coins × the rate
    coins: int  # bought with them
    rate: int  # diamonds per coin at the time
    diamonds_left: int  # balance after (what did not make a whole coin stays)
    coins_balance: int  # balance after
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class GiftResult:
    txn_id: int
    gift_name: str
    count: int
    coins: int  # total coins spent
    diamonds: int  # total diamonds credited
    sender_coins: int  # sender balance after
    recipient_diamonds: int  # recipient balance after
    event_id: int | None
    created_at: float
    gift_id: int = 0  # the catalogue entry used (TikTok's id), for "Send again"
    streakable: bool = False  # whether repeats within the combo window edit one announcement
    sender_id: int = 0
    recipient_id: int = 0
    # The sender's lifetime coins sent as gifts after this gift (what the guarded debit
    # returned): with `coins` it gives the gifter level before and after (bot.economy.levels).
    sender_spent: int = 0
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class AdjustResult:
    txn_id: int
    user_id: int
    currency: Currency
    mode: AdjustMode
    before: int
    after: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class BulkAdjustResult:
    txn_id: int
    currency: Currency
    amount: int  # per member
    members: int  # how many were credited
    skipped: int  # frozen or would exceed the maximum balance: left unchanged
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class FreezeResult:
    txn_id: int
    user_id: int
    frozen: bool
    changed: bool  # False when the account already was in that state
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Payout:
    id: int
    guild_id: int
    user_id: int
    diamonds: int
    usd: Decimal  # gross, rounded down to cents
    method: str
    state: PayoutState
    created_at: float
    decided_at: float | None
    decided_by: int | None
    reason: str | None
    txn_id: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    guild_id: int
    name: str
    started_at: float
    ends_at: float
    ended_at: float | None  # None while live
    goal: int | None  # diamonds
    bonus_percent: int
    channel_id: int | None
    message_id: int | None  # the progress post
    started_by: int
    diamonds: int  # gifted during the event so far
    replayed: bool = False

    @property
    def live(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Live:
    """A member's LIVE. Its gifts are the gifts to `user_id` whose txn ids lie between
    `start_txn` (the LIVE_START record) and `end_txn` (the LIVE_END record; None while LIVE):
    derived from the gift rows, so a gift costs nothing more to write."""

    id: int
    guild_id: int
    user_id: int
    title: str | None
    channel_id: int | None
    message_id: int | None  # the LIVE card
    started_at: float
    ends_at: float  # started_at + [live] max_hours
    ended_at: float | None  # None while LIVE
    start_txn: int
    end_txn: int | None
    replayed: bool = False

    @property
    def live(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class LiveGifter:
    user_id: int
    coins: int


@dataclass(frozen=True, slots=True)
class LiveFigures:
    """A LIVE's figures, derived from its gifts: the card while LIVE, the recap after."""

    live: Live
    diamonds: int
    coins: int
    gifts: int  # gift operations
    gifters: int  # distinct senders
    top: list[LiveGifter]  # by coins, at most 3
    top_gift: GiftTotal | None  # the gift sent most often (by count)


@dataclass(frozen=True, slots=True)
class LevelRoleResult:
    level: int
    role_id: int | None  # None: the mapping was removed
    txn_id: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class TreasureBox:
    """A treasure box: its escrowed coins, who opened it (in order) and, once settled, each
    opener's share (`shares[i]` belongs to `opener_ids[i]`; zeros while it is open)."""

    id: int
    guild_id: int
    dropper_id: int
    coins: int
    openers: int  # how many may open it
    created_at: float
    ends_at: float
    state: TreasureState
    channel_id: int | None
    message_id: int | None
    txn_id: int  # the drop
    opener_ids: tuple[int, ...] = ()
    shares: tuple[int, ...] = ()
    returned: int = 0  # coins that went back to the dropper
    announced: bool = False  # the results replaced the post
    replayed: bool = False

    def __post_init__(self) -> None:
        # A replay decodes JSON lists: keep the fields tuples whatever built the box.
        object.__setattr__(self, "opener_ids", tuple(self.opener_ids))
        object.__setattr__(self, "shares", tuple(self.shares))

    @property
    def opened(self) -> int:
        return len(self.opener_ids)

    @property
    def full(self) -> bool:
        return self.opened >= self.openers


@dataclass(frozen=True, slots=True)
class TreasureOpen:
    """One member's press of Open that got in."""

    box_id: int
    guild_id: int
    user_id: int
    opened: int  # openers so far, this one included
    openers: int
    replayed: bool = False

    @property
    def full(self) -> bool:
        return self.opened >= self.openers


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    audit_channel_id: int | None = None
    announce_channel_id: int | None = None
    mod_role_id: int | None = None
    public_page: bool = False  # `/settings set public_page:true`: the web page at /g/<id>


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    user_id: int
    value: int  # coins spent (gifters) or diamonds earned (creators)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    txn_id: int
    kind: TxnKind  # a gift is GIFT_SENT or GIFT_RECEIVED from the member's point of view
    created_at: float
    currency: Currency
    amount: int  # signed, from the member's point of view
    counterparty_id: int | None
    gift_name: str | None
    count: int | None
    actor_id: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    txn_id: int
    kind: TxnKind  # the moderator actions: grant … freeze … cashout_approve … event_end
    created_at: float
    actor_id: int
    member_id: int | None
    currency: Currency | None
    before: int | None
    after: int | None
    amount: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class DayEarnings:
    day: int  # days since epoch, UTC
    diamonds: int


@dataclass(frozen=True, slots=True)
class GiftTotal:
    gift_name: str
    count: int
    diamonds: int


@dataclass(frozen=True, slots=True)
class SupporterTotal:
    user_id: int
    diamonds: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    page: int  # 1-based
    pages: int  # at least 1
    total: int


# --- the port -----------------------------------------------------------------------------


class Ledger(Protocol):
    """One generic entry point: `await ledger.run(request)` for every write and every query.

    The requests are the dataclasses of `bot.economy.requests` (writes) and `bot.economy.reads`
    (queries); each names its result type, so `run(SendGift(...))` is typed `GiftResult`."""

    async def run(self, request: Request[T]) -> T: ...

    async def close(self) -> None: ...
