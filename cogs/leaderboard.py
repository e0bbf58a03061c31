"""`/leaderboard`: top 10 gifters or creators per period (or per event), with pages and the
caller's own rank. Also keeps the departed flag in step with member joins and leaves so
leaderboards hide members who left (their ledger stays)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.errors import NotFound
from bot.economy.ledger import Board, Period
from bot.economy.reads import GetEvent, GetLeaderboard, GetRank, LifetimeSpent, ListEvents
from bot.economy.requests import SetDeparted
from bot.economy.text import parse_id, public_text
from bot.services import Services
from bot.ui import embeds_creator
from bot.ui import format as fmt
from bot.ui.context import guild_id
from bot.ui.pagination import send_paginated

PERIOD_LABELS = {"today": "today", "week": "this week", "month": "this month", "all": "all time"}


class LeaderboardCog(commands.Cog, name="Leaderboard"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="leaderboard", description="Top gifters or creators — never pings anyone"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        board="Gifters (coins gifted) or creators (diamonds earned); default creators",
        period="Which time span; default all time",
        event="Only gifts during this event",
    )
    @app_commands.choices(
        board=[
            app_commands.Choice(name="Gifters", value="gifters"),
            app_commands.Choice(name="Creators", value="creators"),
        ],
        period=[
            app_commands.Choice(name="Today", value="today"),
            app_commands.Choice(name="This week", value="week"),
            app_commands.Choice(name="This month", value="month"),
            app_commands.Choice(name="All time", value="all"),
        ],
    )
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        board: str = "creators",
        period: str = "all",
        event: str | None = None,
    ) -> None:
        ledger, gid, uid = self.services.ledger, guild_id(interaction), interaction.user.id
        board_, period_ = Board(board), Period(period)
        event_id: int | None = None
        event_name: str | None = None
        if event:
            found = None
            if (typed_id := parse_id(event)) is not None:
                found = await ledger.run(GetEvent(gid, typed_id))
            if found is None:
                typed_name = (public_text(event) or "").casefold()
                found = next(
                    (
                        e
                        for e in await ledger.run(ListEvents(gid))
                        if e.name.casefold() == typed_name
                    ),
                    None,
                )
            if found is None:
                raise NotFound("There is no such event in this server — pick one from the list.")
            event_id, event_name = found.id, found.name
        caller_rank = await ledger.run(GetRank(gid, uid, board_, period_, event_id))

        async def render(number: int) -> tuple[discord.Embed, int]:
            page = await ledger.run(
                GetLeaderboard(gid, board_, period_, event_id=event_id, page=number, per_page=10)
            )
            spent = await ledger.run(LifetimeSpent(gid, tuple(r.user_id for r in page.items)))
            table = self.services.level_table
            embed = embeds_creator.leaderboard_page(
                board_,
                PERIOD_LABELS[period_.value],
                page,
                caller_id=uid,
                caller_rank=caller_rank,
                event_name=event_name,
                levels={user: table.level(coins) for user, coins in spent.items()},
            )
            return embed, page.pages

        await send_paginated(interaction, render, 1, ephemeral=False)

    @leaderboard.autocomplete("event")
    async def event_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        q = current.strip().casefold()
        events = await self.services.ledger.run(ListEvents(guild_id(interaction), limit=25))
        return [
            app_commands.Choice(
                name=fmt.clip(f"{e.name} ({'live' if e.live else 'ended'})", 100), value=str(e.id)
            )
            for e in events
            if not q or q in e.name.casefold() or q == str(e.id)
        ][:25]

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        await self.services.ledger.run(SetDeparted(member.guild.id, member.id, True))

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.services.ledger.run(SetDeparted(member.guild.id, member.id, False))


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(LeaderboardCog(bot.services))
