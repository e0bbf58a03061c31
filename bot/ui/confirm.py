"""Confirm / cancel buttons usable only by the member who asked, disabled on timeout.

Used for purchases above the confirmation threshold and for large or destructive moderator
actions. The action runs inside the button press, so its reply replaces the question."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import discord

from bot.ui.answer import respond
from bot.ui.errors import GiftcordView

# Receives the button's interaction; returns the content / embed shown in place of the question.
Action = Callable[[discord.Interaction], Awaitable[tuple[str | None, discord.Embed | None]]]


class ConfirmView(GiftcordView):
    def __init__(
        self,
        owner_id: int,
        action: Action,
        *,
        confirm_label: str = "Confirm",
        check: Callable[[discord.Interaction], Awaitable[None]] | None = None,
        timeout: float = 120,
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.action = action
        self.check = check  # e.g. re-check moderator permission on the press itself
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self.done = False
        self.confirm.label = confirm_label

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await respond(interaction, "Only the member who asked can answer this.", ephemeral=True)
            return False
        if self.check is not None:
            await self.check(interaction)  # raises → mapped to a refusal by on_error
        return True

    def _disable(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        if self.done:
            await respond(interaction, "Already answered.", ephemeral=True)
            return
        self.done = True
        try:
            content, embed = await self.action(interaction)
        except BaseException:
            # A refused action (say, over the daily cap) leaves the question answerable: the
            # refusal is shown by the error mapper and the member can still cancel.
            self.done = False
            raise
        self._disable()
        self.stop()
        if interaction.response.is_done():
            await interaction.edit_original_response(content=content, embed=embed, view=self)
        else:
            await interaction.response.edit_message(content=content, embed=embed, view=self)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.done = True
        self._disable()
        self.stop()
        await interaction.response.edit_message(
            content="Cancelled — nothing was changed.", embed=None, view=self
        )

    async def on_timeout(self) -> None:
        self._disable()
        if self.message is not None and not self.done:
            # The ephemeral message expired: nothing to disable any more if it fails.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(content="Timed out — nothing was changed.", view=self)
