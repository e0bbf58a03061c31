"""`/coins buy` and `/coins packages`: demo coin purchases.

A purchase above the confirmation threshold asks with a Confirm button; the first purchase asks
for the one-time 18+ confirmation with an "I am 18 or older" button whose press records the
answer AND completes the purchase that asked (keyed by the command's interaction id, so a double
press never buys twice)."""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy import rules
from bot.economy.config import EconomyConfig
from bot.economy.errors import AgeConfirmationRequired, InvalidInput
from bot.economy.reads import GetAccount, GetLiveEvent, SpentToday
from bot.economy.requests import ConfirmAge, Purchase
from bot.services import Services
from bot.ui import embeds_member
from bot.ui import format as fmt
from bot.ui.confirm import ConfirmView
from bot.ui.context import amount as parse_amount
from bot.ui.context import guild_id, key, respond

AGE_LABEL = "I am 18 or older"


def package_choices(cfg: EconomyConfig) -> list[app_commands.Choice[Any]]:
    """`/coins buy package:` choices: this configuration's packages (TikTok's by default)."""
    return [
        app_commands.Choice(name=f"{fmt.coins(p.coins)} — {fmt.usd(p.usd)}", value=p.coins)
        for p in cfg.coin_packages()
    ]


class CoinsCog(commands.Cog, name="Coins"):
    coins = app_commands.Group(
        name="coins", description="Buy demo coins and see the price list", guild_only=True
    )

    def __init__(self, services: Services) -> None:
        self.services = services
        # The choices are configuration, known only now: discord.py reads them from the
        # command's parameter (for the synced schema and for checking an incoming value), and
        # each cog instance has its own copy of the command and its parameter table.
        params = self.buy._params
        params["package"] = dataclasses.replace(
            params["package"], choices=package_choices(services.economy)
        )

    @coins.command(name="packages", description="The coin package price list (demo prices)")
    async def packages(self, interaction: discord.Interaction) -> None:
        cfg = self.services.economy
        await respond(
            interaction,
            embed=embeds_member.packages(cfg, cfg.coin_packages(), self.services.clock()),
            ephemeral=True,
        )

    @coins.command(name="buy", description="Buy demo coins: a package or a custom amount")
    @app_commands.describe(
        package="A coin package (pick one — or type an amount instead)",
        amount="A custom number of coins, e.g. 1500, 1,500 or 1.5k",
    )
    async def buy(
        self,
        interaction: discord.Interaction,
        package: int | None = None,
        amount: str | None = None,
    ) -> None:
        cfg, ledger, gid = self.services.economy, self.services.ledger, guild_id(interaction)
        if (package is None) == (amount is None):
            raise InvalidInput(
                "Choose a `package` or type an `amount` (like `1.5k`) — exactly one of them."
            )
        if package is not None:
            quote = rules.quote_package(cfg, package)
        else:
            quote = rules.quote_custom(cfg, parse_amount(amount or "", cfg.max_balance, "coins"))
        user_id, purchase_key = interaction.user.id, key(interaction)

        async def buy_now() -> discord.Embed:
            result = await ledger.run(
                Purchase(gid, user_id, key=purchase_key, coins=quote.coins, package=quote.package)
            )
            return embeds_member.purchase(result)

        async def confirm_age_and_buy(_: discord.Interaction) -> tuple[str | None, discord.Embed]:
            await ledger.run(ConfirmAge(gid, user_id))
            return "Thanks — your age is confirmed.", await buy_now()

        async def confirmed(_: discord.Interaction) -> tuple[str | None, discord.Embed]:
            return None, await buy_now()

        async def ask(view: ConfirmView, *, age: bool) -> None:
            event = await ledger.run(GetLiveEvent(gid))
            spent = await ledger.run(SpentToday(gid, user_id))
            # Refuse now rather than ask a question whose answer can only be refused.
            now = self.services.clock()
            rules.check_spend(cfg, spent, quote, now)
            remaining = rules.remaining_spend(cfg, spent)
            offer = rules.purchase_bonus(cfg, quote.coins, event.bonus_percent if event else 0, now)
            embed = embeds_member.purchase_question(quote, offer, remaining, age=age)
            if await respond(interaction, embed=embed, view=view, ephemeral=True):
                view.message = await interaction.original_response()

        if quote.usd > cfg.purchase_confirm_above_usd:
            account = await ledger.run(GetAccount(gid, user_id))
            if not account.age_confirmed:
                await ask(
                    ConfirmView(user_id, confirm_age_and_buy, confirm_label=AGE_LABEL), age=True
                )
            else:
                await ask(ConfirmView(user_id, confirmed, confirm_label="Confirm"), age=False)
            return
        try:
            embed = await buy_now()
        except AgeConfirmationRequired:
            # A designed flow, not a refusal: ask once, and the press completes this purchase.
            await ask(ConfirmView(user_id, confirm_age_and_buy, confirm_label=AGE_LABEL), age=True)
            return
        await respond(interaction, embed=embed, ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(CoinsCog(bot.services))
