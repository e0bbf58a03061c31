"""The one place errors become replies, for slash commands and for buttons alike.

Order of cases (first match wins):
0. Discord's "already acknowledged" (40060) → nothing: a redelivered interaction whose first
   delivery already answered; the idempotent write behind it changed nothing the second time.
1. `EconomyError` (domain refusals, storage faults) → its own sentence, ephemeral.
2. discord.py argument errors (`TransformerError`, a value Discord should have validated) →
   a sentence naming the option, ephemeral.
3. `CheckFailure` / `CommandOnCooldown` / `NoPrivateMessage` → a sentence, ephemeral.
4. Anything else → a short apology with an incident id, ephemeral; the traceback goes to the log
   under the same id. Exception text never reaches the user.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.economy.errors import EconomyError

log = logging.getLogger("giftcord.errors")

# Discord's "Interaction has already been acknowledged": another delivery of the SAME interaction
# (a gateway redelivery) answered first.
ALREADY_ACKNOWLEDGED = 40060


def is_redelivery(error: BaseException) -> bool:
    return isinstance(error, discord.HTTPException) and error.code == ALREADY_ACKNOWLEDGED


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


def sentence_for(error: BaseException) -> tuple[str, str | None]:
    """(what the user reads, incident id or None)."""
    error = _unwrap(error)
    if isinstance(error, EconomyError):
        return error.message, None
    if isinstance(error, app_commands.TransformerError):
        cause = error.__cause__
        if isinstance(cause, EconomyError):
            return cause.message, None
        return f"“{str(error.value)[:60]}” isn't a valid value for that option.", None
    if isinstance(error, app_commands.NoPrivateMessage):
        return "giftcord works inside a server — run this command there.", None
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down — try again in {error.retry_after:.0f} s.", None
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", None
    incident = secrets.token_hex(4)
    log.error("incident %s: unexpected error", incident, exc_info=error)
    return (
        f"Sorry — something went wrong on our side and nothing was changed. "
        f"Incident id `{incident}`: a server admin can find it in the bot's log.",
        incident,
    )


async def reply_with_error(interaction: discord.Interaction, error: BaseException) -> None:
    if is_redelivery(_unwrap(error)):
        log.info("interaction %s was already answered (a redelivery)", interaction.id)
        return
    text, _ = sentence_for(error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        # The interaction expired or Discord refused: the log is all we have left.
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


class GiftcordView(discord.ui.View):
    """Base view: button errors go through the same mapper as commands."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await reply_with_error(interaction, error)
