"""Small helpers every cog uses to read and answer an interaction: the server id, the
idempotency key, the amount parser bound to this server's maximum, and the first answer."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.economy.errors import NoPrivateMessageError
from bot.economy.money import parse_amount
from bot.ui.errors import is_redelivery

log = logging.getLogger("giftcord.context")


def guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise NoPrivateMessageError()
    return interaction.guild_id


def key(interaction: discord.Interaction) -> str:
    """The idempotency key of a write: the Discord interaction id."""
    return str(interaction.id)


def amount(text: str, maximum: int, unit: str) -> int:
    return parse_amount(text, maximum=maximum, unit=unit)


async def respond(
    interaction: discord.Interaction, **kwargs: Any
) -> discord.InteractionCallbackResponse[discord.Client] | None:
    """`interaction.response.send_message(**kwargs)`, where a redelivered interaction that was
    already answered is not an error: the member saw the first answer and the idempotent write
    changed nothing the second time. None when that happened, else Discord's answer (which
    carries the posted message's id)."""
    try:
        return await interaction.response.send_message(**kwargs)
    except discord.HTTPException as exc:
        if not is_redelivery(exc):
            raise
        log.info("interaction %s was already answered (a redelivery)", interaction.id)
        return None
