"""`/settings show|set` — the server's audit channel, announce channel and moderator role."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.economy.errors import InvalidInput
from bot.economy.ledger import GuildSettings
from bot.economy.reads import GetGuildSettings
from bot.economy.requests import UpdateGuildSettings
from bot.permissions import require_moderator
from bot.services import Services
from bot.ui.audit import audit_embed, audit_line, post_audit, send_to_channel

log = logging.getLogger("giftcord.settings")

WHAT = {
    "audit_channel": "Every moderator balance change, freeze and cash-out decision is posted here.",
    "announce_channel": "Where event progress and results are posted by default.",
    "mod_role": "Members with this role may use `/mod`, `/event start|end` and `/settings set` "
    "(Manage Server always may).",
}


def _channel(channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else "not set"


def settings_embed(settings: GuildSettings) -> discord.Embed:
    embed = discord.Embed(
        title="giftcord settings for this server", colour=discord.Colour.blurple()
    )
    values = {
        "audit_channel": _channel(settings.audit_channel_id),
        "announce_channel": _channel(settings.announce_channel_id),
        "mod_role": f"<@&{settings.mod_role_id}>" if settings.mod_role_id else "not set",
    }
    titles = {
        "audit_channel": "Audit channel",
        "announce_channel": "Announce channel",
        "mod_role": "Moderator role",
    }
    for key, value in values.items():
        embed.add_field(name=titles[key], value=f"{value}\n{WHAT[key]}", inline=False)
    embed.set_footer(text="Moderators change these with /settings set")
    return embed


class ServerSettings(commands.Cog):
    settings = app_commands.Group(
        name="settings",
        description="This server's giftcord channels and moderator role",
        guild_only=True,
    )

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.ledger = services.ledger

    @settings.command(name="show", description="Show this server's giftcord settings")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        current = await self.ledger.run(GetGuildSettings(interaction.guild_id))
        await interaction.response.send_message(embed=settings_embed(current), ephemeral=True)

    @settings.command(
        name="set", description="Change the audit channel, announce channel or mod role"
    )
    @app_commands.describe(
        audit_channel="Where moderator actions are posted",
        announce_channel="Where events are announced by default",
        mod_role="Members with this role count as moderators",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        audit_channel: discord.TextChannel | None = None,
        announce_channel: discord.TextChannel | None = None,
        mod_role: discord.Role | None = None,
    ) -> None:
        moderator = await require_moderator(interaction, self.ledger)
        assert interaction.guild_id is not None
        if audit_channel is None and announce_channel is None and mod_role is None:
            raise InvalidInput(
                "Choose at least one of `audit_channel`, `announce_channel` or `mod_role`."
            )
        if mod_role is not None and mod_role.is_default():
            raise InvalidInput(
                "@everyone can't be the moderator role — everyone would be a moderator."
            )
        before = await self.ledger.run(GetGuildSettings(interaction.guild_id))
        after = await self.ledger.run(
            UpdateGuildSettings(
                interaction.guild_id,
                audit_channel_id=audit_channel.id if audit_channel else None,
                announce_channel_id=announce_channel.id if announce_channel else None,
                mod_role_id=mod_role.id if mod_role else None,
            )
        )
        changes = {}
        if audit_channel is not None:
            changes["Audit channel"] = (
                f"{_channel(before.audit_channel_id)} → {_channel(after.audit_channel_id)}"
            )
        if announce_channel is not None:
            changes["Announce channel"] = (
                f"{_channel(before.announce_channel_id)} → {_channel(after.announce_channel_id)}"
            )
        if mod_role is not None:
            old = f"<@&{before.mod_role_id}>" if before.mod_role_id else "not set"
            changes["Moderator role"] = f"{old} → <@&{after.mod_role_id}>"
        embed = audit_embed(
            "Settings changed",
            actor_id=moderator.id,
            reason="/settings set",
            txn_id=None,
            fields=changes,
        )
        # Posting the change also proves the (new) audit channel works.
        outcome = await post_audit(self.bot, self.ledger, interaction.guild_id, embed)
        lines = ["Settings saved.", audit_line(outcome)]
        old_audit = before.audit_channel_id
        if old_audit is not None and old_audit != after.audit_channel_id:
            # Moving the audit channel is itself audited where the audit trail was until now:
            # otherwise whoever moves it could hide what they do next.
            previous = await send_to_channel(self.bot, old_audit, embed=embed)
            if not previous.posted:
                log.warning("audit move not posted in old channel %s: %s", old_audit, previous.note)
            lines.append(
                ("📋 Previous audit channel: " if previous.posted else "⚠️ Previous audit channel: ")
                + previous.note
                + "."
            )
        await interaction.response.send_message(
            "\n".join(lines), embed=settings_embed(after), ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    services: Services = bot.services  # type: ignore[attr-defined]
    await bot.add_cog(ServerSettings(bot, services))
