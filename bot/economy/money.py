"""Money types and the one place USD is rounded.

Coins and diamonds are plain `int`s. USD is `Decimal`; it is rounded down to whole cents only when
shown or paid out (`to_cents`), so a member is never promised a cent the rules did not earn.
No float ever touches money.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
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


_SUFFIX_PLACES = {"": 0, "k": 3, "m": 6, "b": 9}  # 1.5k = 1500: the decimal point moves 3
# ASCII digits only: `\d` would also take full-width (１５００) and Arabic-Indic (١٥٠٠) digits,
# which Decimal() reads too. Thousands may be grouped with `,` or `_` (`1,500`, `1_500`).
_AMOUNT = re.compile(
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<suffix>[kmb]?)"
)
# Longer than any amount a maximum (at most 10^15) allows: refused as too large before any
# arithmetic, so a 5,000-digit paste never reaches int/str conversions (Python limits those
# to 4,300 digits).
_MAX_DIGITS = 40


def parse_amount(text: str, *, maximum: int, allow_zero: bool = False, unit: str = "coins") -> int:
    """Parse a typed amount: `1500`, `1,500`, `1_500`, `1.5k`, `2m`. Anything else gets a
    sentence.

    Refuses zero (unless `allow_zero`), negatives, fractions of a whole unit, digits other than
    ASCII 0–9 and values above `maximum` — the shared parser behind every `amount` option.
    """
    shown = text.strip()[:40]
    raw = text.strip().lower().replace(" ", "")
    if raw.startswith("-"):
        raise InvalidAmount(f"“{shown}” is negative — type a positive number of {unit}.")
    if raw.startswith("+"):
        raw = raw[1:]
    match = _AMOUNT.fullmatch(raw)
    if not match:
        raise InvalidAmount(
            f"“{shown}” is not an amount. Type a whole number such as `1500`, `1,500` or `1.5k`."
        )
    # Exact integer arithmetic on the digits (Decimal would round past 28 digits and could
    # turn a long fraction into a whole number).
    whole, _, fraction = match["num"].replace(",", "").replace("_", "").partition(".")
    places = _SUFFIX_PLACES[match["suffix"]]
    if len(whole.lstrip("0")) + places > _MAX_DIGITS:
        raise InvalidAmount(f"That amount is above the maximum of {format_count(maximum)} {unit}.")
    if fraction[places:].strip("0"):
        raise InvalidAmount(f"“{shown}” is a fraction — {unit} come in whole numbers.")
    amount = int(whole + fraction[:places].ljust(places, "0") or "0")
    if amount == 0 and not allow_zero:
        raise InvalidAmount(
            f"The amount must be at least 1 {unit[:-1] if unit.endswith('s') else unit}."
        )
    if amount > maximum:
        raise InvalidAmount(
            f"{format_count(amount)} is above the maximum of {format_count(maximum)} {unit}."
        )
    return amount
