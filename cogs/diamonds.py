"""`/diamonds balance` and `/diamonds stats` (a PNG chart of diamonds per day, top gifts, top
supporters, and the same numbers as text for screen readers)."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import InvalidInput
from bot.economy.reads import EarningsPerDay, GetAccount, TopGifts, TopSupporters
from bot.economy.requests import ExchangeDiamonds
from bot.services import Services
from bot.services.deferral import defer
from bot.ui import embeds_creator, embeds_member
from bot.ui.charts import CHART_FILENAME, render_earnings
from bot.ui.confirm import ConfirmView
from bot.ui.context import amount as parse_amount
from bot.ui.context import guild_id, key, respond

DAY_CHOICES = [app_commands.Choice(name=f"{d} days", value=d) for d in (7, 30, 90)]
# An exchange above this many diamonds asks first (a typo of one zero is a lot of diamonds).
CONFIRM_EXCHANGE_ABOVE = 10_000


class DiamondsCog(commands.Cog, name="Diamonds"):
    diamonds = app_commands.Group(
        name="diamonds", description="Your diamonds and where they come from", guild_only=True
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @diamonds.command(name="balance", description="Diamonds, lifetime earned and their USD value")
    @app_commands.describe(member="Whose diamonds (default: yours)")
    async def balance(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        target: discord.abc.User = member or interaction.user
        own = target.id == interaction.user.id
        account = await self.services.ledger.run(GetAccount(guild_id(interaction), target.id))
        embed = embeds_member.diamonds(target, account, self.services.economy, own=own)
        await respond(interaction, embed=embed, ephemeral=own)

    @diamonds.command(
        name="stats", description="Diamonds per day as a chart, top gifts and top supporters"
    )
    @app_commands.describe(
        member="Whose earnings (default: yours)", days="How many days back (default 30)"
    )
    @app_commands.choices(days=DAY_CHOICES)
    async def stats(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        days: int = 30,
    ) -> None:
        ledger, gid = self.services.ledger, guild_id(interaction)
        target: discord.abc.User = member or interaction.user
        own = target.id == interaction.user.id
        if days not in (7, 30, 90):  # only a modified client can send another value
            raise InvalidInput("Pick 7, 30 or 90 days.")
        await defer(interaction, ephemeral=own)
        per_day = await ledger.run(EarningsPerDay(gid, target.id, days))
        gifts = await ledger.run(TopGifts(gid, target.id, days))
        supporters = await ledger.run(TopSupporters(gid, target.id, days))
        # matplotlib blocks: render in a worker thread, never on the event loop.
        png = await asyncio.to_thread(
            render_earnings, per_day, f"Diamonds per day — last {days} days"
        )
        embed = embeds_creator.stats(
            target, days, per_day, gifts, supporters, chart_file=CHART_FILENAME
        )
        chart = discord.File(
            io.BytesIO(png), filename=CHART_FILENAME, description="Bar chart of diamonds per day"
        )
        await respond(
            interaction,
            embed=embed,
            file=chart,
            ephemeral=own,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @diamonds.command(name="exchange", description="Turn diamonds into coins to send as gifts")
    @app_commands.describe(diamonds="How many diamonds, e.g. 20000 or 20k")
    async def exchange(self, interaction: discord.Interaction, diamonds: str) -> None:
        cfg, gid, user_id = self.services.economy, guild_id(interaction), interaction.user.id
        wanted = parse_amount(diamonds, cfg.max_balance, "diamonds")
        # The command's id is the key, so a second press of Confirm exchanges nothing more.
        request = ExchangeDiamonds(gid, user_id, key=key(interaction), diamonds=wanted)

        async def exchange_now(_: discord.Interaction) -> tuple[str | None, discord.Embed]:
            return None, embeds_member.exchange(await self.services.ledger.run(request))

        if wanted <= CONFIRM_EXCHANGE_ABOVE:
            _, embed = await exchange_now(interaction)
            await respond(interaction, embed=embed, ephemeral=True)
            return
        view = ConfirmView(user_id, exchange_now, confirm_label="Exchange")
        question = embeds_member.exchange_question(wanted, cfg.exchange_diamonds_per_coin)
        if await respond(interaction, embed=question, view=view, ephemeral=True):
            view.message = await interaction.original_response()


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(DiamondsCog(bot.services))
