"""Small helpers every cog uses to read an interaction: the server id, the invoker as a member,
whether the invoker is a moderator, and the amount parser bound to this server's maximum."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.economy.errors import NoPrivateMessageError
from bot.economy.ledger import Ledger
from bot.economy.money import parse_amount
from bot.economy.reads import GetGuildSettings
from bot.permissions import is_moderator
from bot.ui.errors import is_redelivery

log = logging.getLogger("giftcord.context")


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
    settings = await ledger.run(GetGuildSettings(guild_id(interaction)))
    return is_moderator(member, settings.mod_role_id)


def amount(text: str, maximum: int, unit: str) -> int:
    return parse_amount(text, maximum=maximum, unit=unit)


async def respond(interaction: discord.Interaction, **kwargs: Any) -> bool:
    """`interaction.response.send_message(**kwargs)`, where a redelivered interaction that was
    already answered is not an error: the member saw the first answer and the idempotent write
    changed nothing the second time. False when that happened."""
    try:
        await interaction.response.send_message(**kwargs)
    except discord.HTTPException as exc:
        if not is_redelivery(exc):
            raise
        log.info("interaction %s was already answered (a redelivery)", interaction.id)
        return False
    return True
