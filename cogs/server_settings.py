"""`/settings show|set` — the server's audit channel, announce channel, moderator role and
public leaderboard page."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import InvalidInput
from bot.economy.reads import GetGuildSettings
from bot.permissions import require_moderator
from bot.services import Services
from bot.services.mod_actions import ModActions
from bot.ui import embeds_settings


class ServerSettings(commands.Cog):
    settings = app_commands.Group(
        name="settings",
        description="This server's giftcord channels and moderator role",
        guild_only=True,
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.ledger = services.ledger
        self.actions = ModActions(bot, services.ledger)

    @settings.command(name="show", description="Show this server's giftcord settings")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        current = await self.ledger.run(GetGuildSettings(interaction.guild_id))
        await interaction.response.send_message(
            embed=embeds_settings.settings_embed(current), ephemeral=True
        )

    @settings.command(
        name="set", description="Change the audit channel, announce channel or mod role"
    )
    @app_commands.describe(
        audit_channel="Where moderator actions are posted",
        announce_channel="Where events are announced by default",
        mod_role="Members with this role count as moderators",
        public_page="Show this server's leaderboards on the bot's public web page",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        audit_channel: discord.TextChannel | None = None,
        announce_channel: discord.TextChannel | None = None,
        mod_role: discord.Role | None = None,
        public_page: bool | None = None,
    ) -> None:
        moderator = await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None
        if (audit_channel, announce_channel, mod_role, public_page) == (None,) * 4:
            raise InvalidInput(
                "Choose at least one of `audit_channel`, `announce_channel`, `mod_role` or "
                "`public_page`."
            )
        if mod_role is not None and mod_role.is_default():
            raise InvalidInput(
                "@everyone can't be the moderator role — everyone would be a moderator."
            )
        change = await self.actions.change_settings(
            interaction.guild_id,
            actor_id=moderator.id,
            audit_channel_id=audit_channel.id if audit_channel else None,
            announce_channel_id=announce_channel.id if announce_channel else None,
            mod_role_id=mod_role.id if mod_role else None,
            public_page=public_page,
        )
        await interaction.response.send_message(
            embeds_settings.change_reply(change),
            embed=embeds_settings.settings_embed(change.after),
            ephemeral=True,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(ServerSettings(bot, bot.services))
