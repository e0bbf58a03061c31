"""`/gifts`: the gift catalogue with prices, paginated with buttons."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.services import Services
from bot.ui import embeds_member
from bot.ui.pagination import send_paginated

PER_PAGE = 15


class CatalogueCog(commands.Cog, name="Catalogue"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="gifts", description="The gift catalogue with coin prices")
    @app_commands.guild_only()
    @app_commands.describe(page="Which page of the catalogue to open (default 1)")
    async def gifts(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1] | None = None
    ) -> None:
        catalog = self.services.catalog

        async def render(number: int) -> tuple[discord.Embed, int]:
            pages = catalog.pages(PER_PAGE)
            number = max(1, min(number, pages))
            items = list(catalog.page(number, PER_PAGE))
            return embeds_member.catalogue_page(items, number, pages, len(catalog)), pages

        await send_paginated(interaction, render, page or 1, ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(CatalogueCog(bot.services))
