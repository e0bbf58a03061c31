"""LIVE cards, LIVE recaps and `/level`: pure rendering of what the services read.

The LIVE card names the member and says LIVE; it shows the LIVE's diamonds, gifter count and
top 3 gifters. The recap (the same message, once the LIVE ends) adds the duration and the
most-sent gift. `/level` is a progress bar with the coins still missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.economy.battle import BattleFigures
from bot.economy.ledger import LiveFigures, LiveGifter
from bot.economy.levels import MAX_LEVEL, Progress
from bot.ui import format as fmt
from bot.ui.embeds_battle import recap_lines

BAR_WIDTH = 10
_MEDALS = ("🥇", "🥈", "🥉")


def level_bar(progress: Progress) -> str:
    """`▰▰▰▰▱▱▱▱▱▱ 40 %` towards the next level (whole blocks, the percent rounded down)."""
    percent = min(100, int(progress.fraction * 100))
    filled = percent * BAR_WIDTH // 100
    return "▰" * filled + "▱" * (BAR_WIDTH - filled) + f" {percent} %"


def level_badge(level: int) -> str:
    """What stands beside a name: `Lv 12` (nothing before the first gift)."""
    return f"Lv {level}" if level > 0 else ""


def level_up_line(level: int) -> str:
    return f"⬆️ gifter level {level}"


def duration(seconds: float) -> str:
    """`2 h 05 min`, `12 min`, `less than a minute`."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _top(top: list[LiveGifter]) -> str:
    lines = [
        f"{_MEDALS[i] if i < len(_MEDALS) else f'{i + 1}.'} {fmt.mention(g.user_id)} — "
        f"{fmt.coins(g.coins)}"
        for i, g in enumerate(top)
    ]
    return "\n".join(lines) or "Nobody yet — send the first gift with `/gift`!"


def _figures(embed: discord.Embed, figures: LiveFigures) -> None:
    embed.add_field(name="Diamonds", value=fmt.count(figures.diamonds), inline=True)
    embed.add_field(name="Gifters", value=fmt.count(figures.gifters), inline=True)
    embed.add_field(name="Top gifters", value=_top(figures.top), inline=False)


def live_card(figures: LiveFigures, now: float) -> discord.Embed:
    """The LIVE card while the member is LIVE (also `/live status`); the recap once ended."""
    live = figures.live
    if not live.live:
        return recap(figures)
    embed = discord.Embed(
        title="🔴 LIVE" + (f" — {fmt.clip(live.title, 200)}" if live.title else ""),
        colour=discord.Colour.red(),
    )
    embed.description = (
        f"{fmt.mention(live.user_id)} is **LIVE** — send gifts with `/gift member:` to "
        f"support them.\nLIVE for {duration(now - live.started_at)} (since "
        f"{fmt.stamp(live.started_at, 't')}); ends by itself {fmt.relative(live.ends_at)}."
    )
    _figures(embed, figures)
    embed.set_footer(text=f"LIVE #{live.id}")
    return embed


def recap(figures: LiveFigures, battles: Sequence[BattleFigures] = ()) -> discord.Embed:
    """The LIVE's summary: duration, diamonds, gifters, top 3 gifters, most-sent gift, and the
    LIVE Match battles it fought."""
    live = figures.live
    ended = live.ended_at if live.ended_at is not None else live.ends_at
    embed = discord.Embed(
        title="🏁 LIVE ended" + (f" — {fmt.clip(live.title, 200)}" if live.title else ""),
        colour=discord.Colour.dark_grey(),
    )
    embed.description = (
        f"{fmt.mention(live.user_id)}'s LIVE is over (ended {fmt.stamp(ended)}). Thank you, "
        "gifters!"
    )
    embed.add_field(name="Duration", value=duration(ended - live.started_at), inline=True)
    _figures(embed, figures)
    top_gift = figures.top_gift
    embed.add_field(
        name="Most-sent gift",
        value=(f"{top_gift.gift_name} ×{fmt.count(top_gift.count)}" if top_gift else "No gifts"),
        inline=False,
    )
    if battles:
        embed.add_field(
            name="Battles", value=fmt.clip(recap_lines(live.user_id, battles), 1024), inline=False
        )
    embed.set_footer(text=f"LIVE #{live.id}")
    return embed


def level_embed(user_id: int, progress: Progress) -> discord.Embed:
    embed = discord.Embed(title="Gifter level", colour=discord.Colour.purple())
    if progress.level == 0:
        embed.description = (
            f"{fmt.mention(user_id)} has **no level yet** — the first gift reaches level 1."
        )
    elif progress.next_at is None:
        embed.description = (
            f"{fmt.mention(user_id)} is **level {MAX_LEVEL}**, the top level. 👑\n"
            f"{level_bar(progress)}"
        )
    else:
        embed.description = (
            f"{fmt.mention(user_id)} is **level {progress.level}**.\n"
            f"{level_bar(progress)} to level {progress.level + 1}\n"
            f"{fmt.coins(progress.missing)} still to send for level {progress.level + 1}."
        )
    embed.add_field(name="Level", value=str(progress.level) if progress.level else "none")
    embed.add_field(name="Coins sent as gifts", value=fmt.count(progress.spent))
    if progress.next_at is not None:
        embed.add_field(name="Coins to next level", value=fmt.count(progress.missing))
    return embed
