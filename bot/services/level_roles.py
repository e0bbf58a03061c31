"""Level roles: when a member reaches a gifter level that a moderator mapped to a role
(`/settings level-role`), the bot gives them that role — and, with `[levels] replace_roles`,
removes the roles of lower levels.

Never part of the gift: it runs after the gift's reply, in its own task, so a refused or slow
role change can neither block nor undo a gift. A missing Manage Roles permission or a role
above the bot's highest role is reported once per role to the audit channel (not per gift),
then that role is skipped quietly until the bot restarts. A new mapping is granted to the
members already at its level in one pass, one request at a time, so discord.py's rate-limit
handling paces it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine

import discord

from bot.economy.ledger import GiftResult, Ledger
from bot.economy.levels import LevelsConfig
from bot.economy.reads import GetLevelRoles, GiftersBetween
from bot.economy.requests import SetLevelRole
from bot.services.discord_retry import retrying_server_errors
from bot.services.posting import post_audit

log = logging.getLogger("giftcord.levels")

REASON = "giftcord gifter level"


def roles_for(
    mapping: dict[int, int], old: int, new: int, *, replace: bool
) -> tuple[list[int], list[int]]:
    """(roles to give, roles to remove) for a member who went from level `old` to `new`.
    Without `replace`: every mapped level reached now. With it: only the highest mapped level
    reached, and every lower mapped level's role goes."""
    reached = sorted(level for level in mapping if old < level <= new)
    if not reached:
        return [], []
    if not replace:
        return [mapping[level] for level in reached], []
    top = reached[-1]
    lower = [mapping[level] for level in mapping if level < top and mapping[level] != mapping[top]]
    return [mapping[top]], lower


class LevelRoles:
    def __init__(self, bot: discord.Client, ledger: Ledger, levels: LevelsConfig) -> None:
        self.bot = bot
        self.ledger = ledger
        self.levels = levels
        self.table = levels.table()
        self._reported: set[tuple[int, int]] = set()  # (guild, role) refused and reported
        self._tasks: set[asyncio.Task[object]] = set()

    def _spawn(self, coro: Coroutine[object, object, object], name: str) -> None:
        task: asyncio.Task[object] = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def gift_sent(self, guild_id: int, result: GiftResult) -> None:
        """After a gift: when it lifted the sender to a new level, sort their roles out."""
        if result.replayed or result.sender_spent <= 0:
            return
        old = self.table.level(result.sender_spent - result.coins)
        new = self.table.level(result.sender_spent)
        if new > old:
            self._spawn(self._level_up(guild_id, result.sender_id, old, new), "level-roles")

    async def _level_up(self, guild_id: int, user_id: int, old: int, new: int) -> None:
        try:
            mapping = await self.ledger.run(GetLevelRoles(guild_id))
            give, remove = roles_for(mapping, old, new, replace=self.levels.replace_roles)
            if give or remove:
                await self._change(guild_id, user_id, give, remove)
        except Exception:
            log.exception("level roles for member %s in guild %s failed", user_id, guild_id)

    async def set_mapping(self, request: SetLevelRole) -> int:
        """Store a moderator's mapping; for a new role, start the pass that grants it to the
        members already at its level. How many members that pass will reach."""
        result = await self.ledger.run(request)
        if result.role_id is None or result.replayed:
            return 0
        self.forget_refusals(request.guild_id)  # a new choice: report a refusal afresh
        return await self.mapping_added(request.guild_id, result.level, result.role_id)

    async def mapping_added(self, guild_id: int, level: int, role_id: int) -> int:
        """Grant the new mapping to the members already at `level` (with `replace_roles`, only
        to those below the next mapped level, who would hold it now). How many will get it;
        the pass itself runs in the background."""
        mapping = await self.ledger.run(GetLevelRoles(guild_id))
        below = None
        if self.levels.replace_roles:
            higher = [lv for lv in mapping if lv > level]
            below = self.table.floor(min(higher)) if higher else None
        members = await self.ledger.run(GiftersBetween(guild_id, self.table.floor(level), below))
        if members:
            self._spawn(self._grant_pass(guild_id, level, role_id, members, mapping), "level-pass")
        return len(members)

    async def _grant_pass(
        self, guild_id: int, level: int, role_id: int, members: list[int], mapping: dict[int, int]
    ) -> None:
        lower = [r for lv, r in mapping.items() if lv < level and r != role_id]
        remove = lower if self.levels.replace_roles else []
        for user_id in members:  # one at a time: discord.py waits out any rate limit
            try:
                if not await self._change(guild_id, user_id, [role_id], remove):
                    return  # refused (reported once): the rest would be refused too
            except Exception:
                log.exception("granting level role %s to %s failed", role_id, user_id)

    def _refusal(self, guild: discord.Guild | None, role_id: int) -> str | None:
        """Why Discord would refuse to give or take this role, from the cached guild (None:
        nothing known against it — Discord has the last word)."""
        me = guild.me if guild is not None else None
        if guild is None or me is None:
            return None
        if not me.guild_permissions.manage_roles:
            return "I lack the **Manage Roles** permission"
        role = guild.get_role(role_id)
        if role is not None and role >= me.top_role:
            return f"the role {role.mention} is not below my highest role"
        return None

    async def _change(
        self, guild_id: int, user_id: int, give: list[int], remove: list[int]
    ) -> bool:
        """Give and remove roles, each on its own; False when any was refused (each refused
        role is reported once) or Discord kept failing (a pass then stops: the rest would too)."""
        guild = self.bot.get_guild(guild_id)
        ok = True
        for role_id, adding in [(r, True) for r in give] + [(r, False) for r in remove]:
            why = self._refusal(guild, role_id)
            if why is None:
                try:
                    await self._request(guild_id, user_id, role_id, adding=adding)
                    continue
                except discord.Forbidden:
                    why = "Discord refused it (Manage Roles, or a role above mine)"
                except discord.NotFound:
                    continue  # the member left, or the role was deleted: nothing to do
                except discord.DiscordServerError as exc:
                    # Discord failed even on the retries (an outage, not a refusal): said once
                    # per change, no audit report; setting the mapping again grants it.
                    log.warning(
                        "level role %s for member %s not changed: Discord answered %s",
                        role_id,
                        user_id,
                        exc.status,
                    )
                    ok = False
                    continue
            ok = False
            await self._report(guild_id, role_id, why)
        return ok

    async def _request(self, guild_id: int, user_id: int, role_id: int, *, adding: bool) -> None:
        """Give or remove one role; a 5xx is tried again (bot/services/discord_retry.py)."""
        change = self.bot.http.add_role if adding else self.bot.http.remove_role
        await retrying_server_errors(lambda: change(guild_id, user_id, role_id, reason=REASON))

    async def _report(self, guild_id: int, role_id: int, why: str) -> None:
        if (guild_id, role_id) in self._reported:
            return
        self._reported.add((guild_id, role_id))
        embed = discord.Embed(
            title="⚠️ Level role not given",
            colour=discord.Colour.orange(),
            description=(
                f"I could not give or remove the level role <@&{role_id}>: {why}. Gifts go on "
                "as usual; give me **Manage Roles** and move my role above the level roles, "
                "then set the mapping again with `/settings level-role`."
            ),
        )
        outcome = await post_audit(self.bot, self.ledger, guild_id, embed)
        log.warning("level role refused in guild %s (%s); audit: %s", guild_id, why, outcome.note)

    def forget_refusals(self, guild_id: int) -> None:
        """A moderator set a mapping again: report a refusal afresh."""
        self._reported = {k for k in self._reported if k[0] != guild_id}

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
