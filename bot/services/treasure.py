"""Treasure boxes after the drop: the public post and its throttled "opened N of M" edits, one
timer per open box, the settlement when a box is full or its time is up, and the results post.

Boxes live in the ledger, not in memory: the post's message id is stored with the box, and at
start-up `resume()` settles every overdue box (the bot was down, or it crashed between a drop
and its split) and arms a timer for the others. The settlement's key is the box's own, so a
timer, a full box and the sweep settle it exactly once between them.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable

import discord

from bot.economy.ledger import Ledger, TreasureBox, TreasureOpen, TreasureState
from bot.economy.reads import GetTreasure, UnfinishedTreasures
from bot.economy.requests import MarkTreasureAnnounced, SettleTreasure, SetTreasureMessage
from bot.services.posting import NO_MENTIONS, send_to_channel
from bot.services.shard_scope import serves_guild
from bot.services.throttle import RefreshThrottle, cancel_all
from bot.ui.embeds_treasure import box_embed, results_embed
from bot.ui.models import PostOutcome

log = logging.getLogger("giftcord.treasure")

REFRESH_INTERVAL_SECONDS = 3.0
TIMER_SLACK_SECONDS = 0.5

ViewFor = Callable[[int], discord.ui.View]


def production_seed() -> int:
    """The split's random draw: from the operating system's CSPRNG, never a guessable one."""
    return secrets.randbits(64)


class TreasureBoxes:
    def __init__(
        self,
        bot: discord.Client,
        ledger: Ledger,
        clock: Callable[[], float],
        view_for: ViewFor,
        *,
        seed: Callable[[], int] = production_seed,
        interval: float = REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self.bot = bot
        self.ledger = ledger
        self.clock = clock
        self.view_for = view_for  # the post's Open button for a box id (the cog's DynamicItem)
        self.seed = seed
        self.throttle = RefreshThrottle(self.refresh, interval=interval, clock=clock)
        self._timers: dict[int, asyncio.Task[None]] = {}
        # One settlement (and its results edit) at a time per box: the timer and the last
        # opener must not both post results.
        self._settling: dict[int, asyncio.Lock] = {}
        self._refreshing: set[asyncio.Task[object]] = set()

    # --- the post ---------------------------------------------------------------------------

    async def post(self, box: TreasureBox) -> PostOutcome:
        """The public post with the Open button, in the box's channel; its id is stored."""
        if box.channel_id is None:
            return PostOutcome(False, "no channel to post in")
        outcome = await send_to_channel(
            self.bot, box.channel_id, embed=box_embed(box), view=self.view_for(box.id)
        )
        if outcome.posted and outcome.message_id is not None:
            await self.ledger.run(
                SetTreasureMessage(box.guild_id, box.id, box.channel_id, outcome.message_id)
            )
        return outcome

    async def drop(self, box: TreasureBox) -> str:
        """A new box: its post, its timer; where the post went (or why it failed). A replayed
        drop posts only when the first delivery's process died before its post went out."""
        if box.replayed:
            now = await self.ledger.run(GetTreasure(box.guild_id, box.id))
            if now is None or now.message_id is not None or now.state is not TreasureState.OPEN:
                return "already posted"
            box = now
        outcome = await self.post(box)
        self.arm(box)
        return outcome.note if outcome.posted else f"⚠️ the post failed: {outcome.note}"

    async def opened(self, opened: TreasureOpen) -> None:
        """Someone got in: the full box is split now; otherwise the post's count is brought up
        to date soon (throttled, coalesced). A replayed press changes nothing."""
        if opened.replayed:
            return
        if opened.full:
            await self.settle(opened.guild_id, opened.box_id)
        else:
            self.throttle.poke(opened.guild_id, opened.box_id)

    async def refresh(self, guild_id: int, box_id: int) -> None:
        # Tracked, so that `close` lets an edit under way finish before the session goes.
        task = asyncio.current_task()
        if task is not None:
            self._refreshing.add(task)
        try:
            async with self._lock(box_id):
                box = await self.ledger.run(GetTreasure(guild_id, box_id))
                if box is None or box.message_id is None or box.channel_id is None:
                    return
                if box.state is TreasureState.OPEN:  # settled: the results edit is not ours
                    await self._edit(box, results=False)
        finally:
            self._refreshing.discard(task)  # type: ignore[arg-type]

    async def _edit(self, box: TreasureBox, *, results: bool) -> bool:
        assert box.channel_id is not None
        assert box.message_id is not None
        message = self.bot.get_partial_messageable(
            box.channel_id, guild_id=box.guild_id
        ).get_partial_message(box.message_id)
        try:
            if results:  # the button goes: the box is settled
                await message.edit(
                    embed=results_embed(box), view=None, allowed_mentions=NO_MENTIONS
                )
            else:
                await message.edit(embed=box_embed(box), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not edit the post of treasure box %s: %s", box.id, exc)
            return False
        return True

    # --- timers and the settlement ----------------------------------------------------------

    def arm(self, box: TreasureBox) -> None:
        """Settle `box` when its time is up (at once when it is overdue)."""
        if box.id in self._timers:
            return
        self._timers[box.id] = asyncio.create_task(self._timer(box), name=f"treasure-{box.id}")

    async def _timer(self, box: TreasureBox) -> None:
        try:
            # A little past the end: the loop's clock and the ledger's may differ by a hair,
            # and a box settled a moment early would be refused as "still open".
            await asyncio.sleep(max(0.0, box.ends_at - self.clock()) + TIMER_SLACK_SECONDS)
            await self.settle(box.guild_id, box.id)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The sweep at the next start-up (or `settle_due`) tries again; nothing is lost:
            # the coins stay in escrow until then.
            log.exception("settling treasure box %s failed; the sweep retries", box.id)
        finally:
            self._timers.pop(box.id, None)

    async def settle(self, guild_id: int, box_id: int) -> TreasureBox:
        """Split (or return) the box once and turn its post into the results — also for a box
        settled earlier whose results never went out (a crash between the split and the post).
        The result is `replayed` when the box was settled before this call."""
        async with self._lock(box_id):
            box = await self.ledger.run(SettleTreasure(guild_id, box_id, seed=self.seed()))
            self.throttle.forget(box_id)
            timer = self._timers.pop(box_id, None)
            if timer is not None and timer is not asyncio.current_task():
                timer.cancel()
            if box.replayed:  # the stored first answer: whether it was announced is newer
                now = await self.ledger.run(GetTreasure(guild_id, box_id))
                if now is None or now.announced:
                    return box
            await self._announce(box)
            self._settling.pop(box_id, None)
            return box

    async def _announce(self, box: TreasureBox) -> None:
        """The results replace the post (or, with no post to edit, are posted anew); then the
        box is marked announced, once, whether Discord took the post or refused it for good."""
        posted = box.message_id is not None and box.channel_id is not None
        if not (posted and await self._edit(box, results=True)) and box.channel_id is not None:
            outcome = await send_to_channel(self.bot, box.channel_id, embed=results_embed(box))
            if not outcome.posted:
                log.warning("results of treasure box %s not posted: %s", box.id, outcome.note)
        await self.ledger.run(MarkTreasureAnnounced(box.guild_id, box.id))

    async def settle_due(self) -> int:
        """Settle every box that is full or whose time is up, and post the results nobody
        posted (all servers); how many boxes this call settled."""
        settled = 0
        now = self.clock()
        for box in await self.ledger.run(UnfinishedTreasures()):
            if not serves_guild(self.bot, box.guild_id):
                continue  # another shard process owns that server, its boxes and their posts
            if box.state is TreasureState.OPEN and not box.full and box.ends_at > now:
                continue
            try:
                if not (await self.settle(box.guild_id, box.id)).replayed:
                    settled += 1
            except Exception:
                # One broken box must not keep the others from their split.
                log.exception("settling treasure box %s failed", box.id)
        return settled

    async def resume(self) -> int:
        """Settle what is overdue, arm a timer for every other open box (at start-up, and as
        a safety net on every sweep: arming an armed box does nothing)."""
        settled = await self.settle_due()
        for box in await self.ledger.run(UnfinishedTreasures()):
            if box.state is TreasureState.OPEN and serves_guild(self.bot, box.guild_id):
                self.arm(box)
        return settled

    def _lock(self, box_id: int) -> asyncio.Lock:
        return self._settling.setdefault(box_id, asyncio.Lock())

    async def close(self) -> None:
        await cancel_all(list(self._timers.values()))
        self._timers.clear()
        await self.throttle.close()
        await asyncio.gather(*self._refreshing, return_exceptions=True)
