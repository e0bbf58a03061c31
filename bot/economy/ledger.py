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

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

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
    bonus_coins: int  # event bonus, minted on top
    usd: Decimal  # list price, exact
    balance: int  # coins after
    remaining_today_usd: Decimal  # of the daily spend cap
    event_id: int | None
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
class GuildSettings:
    guild_id: int
    audit_channel_id: int | None = None
    announce_channel_id: int | None = None
    mod_role_id: int | None = None


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    user_id: int
    value: int  # coins spent (gifters) or diamonds earned (creators)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    txn_id: int
    kind: str  # purchase | gift_sent | gift_received | grant | revoke | set | bulk_grant | ...
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
    kind: str  # grant | revoke | set | bulk_grant | freeze | unfreeze | cashout_approve | ...
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
    # writes: each one transaction, idempotent by `key`
    async def confirm_age(self, guild_id: int, user_id: int) -> None: ...

    async def purchase(
        self, guild_id: int, user_id: int, *, key: str, coins: int, package: bool
    ) -> PurchaseResult:
        """Demo purchase of a package (`package=True`) or a custom amount. Refuses without the
        18+ confirmation (AgeConfirmationRequired) and over the daily spend cap (DailyCapReached).
        A live event's bonus percent is minted on top."""
        ...

    async def gift(
        self,
        guild_id: int,
        sender_id: int,
        recipient_id: int,
        *,
        key: str,
        gift_name: str,
        count: int,
        recipient_is_bot: bool = False,
    ) -> GiftResult:
        """Debit sender coins = price × count, credit recipient diamonds = coins × ratio (down).
        Refuses self, bots, frozen sender or recipient, count outside 1–99, unknown gift,
        insufficient coins (saying how many are missing), balance over the maximum."""
        ...

    async def adjust(
        self,
        guild_id: int,
        user_id: int,
        *,
        key: str,
        actor_id: int,
        currency: Currency,
        mode: AdjustMode,
        amount: int,
        reason: str,
    ) -> AdjustResult: ...

    async def grant_many(
        self,
        guild_id: int,
        user_ids: Sequence[int],
        *,
        key: str,
        actor_id: int,
        currency: Currency,
        amount: int,
        reason: str,
    ) -> BulkAdjustResult: ...

    async def set_frozen(
        self, guild_id: int, user_id: int, *, key: str, actor_id: int, frozen: bool, reason: str
    ) -> FreezeResult: ...

    async def register_creator(
        self, guild_id: int, user_id: int, *, country: str, method: PayoutMethod
    ) -> Account: ...

    async def request_cashout(
        self, guild_id: int, user_id: int, *, key: str, diamonds: int, method: PayoutMethod
    ) -> Payout: ...

    async def decide_cashout(
        self, guild_id: int, payout_id: int, *, key: str, actor_id: int, approve: bool, reason: str
    ) -> Payout: ...

    async def start_event(
        self,
        guild_id: int,
        *,
        key: str,
        actor_id: int,
        name: str,
        minutes: int,
        goal: int | None,
        bonus_percent: int,
        channel_id: int | None,
    ) -> Event: ...

    async def end_event(self, guild_id: int, event_id: int, *, actor_id: int | None) -> Event:
        """End a live event (early by a moderator, or by time with actor_id None). Idempotent:
        ending an ended event returns it with replayed=True."""
        ...

    async def set_event_message(self, event_id: int, channel_id: int, message_id: int) -> None: ...

    async def update_guild_settings(
        self,
        guild_id: int,
        *,
        audit_channel_id: int | None = None,
        announce_channel_id: int | None = None,
        mod_role_id: int | None = None,
    ) -> GuildSettings: ...

    async def set_departed(self, guild_id: int, user_id: int, departed: bool) -> None: ...

    # queries: read a consistent snapshot, never wait behind writes
    async def account(self, guild_id: int, user_id: int) -> Account: ...

    async def rank(
        self, guild_id: int, user_id: int, board: Board, period: Period, event_id: int | None = None
    ) -> int | None: ...

    async def leaderboard(
        self,
        guild_id: int,
        board: Board,
        period: Period,
        *,
        event_id: int | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> Page[LeaderRow]: ...

    async def history(
        self, guild_id: int, user_id: int, *, page: int = 1, per_page: int = 10
    ) -> Page[HistoryEntry]: ...

    async def audit(
        self,
        guild_id: int,
        *,
        member_id: int | None = None,
        actor_id: int | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> Page[AuditEntry]: ...

    async def spent_today(self, guild_id: int, user_id: int) -> Decimal: ...

    async def cashout_requested_today(self, guild_id: int, user_id: int) -> Decimal: ...

    async def cashouts(
        self,
        guild_id: int,
        *,
        user_id: int | None = None,
        state: PayoutState | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> Page[Payout]: ...

    async def cashout(self, guild_id: int, payout_id: int) -> Payout | None:
        """One cash-out request of this server, or None."""
        ...

    async def earnings_per_day(self, guild_id: int, user_id: int, days: int) -> list[DayEarnings]:
        """One entry per UTC day of the last `days` days (oldest first), zeros included."""
        ...

    async def top_gifts(
        self, guild_id: int, user_id: int, days: int, limit: int = 5
    ) -> list[GiftTotal]: ...

    async def top_supporters(
        self, guild_id: int, user_id: int, days: int, limit: int = 5
    ) -> list[SupporterTotal]: ...

    async def live_event(self, guild_id: int) -> Event | None: ...

    async def events(self, guild_id: int, *, limit: int = 25) -> list[Event]:
        """Newest first: the live event and past ones (for autocomplete and results)."""
        ...

    async def event(self, guild_id: int, event_id: int) -> Event | None: ...

    async def due_events(self) -> list[Event]:
        """Live events whose end time has passed (all servers) — ended at start-up and by timer."""
        ...

    async def guild_settings(self, guild_id: int) -> GuildSettings: ...

    async def export_rows(
        self, guild_id: int, *, days: int | None = None
    ) -> list[dict[str, object]]:
        """The server's ledger entries, oldest first, as flat rows for CSV."""
        ...
