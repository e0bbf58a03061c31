"""Posting to a channel, and to the server's audit channel, for every moderator action, cash-out
decision, settings change and event post.

The ledger is the record of truth; the audit post is a courtesy copy for humans. So a missing
channel, a deleted one (404) or one the bot may not write to (403) never undoes or blocks the
action — the poster returns a `PostOutcome` whose note the moderator's reply includes instead.
"""

from __future__ import annotations

import logging

import discord

from bot.economy.ledger import Ledger
from bot.economy.reads import GetGuildSettings
from bot.services.discord_retry import retrying_server_errors
from bot.ui.models import PostOutcome

log = logging.getLogger("giftcord.audit")

NO_MENTIONS = discord.AllowedMentions.none()


async def resolve_channel(
    bot: discord.Client, channel_id: int
) -> discord.abc.Messageable | PostOutcome:
    """The channel from the cache, else from the API; a `PostOutcome` saying why not."""
    channel = bot.get_channel(channel_id)
    if channel is None:
        try:
            channel = await bot.fetch_channel(channel_id)
        except discord.NotFound:
            return PostOutcome(False, f"channel <#{channel_id}> no longer exists")
        except discord.Forbidden:
            return PostOutcome(False, f"I can't see <#{channel_id}>")
        except discord.HTTPException:
            log.warning("could not fetch channel %s", channel_id, exc_info=True)
            return PostOutcome(False, f"Discord refused to look up <#{channel_id}>")
    if not isinstance(channel, discord.abc.Messageable):
        return PostOutcome(False, f"<#{channel_id}> is not a text channel")
    return channel


async def send_to_channel(
    bot: discord.Client,
    channel_id: int,
    *,
    embed: discord.Embed,
    view: discord.ui.View | None = None,
) -> PostOutcome:
    """Post `embed` (with `view`'s buttons, if any) in `channel_id` without pinging anyone;
    never raises for Discord refusals."""
    channel = await resolve_channel(bot, channel_id)
    if isinstance(channel, PostOutcome):
        return channel

    async def post() -> discord.Message:
        if view is None:
            return await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
        return await channel.send(embed=embed, allowed_mentions=NO_MENTIONS, view=view)

    try:
        message = await retrying_server_errors(post)
    except discord.NotFound:
        return PostOutcome(False, f"channel <#{channel_id}> no longer exists")
    except discord.Forbidden:
        return PostOutcome(False, f"I'm not allowed to post in <#{channel_id}>")
    except discord.HTTPException as exc:
        # One line, no traceback: Discord's answer is all there is to say.
        log.warning("could not post in channel %s: Discord answered %s", channel_id, exc.status)
        return PostOutcome(False, f"Discord refused the post in <#{channel_id}>")
    return PostOutcome(True, f"posted in <#{channel_id}>", message.id)


async def board_channel(
    ledger: Ledger, guild_id: int, chosen: int | None, here: int | None
) -> int | None:
    """Where an event's progress post or a LIVE card goes: the channel given, else the
    server's announce channel, else the channel the command was used in."""
    if chosen is not None:
        return chosen
    settings = await ledger.run(GetGuildSettings(guild_id))
    return settings.announce_channel_id or here


async def post_audit(
    bot: discord.Client, ledger: Ledger, guild_id: int, embed: discord.Embed
) -> PostOutcome:
    """Post `embed` to the server's audit channel. The note reads well after "Audit: "."""
    settings = await ledger.run(GetGuildSettings(guild_id))
    if settings.audit_channel_id is None:
        return PostOutcome(
            False, "no audit channel is set — choose one with `/settings set audit_channel:`"
        )
    outcome = await send_to_channel(bot, settings.audit_channel_id, embed=embed)
    if not outcome.posted:
        log.warning("audit post failed in guild %s: %s", guild_id, outcome.note)
        return PostOutcome(
            False, f"the audit post failed ({outcome.note}); the change is in `/mod audit`"
        )
    return outcome
