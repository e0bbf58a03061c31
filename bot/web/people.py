"""Who the public pages may show, from the running bot's member cache: display names and
avatars only, members who left and bots hidden. The one module of bot/web that knows discord.py."""

from __future__ import annotations

import discord

from bot.web.public import Person


class DiscordPeople:
    """`bot/web/public.Directory` backed by a connected discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def guild_name(self, guild_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        return None if guild is None else guild.name

    def person(self, guild_id: int, user_id: int) -> Person | None:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return None
        member = guild.get_member(user_id)
        if member is None:
            if self.client.intents.members:
                return None  # the cache is complete: not in the server any more
            # Without the members intent the cache cannot tell who left; the ledger's own
            # departed flag (set on member-remove events) already hid those it knows of.
            user = self.client.get_user(user_id)
            return Person(user.display_name if user else "A member", None)
        if member.bot:
            return None
        avatar = member.display_avatar.url if (member.guild_avatar or member.avatar) else None
        return Person(member.display_name, avatar)
