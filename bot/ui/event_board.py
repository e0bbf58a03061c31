"""Event progress posts: the embeds (progress, status, results) and the edit throttle.

A busy event can see hundreds of gifts a minute; editing the progress post for each would hit
Discord's rate limits and delay the gift replies. `RefreshThrottle` allows at most one refresh
per `interval` seconds per event and coalesces: gifts that arrive while a refresh is pending are
absorbed by it (it reads the ledger when it runs, so it shows all of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.economy.ledger import Board, Event, LeaderRow, Ledger, Period
from bot.economy.money import format_count
from bot.economy.reads import GetLeaderboard

log = logging.getLogger("giftcord.events")

BAR_WIDTH = 10
TOP = 5


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


async def _tops(ledger: Ledger, event: Event) -> tuple[list[LeaderRow], list[LeaderRow]]:
    gifters = await ledger.run(
        GetLeaderboard(event.guild_id, Board.GIFTERS, Period.ALL, event_id=event.id, per_page=TOP)
    )
    creators = await ledger.run(
        GetLeaderboard(event.guild_id, Board.CREATORS, Period.ALL, event_id=event.id, per_page=TOP)
    )
    return gifters.items, creators.items


def _progress_text(event: Event) -> str:
    if event.goal:
        return (
            f"{goal_bar(event.diamonds, event.goal)}\n"
            f"**{format_count(event.diamonds)}** of {format_count(event.goal)} diamonds"
        )
    return f"**{format_count(event.diamonds)}** diamonds gifted so far"


async def progress_embed(ledger: Ledger, event: Event) -> discord.Embed:
    """The live progress post (also what `/event status` shows)."""
    if not event.live:
        return await results_embed(ledger, event)
    gifters, creators = await _tops(ledger, event)
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


async def results_embed(ledger: Ledger, event: Event) -> discord.Embed:
    """The results post: winners, total diamonds, goal reached or not."""
    gifters, creators = await _tops(ledger, event)
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


Refresh = Callable[[int, int], Awaitable[None]]


class RefreshThrottle:
    """At most one `refresh(guild_id, event_id)` per `interval` seconds per event, coalesced.

    `poke` never blocks the caller (a gift reply): it schedules a task when none is pending.
    Times come from `clock` (the services clock); the wait itself is an `asyncio.sleep`.
    """

    def __init__(
        self,
        refresh: Refresh,
        *,
        interval: float = 5.0,
        clock: Callable[[], float],
    ) -> None:
        self.refresh = refresh
        self.interval = interval
        self.clock = clock
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}

    def poke(self, guild_id: int, event_id: int) -> bool:
        """Ask for a refresh; False when a pending one already absorbs this request."""
        if event_id in self._pending:
            return False
        last = self._last.get(event_id)
        delay = 0.0 if last is None else max(0.0, last + self.interval - self.clock())
        self._pending[event_id] = asyncio.create_task(
            self._run(guild_id, event_id, delay), name=f"event-board-{event_id}"
        )
        return True

    def pending(self, event_id: int) -> bool:
        return event_id in self._pending

    async def _run(self, guild_id: int, event_id: int, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            # Leave the pending slot before reading the ledger: a gift committed after this
            # point schedules the next refresh instead of being lost.
            self._pending.pop(event_id, None)
            self._last[event_id] = self.clock()
            await self.refresh(guild_id, event_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("refreshing the progress post of event %s failed", event_id)
        finally:
            if self._pending.get(event_id) is asyncio.current_task():
                self._pending.pop(event_id, None)

    def forget(self, event_id: int) -> None:
        """Drop an ended event's state (its pending refresh, if any, is cancelled)."""
        task = self._pending.pop(event_id, None)
        if task is not None:
            task.cancel()
        self._last.pop(event_id, None)

    async def close(self) -> None:
        tasks = list(self._pending.values())
        self._pending.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> None:
        """Wait for every pending refresh (tests, and a graceful shutdown)."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
