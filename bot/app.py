"""The discord.py bot: wires the services into the cogs and maps errors to replies.

`GiftcordBot` is built in `main()` (or by a test) with the settings and the services already
made; it never reads the environment and never syncs commands on start (`python -m bot sync`
does that).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from yarl import URL

from bot.economy.errors import InvalidInput
from bot.services import Services
from bot.services.deferral import arm
from bot.services.level_roles import LevelRoles
from bot.settings import DiscordSettings
from bot.ui.errors import reply_with_error
from bot.ui.option_check import check_options

log = logging.getLogger("giftcord.app")

# Every feature is one extension; a cog that fails to load fails start-up.
EXTENSIONS: tuple[str, ...] = (
    "cogs.help",
    "cogs.balance",
    "cogs.coins",
    "cogs.gifting",
    "cogs.catalogue",
    "cogs.diamonds",
    "cogs.cashout",
    "cogs.creator",
    "cogs.leaderboard",
    "cogs.history",
    "cogs.moderation",
    "cogs.events",
    "cogs.server_settings",
    "cogs.live",
    "cogs.levels",
    "cogs.treasure",
    "cogs.battle",
)


class GiftcordTree(app_commands.CommandTree):
    """Routes every command error through `bot.ui.errors` (the one error-to-reply mapper) and
    re-checks every command's options against its declared limits before any cog runs."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.type is not discord.InteractionType.application_command:
            return True
        command = interaction.command
        if isinstance(command, app_commands.Command):
            try:
                check_options(command, interaction.data or {})  # type: ignore[arg-type]
            except InvalidInput as refusal:
                # discord.py maps only AppCommandErrors raised here; answer directly instead.
                await reply_with_error(interaction, refusal)
                return False
        arm(interaction)  # deferred if its answer is not on its way in time (bot/ui/answer.py)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await reply_with_error(interaction, error)


def point_at_discord(discord_settings: DiscordSettings) -> None:
    """Send REST and gateway traffic to configured URLs (a rate-limit proxy, or a local stand-in
    in tests). Untouched when unset, so discord.py's defaults — or a caller's own patch — stay."""
    if discord_settings.api_base:
        discord.http.Route.BASE = discord_settings.api_base
    if discord_settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = URL(discord_settings.gateway_url)


def make_intents(members: bool) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    # Members lets leaderboards hide departed members and resolve names; without it every
    # command still works (Discord sends the resolved members with each interaction, and
    # `/mod grant-role` lists the role's members through REST: bot/services/members.py).
    intents.members = members
    return intents


class GiftcordBot(commands.Bot):
    def __init__(
        self,
        services: Services,
        discord_settings: DiscordSettings,
        *,
        extensions: tuple[str, ...] = EXTENSIONS,
        **client_options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=make_intents(discord_settings.members_intent),
            tree_cls=GiftcordTree,
            help_command=None,
            # Leaderboards and announcements never ping anyone.
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=discord_settings.guild_ready_timeout,
            **client_options,
        )
        self.services = services
        self._extensions = extensions
        # Shared by the cogs that give level roles (after gifts) and map them (`/settings`), so
        # a refusal is reported once per role whichever of them met it.
        self.level_roles = LevelRoles(self, services.ledger, services.levels)

    async def setup_hook(self) -> None:
        for name in self._extensions:
            # No try/except: a cog that can't load must stop start-up, loudly.
            await self.load_extension(name)
        log.info(
            "loaded %d extensions, %d commands",
            len(self._extensions),
            len(self.tree.get_commands()),
        )

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))
