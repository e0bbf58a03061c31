"""`/battle start|status` — LIVE Match battles between two LIVE creators.

The invitation is here and in memory: it lives 60 s, and an invitation lost in a restart costs
the challenger one more `/battle start` — nothing worth a table, and no battle exists before
the opponent accepts. Its buttons answer only the opponent. The battle itself (its post, its
coalesced score edits, its timer, the result) is `bot/services/battle_board.py`'s; a sweep
(first run right after start-up) ends a battle due while the bot was down and posts its result.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.battle import DEFAULT_MINUTES, INVITE_SECONDS, MAX_MINUTES, MIN_MINUTES
from bot.economy.errors import NotAMember
from bot.economy.ledger import GiftResult
from bot.economy.requests import StartBattle
from bot.services import Services
from bot.services.battle_board import BattleBoards
from bot.services.sweeper import Sweeper
from bot.ui import embeds_battle as ui
from bot.ui import format as fmt
from bot.ui.context import guild_id, key, respond
from bot.ui.errors import reply_with_error

log = logging.getLogger("giftcord.battle")

SWEEP_SECONDS = 20.0


class Invitation(discord.ui.View):
    """Accept / Decline, for the opponent only; expires after `timeout` seconds."""

    def __init__(self, cog: BattleCog, request: StartBattle, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.cog = cog
        self.request = request
        self.message: discord.InteractionMessage | None = None
        self.answered = False

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.request.opponent_id:
            return True
        await respond(
            interaction,
            content=(
                f"Only {fmt.mention(self.request.opponent_id)} can answer this invitation — "
                "start your own with `/battle start`."
            ),
            ephemeral=True,
        )
        return False

    async def _close(self, interaction: discord.Interaction[Any], text: str) -> None:
        self.answered = True
        self.stop()
        await interaction.response.edit_message(content=text, view=None)

    @discord.ui.button(label="Accept", emoji="⚔️", style=discord.ButtonStyle.success)
    async def accept(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        if self.answered:
            return
        try:
            # The accepting press's id is the start's key: a redelivered press starts it once.
            started = dataclasses.replace(self.request, key=key(interaction))
            battle, _note = await self.cog.boards.start(started)
        except Exception as exc:  # noqa: BLE001 - mapped to a sentence (say: no longer LIVE)
            await reply_with_error(interaction, exc)
            return
        await self._close(interaction, ui.accepted_text(battle.challenger_id, battle.opponent_id))

    @discord.ui.button(label="Decline", style=discord.ButtonStyle.secondary)
    async def decline(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        if not self.answered:
            req = self.request
            await self._close(interaction, ui.declined_text(req.challenger_id, req.opponent_id))

    async def on_timeout(self) -> None:
        if self.answered or self.message is None:
            return
        req = self.request
        try:
            await self.message.edit(
                content=ui.expired_text(req.challenger_id, req.opponent_id), view=None
            )
        except discord.HTTPException as exc:
            log.warning("could not mark a battle invitation expired: %s", exc)


class BattleCog(commands.Cog, name="Battle"):
    battle = app_commands.Group(
        name="battle",
        description="LIVE Match: two LIVE creators battle with gifts",
        guild_only=True,
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.boards = BattleBoards(bot, services.ledger, services.clock, services.catalog)
        self.sweeper = Sweeper(bot, "battle sweep", SWEEP_SECONDS, self.boards.resume)
        self.invite_seconds = INVITE_SECONDS  # tests shorten it

    async def cog_load(self) -> None:
        self.services.gift_hooks.add(self.gift_committed)
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.services.gift_hooks.remove(self.gift_committed)
        await self.sweeper.stop()
        await self.boards.close()

    def gift_committed(self, guild_id: int, result: GiftResult) -> None:
        self.boards.gift_received(guild_id, result.recipient_id)

    @battle.command(name="start", description="Challenge another LIVE creator to a LIVE Match")
    @app_commands.describe(
        opponent="The LIVE creator you challenge (they accept within a minute)",
        minutes=f"How long the battle lasts, {MIN_MINUTES}–{MAX_MINUTES} minutes",
        gift="Only this gift scores (default: every gift)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        opponent: discord.User,
        minutes: app_commands.Range[int, MIN_MINUTES, MAX_MINUTES] = DEFAULT_MINUTES,
        gift: str | None = None,
    ) -> None:
        if not isinstance(opponent, discord.Member):
            raise NotAMember()
        request = StartBattle(
            guild_id(interaction), interaction.user.id, opponent.id, key(interaction), minutes,
            gift, interaction.channel_id, opponent_is_bot=opponent.bot,
        )  # fmt: skip
        scoring = await self.boards.check(request)  # refused now, before anyone is invited
        request = dataclasses.replace(request, gift_name=scoring)
        view = Invitation(self, request, self.invite_seconds)
        expires = self.services.clock() + self.invite_seconds
        await respond(interaction,
            ui.invitation_text(request.challenger_id, opponent.id, minutes, scoring, expires),
            view=view,
            allowed_mentions=discord.AllowedMentions(users=[opponent], roles=False,
                                                     everyone=False),
        )  # fmt: skip
        view.message = await interaction.original_response()

    @start.autocomplete("gift")
    async def gift_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return fmt.gift_choices(self.services.catalog, current)

    @battle.command(name="status", description="Your LIVE Match now: scores and time left")
    async def status(self, interaction: discord.Interaction) -> None:
        figures = await self.boards.current(guild_id(interaction), interaction.user.id)
        if figures is None or not figures.battle.on:
            await respond(
                interaction,
                "You are not in a battle right now — challenge a LIVE creator with "
                "`/battle start`.",
                ephemeral=True,
            )
            return
        await respond(
            interaction,
            ui.status_text(figures, self.services.clock()),
            embed=self.boards.embed(figures),
            ephemeral=True,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(BattleCog(bot, bot.services))
