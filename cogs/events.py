"""`/event start|status|end` — community gifting events with a live progress post.

Events live in the ledger, not in memory: the progress post's message id is stored with the
event, a `tasks.loop` ends events whose time is up (its first run is right after start-up, so an
event that should have ended while the bot was down ends then), and gifts refresh the progress
post through a throttle (at most one edit every few seconds per event).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.economy.errors import InvalidInput, NotFound
from bot.economy.ledger import Event, GiftResult
from bot.economy.money import format_count, parse_amount
from bot.economy.text import public_text
from bot.permissions import require_moderator
from bot.services import Services
from bot.ui.audit import NO_MENTIONS, send_to_channel
from bot.ui.event_board import RefreshThrottle, progress_embed, results_embed

log = logging.getLogger("giftcord.events")

DUE_CHECK_SECONDS = 20.0
REFRESH_INTERVAL_SECONDS = 5.0


class Events(commands.Cog):
    event = app_commands.Group(
        name="event", description="Community gifting events", guild_only=True
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.ledger = services.ledger
        self.board = RefreshThrottle(
            self.refresh_progress, interval=REFRESH_INTERVAL_SECONDS, clock=services.clock
        )
        self._ending = asyncio.Lock()  # the timer and `/event end` never post results twice
        # One read-then-edit of a progress post at a time per event: a refresh that read the
        # live state must not land after the edit that shows the event is over.
        self._editing: dict[int, asyncio.Lock] = {}

    async def cog_load(self) -> None:
        self.due_events_loop.start()

    async def cog_unload(self) -> None:
        self.due_events_loop.cancel()
        await self.board.close()

    # --- posting ------------------------------------------------------------------------------

    async def refresh_progress(self, guild_id: int, event_id: int) -> None:
        """Edit the stored progress post to the event's current state."""
        lock = self._editing.setdefault(event_id, asyncio.Lock())
        async with lock:
            event = await self.ledger.event(guild_id, event_id)
            if event is None or event.channel_id is None or event.message_id is None:
                return
            embed = await progress_embed(self.ledger, event)
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
            ended = await self.ledger.end_event(event.guild_id, event.id, actor_id=actor_id)
            if ended.replayed:
                return ended, None
            self.board.forget(ended.id)
            await self.refresh_progress(ended.guild_id, ended.id)  # the post shows it is over
            self._editing.pop(ended.id, None)
            if ended.channel_id is None:
                return ended, None
            outcome = await send_to_channel(
                self.bot, ended.channel_id, embed=await results_embed(self.ledger, ended)
            )
            if not outcome.posted:
                log.warning("results of event %s not posted: %s", ended.id, outcome.note)
            return ended, outcome.note

    async def end_due_events(self, guild_id: int | None = None) -> int:
        """End every live event whose time is up (in one server, or all); how many this call
        ended (one that another caller ended meanwhile is not counted, nor posted again)."""
        ended = 0
        for event in await self.ledger.due_events():
            if guild_id is not None and event.guild_id != guild_id:
                continue
            try:
                result, _ = await self.finish(event, actor_id=None)
                if not result.replayed:
                    ended += 1
            except Exception:
                # One broken event must not keep the others running past their end.
                log.exception("ending event %s failed; retrying on the next check", event.id)
        return ended

    @tasks.loop(seconds=DUE_CHECK_SECONDS)
    async def due_events_loop(self) -> None:
        # The first run is right after start-up (once the bot is ready): events that should
        # have ended while the bot was down end now. A failing check (say, a locked database)
        # is logged and retried on the next tick instead of stopping the loop.
        try:
            await self.end_due_events()
        except Exception:
            log.exception("the due-events check failed; retrying in %s s", DUE_CHECK_SECONDS)

    @due_events_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @commands.Cog.listener("on_giftcord_gift")
    async def on_giftcord_gift(self, guild_id: int, result: GiftResult) -> None:
        if result.event_id is not None and not result.replayed:
            self.board.poke(guild_id, result.event_id)

    # --- commands -----------------------------------------------------------------------------

    @event.command(name="start", description="Start a gifting event with a goal and a bonus")
    @app_commands.describe(
        name="What the event is called",
        minutes="How long it runs, 5 to 10,080 minutes (one week)",
        goal="Diamonds the server aims for, e.g. 50k (optional)",
        bonus="Bonus percent on coin purchases during the event, 0–100 (optional)",
        channel="Where the progress post goes (default: the announce channel, else here)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        minutes: app_commands.Range[int, 5, 10_080],
        goal: str | None = None,
        bonus: app_commands.Range[int, 0, 100] = 0,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None  # guild_only
        title = public_text(name)  # shown to everyone on the progress and results posts
        if title is None:
            raise InvalidInput("The event `name` needs at least one visible character.")
        # An event whose time is up but whose results were not posted yet (the timer runs every
        # few seconds) is ended properly first, rather than silently by the new start.
        await self.end_due_events(interaction.guild_id)
        goal_diamonds = (
            parse_amount(goal, maximum=self.services.economy.max_balance, unit="diamonds")
            if goal is not None
            else None
        )
        if channel is not None:
            channel_id: int | None = channel.id
        else:
            settings = await self.ledger.guild_settings(interaction.guild_id)
            channel_id = settings.announce_channel_id or interaction.channel_id
        event = await self.ledger.start_event(
            interaction.guild_id,
            key=str(interaction.id),
            actor_id=interaction.user.id,
            name=title,
            minutes=minutes,
            goal=goal_diamonds,
            bonus_percent=bonus,
            channel_id=channel_id,
        )
        if event.replayed:
            await interaction.response.send_message(
                f"**{event.name}** is already running.", ephemeral=True
            )
            return
        where = "No channel to post in — `/event status` shows the progress."
        if event.channel_id is not None:
            outcome = await send_to_channel(
                self.bot, event.channel_id, embed=await progress_embed(self.ledger, event)
            )
            if outcome.posted and outcome.message is not None:
                await self.ledger.set_event_message(event.id, event.channel_id, outcome.message.id)
                where = f"Progress post {outcome.note}."
            else:
                where = (
                    f"⚠️ The progress post failed ({outcome.note}); the event runs anyway and "
                    "`/event status` shows it."
                )
        details = [f"Ends <t:{int(event.ends_at)}:R>"]
        if event.goal:
            details.append(f"goal {format_count(event.goal)} diamonds")
        if event.bonus_percent:
            details.append(f"+{event.bonus_percent} % on coin purchases")
        await interaction.response.send_message(
            f"🎉 **{event.name}** has started: " + ", ".join(details) + f".\n{where}",
            ephemeral=True,
        )

    @event.command(name="status", description="The live event: goal, time left, top gifters")
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        event = await self.ledger.live_event(interaction.guild_id)
        if event is not None:
            await interaction.response.send_message(
                embed=await progress_embed(self.ledger, event), ephemeral=True
            )
            return
        past = await self.ledger.events(interaction.guild_id, limit=1)
        if past:
            last = past[0]
            text = (
                f"No event is running right now. The last one, **{last.name}**, ended "
                f"<t:{int(last.ended_at or last.ends_at)}:R> with "
                f"{format_count(last.diamonds)} diamonds — see its winners with "
                f"`/leaderboard event:{last.name}`."
            )
        else:
            text = "No event is running right now, and none has run here yet."
        await interaction.response.send_message(
            text + " A moderator can start one with `/event start`.", ephemeral=True
        )

    @event.command(name="end", description="End the live event now and post its results")
    async def end(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None
        event = await self.ledger.live_event(interaction.guild_id)
        if event is None:
            raise NotFound("No event is running right now — nothing to end.")
        ended, note = await self.finish(event, actor_id=interaction.user.id)
        where = f"Results {note}." if note else "It had already ended."
        await interaction.response.send_message(
            f"🏁 **{ended.name}** has ended with {format_count(ended.diamonds)} diamonds. {where}",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    services: Services = bot.services  # type: ignore[attr-defined]
    await bot.add_cog(Events(bot, services))
