"""`/level` — gifter level 1–50 from lifetime coins sent as gifts, and the level roles it gives.

The rules are `bot/economy/levels.py`'s; giving roles is `bot/services/level_roles.py`'s, after
each gift (never part of it).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import NotAMember
from bot.economy.reads import GetAccount
from bot.services import Services
from bot.ui.context import guild_id, respond
from bot.ui.embeds_live import level_embed


class LevelsCog(commands.Cog, name="Levels"):
    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.services = services
        self.roles = bot.level_roles

    async def cog_load(self) -> None:
        self.services.gift_hooks.add(self.roles.gift_sent)

    async def cog_unload(self) -> None:
        self.services.gift_hooks.remove(self.roles.gift_sent)
        await self.roles.close()

    @app_commands.command(name="level", description="Gifter level: progress to the next level")
    @app_commands.guild_only()
    @app_commands.describe(member="Whose level (default: your own)")
    async def level(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        gid = guild_id(interaction)
        if member is not None and not isinstance(member, discord.Member):
            raise NotAMember()
        target = member or interaction.user
        account = await self.services.ledger.run(GetAccount(gid, target.id))
        progress = self.services.level_table.progress(account.coins_spent)
        await respond(interaction, embed=level_embed(target.id, progress), ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(LevelsCog(bot, bot.services))
