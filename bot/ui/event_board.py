"""Event posts: the progress embed (also `/event status`) and the results embed.

Pure rendering of an `EventBoard` that `bot/services/event_board.py` read from the ledger."""

from __future__ import annotations

import discord

from bot.economy.ledger import Event, LeaderRow
from bot.economy.money import format_count
from bot.ui.models import EventBoard

BAR_WIDTH = 10


def goal_bar(diamonds: int, goal: int) -> str:
    """`████████░░ 80 %` — whole blocks only, the percent rounded down and capped at 100."""
    percent = min(100, diamonds * 100 // goal) if goal > 0 else 100
    filled = percent * BAR_WIDTH // 100
    return "█" * filled + "░" * (BAR_WIDTH - filled) + f" {percent} %"


def _rows(rows: list[LeaderRow], unit: str) -> str:
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [
        f"{medals.get(r.rank, f'{r.rank}.')} <@{r.user_id}> — {format_count(r.value)} {unit}"
        for r in rows
    ]
    return "\n".join(lines) or "Nobody yet — be the first!"


def _progress_text(event: Event) -> str:
    if event.goal:
        return (
            f"{goal_bar(event.diamonds, event.goal)}\n"
            f"**{format_count(event.diamonds)}** of {format_count(event.goal)} diamonds"
        )
    return f"**{format_count(event.diamonds)}** diamonds gifted so far"


def progress_embed(board: EventBoard) -> discord.Embed:
    """The live progress post (also what `/event status` shows)."""
    event, gifters, creators = board.event, board.gifters, board.creators
    if not event.live:
        return results_embed(board)
    embed = discord.Embed(title=f"🎉 {event.name}", colour=discord.Colour.magenta())
    lines = [_progress_text(event), f"Ends <t:{int(event.ends_at)}:R> (<t:{int(event.ends_at)}:f>)"]
    if event.bonus_percent:
        lines.append(f"Coin purchases get **+{event.bonus_percent} %** bonus coins.")
    lines.append("Send gifts with `/gift` — every diamond counts towards the event.")
    embed.description = "\n".join(lines)
    embed.add_field(name="Top gifters (coins)", value=_rows(gifters, "coins"), inline=True)
    embed.add_field(name="Top creators (diamonds)", value=_rows(creators, "diamonds"), inline=True)
    embed.set_footer(text=f"Event #{event.id}")
    return embed


def results_embed(board: EventBoard) -> discord.Embed:
    """The results post: winners, total diamonds, goal reached or not."""
    event, gifters, creators = board.event, board.gifters, board.creators
    embed = discord.Embed(title=f"🏁 {event.name} — results", colour=discord.Colour.gold())
    lines = [f"**{format_count(event.diamonds)}** diamonds gifted in total."]
    if event.goal:
        reached = event.diamonds >= event.goal
        lines.append(goal_bar(event.diamonds, event.goal))
        lines.append(
            f"🎯 Goal of {format_count(event.goal)} diamonds "
            + ("**reached**! Thank you all. 🎊" if reached else "not reached this time.")
        )
    ended = int(event.ended_at or event.ends_at)
    early = event.ended_at is not None and event.ended_at < event.ends_at
    lines.append(f"Ended <t:{ended}:f>" + (" (early, by a moderator)." if early else "."))
    embed.description = "\n".join(lines)
    embed.add_field(name="Top gifters (coins)", value=_rows(gifters, "coins"), inline=True)
    embed.add_field(name="Top creators (diamonds)", value=_rows(creators, "diamonds"), inline=True)
    embed.set_footer(text=f"Event #{event.id} · /leaderboard event:{event.name}")
    return embed
