"""Small helpers every cog uses to read and answer an interaction: the server id, the
idempotency key, the amount parser bound to this server's maximum, and the first answer."""

from __future__ import annotations

import discord

from bot.economy.errors import NoPrivateMessageError
from bot.economy.money import parse_amount
from bot.ui.answer import respond

__all__ = ["amount", "guild_id", "key", "respond"]


def guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise NoPrivateMessageError()
    return interaction.guild_id


def key(interaction: discord.Interaction) -> str:
    """The idempotency key of a write: the Discord interaction id."""
    return str(interaction.id)


def amount(text: str, maximum: int, unit: str) -> int:
    return parse_amount(text, maximum=maximum, unit=unit)
