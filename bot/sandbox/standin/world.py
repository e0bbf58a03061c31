"""The stand-in's state: users, guilds, roles, channels, applications, messages and attachments.

Plain dataclasses and the rules Discord applies to them (permission computation, who gets pinged).
Nothing here knows about HTTP or the gateway; ``payloads`` turns these objects into wire JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import ids
from .ids import Perm, Snowflakes

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False


@dataclass
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    bot_id: int | None = None  # set for the managed role of a bot (payload "tags")
    mentionable: bool = False


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = 0  # 0 text, 2 voice, 4 category, 5 announcement
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    # Everything the bot posted (incl. non-ephemeral interaction responses), oldest first.
    log: list[Message] = field(default_factory=list)


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    locale: str = "en-US"

    def base_permissions(self, user_id: int) -> int:
        """Guild-wide permissions, Discord's algorithm: owner/administrator → everything."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        if user_id == self.owner_id:
            return Perm.ALL
        perms = self.roles[self.id].permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def permissions(self, user_id: int, channel_id: int | None = None) -> int:
        """Permissions in a channel: base, then @everyone, role and member overwrites in that order."""
        perms = self.base_permissions(user_id)
        channel = self.channels.get(channel_id) if channel_id is not None else None
        if channel is None or perms == Perm.ALL:
            return perms
        member = self.members[user_id]
        role_allow = role_deny = 0
        for ow in channel.overwrites:
            if ow.type == 0 and ow.id == self.id:
                perms = (perms & ~ow.deny) | ow.allow
            elif ow.type == 0 and ow.id in member.roles:
                role_allow |= ow.allow
                role_deny |= ow.deny
        perms = (perms & ~role_deny) | role_allow
        for ow in channel.overwrites:
            if ow.type == 1 and ow.id == user_id:
                perms = (perms & ~ow.deny) | ow.allow
        return perms


@dataclass
class Application:
    id: int
    token: str
    name: str
    bot: User
    owner_id: int = ids.OWNER
    # GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED:
    # the privileged intents are switched on for this (unverified) bot.
    flags: int = (1 << 13) | (1 << 15) | (1 << 19)
    # Set, Discord would send interactions to this URL instead of the gateway, and discord.py
    # warns about it at start-up: a warning tests can provoke on purpose.
    interactions_endpoint_url: str | None = None


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass
class Message:
    """A message the bot created (channel post, interaction response or follow-up), as it is now."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    tts: bool = False
    type: int = 0  # 0 default, 20 chat-input command response
    webhook_id: int | None = None
    interaction_id: int | None = None  # the interaction this message answers, if any
    interaction_user_id: int | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    # Snapshots of earlier versions (content/embeds/components/flags), oldest first.
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def edit_count(self) -> int:
        return len(self.history)

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, one string to assert on."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f.get('name', '')}\n{f.get('value', '')}" for f in e.get("fields", [])]
            parts += [
                (e.get("footer") or {}).get("text") or "",
                (e.get("author") or {}).get("name") or "",
            ]
        return "\n".join(p for p in parts if p)

    def snapshot(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "flags": self.flags,
            "attachments": [a.filename for a in self.attachments],
        }

    def iter_components(self) -> list[dict[str, Any]]:
        """Every component at any depth (action rows, buttons, selects, v2 containers...)."""
        found: list[dict[str, Any]] = []
        stack = list(self.components)
        while stack:
            comp = stack.pop(0)
            found.append(comp)
            stack.extend(comp.get("components", []))
            if isinstance(comp.get("accessory"), dict):
                stack.append(comp["accessory"])
        return found

    def component(self, custom_id: str) -> dict[str, Any] | None:
        return next((c for c in self.iter_components() if c.get("custom_id") == custom_id), None)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]

    def pings(self, guild: Guild | None = None) -> dict[str, Any]:
        """Who this message would notify, applying ``allowed_mentions`` the way Discord does."""
        if self.ephemeral:
            return {"users": set(), "roles": set(), "everyone": False}
        am = self.allowed_mentions
        parse = {"users", "roles", "everyone"} if am is None else set(am.get("parse", []))
        users = {int(u) for u in _USER_MENTION.findall(self.content)}
        roles = {int(r) for r in _ROLE_MENTION.findall(self.content)}
        allowed_users = set() if am is None else {int(u) for u in am.get("users", [])}
        allowed_roles = set() if am is None else {int(r) for r in am.get("roles", [])}
        if "users" not in parse:
            users &= allowed_users
        if "roles" not in parse:
            roles &= allowed_roles
        if guild is not None:
            roles = {r for r in roles if r in guild.roles}
        everyone = "everyone" in parse and ("@everyone" in self.content or "@here" in self.content)
        return {"users": users, "roles": roles, "everyone": everyone}


class World:
    """Every object the stand-in knows, indexed by id."""

    def __init__(self, snowflakes: Snowflakes) -> None:
        self.ids = snowflakes
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.apps_by_token: dict[str, Application] = {}
        self.apps_by_id: dict[int, Application] = {}

    def add_user(self, user_id: int | None, username: str, *, bot: bool = False) -> User:
        user = User(user_id or self.ids.next(), username, global_name=username.title(), bot=bot)
        self.users[user.id] = user
        return user

    def add_app(self, token: str, name: str, app_id: int | None = None) -> Application:
        app_id = app_id or self.ids.next()
        app = Application(app_id, token, name, self.add_user(app_id, name, bot=True))
        self.apps_by_token[token] = app
        self.apps_by_id[app.id] = app
        for guild in self.guilds.values():
            self.add_bot_to_guild(app, guild)
        return app

    def add_bot_to_guild(self, app: Application, guild: Guild) -> None:
        """A bot joins with its own managed role, as when it is invited with permissions."""
        if app.bot.id in guild.members:
            return
        well_known = app.id == ids.APPLICATION_ID and guild.id == ids.GUILD_ID
        role_id = ids.BOT_ROLE if well_known else self.ids.next()
        # Bot roles sit above the default guild's roles (Mods = 1, Server Managers = 2).
        guild.roles[role_id] = Role(
            role_id,
            app.name,
            Perm.BOT_DEFAULT,
            position=10 + len(guild.roles),
            managed=True,
            bot_id=app.id,
        )
        guild.members[app.bot.id] = Member(app.bot, roles=[role_id])

    def add_channel(self, guild: Guild, channel_id: int | None, name: str, **kw: Any) -> Channel:
        channel = Channel(
            channel_id or self.ids.next(), guild.id, name, position=len(guild.channels), **kw
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, user: User, roles: list[int] | None = None) -> Member:
        member = Member(user, roles=list(roles or []))
        guild.members[user.id] = member
        return member

    def add_guild(self, guild_id: int | None, name: str, owner_id: int) -> Guild:
        guild = Guild(guild_id or self.ids.next(), name, owner_id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", Perm.EVERYONE_DEFAULT)
        self.guilds[guild.id] = guild
        if owner_id not in self.users:
            self.add_user(owner_id, f"owner-{owner_id % 10_000}")
        self.add_member(guild, self.users[owner_id])
        for app in self.apps_by_id.values():
            self.add_bot_to_guild(app, guild)
        return guild

    def build_shard_guilds(self, count: int) -> list[Guild]:
        """``count - 1`` more guilds beside the default one, for sharded bots. Guild ``i`` (the
        default guild is 0) has the id ``((GUILD_ID >> 22) + i) << 22``: consecutive values of
        ``guild_id >> 22``, so Discord's routing ``(guild_id >> 22) % shard_count`` spreads any
        ``count`` guilds evenly over any number of shards up to ``count``. Each has the same
        well-known people as members (owner, moderator, mod helper, Alice, Bob, Carol, another
        bot), its own roles and its own channels (general, giftcord-audit, gift-announcements)."""
        default = self.guilds.get(ids.GUILD_ID) or self.build_default_guild()
        made = [default]
        low_bits = ids.GUILD_ID & ((1 << 22) - 1)
        for i in range(1, count):
            guild_id = (((ids.GUILD_ID >> 22) + i) << 22) | low_bits
            guild = self.add_guild(guild_id, f"Giftcord Test Server {i + 1}", ids.OWNER)
            self._populate(guild, self.ids.next(), self.ids.next(), None)
            made.append(guild)
        return made

    def _populate(
        self, guild: Guild, mod_role: int, manager_role: int, channels: tuple[int, ...] | None
    ) -> None:
        """The default guild's roles, people and channels (``channels``: their fixed ids, or
        None for fresh ones)."""
        guild.roles[mod_role] = Role(mod_role, "Mods", Perm.MODS_DEFAULT, position=1)
        guild.roles[manager_role] = Role(
            manager_role, "Server Managers", Perm.MANAGE_GUILD | Perm.MODS_DEFAULT, position=2
        )
        self.add_member(guild, self.users[ids.MODERATOR], [manager_role])
        self.add_member(guild, self.users[ids.MOD_HELPER], [mod_role])
        for uid in (ids.ALICE, ids.BOB, ids.CAROL, ids.BOT_MEMBER):
            self.add_member(guild, self.users[uid])
        general, audit, announce, locked_id = channels or (None, None, None, None)
        self.add_channel(guild, general, "general")
        self.add_channel(guild, audit, "giftcord-audit", topic="Moderator actions")
        self.add_channel(guild, announce, "gift-announcements")
        locked = self.add_channel(guild, locked_id, "read-only")
        for app in self.apps_by_id.values():
            locked.overwrites.append(
                Overwrite(
                    app.bot.id, 1, deny=Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES
                )
            )

    def build_default_guild(self) -> Guild:
        """The well-known guild every test starts from (ids in ``ids``)."""
        for uid, name, bot in [
            (ids.OWNER, "owner", False),
            (ids.MODERATOR, "moderator", False),
            (ids.MOD_HELPER, "modhelper", False),
            (ids.ALICE, "alice", False),
            (ids.BOB, "bob", False),
            (ids.CAROL, "carol", False),
            (ids.BOT_MEMBER, "otherbot", True),
            (ids.DEPARTED, "departed", False),
        ]:
            self.add_user(uid, name, bot=bot)
        guild = self.add_guild(ids.GUILD_ID, "Giftcord Test Server", ids.OWNER)
        self._populate(
            guild,
            ids.MOD_ROLE,
            ids.MANAGER_ROLE,
            (ids.GENERAL, ids.AUDIT, ids.ANNOUNCE, ids.LOCKED),
        )
        return guild
