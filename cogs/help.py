"""`/help`: how the economy works, with this server's live numbers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.reads import GetLevelRoles, OpenLives
from bot.services import Services
from bot.ui.context import guild_id, respond
from bot.ui.embeds_help import LiveHelp, help_embed


class HelpCog(commands.Cog, name="Help"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="help", description="How coins, gifts, diamonds and cash-outs work here"
    )
    @app_commands.guild_only()
    async def help(self, interaction: discord.Interaction) -> None:
        gid = guild_id(interaction)
        ledger, s = self.services.ledger, self.services
        live = LiveHelp(
            await ledger.run(OpenLives(gid)),
            s.live.max_hours,
            s.level_table,
            await ledger.run(GetLevelRoles(gid)),
        )
        await respond(interaction, embed=help_embed(s.economy, s.clock(), live), ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(HelpCog(bot.services))
