"""Adding and removing a member's role (PUT/DELETE /guilds/{g}/members/{u}/roles/{r}) with
Discord's rules: the bot needs Manage Roles (or Administrator, or ownership), and may only
manage roles strictly below its own highest role; a managed role (a bot's or an integration's)
can't be given or taken. Each change sends GUILD_MEMBER_UPDATE to sessions with the members
intent, as Discord does."""

from __future__ import annotations

from aiohttp import web

from . import payloads
from .errors import DiscordError, missing_permissions
from .gateway import INTENT_GUILD_MEMBERS
from .ids import Perm
from .rest_util import auth, no_content, snowflake, standin_of
from .world import Guild, Member


def _top_position(guild: Guild, member: Member) -> int:
    return max((guild.roles[r].position for r in member.roles if r in guild.roles), default=0)


async def _change_role(request: web.Request, *, add: bool) -> web.Response:
    app = auth(request)
    standin = standin_of(request)
    guild = standin.world.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    member = guild.members.get(snowflake(request, "user_id"))
    if member is None:
        raise DiscordError(404, 10007, "Unknown Member")
    role = guild.roles.get(snowflake(request, "role_id"))
    if role is None or role.id == guild.id:
        raise DiscordError(404, 10011, "Unknown Role")
    me = guild.members.get(app.bot.id)
    if me is None:
        raise DiscordError(403, 50001, "Missing Access")
    perms = guild.base_permissions(app.bot.id)
    if not perms & (Perm.MANAGE_ROLES | Perm.ADMINISTRATOR):
        raise missing_permissions()
    # The hierarchy: only roles below the bot's highest role (owners are exempt; a bot isn't).
    if guild.owner_id != app.bot.id and role.position >= _top_position(guild, me):
        raise missing_permissions()
    if role.managed:
        raise missing_permissions()
    has = role.id in member.roles
    if add and not has:
        member.roles.append(role.id)
    elif not add and has:
        member.roles.remove(role.id)
    if add != has:
        await standin.gateway.dispatch_guild(
            guild.id,
            "GUILD_MEMBER_UPDATE",
            payloads.member_update(guild, member),
            INTENT_GUILD_MEMBERS,
        )
    return no_content()


async def member_role_add(request: web.Request) -> web.Response:
    return await _change_role(request, add=True)


async def member_role_remove(request: web.Request) -> web.Response:
    return await _change_role(request, add=False)


ROUTES = [
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role_add),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role_remove),
]
