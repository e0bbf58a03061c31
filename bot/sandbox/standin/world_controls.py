"""World changes a test makes while the bot runs, each emitting the gateway event Discord would
send (GUILD_MEMBER_ADD/REMOVE/UPDATE, GUILD_ROLE_CREATE, CHANNEL_CREATE/UPDATE/DELETE), only to
sessions whose intents ask for it. Mixed into ``DiscordStandIn``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import payloads
from .gateway import INTENT_GUILD_MEMBERS, INTENT_GUILDS
from .ids import GUILD_ID, Perm
from .world import Application, Channel, Member, Overwrite, Role

if TYPE_CHECKING:
    from .gateway import Gateway
    from .ids import Snowflakes
    from .world import Guild, World


class WorldControls:
    world: World
    ids: Snowflakes
    gateway: Gateway
    app: Application

    def guild(self, guild_id: int = GUILD_ID) -> Guild:
        return self.world.guilds[guild_id]

    async def add_member(
        self,
        user_id: int | None = None,
        *,
        username: str | None = None,
        roles: Iterable[int] = (),
        bot: bool = False,
        guild_id: int = GUILD_ID,
        notify: bool = True,
    ) -> Member:
        """A user joins (GUILD_MEMBER_ADD). Known users (e.g. ``DEPARTED``) rejoin with their id."""
        guild = self.guild(guild_id)
        user = self.world.users.get(user_id) if user_id else None
        if user is None:
            uid = user_id or self.ids.next()
            user = self.world.add_user(uid, username or f"user{uid % 100_000}", bot=bot)
        member = self.world.add_member(guild, user, list(roles))
        if notify:
            await self.gateway.dispatch_guild(
                guild.id,
                "GUILD_MEMBER_ADD",
                payloads.member_add(guild, member),
                INTENT_GUILD_MEMBERS,
            )
        return member

    def add_members(
        self, count: int, *, guild_id: int = GUILD_ID, prefix: str = "member"
    ) -> list[Member]:
        """Bulk members without events (before the bot connects: big guilds → member chunking)."""
        guild = self.guild(guild_id)
        added = []
        for _ in range(count):
            uid = self.ids.next()
            added.append(
                self.world.add_member(
                    guild, self.world.add_user(uid, f"{prefix}{uid % 10_000_000}")
                )
            )
        return added

    async def remove_member(self, user_id: int, *, guild_id: int = GUILD_ID) -> None:
        """The member leaves (GUILD_MEMBER_REMOVE); the user stays known, like ``DEPARTED``."""
        guild = self.guild(guild_id)
        guild.members.pop(user_id)
        await self.gateway.dispatch_guild(
            guild.id,
            "GUILD_MEMBER_REMOVE",
            payloads.member_remove(guild, self.world.users[user_id]),
            INTENT_GUILD_MEMBERS,
        )

    async def set_roles(
        self, user_id: int, roles: Iterable[int], *, guild_id: int = GUILD_ID
    ) -> None:
        """Replace a member's roles (GUILD_MEMBER_UPDATE)."""
        guild = self.guild(guild_id)
        guild.members[user_id].roles = list(roles)
        await self.sync_members(guild_id, [user_id])

    async def sync_members(
        self, guild_id: int = GUILD_ID, user_ids: Iterable[int] | None = None
    ) -> None:
        """After a test changed ``world`` members directly (roles, nick): one GUILD_MEMBER_UPDATE
        per member (default: all), sent before any later interaction, so the bot sees it first."""
        guild = self.guild(guild_id)
        for uid in guild.members if user_ids is None else user_ids:
            await self.gateway.dispatch_guild(
                guild.id,
                "GUILD_MEMBER_UPDATE",
                payloads.member_update(guild, guild.members[uid]),
                INTENT_GUILD_MEMBERS,
            )

    async def add_role(
        self,
        name: str,
        permissions: int = 0,
        *,
        role_id: int | None = None,
        guild_id: int = GUILD_ID,
    ) -> Role:
        guild = self.guild(guild_id)
        role = Role(role_id or self.ids.next(), name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        await self.gateway.dispatch_guild(
            guild.id, "GUILD_ROLE_CREATE", payloads.role_event(guild, role), INTENT_GUILDS
        )
        return role

    async def update_role(
        self,
        role_id: int,
        *,
        permissions: int | None = None,
        position: int | None = None,
        guild_id: int = GUILD_ID,
    ) -> Role:
        """Change a role's permissions or position (GUILD_ROLE_UPDATE)."""
        guild = self.guild(guild_id)
        role = guild.roles[role_id]
        if permissions is not None:
            role.permissions = permissions
        if position is not None:
            role.position = position
        await self.gateway.dispatch_guild(
            guild.id, "GUILD_ROLE_UPDATE", payloads.role_event(guild, role), INTENT_GUILDS
        )
        return role

    async def add_channel(
        self,
        name: str,
        *,
        channel_id: int | None = None,
        guild_id: int = GUILD_ID,
        type: int = 0,
    ) -> Channel:
        guild = self.guild(guild_id)
        channel = self.world.add_channel(guild, channel_id, name, type=type)
        await self.gateway.dispatch_guild(
            guild.id, "CHANNEL_CREATE", payloads.channel_event(channel), INTENT_GUILDS
        )
        return channel

    async def remove_channel(self, channel_id: int) -> None:
        """The channel is deleted (CHANNEL_DELETE); posting to it then answers 404 Unknown Channel."""
        channel = self.world.channels.pop(channel_id)
        self.world.guilds[channel.guild_id].channels.pop(channel_id)
        await self.gateway.dispatch_guild(
            channel.guild_id, "CHANNEL_DELETE", payloads.channel_event(channel), INTENT_GUILDS
        )

    async def deny_bot(
        self,
        channel_id: int,
        deny: int = Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES,
        *,
        app: Application | None = None,
    ) -> None:
        """Take permissions from the bot in one channel (CHANNEL_UPDATE); posts then answer 403."""
        channel = self.world.channels[channel_id]
        bot_id = (app or self.app).bot.id
        channel.overwrites = [o for o in channel.overwrites if o.id != bot_id] + [
            Overwrite(bot_id, 1, deny=deny)
        ]
        await self.gateway.dispatch_guild(
            channel.guild_id, "CHANNEL_UPDATE", payloads.channel_event(channel), INTENT_GUILDS
        )
