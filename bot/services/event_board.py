"""Event boards: the progress post of a live event, its throttled refreshes, and the results
post when the event ends (by its timer or by a moderator).

Events live in the ledger, not in memory: the progress post's message id is stored with the
event, so a restart keeps editing the same post. `bot/ui/event_board.py` renders what this
module reads (`EventBoard`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from bot.economy.ledger import Board, Event, Ledger, Period
from bot.economy.reads import DueEvents, GetEvent, GetLeaderboard
from bot.economy.requests import EndEvent, SetEventMessage
from bot.services.posting import NO_MENTIONS, send_to_channel
from bot.services.shard_scope import serves_guild
from bot.services.throttle import RefreshThrottle
from bot.ui.event_board import progress_embed, results_embed
from bot.ui.models import EventBoard, PostOutcome

log = logging.getLogger("giftcord.events")

TOP = 5
REFRESH_INTERVAL_SECONDS = 5.0


class EventBoards:
    def __init__(
        self,
        bot: discord.Client,
        ledger: Ledger,
        clock: Callable[[], float],
        *,
        interval: float = REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self.bot = bot
        self.ledger = ledger
        self.throttle = RefreshThrottle(self.refresh_progress, interval=interval, clock=clock)
        self._ending = asyncio.Lock()  # the timer and `/event end` never post results twice
        # One read-then-edit of a progress post at a time per event: a refresh that read the
        # live state must not land after the edit that shows the event is over.
        self._editing: dict[int, asyncio.Lock] = {}

    async def board(self, event: Event) -> EventBoard:
        """The event with its top gifters and creators, as the posts show them."""
        gifters = await self.ledger.run(
            GetLeaderboard(
                event.guild_id, Board.GIFTERS, Period.ALL, event_id=event.id, per_page=TOP
            )
        )
        creators = await self.ledger.run(
            GetLeaderboard(
                event.guild_id, Board.CREATORS, Period.ALL, event_id=event.id, per_page=TOP
            )
        )
        return EventBoard(event, gifters.items, creators.items)

    def gift_counted(self, guild_id: int, event_id: int) -> None:
        """A gift counted towards the event: refresh its progress post soon (throttled)."""
        self.throttle.poke(guild_id, event_id)

    async def post_progress(self, event: Event, channel_id: int) -> PostOutcome:
        """Post the first progress post in `channel_id` and remember its message id."""
        outcome = await send_to_channel(
            self.bot, channel_id, embed=progress_embed(await self.board(event))
        )
        if outcome.posted and outcome.message_id is not None:
            await self.ledger.run(
                SetEventMessage(event.guild_id, event.id, channel_id, outcome.message_id)
            )
        return outcome

    async def refresh_progress(self, guild_id: int, event_id: int) -> None:
        """Edit the stored progress post to the event's current state."""
        lock = self._editing.setdefault(event_id, asyncio.Lock())
        async with lock:
            event = await self.ledger.run(GetEvent(guild_id, event_id))
            if event is None or event.channel_id is None or event.message_id is None:
                return
            embed = progress_embed(await self.board(event))
            message = self.bot.get_partial_messageable(
                event.channel_id, guild_id=guild_id
            ).get_partial_message(event.message_id)
            try:
                await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                # Deleted post or lost permission: the event goes on; the results post still
                # comes.
                log.warning("could not edit progress post of event %s: %s", event_id, exc)

    async def finish(self, event: Event, *, actor_id: int | None) -> tuple[Event, str | None]:
        """End `event` once and post its results; (the ended event, where the results went)."""
        async with self._ending:
            ended = await self.ledger.run(EndEvent(event.guild_id, event.id, actor_id=actor_id))
            if ended.replayed:
                return ended, None
            self.throttle.forget(ended.id)
            await self.refresh_progress(ended.guild_id, ended.id)  # the post shows it is over
            self._editing.pop(ended.id, None)
            if ended.channel_id is None:
                return ended, None
            outcome = await send_to_channel(
                self.bot, ended.channel_id, embed=results_embed(await self.board(ended))
            )
            if not outcome.posted:
                log.warning("results of event %s not posted: %s", ended.id, outcome.note)
            return ended, outcome.note

    async def end_due_events(self, guild_id: int | None = None) -> int:
        """End every live event whose time is up (in one server, or every server this process
        serves); how many this call ended (one that another caller ended meanwhile is not
        counted, nor posted again)."""
        ended = 0
        for event in await self.ledger.run(DueEvents()):
            if guild_id is not None and event.guild_id != guild_id:
                continue
            if not serves_guild(self.bot, event.guild_id):
                continue  # another shard's process owns that server and ends its events
            try:
                result, _ = await self.finish(event, actor_id=None)
                if not result.replayed:
                    ended += 1
            except Exception:
                # One broken event must not keep the others running past their end.
                log.exception("ending event %s failed; retrying on the next check", event.id)
        return ended

    async def close(self) -> None:
        await self.throttle.close()
