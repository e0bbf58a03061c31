"""A local Discord stand-in (REST + gateway over loopback) for running the REAL discord.py client
in tests and benchmarks. No pytest dependency: ``python -m benchmarks.e2e`` imports it too.

    standin = await DiscordStandIn().start()
    standin.patch_discord_py()                    # or pass standin.api_base / gateway_url to a subprocess
    ... start the bot with standin.token, sync its tree ...
    result = await standin.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3)
    assert not result.ephemeral and "Rose" in result.text
    await standin.stop()

Modules: ``ids`` (well-known ids), ``world`` (state), ``payloads`` (every JSON shape sent),
``schema`` (synced commands + option validation), ``messages`` (message limits/edits),
``gateway``, ``rest``/``rest_messages``/``rest_util`` (aiohttp handlers), ``results``
(InteractionResult + waiting), ``users`` (SimulatedUser), ``server`` (DiscordStandIn),
``botrun`` (start/stop an in-process bot).
"""

from .botrun import run_bot, start_bot, stop_bot
from .errors import (
    CommandNotSynced,
    ComponentError,
    DiscordError,
    InteractionFailed,
    NoBotConnected,
    OptionError,
    StandInError,
    StandInTimeout,
)
from .ids import (
    ALICE,
    ANNOUNCE,
    APPLICATION_ID,
    AUDIT,
    BOB,
    BOT_MEMBER,
    BOT_ROLE,
    BOT_USER_ID,
    CAROL,
    DEFAULT_TOKEN,
    DEPARTED,
    EVERYONE,
    GENERAL,
    GUILD_ID,
    LOCKED,
    MANAGER_ROLE,
    MISSING_CHANNEL,
    MOD_HELPER,
    MOD_ROLE,
    MODERATOR,
    OWNER,
    Perm,
)
from .results import CallbackAttempt, InteractionResult
from .server import DiscordPyPatch, DiscordStandIn, Rejection, Unexpected
from .users import SimulatedUser
from .world import Attachment, Channel, Guild, Member, Message, Role, User

__all__ = [
    "ALICE",
    "ANNOUNCE",
    "APPLICATION_ID",
    "AUDIT",
    "BOB",
    "BOT_MEMBER",
    "BOT_ROLE",
    "BOT_USER_ID",
    "CAROL",
    "DEFAULT_TOKEN",
    "DEPARTED",
    "EVERYONE",
    "GENERAL",
    "GUILD_ID",
    "LOCKED",
    "MANAGER_ROLE",
    "MISSING_CHANNEL",
    "MODERATOR",
    "MOD_HELPER",
    "MOD_ROLE",
    "OWNER",
    "Attachment",
    "CallbackAttempt",
    "Channel",
    "CommandNotSynced",
    "ComponentError",
    "DiscordError",
    "DiscordPyPatch",
    "DiscordStandIn",
    "Guild",
    "InteractionFailed",
    "InteractionResult",
    "Member",
    "Message",
    "NoBotConnected",
    "OptionError",
    "Perm",
    "Rejection",
    "Role",
    "SimulatedUser",
    "StandInError",
    "StandInTimeout",
    "Unexpected",
    "User",
    "run_bot",
    "start_bot",
    "stop_bot",
]
