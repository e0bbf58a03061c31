"""Rows ↔ result dataclasses, and the JSON a replay returns.

A txn row stores the result its caller received, as JSON; a replay decodes it and flags it
`replayed=True`. Decimals travel as strings so no float ever touches money.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, cast

from bot.economy import ledger as L
from bot.economy.plan import NEW_ID, Applied, Record

R = TypeVar("R")

ACCOUNT_COLS = (
    "coins, diamonds, lifetime_diamonds, coins_spent, gifts_sent, frozen, age_confirmed, "
    "country, payout_method, departed"
)
EVENT_COLS = (
    "id, guild_id, name, started_at, ends_at, ended_at, goal, bonus_percent, channel_id, "
    "message_id, started_by, diamonds"
)
LIVE_COLS = (
    "id, guild_id, user_id, title, channel_id, message_id, started_at, ends_at, ended_at, "
    "start_txn, end_txn"
)
PAYOUT_COLS = (
    "id, guild_id, user_id, diamonds, usd, method, state, created_at, decided_at, decided_by, "
    "reason, txn_id"
)


_LAYOUTS: dict[type, tuple[tuple[str, ...], dict[int, Any]]] = {}


def _layout(cls: type) -> tuple[tuple[str, ...], dict[int, Any]]:
    """Field names (without `replayed`) and, by position, the Decimal/Enum types to rebuild."""
    if cls in _LAYOUTS:
        return _LAYOUTS[cls]
    hints = typing.get_type_hints(cls, vars(L))
    names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "replayed")
    convert: dict[int, Any] = {}
    for i, name in enumerate(names):
        args = [a for a in typing.get_args(hints[name]) if a is not type(None)] or [hints[name]]
        if isinstance(args[0], type) and issubclass(args[0], (Decimal, Enum)):
            convert[i] = args[0]
    _LAYOUTS[cls] = (names, convert)
    return names, convert


def encode(result: Any) -> str:
    """JSON of a result dataclass as a positional list (compact, and fast on the gift path).
    StrEnums serialise as their value; Decimals as exact strings."""
    names, convert = _layout(type(result))
    values = [getattr(result, n) for n in names]
    for i in convert:
        if isinstance(values[i], Decimal):
            values[i] = str(values[i])
    return json.dumps(values, separators=(",", ":"))


def decode(cls: type[R], text: str, *, replayed: bool = True) -> R:
    _names, convert = _layout(cls)
    values = json.loads(text)
    for i, conv in convert.items():
        if values[i] is not None:
            values[i] = conv(values[i])
    return cast(Any, cls)(*values, replayed=replayed)  # type: ignore[no-any-return]


def account(guild_id: int, user_id: int, row: tuple[Any, ...] | None) -> L.Account:
    """A missing account reads as all zeros: every member starts there."""
    if row is None:
        return L.Account(guild_id, user_id, 0, 0, 0, 0, 0, False, False, None, None, False)
    coins, diamonds, lifetime, spent, sent, frozen, age, country, method, departed = row
    return L.Account(
        guild_id,
        user_id,
        coins,
        diamonds,
        lifetime,
        spent,
        sent,
        bool(frozen),
        bool(age),
        country,
        method,
        bool(departed),
    )


def event(row: tuple[Any, ...], *, replayed: bool = False) -> L.Event:
    return cast(L.Event, cast(Any, L.Event)(*row, replayed=replayed))


def payout(row: tuple[Any, ...], *, replayed: bool = False) -> L.Payout:
    pid, gid, uid, diamonds, usd, method, state, created, decided, by, reason, txn = row
    return L.Payout(
        pid,
        gid,
        uid,
        diamonds,
        Decimal(usd),
        method,
        L.PayoutState(state),
        created,
        decided,
        by,
        reason,
        txn,
        replayed=replayed,
    )


# The txns columns a Record fills, in the order `record_row` returns them.
RECORD_COLUMNS = (
    "subject_id", "counterparty_id", "actor_id", "currency", "amount", "diamonds", "before",
    "after", "gift_name", "count", "ratio", "usd", "reason", "event_id",
)  # fmt: skip
# A field added to Record without a column here would be silently dropped: refuse at import.
if set(RECORD_COLUMNS) != {f.name for f in dataclasses.fields(Record)} - {"kind"}:
    raise RuntimeError("codec.RECORD_COLUMNS is out of step with plan.Record")


def record_row(record: Record, applied: Applied) -> tuple[Any, ...]:
    """A Record's values for RECORD_COLUMNS (on every gift, so written out, not looped): enums
    as their values, Decimals as exact text, NEW_ID as the id of the row the plan created."""
    r = record
    return (
        r.subject_id,
        r.counterparty_id,
        r.actor_id,
        None if r.currency is None else r.currency.value,
        r.amount,
        r.diamonds,
        r.before,
        r.after,
        r.gift_name,
        r.count,
        None if r.ratio is None else str(r.ratio),
        None if r.usd is None else str(r.usd),
        r.reason,
        applied.new_id if r.event_id == NEW_ID else r.event_id,
    )
