"""The members of a role, for `/mod grant-role`, with or without the members intent."""

from __future__ import annotations

import discord

from bot.economy.errors import InvalidInput
from bot.services.deferral import defer


async def role_member_ids(interaction: discord.Interaction, role: discord.Role) -> list[int]:
    """The human members of `role`, sorted (bots are left out).

    With the members intent the cache holds every member of the server. Without it the cache
    holds almost nobody (so `role.members` would be empty): the server's members are listed
    through REST instead, one request per 1,000 members — after deferring the reply, because a
    large server takes longer than Discord's 3-second answer window."""
    if interaction.client.intents.members:
        ids = {m.id for m in role.members if not m.bot}
    else:
        await defer(interaction, ephemeral=True)
        try:
            ids = await _fetch_role_members(interaction.client, role)
        except discord.Forbidden as exc:
            # Discord lists members only to a bot whose Server Members intent is enabled in
            # the developer portal, whatever giftcord's own setting says.
            raise InvalidInput(
                f"I can't list the members of <@&{role.id}>: Discord allows that only with the "
                "Server Members intent enabled in the developer portal. Enable it, or grant "
                "members one at a time with `/mod grant`."
            ) from exc
    if not ids:
        raise InvalidInput(
            f"<@&{role.id}> has no members I can see (bots are left out) — nothing to grant."
        )
    return sorted(ids)


PAGE = 1000  # Discord's maximum for one "list guild members" request


async def _fetch_role_members(client: discord.Client, role: discord.Role) -> set[int]:
    # `Guild.fetch_members` refuses to run without the gateway intent, although the REST route
    # needs only the portal switch; so page through the route itself. Member payloads list
    # role ids as strings.
    ids: set[int] = set()
    after, wanted = 0, str(role.id)
    while True:
        page = await client.http.get_members(role.guild.id, PAGE, after)
        for member in page:
            user = member["user"]
            if not user.get("bot") and wanted in member["roles"]:
                ids.add(int(user["id"]))
        if len(page) < PAGE:
            return ids
        after = int(page[-1]["user"]["id"])
