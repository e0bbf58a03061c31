"""The vocabulary of guarded writes a decision returns and every backend executes.

A `Plan` is the exact list of writes one operation makes, in order, inside one transaction.
Each step carries its own guard — the condition under which the database may apply it — so the
outcome is right with any number of writers, whatever the decision saw when it read its facts:

- `Move` is a conditional update: the balance stays within 0..max_balance (and the account is
  not frozen, when asked), or nothing is written and the operation is refused.
- `SetBalance` is a compare-and-set on the balance the decision read.
- `ClosePayout` / `CloseEvent` are guarded state transitions (`pending` → decided, live → ended).
- `Record` is the transaction row; inserting it claims the idempotency key (a unique index), in
  the same transaction as the effect, so two writers cannot both apply one key.

When a guard refuses, the backend undoes the operation's earlier steps (a savepoint) and asks the
decision to explain the refusal from fresh facts. The decision never runs SQL; the backend never
decides.

Steps are built, applied once and dropped; nobody changes one. They are not `frozen` dataclasses
only because a frozen one costs ~0.5 µs more to build, and a gift builds ten of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.economy.kinds import TxnKind
from bot.economy.ledger import Currency, PayoutState, SystemAccount, TreasureState

GIFTS_ACCOUNT = SystemAccount.GIFTS


@dataclass(slots=True)
class Move:
    """Add `delta` (negative: a debit) to a member's balance, creating the account on a credit.
    Guard: 0 <= balance + delta <= max_balance, and not frozen when `unfrozen`. The counters
    (all-time gifting statistics) move with it."""

    user_id: int
    currency: Currency
    delta: int
    unfrozen: bool = False
    spent: int = 0  # coins spent on gifts, all time
    sent: int = 0  # gift operations sent, all time
    earned: int = 0  # diamonds earned from gifts, all time


@dataclass(slots=True)
class SetBalance:
    """Set a balance to `value`. Guard: it still is `expected` (what the decision read)."""

    user_id: int
    currency: Currency
    expected: int
    value: int


@dataclass(slots=True)
class SetProfile:
    """Set account answers/flags; None leaves one unchanged. `create`: make the account first."""

    user_id: int
    frozen: bool | None = None
    age_confirmed: bool | None = None
    departed: bool | None = None
    country: str | None = None
    payout_method: str | None = None
    create: bool = True


@dataclass(slots=True)
class Leg:
    """One double-entry leg; a plan's legs sum to zero per currency."""

    account: int  # a member id, or a negative SystemAccount id
    currency: Currency
    amount: int


@dataclass(slots=True)
class Stat:
    """Today's statistics of one member (leaderboards, `/diamonds stats`)."""

    user_id: int
    coins: int = 0
    diamonds: int = 0
    gifts: int = 0


@dataclass(slots=True)
class EventStat:
    """Totals of one member in an event, and the event's own diamonds (`credit`)."""

    event_id: int
    user_id: int
    coins: int = 0
    diamonds: int = 0


@dataclass(slots=True)
class EventCredit:
    event_id: int
    diamonds: int


@dataclass(slots=True)
class OpenPayout:
    """A pending cash-out request; the backend returns its id as `Applied.new_id`."""

    user_id: int
    diamonds: int
    usd: Decimal
    method: str


@dataclass(slots=True)
class ClosePayout:
    """Guard: the request is still pending (two moderators cannot both decide it)."""

    payout_id: int
    state: PayoutState
    actor_id: int
    reason: str | None


@dataclass(slots=True)
class OpenEvent:
    """A live event; guard: none is live in the server (a unique index). Id → `Applied.new_id`."""

    name: str
    ends_at: float
    goal: int | None
    bonus_percent: int
    channel_id: int | None
    started_by: int


@dataclass(slots=True)
class CloseEvent:
    """Guard: the event is still live. `at` None ends every due event at its scheduled time."""

    event_id: int | None
    at: float | None


@dataclass(slots=True)
class EventMessage:
    """Where the event's progress post lives. Guard: the event exists."""

    event_id: int
    channel_id: int
    message_id: int


@dataclass(slots=True)
class OpenLive:
    """A member's LIVE; guard: they are not LIVE already (a partial unique index). Its start
    is this plan's record (`Applied.txn_id`); id → `Applied.new_id`."""

    user_id: int
    title: str | None
    channel_id: int | None
    ends_at: float


@dataclass(slots=True)
class CloseLive:
    """Guard: the LIVE is still on. Its end is this plan's record (`Applied.txn_id`)."""

    live_id: int
    at: float


@dataclass(slots=True)
class LiveMessage:
    """Where the LIVE card is. Guard: the LIVE exists in the server."""

    live_id: int
    channel_id: int
    message_id: int


@dataclass(slots=True)
class LevelRoleSet:
    """Map a gifter level to a role in the server (None: remove the mapping). No guard: the
    last moderator's choice stands."""

    level: int
    role_id: int | None


@dataclass(slots=True)
class GuildSettingsSet:
    """None leaves a setting unchanged; 0 clears it."""

    audit_channel_id: int | None = None
    announce_channel_id: int | None = None
    mod_role_id: int | None = None
    public_page: bool | None = None  # None leaves it unchanged


@dataclass(slots=True)
class OpenBox:
    """A treasure box holding `coins` in escrow; id → `Applied.new_id`. No guard of its own:
    the dropper's conditional debit before it is what can refuse."""

    dropper_id: int
    coins: int
    openers: int
    ends_at: float
    channel_id: int | None


@dataclass(slots=True)
class JoinBox:
    """A member opens a box. Guards, all in the database: the box is open, not past its end
    and not full (a counted update), the member has not opened it (a unique row), is not
    frozen, and has opened fewer than `daily_limit` boxes of this server on `day`."""

    box_id: int
    user_id: int
    day: int
    daily_limit: int


@dataclass(slots=True)
class CloseBox:
    """Settle a box: `state` split or returned, `shares[i]` to the i-th opener (in the order
    they opened). Guard: the box is still open with exactly `len(shares)` openers, so a late
    opener can neither be left out of the split nor let in after it."""

    box_id: int
    state: TreasureState
    shares: tuple[int, ...]
    returned: int


@dataclass(slots=True)
class BoxMessage:
    """Where the box's public post lives. Guard: the box exists."""

    box_id: int
    channel_id: int
    message_id: int


@dataclass(slots=True)
class BoxAnnounced:
    """The results of a settled box are posted. Guard: the box is settled."""

    box_id: int


@dataclass(slots=True)
class OpenBattle:
    """A LIVE Match between two LIVE creators; id → `Applied.new_id`. Guard: neither is in a
    battle already (one `battle_fighters` row per member, claimed for both sides or neither).
    Its start is this plan's record (`Applied.txn_id`)."""

    challenger_id: int
    opponent_id: int
    challenger_live: int
    opponent_live: int
    gift_name: str | None
    minutes: int
    ends_at: float
    channel_id: int | None


@dataclass(slots=True)
class CloseBattle:
    """Guard: the battle is still on (it ends once, whoever else ends it); both fighters are
    free again. Its end is this plan's record (`Applied.txn_id`)."""

    battle_id: int
    at: float


@dataclass(slots=True)
class BattleMessage:
    """Where the battle's public post is. Guard: the battle exists in the server."""

    battle_id: int
    channel_id: int
    message_id: int


@dataclass(slots=True)
class Record:
    """The transaction row: what happened, for history, audit, export and `verify`. Inserting
    it claims the operation's idempotency key."""

    kind: TxnKind
    subject_id: int | None = None  # the member it is about (a gift's sender)
    counterparty_id: int | None = None  # a gift's recipient
    actor_id: int | None = None  # the moderator, for moderator actions
    currency: Currency | None = None
    amount: int | None = None
    diamonds: int | None = None
    before: int | None = None
    after: int | None = None
    gift_name: str | None = None
    count: int | None = None
    ratio: Decimal | None = None  # diamonds per coin a gift or an exchange used, for verify
    usd: Decimal | None = None
    reason: str | None = None
    event_id: int | None = None


Step = (
    Move
    | SetBalance
    | SetProfile
    | Leg
    | Stat
    | EventStat
    | EventCredit
    | OpenPayout
    | ClosePayout
    | OpenEvent
    | CloseEvent
    | EventMessage
    | OpenLive
    | CloseLive
    | LiveMessage
    | LevelRoleSet
    | GuildSettingsSet
    | OpenBox
    | JoinBox
    | CloseBox
    | BoxMessage
    | BoxAnnounced
    | OpenBattle
    | CloseBattle
    | BattleMessage
)


# In a Record, "the id of the row this plan creates" (an event's id is not known before the
# insert); the backend puts the real id in its place.
NEW_ID = -1


def implied_legs(record: Record) -> tuple[Leg, ...]:
    """The legs a record implies by itself, so a backend need not store them: a gift's row
    (sender, recipient, coins, diamonds) is its four legs — the sender's coins to the gifts
    account, the diamonds it mints from there to the recipient. Storing one row instead of
    four is most of what a gift costs to write (the lean write path); `verify`, history and
    export derive the same four. Every other kind lists its legs as steps."""
    if record.kind is not TxnKind.GIFT:
        return ()
    if record.subject_id is None or record.counterparty_id is None:
        raise ValueError("a gift record names its sender and its recipient")
    coins, diamonds = record.amount or 0, record.diamonds or 0
    legs = (
        Leg(record.subject_id, Currency.COINS, -coins),
        Leg(GIFTS_ACCOUNT, Currency.COINS, coins),
        Leg(GIFTS_ACCOUNT, Currency.DIAMONDS, -diamonds),
        Leg(record.counterparty_id, Currency.DIAMONDS, diamonds),
    )
    return tuple(leg for leg in legs if leg.amount)  # a zero leg is no entry


@dataclass(slots=True)
class Plan:
    steps: tuple[Step, ...]
    record: Record | None = None  # None: a state change with no transaction row and no key
    memo: Any = None  # what the decision wants back in `finish` (a quote, a count …)

    def legs(self) -> tuple[Leg, ...]:
        """Every double-entry leg of the plan: the stored ones and those its record implies."""
        stored = tuple(s for s in self.steps if isinstance(s, Leg))
        return stored + (implied_legs(self.record) if self.record is not None else ())


@dataclass(slots=True)
class Applied:
    """What the backend reports back after applying a plan: each moved balance's new value,
    the id of a row it created, and the transaction id of the record."""

    txn_id: int
    balances: dict[tuple[int, Currency], int] = field(default_factory=dict)
    new_id: int | None = None
    # Lifetime coins sent as gifts after a `Move` with `spent` (the gifter level's input).
    spent: dict[int, int] = field(default_factory=dict)
