"""Money types and the one place USD is rounded.

Coins and diamonds are plain `int`s. USD is `Decimal`; it is rounded down to whole cents only when
shown or paid out (`to_cents`), so a member is never promised a cent the rules did not earn.
No float ever touches money.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import NewType

from bot.economy.errors import InvalidAmount

Coins = NewType("Coins", int)
Diamonds = NewType("Diamonds", int)

CENT = Decimal("0.01")


def to_cents(usd: Decimal) -> Decimal:
    """Round USD down to whole cents — the only rounding of money in giftcord."""
    return usd.quantize(CENT, rounding=ROUND_DOWN)


def format_usd(usd: Decimal) -> str:
    """`Decimal('61.729')` → `'$61.72'` (rounded down, always with cents)."""
    return f"${to_cents(usd):,.2f}"


def format_count(n: int) -> str:
    """`1500` → `'1,500'`: readable by people and screen readers alike."""
    return f"{n:,}"


_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_AMOUNT = re.compile(r"^(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?P<suffix>[kmb]?)$")


def parse_amount(text: str, *, maximum: int, allow_zero: bool = False, unit: str = "coins") -> int:
    """Parse a typed amount: `1500`, `1,500`, `1.5k`, `2m`. Anything else gets a sentence.

    Refuses zero (unless `allow_zero`), negatives, fractions of a whole unit and values above
    `maximum` — the shared parser behind every `amount` option.
    """
    raw = text.strip().lower().replace(" ", "").replace("_", "")
    if raw.startswith("-"):
        raise InvalidAmount(f"“{text.strip()}” is negative — type a positive number of {unit}.")
    if raw.startswith("+"):
        raw = raw[1:]
    match = _AMOUNT.match(raw)
    if not match:
        raise InvalidAmount(
            f"“{text.strip()[:40]}” is not an amount. Type a whole number such as "
            "`1500`, `1,500` or `1.5k`."
        )
    try:
        value = Decimal(match["num"].replace(",", "")) * _SUFFIX[match["suffix"]]
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise InvalidAmount(f"“{text.strip()[:40]}” is not an amount.") from exc
    if value != value.to_integral_value():
        raise InvalidAmount(f"“{text.strip()[:40]}” is a fraction — {unit} come in whole numbers.")
    amount = int(value)
    if amount == 0 and not allow_zero:
        raise InvalidAmount(
            f"The amount must be at least 1 {unit[:-1] if unit.endswith('s') else unit}."
        )
    if amount > maximum:
        raise InvalidAmount(
            f"{format_count(amount)} is above the maximum of {format_count(maximum)} {unit}."
        )
    return amount
