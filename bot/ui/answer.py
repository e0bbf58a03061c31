"""The first answer to an interaction, deferred or not (bot/services/deferral.py defers one
whose answer is slow): every first answer goes through `respond`, which settles a deferral before
it sends, so the deferral and the answer never race for Discord's one initial response.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import discord

log = logging.getLogger("giftcord.answer")

# Where an interaction keeps its deferral (`Interaction.extras`).
DEFERRAL_KEY = "giftcord.deferral"

# Discord's "Interaction has already been acknowledged": another delivery of the SAME interaction
# (a gateway redelivery) answered first.
ALREADY_ACKNOWLEDGED = 40060


def is_redelivery(error: BaseException) -> bool:
    return isinstance(error, discord.HTTPException) and error.code == ALREADY_ACKNOWLEDGED


class Pending(Protocol):
    async def settle(self) -> bool | None:
        """No deferral from now on; when one was sent, how it showed (True ephemeral, False
        public); None when the interaction was not deferred."""


async def settle(interaction: discord.Interaction) -> bool | None:
    pending: Pending | None = interaction.extras.get(DEFERRAL_KEY)
    return None if pending is None else await pending.settle()


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = False,
    **kwargs: Any,
) -> int | None:
    """The interaction's answer (`send_message`'s options), whether or not it was deferred.

    Returns the id of the message the answer posted, or None when another delivery of the same
    interaction already answered (a redelivery: the member saw the first answer, and the
    idempotent write changed nothing the second time)."""
    deferred = await settle(interaction)
    try:
        if deferred is None and not interaction.response.is_done():
            callback = await interaction.response.send_message(
                content, ephemeral=ephemeral, **kwargs
            )
            return callback.message_id
        if deferred is not None and deferred != ephemeral:
            # The placeholder showed the other way: it goes, and the answer is a new message.
            await interaction.delete_original_response()
        # Completes the placeholder, or (already answered: an error after the answer) follows it.
        if content is not None:
            kwargs["content"] = content
        message = await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
        return message.id
    except discord.HTTPException as exc:
        if not is_redelivery(exc):
            raise
        log.info("interaction %s was already answered (a redelivery)", interaction.id)
        return None
