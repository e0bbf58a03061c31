"""Small helpers every cog uses to read an interaction: the server id, the invoker as a member,
whether the invoker is a moderator, and the amount parser bound to this server's maximum."""

from __future__ import annotations

import discord

from bot.economy.errors import NoPrivateMessageError
from bot.economy.ledger import Ledger
from bot.economy.money import parse_amount
from bot.permissions import is_moderator


def guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise NoPrivateMessageError()
    return interaction.guild_id


def key(interaction: discord.Interaction) -> str:
    """The idempotency key of a write: the Discord interaction id."""
    return str(interaction.id)


async def invoker_is_moderator(interaction: discord.Interaction, ledger: Ledger) -> bool:
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    settings = await ledger.guild_settings(guild_id(interaction))
    return is_moderator(member, settings.mod_role_id)


def amount(text: str, maximum: int, unit: str) -> int:
    return parse_amount(text, maximum=maximum, unit=unit)
