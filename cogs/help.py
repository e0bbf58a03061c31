"""`/help`: how the economy works, with this server's live numbers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.services import Services
from bot.ui.embeds_help import help_embed


class HelpCog(commands.Cog, name="Help"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="help", description="How coins, gifts, diamonds and cash-outs work here"
    )
    @app_commands.guild_only()
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=help_embed(self.services.economy, self.services.clock()), ephemeral=True
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(HelpCog(bot.services))
