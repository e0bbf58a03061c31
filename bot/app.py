"""The discord.py bot: wires the services into the cogs and maps errors to replies.

`GiftcordBot` is built in `main()` (or by a test) with the settings and the services already
made; it never reads the environment and never syncs commands on start (`python -m bot sync`
does that).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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


# The answer to a command that arrives while the bot stops: none of it ran, so it says so.
RESTARTING = "giftcord is restarting — nothing was changed. Try again in a minute."
# How long a stop waits for the commands already running to answer: Discord gives 3 s for the
# first answer, so a command still running after this has lost its member's answer anyway.
STOP_GRACE_SECONDS = 5.0
# The task discord.py runs each interaction in (app_commands/tree.py, ui/view.py, ui/modal.py).
INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
)


def running_interactions() -> set[asyncio.Task[Any]]:
    """The interactions this event loop is handling right now."""
    me = asyncio.current_task()
    return {
        task
        for task in asyncio.all_tasks()
        if task is not me and not task.done() and task.get_name().startswith(INTERACTION_TASKS)
    }


class GiftcordTree(app_commands.CommandTree):
    """Routes every command error through `bot.ui.errors` (the one error-to-reply mapper) and
    re-checks every command's options against its declared limits before any cog runs."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if await turned_away(interaction):
            return False
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
        # Shared by the cogs that give level roles (after gifts) and map them (`/settings`), so
        # a refusal is reported once per role whichever of them met it.
        self.level_roles = LevelRoles(self, services.ledger, services.levels)
        self.stopping = False  # set by `close`: commands arriving from then on are refused
        self._refused_while_stopping = 0

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

    async def refuse_while_stopping(self, interaction: discord.Interaction) -> None:
        """Answer a command that arrived during the stop (none of it ran). Best effort: once the
        connection is closing no answer reaches the member, and one unanswered interaction is
        all that is left — nothing to log per command."""
        if interaction.type is discord.InteractionType.autocomplete:
            return  # there is no sentence to give
        self._refused_while_stopping += 1
        with contextlib.suppress(discord.HTTPException, aiohttp.ClientError, RuntimeError):
            await interaction.response.send_message(RESTARTING, ephemeral=True)

    async def close(self) -> None:
        """Stop without dropping what members wait for. discord.py's own order unloads the cogs
        first, while the gateway still delivers interactions ("command not found"), then closes
        the HTTP session under the commands still running: each gift in flight became an
        incident, some after their commit. So: refuse new commands, let the running ones answer
        (up to STOP_GRACE_SECONDS), then unload the cogs and close the connection."""
        if not self.stopping:
            self.stopping = True
            if running := running_interactions():
                log.info("stopping: finishing %d commands in progress", len(running))
                _, late = await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
                if late:
                    log.warning(
                        "stopping: %d commands still running after %.0f s are cut off",
                        len(late),
                        STOP_GRACE_SECONDS,
                    )
        await super().close()
        if self._refused_while_stopping:
            log.info(
                "stopping: %d commands that arrived meanwhile were told to try again",
                self._refused_while_stopping,
            )
            self._refused_while_stopping = 0


async def turned_away(interaction: discord.Interaction) -> bool:
    """While the bot stops: answer the interaction with the restart sentence (nothing of it
    runs) and say so. Used by the command tree and by the buttons that write."""
    client = interaction.client
    if isinstance(client, GiftcordBot) and client.stopping:
        await client.refuse_while_stopping(interaction)
        return True
    return False
