"""`/cashout estimate`, `/cashout request`, `/cashout history` — demo cash-outs of diamonds."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy import rules
from bot.economy.ledger import PayoutMethod
from bot.economy.reads import CashoutRequestedToday, GetAccount, ListCashouts
from bot.economy.requests import RequestCashout
from bot.services import Services
from bot.ui import embeds_creator
from bot.ui.context import amount as parse_amount
from bot.ui.context import guild_id, key, respond
from bot.ui.pagination import send_paginated

METHOD_CHOICES = [
    app_commands.Choice(name="PayPal", value="paypal"),
    app_commands.Choice(name="Bank account", value="bank"),
]


class CashoutCog(commands.Cog, name="Cashout"):
    cashout = app_commands.Group(
        name="cashout",
        description="Estimate and request demo cash-outs of diamonds",
        guild_only=True,
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @cashout.command(
        name="estimate", description="What your diamonds would pay out (demo estimate)"
    )
    @app_commands.describe(diamonds="How many diamonds, e.g. 20000 or 20k (default: your balance)")
    async def estimate(self, interaction: discord.Interaction, diamonds: str | None = None) -> None:
        cfg, ledger, gid = self.services.economy, self.services.ledger, guild_id(interaction)
        uid = interaction.user.id
        account = await ledger.run(GetAccount(gid, uid))
        amount = (
            parse_amount(diamonds, cfg.max_balance, "diamonds")
            if diamonds is not None
            else account.diamonds
        )
        checklist = rules.eligibility(
            cfg,
            account,
        )
        requested = await ledger.run(CashoutRequestedToday(gid, uid))
        est = rules.cashout_estimate(cfg, amount, requested, checklist)
        await respond(interaction, embed=embeds_creator.estimate(est), ephemeral=True)

    @cashout.command(name="request", description="Request a demo cash-out; a moderator reviews it")
    @app_commands.describe(
        diamonds="How many diamonds to cash out, e.g. 20000 or 20k",
        method="Where the (demo) payout goes",
    )
    @app_commands.choices(method=METHOD_CHOICES)
    async def request(
        self,
        interaction: discord.Interaction,
        diamonds: str,
        method: str,
    ) -> None:
        cfg = self.services.economy
        amount = parse_amount(diamonds, cfg.max_balance, "diamonds")
        payout = await self.services.ledger.run(
            RequestCashout(
                guild_id(interaction),
                interaction.user.id,
                key=key(interaction),
                diamonds=amount,
                method=PayoutMethod(method),
            )
        )
        await respond(
            interaction,
            content="Request received — a moderator will review it. "
            "Nothing real is paid: this is a demo.",
            embed=embeds_creator.payout(payout),
            ephemeral=True,
        )

    @cashout.command(name="history", description="Your cash-out requests and their state")
    async def history(self, interaction: discord.Interaction) -> None:
        ledger, gid, uid = self.services.ledger, guild_id(interaction), interaction.user.id

        async def render(number: int) -> tuple[discord.Embed, int]:
            page = await ledger.run(ListCashouts(gid, user_id=uid, page=number, per_page=10))
            return embeds_creator.payouts_page(page), page.pages

        await send_paginated(interaction, render, 1, ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(CashoutCog(bot.services))
