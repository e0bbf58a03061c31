"""`/gift`: debit the sender's coins, credit the recipient's diamonds, announce it publicly.

Streakable gifts sent again to the same member within the combo window edit the first
announcement to "×N combo" (coalesced edits, see `bot.services.combos`); the repeat's own reply
is a short ephemeral confirmation. The announcement carries a "Send again" button that survives
restarts (a `DynamicItem` whose custom id holds everything needed) and only the sender can use.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot, turned_away
from bot.economy.catalog import Gift
from bot.economy.errors import NotAMember, NotFound
from bot.economy.ledger import GiftResult
from bot.economy.requests import SendGift
from bot.economy.text import public_text
from bot.services import Services
from bot.services.combos import Combo, ComboTracker, announcement_ref, webhook_editor
from bot.services.deferral import PUBLIC_ANSWER, arm
from bot.ui import embeds_member
from bot.ui import format as fmt
from bot.ui.context import guild_id, key, respond
from bot.ui.errors import reply_with_error

log = logging.getLogger("giftcord.gifting")

NO_PINGS = discord.AllowedMentions.none()
# Made once: parsing the emoji from its text on every announcement showed in the hot-path
# profile (docs/performance.md).
SEND_AGAIN_EMOJI = discord.PartialEmoji(name="🔁")


def send_again_button(
    sender_id: int, recipient_id: int, gift_id: int, count: int
) -> discord.ui.Button[Any]:
    """The "Send again" button as Discord shows it; its custom id matches `SendAgainButton`'s
    template, which is what a click is routed by."""
    return discord.ui.Button(
        label="Send again",
        emoji=SEND_AGAIN_EMOJI,
        style=discord.ButtonStyle.primary,
        custom_id=f"giftcord:again:{sender_id}:{recipient_id}:{gift_id}:{count}",
    )


class SendAgainButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"giftcord:again:(?P<sender>\d+):(?P<recipient>\d+):(?P<gift>\d+):(?P<count>\d+)",
):
    """Repeats a gift; the custom id carries sender, recipient, gift id and count, so the button
    works after a restart without any stored view."""

    def __init__(self, sender_id: int, recipient_id: int, gift_id: int, count: int) -> None:
        self.sender_id, self.recipient_id = sender_id, recipient_id
        self.gift_id, self.count = gift_id, count
        super().__init__(send_again_button(sender_id, recipient_id, gift_id, count))

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SendAgainButton:
        return cls(
            int(match["sender"]), int(match["recipient"]), int(match["gift"]), int(match["count"])
        )

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.sender_id:
            await respond(
                interaction,
                "Only the member who sent this gift can send it again — "
                "send your own with `/gift`.",
                ephemeral=True,
            )
            return False
        return True

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # A dynamic item's view is rebuilt from the message and has no error mapper of ours:
        # route failures through the one mapper explicitly.
        if await turned_away(interaction):
            return
        arm(interaction, public=True)  # a gift like any other: deferred if the ledger is slow
        try:
            cog = interaction.client.get_cog(GiftingCog.__cog_name__)
            if not isinstance(cog, GiftingCog):  # pragma: no cover - unloaded mid-flight
                raise NotFound("Gifting is not available right now — try again shortly.")
            gift = cog.services.catalog.by_id(self.gift_id)
            if gift is None:
                raise NotFound("That gift is no longer in the catalogue — see `/gifts`.")
            recipient = (
                interaction.guild.get_member(self.recipient_id) if interaction.guild else None
            )
            await cog.send_gift(
                interaction,
                self.recipient_id,
                recipient_is_bot=bool(recipient and recipient.bot),
                gift_name=gift.name,
                count=self.count,
                message=None,
            )
        except Exception as exc:  # noqa: BLE001 - mapped to a sentence or an incident id
            await reply_with_error(interaction, exc)


def send_again_view(sender_id: int, recipient_id: int, gift: Gift, count: int) -> discord.ui.View:
    """The announcement's components. Only a rendering: clicks reach `SendAgainButton` through
    the dynamic-item registry (`setup` below), whatever message they come from. So the view
    holds the plain button (no `DynamicItem` wrapper to build and check per announcement) and
    is stopped before it is sent: discord.py then keeps nothing of it in its view store, and a
    click on the button is never dispatched to this object (docs/performance.md)."""
    view = discord.ui.View(timeout=None)
    view.add_item(send_again_button(sender_id, recipient_id, gift.tiktok_id, count))
    view.stop()
    return view


def _render_combo(combo: Combo) -> discord.Embed:
    return embeds_member.announcement(
        combo.sender_id,
        combo.recipient_id,
        combo.gift_name,
        combo.count,
        combo.coins,
        combo.diamonds,
        combo.message,
        combo=combo.sends,
    )


class GiftingCog(commands.Cog, name="Gifting"):
    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.services = services
        self.combos = ComboTracker(
            services.clock,
            services.economy.combo_window_seconds,
            _render_combo,
            webhook_editor(bot),
        )

    async def cog_unload(self) -> None:
        await self.combos.close()

    @app_commands.command(
        name="gift",
        description="Send a gift to a member: your coins become their diamonds",
        extras={PUBLIC_ANSWER: True},  # the announcement: a slow one is deferred publicly
    )
    @app_commands.guild_only()
    @app_commands.describe(
        member="Who receives the gift",
        gift="Which gift (start typing to search; prices shown)",
        count="How many (1–99, default 1)",
        message="A short message shown with the gift (up to 200 characters)",
    )
    async def gift(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        gift: str,
        count: app_commands.Range[int, 1, 99] = 1,
        message: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        if not isinstance(member, discord.Member):
            # Discord resolved a user who is not (or no longer) in this server.
            raise NotAMember()
        await self.send_gift(
            interaction,
            member.id,
            recipient_is_bot=member.bot,
            gift_name=gift,
            count=count,
            message=public_text(message),  # shown to everyone in the announcement
        )

    @gift.autocomplete("gift")
    async def gift_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return fmt.gift_choices(self.services.catalog, current)

    async def send_gift(
        self,
        interaction: discord.Interaction,
        recipient_id: int,
        *,
        recipient_is_bot: bool,
        gift_name: str,
        count: int,
        message: str | None,
    ) -> None:
        """One gift: the ledger call, then the announcement (or a combo update)."""
        gid, sender_id = guild_id(interaction), interaction.user.id
        result = await self.services.ledger.run(
            SendGift(
                gid,
                sender_id,
                recipient_id,
                key=key(interaction),
                gift_name=gift_name,
                count=count,
                recipient_is_bot=recipient_is_bot,
            )
        )
        # The catalogue entry the ledger used (it may have changed since, for a redelivery).
        gift = Gift(
            result.gift_id, result.gift_name, result.coins // result.count, result.streakable
        )
        if not result.replayed:
            self.services.gift_hooks.committed(gid, result)
        # The level this gift lifted the sender to (decided from the debit's lifetime total).
        level_up = self.services.level_table.reached(
            result.sender_spent - result.coins, result.sender_spent
        )
        combo: Combo | None = None
        if gift.streakable and not result.replayed:
            combo, first = self.combos.hit(
                gid,
                sender_id,
                recipient_id,
                gift.name,
                count=result.count,
                coins=result.coins,
                diamonds=result.diamonds,
                message=message,
            )
            if not first:
                self.combos.request_edit(combo)
                up = f"\n⬆️ gifter level {level_up}" if level_up else ""
                await respond(
                    interaction,
                    content=f"🎁 Sent **{gift.name} ×{result.count}** to {fmt.mention(recipient_id)} — "
                    f"combo now ×{fmt.count(combo.count)}. You have {fmt.coins(result.sender_coins)} left."
                    + up,
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
        await self._announce(interaction, result, gift, recipient_id, message, combo, level_up)

    async def _announce(
        self,
        interaction: discord.Interaction,
        result: GiftResult,
        gift: Gift,
        recipient_id: int,
        message: str | None,
        combo: Combo | None,
        level_up: int | None,
    ) -> None:
        embed = embeds_member.announcement(
            interaction.user.id,
            recipient_id,
            gift.name,
            result.count,
            result.coins,
            result.diamonds,
            message,
            level_up=level_up,
        )
        view = send_again_view(interaction.user.id, recipient_id, gift, result.count)
        try:
            # Already answered (a redelivery) is fine too: that answer is the same interaction's
            # @original, so a combo can still edit it.
            answer = await respond(interaction, embed=embed, view=view, allowed_mentions=NO_PINGS)
        except BaseException:
            if combo is not None:
                self.combos.drop(combo)
            raise
        if combo is None:
            return
        try:
            ref = await announcement_ref(interaction, answer)
        except discord.HTTPException as exc:
            # The announcement is out but cannot be found again: the next gift announces afresh.
            log.warning("combo announcement of interaction %s not found: %s", interaction.id, exc)
            self.combos.drop(combo)
            return
        self.combos.attach(combo, ref)


async def setup(bot: GiftcordBot) -> None:
    bot.add_dynamic_items(SendAgainButton)
    await bot.add_cog(GiftingCog(bot, bot.services))


async def teardown(bot: GiftcordBot) -> None:
    bot.remove_dynamic_items(SendAgainButton)
