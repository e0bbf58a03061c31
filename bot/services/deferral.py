"""Answers in time: Discord drops an answer that comes more than 3 seconds after the
interaction, and the member sees "The application did not respond" even though the gift behind
it was sent.

So every command (and every button that writes) is armed when it arrives: if its answer is not
on its way after `DEFER_AFTER_SECONDS` (a ledger waiting for a lock, a slow disk, a restarting
PostgreSQL), the interaction is deferred: Discord shows "giftcord is thinking…", and the
answer completes it when it is ready, within Discord's 15 minutes (`bot.ui.answer.respond`).
The placeholder shows the way the command's usual answer does: publicly for `/gift` (its
announcement completes it in place, one request), privately for the rest. An answer shown the
other way (a refused gift's sentence) replaces the placeholder with a new message.

Arming costs one timer per interaction, cancelled by the answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord

from bot.ui.answer import DEFERRAL_KEY, is_redelivery

# Discord's deadline is 3 s from the interaction's creation; the gateway's delivery and the
# deferral's own round trip come out of it, so giftcord defers well before.
DEFER_AFTER_SECONDS = 2.0


class Deferral:
    """One interaction's deferral: armed on arrival, fired by the timer or by `defer`, settled
    by the answer.

    It is kept in the interaction's `extras`, so it holds no reference to the interaction
    itself (that would be a reference cycle per interaction, left to the cyclic garbage
    collector): the timer carries the interaction until it fires or is cancelled."""

    __slots__ = ("_deferring", "_timer", "ephemeral")

    def __init__(
        self, interaction: discord.Interaction, delay: float | None, *, ephemeral: bool = True
    ) -> None:
        self._deferring: asyncio.Task[Any] | None = None
        self.ephemeral: bool | None = None  # how the deferral showed; None = not deferred
        self._timer = (
            None
            if delay is None
            else asyncio.get_running_loop().call_later(delay, self._start, interaction, ephemeral)
        )

    def _start(self, interaction: discord.Interaction, ephemeral: bool) -> None:
        self._timer = None
        if self._deferring is None and not interaction.response.is_done():
            self.ephemeral = ephemeral
            self._deferring = asyncio.create_task(
                interaction.response.defer(ephemeral=ephemeral, thinking=True)
            )

    async def defer(self, interaction: discord.Interaction, ephemeral: bool) -> None:
        """Defer now (a command that knows its work is slow): shown as `ephemeral` unless the
        timer deferred first."""
        self.disarm()
        self._start(interaction, ephemeral)
        await self.settle()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def settle(self) -> bool | None:
        """Before the answer: no deferral from now on; when one was sent, wait for it and say
        how it showed (True ephemeral, False public). None: not deferred, answer directly."""
        self.disarm()
        if self._deferring is None:
            return None
        try:
            await self._deferring
        except discord.HTTPException as exc:
            if not is_redelivery(exc):
                raise
        return self.ephemeral


# `app_commands.command(extras={PUBLIC_ANSWER: True})`: the command's usual answer is public (a
# gift's announcement), so a deferral shows publicly and the answer completes it in place; a
# refusal then replaces the placeholder with a private sentence. Every other command defers
# privately.
PUBLIC_ANSWER = "giftcord.public_answer"


def arm(interaction: discord.Interaction, *, public: bool = False) -> None:
    """On arrival: defer this interaction if its answer is not on its way in time, shown the
    way its usual answer is."""
    interaction.extras[DEFERRAL_KEY] = Deferral(
        interaction, DEFER_AFTER_SECONDS, ephemeral=not public
    )


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Defer on purpose (work known to take a while, such as a chart); answer with `respond`."""
    found = interaction.extras.get(DEFERRAL_KEY)
    if not isinstance(found, Deferral):
        found = interaction.extras[DEFERRAL_KEY] = Deferral(interaction, None)
    await found.defer(interaction, ephemeral)
