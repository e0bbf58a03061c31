"""Previous / next buttons for any paginated embed (catalogue, leaderboards, history, audit).

The caller gives a `render(page) -> (embed, pages)` coroutine; only the member who ran the
command may turn pages (others are told so, ephemerally)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import discord

from bot.ui.answer import respond
from bot.ui.errors import GiftcordView

Render = Callable[[int], Awaitable[tuple[discord.Embed, int]]]


class Paginator(GiftcordView):
    def __init__(
        self, owner_id: int, render: Render, page: int, pages: int, *, timeout: float = 300
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.render = render
        self.page = page
        self.pages = pages
        self.message: discord.InteractionMessage | discord.Message | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages
        self.position.label = f"{self.page} / {self.pages}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await respond(
                interaction,
                "These buttons belong to whoever ran the command — run it yourself to browse.",
                ephemeral=True,
            )
            return False
        return True

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        embed, self.pages = await self.render(page)
        self.page = max(1, min(page, self.pages))
        self._sync_buttons()
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._turn(interaction, self.page - 1)

    @discord.ui.button(label="1 / 1", style=discord.ButtonStyle.secondary, disabled=True)
    async def position(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()  # a label, never enabled

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._turn(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            # The message is gone or the token expired: nothing left to disable if it fails.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)


async def send_paginated(
    interaction: discord.Interaction, render: Render, page: int, *, ephemeral: bool
) -> None:
    """Reply with page `page` (clamped) and buttons when there is more than one page."""
    page = max(1, page)
    embed, pages = await render(page)
    if page > pages:  # asked past the end: show the last page instead
        page = pages
        embed, pages = await render(page)
    if pages <= 1:
        await respond(interaction, embed=embed, ephemeral=ephemeral)
        return
    view = Paginator(interaction.user.id, render, page, pages)
    await respond(interaction, embed=embed, view=view, ephemeral=ephemeral)
    view.message = await interaction.original_response()
