"""`/event start|status|end` — community gifting events with a live progress post.

The posts, their throttled refreshes and ending an event are `bot/services/event_board.py`'s;
here a sweep (`bot/services/sweeper.py`) ends events whose time is up (its first run is right
after start-up, so an event that should have ended while the bot was down ends then), and each
counted gift asks for
a refresh of the progress post (at most one edit every few seconds per event).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import InvalidInput, NotFound
from bot.economy.ledger import GiftResult
from bot.economy.money import format_count, parse_amount
from bot.economy.reads import GetLiveEvent, ListEvents
from bot.economy.requests import StartEvent
from bot.economy.text import public_text
from bot.permissions import require_moderator
from bot.services import Services
from bot.services.event_board import EventBoards
from bot.services.posting import board_channel
from bot.services.sweeper import Sweeper
from bot.ui.context import respond
from bot.ui.event_board import progress_embed

log = logging.getLogger("giftcord.events")

DUE_CHECK_SECONDS = 20.0


class Events(commands.Cog):
    event = app_commands.Group(
        name="event", description="Community gifting events", guild_only=True
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.ledger = services.ledger
        self.boards = EventBoards(bot, services.ledger, services.clock)
        self.sweeper = Sweeper(
            bot, "due-events check", DUE_CHECK_SECONDS, self.boards.end_due_events
        )

    async def cog_load(self) -> None:
        self.services.gift_hooks.add(self.gift_committed)
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.services.gift_hooks.remove(self.gift_committed)
        await self.sweeper.stop()
        await self.boards.close()

    def gift_committed(self, guild_id: int, result: GiftResult) -> None:
        if result.event_id is not None:
            self.boards.gift_counted(guild_id, result.event_id)

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
        await self.boards.end_due_events(interaction.guild_id)
        goal_diamonds = (
            parse_amount(goal, maximum=self.services.economy.max_balance, unit="diamonds")
            if goal is not None
            else None
        )
        channel_id = await board_channel(
            self.ledger,
            interaction.guild_id,
            channel.id if channel else None,
            interaction.channel_id,
        )
        event = await self.ledger.run(
            StartEvent(
                interaction.guild_id,
                key=str(interaction.id),
                actor_id=interaction.user.id,
                name=title,
                minutes=minutes,
                goal=goal_diamonds,
                bonus_percent=bonus,
                channel_id=channel_id,
            )
        )
        if event.replayed:
            await respond(interaction, f"**{event.name}** is already running.", ephemeral=True)
            return
        where = "No channel to post in — `/event status` shows the progress."
        if event.channel_id is not None:
            outcome = await self.boards.post_progress(event, event.channel_id)
            if outcome.posted:
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
        await respond(
            interaction,
            f"🎉 **{event.name}** has started: " + ", ".join(details) + f".\n{where}",
            ephemeral=True,
        )

    @event.command(name="status", description="The live event: goal, time left, top gifters")
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        event = await self.ledger.run(GetLiveEvent(interaction.guild_id))
        if event is not None:
            await respond(
                interaction, embed=progress_embed(await self.boards.board(event)), ephemeral=True
            )
            return
        past = await self.ledger.run(ListEvents(interaction.guild_id, limit=1))
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
        await respond(
            interaction, text + " A moderator can start one with `/event start`.", ephemeral=True
        )

    @event.command(name="end", description="End the live event now and post its results")
    async def end(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None
        event = await self.ledger.run(GetLiveEvent(interaction.guild_id))
        if event is None:
            raise NotFound("No event is running right now — nothing to end.")
        ended, note = await self.boards.finish(event, actor_id=interaction.user.id)
        where = f"Results {note}." if note else "It had already ended."
        await respond(
            interaction,
            f"🏁 **{ended.name}** has ended with {format_count(ended.diamonds)} diamonds. {where}",
            ephemeral=True,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(Events(bot, bot.services))
