"""`/balance`: own coins, diamonds, USD value and rank (ephemeral); another member's public
profile, with their coin balance only for moderators."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.ledger import Board, Period
from bot.economy.reads import GetAccount, GetRank
from bot.permissions import invoker_is_moderator
from bot.services import Services
from bot.ui import embeds_member
from bot.ui.context import guild_id, respond


class BalanceCog(commands.Cog, name="Balance"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="balance", description="Your coins, diamonds and rank — or another member's profile"
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Whose profile to show (default: your own balance)")
    async def balance(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        ledger, gid = self.services.ledger, guild_id(interaction)
        if member is None or member.id == interaction.user.id:
            account = await ledger.run(GetAccount(gid, interaction.user.id))
            gifter = await ledger.run(GetRank(gid, interaction.user.id, Board.GIFTERS, Period.ALL))
            creator = await ledger.run(
                GetRank(gid, interaction.user.id, Board.CREATORS, Period.ALL)
            )
            embed = embeds_member.balance(account, self.services.economy, gifter, creator)
            await respond(interaction, embed=embed, ephemeral=True)
            return
        account = await ledger.run(GetAccount(gid, member.id))
        creator = await ledger.run(GetRank(gid, member.id, Board.CREATORS, Period.ALL))
        moderator = await invoker_is_moderator(interaction, ledger)
        embed = embeds_member.profile(
            member,
            account,
            show_coins=moderator,
            creator_rank=creator,
            level=self.services.level_table.level(account.coins_spent),
        )
        # The profile is public information; with the coin balance it is for the moderator only.
        await respond(interaction, embed=embed, ephemeral=moderator)


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(BalanceCog(bot.services))
