"""The discord.py bot: wires the services into the cogs and maps errors to replies.

`GiftcordBot` is built in `main()` (or by a test) with the settings and the services already
made; it never reads the environment and never syncs commands on start (`python -m bot sync`
does that).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands
from yarl import URL

from bot.economy.errors import InvalidInput
from bot.services import Services
from bot.services.deferral import PUBLIC_ANSWER, arm
from bot.services.level_roles import LevelRoles
from bot.settings import DiscordSettings
from bot.ui.answer import respond
from bot.ui.errors import reply_with_error
from bot.ui.option_check import check_options

log = logging.getLogger("giftcord.app")

# What a member reads for an interaction that arrives while the bot is stopping (a restart).
STOPPING_SENTENCE = "giftcord is restarting, so nothing was changed — try again in a few seconds."

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
        if not await admitted(interaction):
            return False
        command = interaction.command
        if isinstance(command, app_commands.Command):
            try:
                check_options(command, interaction.data or {})  # type: ignore[arg-type]
            except InvalidInput as refusal:
                # discord.py maps only AppCommandErrors raised here; answer directly instead.
                await reply_with_error(interaction, refusal)
                return False
        # Deferred if its answer is not on its way in time (bot/services/deferral.py).
        arm(interaction, public=bool(command and command.extras.get(PUBLIC_ANSWER)))
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
        # The tasks handling interactions now: a stop waits for their answers (`finish`).
        self._handling: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self.stopping = False
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

    def admit(self) -> bool:
        """As a handler starts: its task is remembered, so that a stop waits for its answer;
        False once the bot is stopping (the handler then only says so)."""
        task = asyncio.current_task()
        if task is not None:
            self._handling.add(task)
        return not self.stopping

    async def finish(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait by design
        """Before closing on a stop (SIGTERM, SIGINT): admit no more interactions and wait up to
        `timeout` seconds for those being handled (and for the sentences telling later ones
        the bot is stopping), so each gift that committed is announced and none is cut off by
        the closed connection."""
        self.stopping = True
        loop, current = asyncio.get_running_loop(), asyncio.current_task()
        deadline = loop.time() + timeout
        first = True
        while live := [t for t in self._handling if not t.done() and t is not current]:
            if first:
                log.info("stopping: answering the %d interactions being handled first", len(live))
                first = False
            if (remaining := deadline - loop.time()) <= 0:
                log.warning(
                    "stopping: %d interactions were still unanswered after %.0f s",
                    len(live),
                    timeout,
                )
                return
            await asyncio.wait(live, timeout=remaining)


async def admitted(interaction: discord.Interaction) -> bool:
    """Whether a handler may go on; one arriving while the bot stops gets a sentence instead."""
    bot = interaction.client
    if not isinstance(bot, GiftcordBot) or bot.admit():
        return True
    try:
        await respond(interaction, STOPPING_SENTENCE, ephemeral=True)
    except (discord.HTTPException, aiohttp.ClientError, RuntimeError) as exc:
        # Arrived in the last moment before the connection closed: Discord tells the member
        # the app did not respond, and nothing was changed.
        log.info("interaction %s came as the bot stopped, unanswered: %s", interaction.id, exc)
    return False
