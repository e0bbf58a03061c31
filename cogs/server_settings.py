"""`/settings show|set` — the server's audit channel, announce channel, moderator role and
public leaderboard page."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import InvalidInput
from bot.economy.reads import GetGuildSettings
from bot.economy.requests import SetLevelRole
from bot.permissions import require_moderator
from bot.services import Services
from bot.services.mod_actions import ModActions
from bot.ui import embeds_settings
from bot.ui.context import key, respond


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
        await respond(interaction, embed=embeds_settings.settings_embed(current), ephemeral=True)

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
        await respond(
            interaction,
            embeds_settings.change_reply(change),
            embed=embeds_settings.settings_embed(change.after),
            ephemeral=True,
        )

    @settings.command(
        name="level-role", description="Give a role when members reach a gifter level"
    )
    @app_commands.describe(
        level="The gifter level, 1–50",
        role="The role members get at that level (leave out to remove the level's role)",
    )
    async def level_role(
        self,
        interaction: discord.Interaction,
        level: app_commands.Range[int, 1, 50],
        role: discord.Role | None = None,
    ) -> None:
        moderator = await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None
        if role is not None and (role.is_default() or role.managed):
            raise InvalidInput(
                "That role can't be given to members (@everyone, or a bot's or integration's "
                "own role) — choose another one."
            )
        already = await self.bot.level_roles.set_mapping(
            SetLevelRole(
                interaction.guild_id,
                key(interaction),
                moderator.id,
                level,
                role.id if role else None,
            )
        )
        await respond(
            interaction,
            embeds_settings.level_role_reply(level, role.id if role else None, already),
            ephemeral=True,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(ServerSettings(bot, bot.services))
