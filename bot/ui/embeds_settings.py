"""What `/settings show|set` shows, and the audit post of a settings change."""

from __future__ import annotations

import discord

from bot.economy.ledger import GuildSettings
from bot.ui.audit import audit_embed, audit_line
from bot.ui.models import SettingsChange

WHAT = {
    "audit_channel": "Every moderator balance change, freeze and cash-out decision is posted here.",
    "announce_channel": "Where event progress and results are posted by default.",
    "mod_role": "Members with this role may use `/mod`, `/event start|end` and `/settings set` "
    "(Manage Server always may).",
    "public_page": "Shown, the leaderboards are on the bot's web page /g/<server id> (when the "
    "operator enabled [web]): display names and avatars only.",
}


def _channel(channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else "not set"


def _shown(public: bool) -> str:
    return "shown" if public else "hidden"


def settings_embed(settings: GuildSettings) -> discord.Embed:
    embed = discord.Embed(
        title="giftcord settings for this server", colour=discord.Colour.blurple()
    )
    values = {
        "audit_channel": _channel(settings.audit_channel_id),
        "announce_channel": _channel(settings.announce_channel_id),
        "mod_role": f"<@&{settings.mod_role_id}>" if settings.mod_role_id else "not set",
        "public_page": _shown(settings.public_page),
    }
    titles = {
        "audit_channel": "Audit channel",
        "announce_channel": "Announce channel",
        "mod_role": "Moderator role",
        "public_page": "Public leaderboard page",
    }
    for key, value in values.items():
        embed.add_field(name=titles[key], value=f"{value}\n{WHAT[key]}", inline=False)
    embed.set_footer(text="Moderators change these with /settings set")
    return embed


def change_audit(
    before: GuildSettings,
    after: GuildSettings,
    *,
    actor_id: int,
    audit_channel: bool,
    announce_channel: bool,
    mod_role: bool,
    public_page: bool = False,
) -> discord.Embed:
    """The audit post of a change: before → after for each setting the moderator gave."""
    changes = {}
    if audit_channel:
        changes["Audit channel"] = (
            f"{_channel(before.audit_channel_id)} → {_channel(after.audit_channel_id)}"
        )
    if announce_channel:
        changes["Announce channel"] = (
            f"{_channel(before.announce_channel_id)} → {_channel(after.announce_channel_id)}"
        )
    if mod_role:
        old = f"<@&{before.mod_role_id}>" if before.mod_role_id else "not set"
        changes["Moderator role"] = f"{old} → <@&{after.mod_role_id}>"
    if public_page:
        changes["Public leaderboard page"] = (
            f"{_shown(before.public_page)} → {_shown(after.public_page)}"
        )
    return audit_embed(
        "Settings changed", actor_id=actor_id, reason="/settings set", txn_id=None, fields=changes
    )


def change_reply(change: SettingsChange) -> str:
    lines = ["Settings saved.", audit_line(change.audit)]
    previous = change.previous_audit
    if previous is not None:
        lines.append(
            ("📋 Previous audit channel: " if previous.posted else "⚠️ Previous audit channel: ")
            + previous.note
            + "."
        )
    return "\n".join(lines)


def level_role_reply(level: int, role_id: int | None, already: int) -> str:
    """The answer to `/settings level-role`."""
    if role_id is None:
        return f"Level {level} no longer gives a role (members keep the roles they have)."
    text = f"Members who reach gifter level {level} now get <@&{role_id}>."
    if already:
        text += f" {already} member(s) already at that level get it now."
    return text
