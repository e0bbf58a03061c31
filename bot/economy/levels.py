"""Gifter levels 1–50: lifetime coins sent as gifts → a level, progress and coins to the next.

Pure rules over `[levels] thresholds` (product.md §7): a member is level N once their lifetime
coins sent as gifts are **≥** the N-th amount; before any gift a member has no level (0 here).
TikTok does not publish its table; `DEFAULT_THRESHOLDS` is giftcord's own curve (README).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_LEVEL = 50

# giftcord's own curve: level 1 at the first coin, then each level asks ~28 % more lifetime
# coins than the one before (10 × 1.28^(N−1), rounded), so early levels come within a few Roses
# and level 50 needs about 1.8 million coins — a long climb, like TikTok's.
DEFAULT_THRESHOLDS: tuple[int, ...] = (
    1,
    *(round(10 * 1.28 ** (n - 1)) for n in range(2, MAX_LEVEL + 1)),
)


def check_thresholds(amounts: list[int]) -> list[int]:
    """The table's rules; a ValueError's text is what an operator reads after the key."""
    if len(amounts) != MAX_LEVEL:
        raise ValueError(
            f"must list exactly {MAX_LEVEL} lifetime-coin amounts (got {len(amounts)})"
        )
    if amounts[0] != 1:
        raise ValueError(f"the first amount (level 1) must be 1 (got {amounts[0]})")
    for n in range(1, MAX_LEVEL):
        if amounts[n] <= amounts[n - 1]:
            raise ValueError(
                f"must be strictly ascending: level {n + 1} ({amounts[n]}) is not above "
                f"level {n} ({amounts[n - 1]})"
            )
    return amounts


class LevelsConfig(BaseModel):
    """`[levels]`: the thresholds and whether reaching a level's role removes lower ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    thresholds: list[int] = Field(default_factory=lambda: list(DEFAULT_THRESHOLDS))
    replace_roles: bool = False

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, amounts: list[int]) -> list[int]:
        return check_thresholds(amounts)

    def table(self) -> LevelTable:
        return LevelTable(tuple(self.thresholds))


@dataclass(frozen=True, slots=True)
class Progress:
    level: int  # 0: no level yet
    spent: int  # lifetime coins sent as gifts
    floor: int  # coins of the current level (0 before level 1)
    next_at: int | None  # coins of the next level; None at the top

    @property
    def missing(self) -> int:
        """Coins still to send for the next level (0 at the top)."""
        return 0 if self.next_at is None else self.next_at - self.spent

    @property
    def fraction(self) -> float:
        """How far from this level to the next, 0..1 (only for drawing the bar)."""
        if self.next_at is None:
            return 1.0
        return (self.spent - self.floor) / (self.next_at - self.floor)


@dataclass(frozen=True, slots=True)
class LevelTable:
    thresholds: tuple[int, ...]

    def level(self, spent: int) -> int:
        """The highest N whose amount is ≤ `spent` (≥: reaching the amount exactly counts)."""
        return bisect_right(self.thresholds, spent)

    def floor(self, level: int) -> int:
        return 0 if level <= 0 else self.thresholds[level - 1]

    def progress(self, spent: int) -> Progress:
        level = self.level(spent)
        nxt = self.thresholds[level] if level < len(self.thresholds) else None
        return Progress(level, spent, self.floor(level), nxt)

    def reached(self, before: int, after: int) -> int | None:
        """The level a gift lifted the sender to (the highest one when it crossed several), or
        None when it stayed on the same level."""
        old, new = self.level(before), self.level(after)
        return new if new > old else None


DEFAULT_TABLE = LevelTable(DEFAULT_THRESHOLDS)


class LiveConfig(BaseModel):
    """`[live]`: a LIVE ends itself after `max_hours`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_hours: int = Field(default=12, ge=1, le=168)
