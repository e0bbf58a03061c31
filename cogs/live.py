"""`/live start|end|status` — a member goes LIVE; gifts to them count for that LIVE.

The cards, their throttled refreshes and ending a LIVE are `bot/services/live_board.py`'s; here
a sweep (`bot/services/sweeper.py`) ends LIVEs past `[live] max_hours` (its first run is right
after start-up, so a LIVE due while the bot was down ends then and its card becomes the recap),
and each gift asks the board to refresh the recipient's card when they are LIVE."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import InvalidState, NotAMember, NotFound
from bot.economy.ledger import GiftResult
from bot.economy.reads import GetLive
from bot.economy.requests import StartLive
from bot.economy.text import public_text
from bot.permissions import require_moderator
from bot.services import Services
from bot.services.live_board import LiveBoards
from bot.services.posting import board_channel
from bot.services.sweeper import Sweeper
from bot.ui import format as fmt
from bot.ui.context import guild_id, key, respond
from bot.ui.embeds_live import duration, live_card

log = logging.getLogger("giftcord.live")

DUE_CHECK_SECONDS = 20.0


class LiveCog(commands.Cog, name="Live"):
    live = app_commands.Group(
        name="live", description="Go LIVE: gifts to you count", guild_only=True
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.ledger = services.ledger
        self.boards = LiveBoards(bot, services.ledger, services.clock)
        self.sweeper = Sweeper(bot, "due-LIVEs check", DUE_CHECK_SECONDS, self._end_due_lives)

    async def cog_load(self) -> None:
        self.services.gift_hooks.add(self.gift_committed)
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.services.gift_hooks.remove(self.gift_committed)
        await self.sweeper.stop()
        await self.boards.close()

    async def _end_due_lives(self) -> None:
        await self.boards.ensure_loaded()
        await self.boards.end_due()

    def gift_committed(self, guild_id: int, result: GiftResult) -> None:
        self.boards.gift_received(guild_id, result.recipient_id)

    # --- commands -----------------------------------------------------------------------------

    @live.command(name="start", description="Go LIVE: a LIVE card shows your diamonds and gifters")
    @app_commands.describe(
        title="What your LIVE is about (up to 100 characters, optional)",
        channel="Where the LIVE card goes (default: the announce channel, else here)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        gid = guild_id(interaction)
        # A LIVE whose time is up but not yet ended by the timer is ended properly (recap) first.
        await self.boards.end_due(gid)
        channel_id = await board_channel(
            self.ledger, gid, channel.id if channel else None, interaction.channel_id
        )
        live, outcome = await self.boards.start(
            StartLive(
                gid,
                interaction.user.id,
                key=key(interaction),
                title=public_text(title),  # shown to everyone on the card
                channel_id=channel_id,
                max_hours=self.services.live.max_hours,
            )
        )
        if live.replayed:
            await respond(interaction, "🔴 You are LIVE.", ephemeral=True)
            return
        if outcome is None:
            where = "No channel to post the card in — `/live status` shows your LIVE."
        elif outcome.posted:
            where = f"LIVE card {outcome.note}."
        else:
            where = (
                f"⚠️ The LIVE card failed ({outcome.note}); you are LIVE anyway and "
                "`/live status` shows it."
            )
        await respond(
            interaction,
            f"🔴 You are **LIVE**! Every gift to you counts for this LIVE. {where}\n"
            f"It ends with `/live end`, or by itself {fmt.relative(live.ends_at)} "
            f"({self.services.live.max_hours} h).",
            ephemeral=True,
        )

    @live.command(name="end", description="End your LIVE (moderators: someone else's) — recap")
    @app_commands.describe(member="Moderators: whose LIVE to end (default: your own)")
    async def end(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        gid = guild_id(interaction)
        target = member or interaction.user
        own = target.id == interaction.user.id
        if not own:
            await require_moderator(interaction, self.ledger)
        live = await self.ledger.run(GetLive(gid, target.id))
        if live is None:
            if own:
                raise NotFound("You are not LIVE — go LIVE with `/live start`.")
            raise NotFound(f"{fmt.mention(target.id)} is not LIVE — there is nothing to end.")
        ended, figures = await self.boards.finish(live, ended_by=interaction.user.id)
        if ended.replayed:
            raise InvalidState("That LIVE has already ended.")
        await respond(
            interaction,
            f"🏁 The LIVE of {fmt.mention(ended.user_id)} has ended — its card is now the recap.",
            embed=await self.boards.recap(figures),
            ephemeral=True,
        )

    @live.command(name="status", description="A member's LIVE now: diamonds, gifters, time LIVE")
    @app_commands.describe(member="Whose LIVE (default: your own)")
    async def status(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        gid = guild_id(interaction)
        target = member or interaction.user
        if member is not None and not isinstance(member, discord.Member):
            raise NotAMember()
        live = await self.ledger.run(GetLive(gid, target.id))
        now = self.services.clock()
        if live is None or live.ends_at <= now:
            who = "You are" if target.id == interaction.user.id else f"{fmt.mention(target.id)} is"
            hint = " Go LIVE with `/live start`." if target.id == interaction.user.id else ""
            await respond(interaction, f"{who} not LIVE right now.{hint}", ephemeral=True)
            return
        figures = await self.boards.figures(live)
        await respond(
            interaction,
            f"LIVE for {duration(now - live.started_at)}.",
            embed=live_card(figures, now),
            ephemeral=True,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(LiveCog(bot, bot.services))
