"""Well-known snowflake ids of the stand-in's default world, permission bits, and the id generator.

Tests refer to people, roles and channels by these constants (``ALICE``, ``AUDIT``...), so they are
fixed numbers; everything created at run time (messages, interactions, extra members) gets a fresh
snowflake from :class:`Snowflakes`.
"""

from __future__ import annotations

import time

# Discord's epoch (2015-01-01) in milliseconds: snowflakes encode ms since then in bits 22+.
DISCORD_EPOCH_MS = 1_420_070_400_000

# The default application. Discord gives a bot user the same id as its application.
APPLICATION_ID = 1_300_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
DEFAULT_TOKEN = "standin-token"

# The default guild; the @everyone role always has the guild's id.
GUILD_ID = 1_100_000_000_000_000_001
EVERYONE = GUILD_ID

# People. OWNER owns the guild (all permissions, no roles); MODERATOR has Manage Server through
# MANAGER_ROLE; MOD_HELPER holds the "Mods" role (MOD_ROLE) without Manage Server.
OWNER = 1_000_000_000_000_000_001
MODERATOR = 1_000_000_000_000_000_002
MOD_HELPER = 1_000_000_000_000_000_003
ALICE = 1_000_000_000_000_000_011
BOB = 1_000_000_000_000_000_012
CAROL = 1_000_000_000_000_000_013
# Another bot account in the guild (not giftcord): "gifts to bots are refused".
BOT_MEMBER = 1_000_000_000_000_000_020
# A known user who is NOT a member of the guild (left it): resolves as a User, not a Member.
DEPARTED = 1_000_000_000_000_000_021

# Roles.
MANAGER_ROLE = 1_110_000_000_000_000_001  # "Server Managers": Manage Server
MOD_ROLE = 1_110_000_000_000_000_002  # "Mods": moderation perms but NOT Manage Server
BOT_ROLE = 1_110_000_000_000_000_003  # the managed role Discord creates for the giftcord bot

# Text channels.
GENERAL = 1_120_000_000_000_000_001
AUDIT = 1_120_000_000_000_000_002
ANNOUNCE = 1_120_000_000_000_000_003
# The bot may view but not send / embed / attach here: posting answers 403 Missing Permissions.
LOCKED = 1_120_000_000_000_000_004
# Never exists: posting answers 404 Unknown Channel.
MISSING_CHANNEL = 1_120_000_000_000_000_099


class Perm:
    """Discord permission bits the stand-in computes with (a subset, values as Discord defines)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MODERATE_MEMBERS = 1 << 40
    # What Discord reports for owners/administrators (every bit it currently defines).
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CONNECT
        | SPEAK
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
    )
    BOT_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
    )
    MODS_DEFAULT = KICK_MEMBERS | MANAGE_MESSAGES | MODERATE_MEMBERS | VIEW_AUDIT_LOG
    # What a bot needs to post a message (attach/embed are checked only when used).
    POST = VIEW_CHANNEL | SEND_MESSAGES


class Snowflakes:
    """Monotonic snowflake generator: real timestamps in the high bits, so ``created_at`` is sane."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        # Many ids per millisecond: bump instead of colliding (ids only need to be unique + ordered).
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate
