"""ISO 3166-1 two-letter country codes with English names (packaged `countries.csv`)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def countries() -> dict[str, str]:
    text = resources.files("bot.data").joinpath("countries.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def country_name(code: str) -> str | None:
    return countries().get(code.strip().upper())


def search_countries(query: str, limit: int = 25) -> list[tuple[str, str]]:
    """(code, name) pairs for autocomplete: exact code first, then names starting with the
    query, then names containing it."""
    q = query.strip().casefold()
    items = sorted(countries().items(), key=lambda kv: kv[1])
    if not q:
        return items[:limit]
    exact = [kv for kv in items if kv[0].casefold() == q]
    starts = [kv for kv in items if kv[1].casefold().startswith(q) and kv not in exact]
    contains = [
        kv for kv in items if q in kv[1].casefold() and kv not in exact and kv not in starts
    ]
    return (exact + starts + contains)[:limit]
