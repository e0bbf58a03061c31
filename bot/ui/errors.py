"""The one place errors become replies, for slash commands and for buttons alike.

Order of cases (first match wins):
0. Discord's "already acknowledged" (40060) → nothing: a redelivered interaction whose first
   delivery already answered; the idempotent write behind it changed nothing the second time.
   Discord's "unknown interaction" (10062) → a warning in the log: the interaction expired
   before the answer, so no reply can reach the member any more.
1. `EconomyError` (domain refusals, storage faults) → its own sentence, ephemeral.
2. discord.py argument errors (`TransformerError`, a value Discord should have validated) →
   a sentence naming the option, ephemeral.
3. `CheckFailure` / `CommandOnCooldown` / `NoPrivateMessage` → a sentence, ephemeral.
4. Anything else → a short apology with an incident id, ephemeral; the traceback goes to the log
   under the same id. Exception text never reaches the user. The apology does not claim that
   nothing changed: the failure may come after a committed write (a reply that could not be
   sent), so it points at `/history`, which always tells the truth.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.economy.errors import EconomyError
from bot.ui.answer import is_redelivery, respond

log = logging.getLogger("giftcord.errors")

# "Unknown interaction": the 3-second (or 15-minute follow-up) window closed before we answered.
INTERACTION_EXPIRED = 10062


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
        f"Sorry — something went wrong on our side (incident id `{incident}`; a server admin "
        "can find it in the bot's log). Check `/history` before trying again.",
        incident,
    )


async def reply_with_error(interaction: discord.Interaction, error: BaseException) -> None:
    cause = _unwrap(error)
    if is_redelivery(cause):
        log.info("interaction %s was already answered (a redelivery)", interaction.id)
        return
    if isinstance(cause, discord.NotFound) and cause.code == INTERACTION_EXPIRED:
        log.warning("interaction %s expired before giftcord could answer it", interaction.id)
        return
    text, _ = sentence_for(error)
    try:
        await respond(interaction, content=text, ephemeral=True)
    except discord.HTTPException:
        # The interaction expired or Discord refused: the log is all we have left.
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


class GiftcordView(discord.ui.View):
    """Base view: button errors go through the same mapper as commands."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await reply_with_error(interaction, error)
