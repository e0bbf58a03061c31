"""`/creator register` (country, payout method and the 18+ confirmation) and `/creator status`
(the eligibility checklist)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy import rules
from bot.economy.countries import country_name, search_countries
from bot.economy.errors import AgeConfirmationRequired, InvalidInput
from bot.economy.ledger import Account, PayoutMethod
from bot.economy.reads import GetAccount
from bot.economy.requests import ConfirmAge, RegisterCreator
from bot.services import Services
from bot.ui import embeds_creator
from bot.ui import format as fmt
from bot.ui.confirm import ConfirmView
from bot.ui.context import guild_id, respond

AGE_LABEL = "I am 18 or older"
METHOD_CHOICES = [
    app_commands.Choice(name="PayPal", value="paypal"),
    app_commands.Choice(name="Bank account", value="bank"),
]


def resolve_country(text: str) -> str:
    """The ISO code for an autocomplete value (`DE`) or a typed name (`Germany`)."""
    raw = text.strip()
    if country_name(raw):
        return raw.upper()
    hits = search_countries(raw, limit=2)
    exact = [code for code, name in hits if name.casefold() == raw.casefold()]
    if exact:
        return exact[0]
    if len(hits) == 1:
        return hits[0][0]
    raise InvalidInput(
        f"“{fmt.clip(raw, 40)}” is not a country I know — pick one from the list as you type."
    )


class CreatorCog(commands.Cog, name="Creator"):
    creator = app_commands.Group(
        name="creator",
        description="Register as a creator and check cash-out eligibility",
        guild_only=True,
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    def _status(self, user: discord.abc.User, account: Account, *, own: bool) -> discord.Embed:
        items = rules.eligibility(
            self.services.economy,
            account,
        )
        return embeds_creator.status(user, account, items, own=own)

    @creator.command(
        name="register", description="Record your country and payout method for cash-outs"
    )
    @app_commands.describe(
        country="Where you live (start typing; ISO country code)",
        method="How a (demo) payout would reach you",
    )
    @app_commands.choices(method=METHOD_CHOICES)
    async def register(self, interaction: discord.Interaction, country: str, method: str) -> None:
        ledger, gid, user = self.services.ledger, guild_id(interaction), interaction.user
        code, payout_method = resolve_country(country), PayoutMethod(method)

        async def register_now() -> discord.Embed:
            account = await ledger.run(
                RegisterCreator(gid, user.id, country=code, method=payout_method)
            )
            return self._status(user, account, own=True)

        async def confirm_age_and_register(_: discord.Interaction) -> tuple[str, discord.Embed]:
            await ledger.run(ConfirmAge(gid, user.id))
            return "Thanks — you are registered and your age is confirmed.", await register_now()

        try:
            embed = await register_now()
            needs_age = not (await ledger.run(GetAccount(gid, user.id))).age_confirmed
        except AgeConfirmationRequired:
            needs_age = True
        if needs_age:
            # The designed 18+ flow: the press records the answer and completes registration.
            view = ConfirmView(user.id, confirm_age_and_register, confirm_label=AGE_LABEL)
            answered = await respond(
                interaction,
                content=f"One more step: collecting diamonds and cashing out need a one-time confirmation "
                f"that you are 18 or older. Country: {country_name(code)} ({code}), "
                f"method: {embeds_creator.METHODS[payout_method.value]}.",
                view=view,
                ephemeral=True,
            )
            if answered:
                view.message = await interaction.original_response()
            return
        await respond(interaction, content="You are registered.", embed=embed, ephemeral=True)

    @register.autocomplete("country")
    async def country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{name} ({code})", value=code)
            for code, name in search_countries(current, limit=25)
        ]

    @creator.command(
        name="status", description="The cash-out eligibility checklist, ✅/❌ per rule"
    )
    @app_commands.describe(member="Whose status (default: yours)")
    async def status(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        target: discord.abc.User = member or interaction.user
        account = await self.services.ledger.run(GetAccount(guild_id(interaction), target.id))
        embed = self._status(target, account, own=target.id == interaction.user.id)
        await respond(interaction, embed=embed, ephemeral=True)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(CreatorCog(bot.services))
