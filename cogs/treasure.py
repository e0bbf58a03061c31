"""`/treasure drop` and the Open button: TikTok's treasure box in a server.

The drop escrows the coins and posts a public box with an **Open** button; the button is a
`DynamicItem` whose custom id carries the box id, so it keeps working after a restart without
any stored view. The settlement, the timers and the posts are `bot/services/treasure.py`'s; a
sweep (`bot/services/sweeper.py`) looks for overdue boxes (its first run is right after
start-up, so a box that should have been split while the bot was down is split then, exactly
once).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot, turned_away
from bot.economy.errors import NotFound
from bot.economy.requests import DropTreasure, OpenTreasure
from bot.economy.treasure import (
    DEFAULT_MINUTES,
    DEFAULT_OPENERS,
    MAX_MINUTES,
    MAX_OPENERS,
    MIN_MINUTES,
    MIN_OPENERS,
)
from bot.services import Services
from bot.services.deferral import arm
from bot.services.sweeper import Sweeper
from bot.services.treasure import TreasureBoxes
from bot.ui.context import amount, guild_id, key, respond
from bot.ui.embeds_treasure import dropped_reply, opened_reply
from bot.ui.errors import reply_with_error

log = logging.getLogger("giftcord.treasure")

SWEEP_SECONDS = 20.0


class OpenButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"giftcord:treasure:(?P<box>\d+)",
):
    """The box's Open button; everything it needs is the box id in its custom id."""

    def __init__(self, box_id: int) -> None:
        self.box_id = box_id
        super().__init__(
            discord.ui.Button(
                label="Open",
                emoji="🎁",
                style=discord.ButtonStyle.success,
                custom_id=f"giftcord:treasure:{box_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenButton:
        return cls(int(match["box"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # A dynamic item's view has no error mapper of ours: route failures through the one.
        if await turned_away(interaction):
            return
        arm(interaction)  # the open is a write: deferred if the ledger is slow
        try:
            cog = interaction.client.get_cog(TreasureCog.__cog_name__)
            if not isinstance(cog, TreasureCog):  # pragma: no cover - unloaded mid-flight
                raise NotFound("Treasure boxes are not available right now — try again shortly.")
            await cog.open_box(interaction, self.box_id)
        except Exception as exc:  # noqa: BLE001 - mapped to a sentence or an incident id
            await reply_with_error(interaction, exc)


def open_view(box_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OpenButton(box_id))
    return view


class TreasureCog(commands.Cog, name="Treasure"):
    treasure = app_commands.Group(
        name="treasure",
        description="Treasure boxes: drop coins for others to open",
        guild_only=True,
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.boxes = TreasureBoxes(bot, services.ledger, services.clock, open_view)
        self.sweeper = Sweeper(bot, "treasure box sweep", SWEEP_SECONDS, self.boxes.resume)

    async def cog_load(self) -> None:
        self.sweeper.start()

    async def cog_unload(self) -> None:
        await self.sweeper.stop()
        await self.boxes.close()

    @treasure.command(
        name="drop", description="Drop coins in a box: other members open it and share them"
    )
    @app_commands.describe(
        coins="Coins to put in the box, e.g. 500 or 1.5k (at least one per opener)",
        openers=f"How many members may open it, {MIN_OPENERS}–{MAX_OPENERS}",
        minutes=f"How long it stays open, {MIN_MINUTES}–{MAX_MINUTES} minutes",
    )
    async def drop(
        self,
        interaction: discord.Interaction,
        coins: str,
        openers: app_commands.Range[int, MIN_OPENERS, MAX_OPENERS] = DEFAULT_OPENERS,
        minutes: app_commands.Range[int, MIN_MINUTES, MAX_MINUTES] = DEFAULT_MINUTES,
    ) -> None:
        g = guild_id(interaction)
        count = amount(coins, self.services.economy.max_balance, "coins")
        box = await self.services.ledger.run(
            DropTreasure(
                g,
                interaction.user.id,
                key(interaction),
                count,
                openers,
                minutes,
                channel_id=interaction.channel_id,
            )
        )
        note = await self.boxes.drop(box)  # the post and the timer
        await respond(interaction, content=dropped_reply(box, note), ephemeral=True)

    async def open_box(self, interaction: discord.Interaction[Any], box_id: int) -> None:
        """One press of Open: in (ephemeral confirmation) or a refusal sentence."""
        opened = await self.services.ledger.run(
            OpenTreasure(
                guild_id(interaction),
                box_id,
                interaction.user.id,
                key(interaction),
                daily_limit=self.services.treasure.daily_opens,
                opener_is_bot=interaction.user.bot,
            )
        )
        reply = opened_reply(opened.opened, opened.openers)
        await respond(interaction, content=reply, ephemeral=True)
        await self.boxes.opened(opened)  # the post's count, or the split when it is full


async def setup(bot: GiftcordBot) -> None:
    bot.add_dynamic_items(OpenButton)
    await bot.add_cog(TreasureCog(bot, bot.services))


async def teardown(bot: GiftcordBot) -> None:
    bot.remove_dynamic_items(OpenButton)
