"""`/history`: ledger entries, newest first; another member's only for moderators."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.reads import GetHistory
from bot.permissions import require_moderator
from bot.services import Services
from bot.ui import embeds_member
from bot.ui.context import guild_id
from bot.ui.pagination import send_paginated


class HistoryCog(commands.Cog, name="History"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="history", description="Your coin and diamond history, newest first")
    @app_commands.guild_only()
    @app_commands.describe(
        member="Whose history (other members: moderators only)",
        page="Which page to open (default 1)",
    )
    async def history(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        page: app_commands.Range[int, 1] | None = None,
    ) -> None:
        ledger, gid = self.services.ledger, guild_id(interaction)
        target: discord.abc.User = member or interaction.user
        own = target.id == interaction.user.id
        if not own:
            await require_moderator(interaction, ledger)

        async def render(number: int) -> tuple[discord.Embed, int]:
            result = await ledger.run(GetHistory(gid, target.id, page=number, per_page=10))
            return embeds_member.history_page(target, result, own=own), result.pages

        await send_paginated(interaction, render, page or 1, ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(HistoryCog(bot.services))
