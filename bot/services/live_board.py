"""LIVE cards: who is LIVE, the card's throttled refreshes, and its recap when the LIVE ends
(by the member, a moderator, or `[live] max_hours`).

LIVEs live in the ledger (they survive restarts); this service keeps, per guild, only which
members are LIVE now (rebuilt from the ledger at start-up), so a gift to a member who is not
LIVE costs a dictionary look-up and a gift to one who is costs a throttle poke. The card's
figures are read from the ledger when it is edited (derived from the gift rows), so coalesced
refreshes always show every gift committed before them. Same coalescing as the event board
(`bot/services/throttle.py`): at most one edit in flight per LIVE, a floor between edits, and
a trailing edit with the final figures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from bot.economy.ledger import Ledger, Live, LiveFigures
from bot.economy.reads import BattlesOfLive, DueLives, GetLiveById, LiveStats, OpenLives
from bot.economy.requests import EndLive, SetLiveMessage, StartLive
from bot.services.open_now import OpenNow
from bot.services.posting import NO_MENTIONS, send_to_channel
from bot.services.shard_scope import serves_guild
from bot.services.throttle import RefreshThrottle
from bot.ui.embeds_live import live_card, recap
from bot.ui.models import PostOutcome

log = logging.getLogger("giftcord.live")

# The card is brought up to date at least every 10 s while gifts arrive (product.md §7); 5 s
# keeps well inside that and well inside Discord's edit rate limit.
REFRESH_INTERVAL_SECONDS = 5.0


class LiveBoards:
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
        self.clock = clock
        self.throttle = RefreshThrottle(self.refresh, interval=interval, clock=clock)
        self.open = OpenNow(self._read_open, self.throttle.poke, "LIVEs")
        self._ending = asyncio.Lock()  # the timer, `/live end` and a moderator end it once
        # One read-then-edit of a card at a time per LIVE: a refresh that read it LIVE must not
        # land after the edit that turned it into the recap.
        self._editing: dict[int, asyncio.Lock] = {}
        self.edits = 0  # card edits sent (logs, tests and the benchmark count them)

    async def _read_open(self) -> dict[tuple[int, int], int]:
        return {(lv.guild_id, lv.user_id): lv.id for lv in await self.ledger.run(OpenLives())}

    async def ensure_loaded(self) -> None:
        """Who is LIVE now, read from the ledger once (LIVEs survive restarts)."""
        await self.open.ensure_loaded()

    def live_id(self, guild_id: int, user_id: int) -> int | None:
        return self.open.get(guild_id, user_id)

    def gift_received(self, guild_id: int, recipient_id: int) -> None:
        """A gift reached `recipient_id`: when they are LIVE, refresh their card soon."""
        self.open.gift_received(guild_id, recipient_id)

    async def figures(self, live: Live) -> LiveFigures:
        got = await self.ledger.run(LiveStats(live.guild_id, live.id))
        assert got is not None  # the LIVE exists: it was just read
        return got

    async def recap(self, figures: LiveFigures) -> discord.Embed:
        """The ended LIVE's recap, with the battles it fought."""
        live = figures.live
        battles = await self.ledger.run(BattlesOfLive(live.guild_id, live.id))
        return recap(figures, battles)

    async def start(self, request: StartLive) -> tuple[Live, PostOutcome | None]:
        """Go LIVE and post the card (a replayed start posts nothing new)."""
        await self.ensure_loaded()
        live = await self.ledger.run(request)
        if live.replayed:
            return live, None
        self.open.opened(live.guild_id, live.user_id, live.id)
        if live.channel_id is None:
            return live, None
        outcome = await send_to_channel(
            self.bot, live.channel_id, embed=live_card(await self.figures(live), self.clock())
        )
        if outcome.posted and outcome.message_id is not None:
            await self.ledger.run(
                SetLiveMessage(live.guild_id, live.id, live.channel_id, outcome.message_id)
            )
        return live, outcome

    async def refresh(self, guild_id: int, live_id: int) -> bool:
        """Edit the LIVE's card to its figures now (the recap once it has ended); whether the
        card was edited."""
        lock = self._editing.setdefault(live_id, asyncio.Lock())
        async with lock:
            live = await self.ledger.run(GetLiveById(guild_id, live_id))
            if live is None or live.channel_id is None or live.message_id is None:
                return False
            figures = await self.figures(live)
            embed = live_card(figures, self.clock()) if live.live else await self.recap(figures)
            message = self.bot.get_partial_messageable(
                live.channel_id, guild_id=guild_id
            ).get_partial_message(live.message_id)
            try:
                await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)
                self.edits += 1
                return True
            except discord.HTTPException as exc:
                # A deleted card or a lost permission: the LIVE goes on; `/live status` shows it.
                log.warning("could not edit the card of LIVE %s: %s", live_id, exc)
                return False

    async def finish(self, live: Live, *, ended_by: int | None) -> tuple[Live, LiveFigures]:
        """End `live` once; its card becomes the recap. (The ended LIVE, its final figures.)"""
        async with self._ending:
            ended = await self.ledger.run(EndLive(live.guild_id, live.id, ended_by=ended_by))
            self.open.closed(ended.guild_id, ended.user_id)
            stored = await self.ledger.run(GetLiveById(ended.guild_id, ended.id))
            figures = await self.figures(stored or ended)
            if not ended.replayed:
                self.throttle.forget(ended.id)
                # The card becomes the recap; a card that is gone (deleted, or never posted)
                # gets a new recap post in the LIVE's channel instead.
                if not await self.refresh(ended.guild_id, ended.id) and ended.channel_id:
                    outcome = await send_to_channel(
                        self.bot, ended.channel_id, embed=await self.recap(figures)
                    )
                    if not outcome.posted:
                        log.warning("recap of LIVE %s not posted: %s", ended.id, outcome.note)
                self._editing.pop(ended.id, None)
            return ended, figures

    async def end_due(self, guild_id: int | None = None) -> int:
        """End every LIVE past `[live] max_hours` (one server, or all); how many this call ended."""
        ended = 0
        for live in await self.ledger.run(DueLives()):
            if guild_id is not None and live.guild_id != guild_id:
                continue
            if not serves_guild(self.bot, live.guild_id):
                continue  # another shard process owns that server and ends its LIVEs
            try:
                result, _ = await self.finish(live, ended_by=None)
                ended += not result.replayed
            except Exception:
                # One broken LIVE must not keep the others on past their end.
                log.exception("ending LIVE %s failed; retrying on the next check", live.id)
        return ended

    async def close(self) -> None:
        await self.open.close()
        await self.throttle.close()
