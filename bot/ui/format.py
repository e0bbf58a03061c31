"""Presentation helpers shared by every member-facing screen: colours, numbers, USD, mentions,
time stamps. Numbers go through `bot.economy.money` so a person and a screen reader read the
same text everywhere (`1,500 coins`, `$61.72`)."""

from __future__ import annotations

from decimal import Decimal

import discord

from bot.economy.catalog import Catalog
from bot.economy.money import format_count, format_usd

# Colours: one per kind of screen, so a glance tells coins from diamonds from refusals.
COINS_COLOUR = discord.Colour(0xF5B301)  # gold
DIAMONDS_COLOUR = discord.Colour(0x35A7FF)  # diamond blue
GIFT_COLOUR = discord.Colour(0xFE2C55)  # TikTok pink
INFO_COLOUR = discord.Colour(0x5865F2)  # blurple
OK_COLOUR = discord.Colour(0x2ECC71)
WARN_COLOUR = discord.Colour(0xE67E22)

DEMO_NOTE = "Demo estimate — giftcord moves no real money."
DEMO_COINS_NOTE = "Demo coins — nothing is charged and no real money moves."

CHECK = "✅"
CROSS = "❌"


def count(n: int) -> str:
    return format_count(n)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """`plural(1, 'coin')` → `1 coin`; `plural(1500, 'coin')` → `1,500 coins`."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{format_count(n)} {word}"


def coins(n: int) -> str:
    return plural(n, "coin")


def diamonds(n: int) -> str:
    return plural(n, "diamond")


def usd(value: Decimal) -> str:
    """Always with cents, rounded down: `$61.72`."""
    return format_usd(value)


def signed(n: int) -> str:
    return f"+{format_count(n)}" if n > 0 else f"−{format_count(-n)}" if n < 0 else "0"


def mention(user_id: int | None) -> str:
    """A mention as text. Replies carry `allowed_mentions` none, so this never pings."""
    return f"<@{user_id}>" if user_id else "someone"


def relative(ts: float) -> str:
    """`<t:…:R>` — Discord shows it as "3 minutes ago" in the reader's own language."""
    return f"<t:{int(ts)}:R>"


def stamp(ts: float, style: str = "f") -> str:
    return f"<t:{int(ts)}:{style}>"


def check(ok: bool) -> str:
    return CHECK if ok else CROSS


def rank_text(rank: int | None) -> str:
    return f"#{format_count(rank)}" if rank else "not ranked yet"


def demo_footer(embed: discord.Embed, text: str = DEMO_NOTE) -> discord.Embed:
    embed.set_footer(text=text)
    return embed


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gift_choices(catalog: Catalog, current: str) -> list[discord.app_commands.Choice[str]]:
    """Autocomplete of a gift option (`/gift`, `/battle start`): `Rose — 1 coin` → `Rose`."""
    return [
        discord.app_commands.Choice(name=f"{g.name} — {coins(g.coins)}", value=g.name)
        for g in catalog.search(current, limit=25)
    ]
