"""Who is a moderator: Manage Server permission or the server's configured moderator role.

Checked in code on every moderator command and every moderator button press —
`default_permissions` on a command is only a hint that server admins can override."""

from __future__ import annotations

import discord

from bot.economy.errors import NoPrivateMessageError, NotModerator
from bot.economy.ledger import Ledger
from bot.economy.reads import GetGuildSettings


def is_moderator(member: discord.Member, mod_role_id: int | None) -> bool:
    if member.guild_permissions.manage_guild:
        return True
    return mod_role_id is not None and any(r.id == mod_role_id for r in member.roles)


async def require_moderator(interaction: discord.Interaction, ledger: Ledger) -> discord.Member:
    """The invoking moderator, or NotModerator (an ephemeral refusal) for anyone else."""
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        raise NoPrivateMessageError()
    settings = await ledger.run(GetGuildSettings(interaction.guild.id))
    if not is_moderator(member, settings.mod_role_id):
        raise NotModerator()
    return member


async def invoker_is_moderator(interaction: discord.Interaction, ledger: Ledger) -> bool:
    """Whether the invoker is a moderator here (False outside a server); never refuses."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    settings = await ledger.run(GetGuildSettings(interaction.guild_id))
    return is_moderator(member, settings.mod_role_id)
