"""The gift catalogue and coin packages: configuration data with lookups, no I/O beyond the
packaged CSV that holds TikTok's gift list."""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from bot.economy.errors import UnknownGift


@dataclass(frozen=True, slots=True)
class Gift:
    tiktok_id: int
    name: str
    coins: int
    streakable: bool


@dataclass(frozen=True, slots=True)
class CoinPackage:
    coins: int
    usd: Decimal


def load_packaged_gifts() -> list[Gift]:
    """TikTok's gift list as shipped in `bot/data/gifts.csv`."""
    text = resources.files("bot.data").joinpath("gifts.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return [
        Gift(
            tiktok_id=int(r["tiktok_id"]),
            name=r["name"].strip(),
            coins=int(r["coins"]),
            streakable=r["streakable"].strip().lower() == "true",
        )
        for r in rows
    ]


class Catalog:
    """Gifts by name, case-insensitively, with the closest names for a typo."""

    def __init__(self, gifts: Iterable[Gift]) -> None:
        self.gifts: tuple[Gift, ...] = tuple(
            sorted(gifts, key=lambda g: (g.coins, g.name.casefold()))
        )
        self._by_name: dict[str, Gift] = {}
        self._by_id: dict[int, Gift] = {}
        # A name finds one gift and an id (the "Send again" button) repeats one gift: a
        # duplicate would make either silently pick the wrong one.
        for g in self.gifts:
            if (other := self._by_name.setdefault(g.name.casefold(), g)) is not g:
                raise ValueError(
                    f"two gifts are called “{other.name}” and “{g.name}” — gift names must be "
                    "unique (ignoring case)"
                )
            if (other := self._by_id.setdefault(g.tiktok_id, g)) is not g:
                raise ValueError(
                    f"“{other.name}” and “{g.name}” have the same tiktok_id {g.tiktok_id} — "
                    "each gift needs its own id"
                )

    def __len__(self) -> int:
        return len(self.gifts)

    def by_id(self, tiktok_id: int) -> Gift | None:
        return self._by_id.get(tiktok_id)

    def find(self, name: str) -> Gift:
        """The gift called `name` (any case; an autocomplete value like 'Rose — 1 coin' works too)."""
        key = name.split(" — ")[0].strip().casefold()
        gift = self._by_name.get(key)
        if gift is None:
            raise UnknownGift(name.strip()[:60], self.closest(key))
        return gift

    def closest(self, name: str, n: int = 3) -> list[str]:
        names = {g.name.casefold(): g.name for g in self.gifts}
        hits = difflib.get_close_matches(name.casefold(), list(names), n=n, cutoff=0.5)
        if not hits:
            hits = [k for k in names if name.casefold() in k][:n]
        return [names[h] for h in hits]

    def search(self, query: str, limit: int = 25) -> list[Gift]:
        """Autocomplete: names starting with the query first, then names containing it."""
        q = query.strip().casefold()
        if not q:
            return list(self.gifts[:limit])
        starts = [g for g in self.gifts if g.name.casefold().startswith(q)]
        contains = [g for g in self.gifts if q in g.name.casefold() and g not in starts]
        return (starts + contains)[:limit]

    def page(self, number: int, size: int) -> Sequence[Gift]:
        start = (number - 1) * size
        return self.gifts[start : start + size]

    def pages(self, size: int) -> int:
        return max(1, -(-len(self.gifts) // size))
