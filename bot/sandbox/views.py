"""What the sandbox's page is shown: the stand-in's objects as JSON for the browser — messages
as Discord renders them (plus who may see them and which command they answer), the people one
can be, and the guild as the command box knows it. Snowflakes travel as strings: JavaScript
numbers cannot hold 64-bit ids.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox import commandline as cl
from bot.sandbox.standin import GUILD_ID, DiscordStandIn, Message
from bot.sandbox.standin.ids import Perm
from bot.sandbox.standin.results import APPLICATION_COMMAND


def display_name(standin: DiscordStandIn, user_id: int) -> str:
    guild = standin.world.guilds[GUILD_ID]
    member = guild.members.get(user_id)
    user = standin.world.users.get(user_id)
    if member is not None and member.nick:
        return member.nick
    if user is None:
        return "Unknown user"
    return user.global_name or user.username


def command_used(standin: DiscordStandIn, interaction_id: int | None) -> str | None:
    """`/coins buy` for a reply to that slash command (None for a button's reply), as Discord
    shows above a command's answer."""
    result = standin.interactions.get(interaction_id or 0)
    if result is None or result.kind != APPLICATION_COMMAND:
        return None
    data = result.payload["data"]
    path, options = [data["name"]], data.get("options") or []
    while options and options[0]["type"] in (cl.SUB_COMMAND, cl.SUB_COMMAND_GROUP):
        path.append(options[0]["name"])
        options = options[0].get("options") or []
    return "/" + " ".join(path)


def message_view(standin: DiscordStandIn, msg: Message) -> dict[str, Any]:
    """The message as Discord would render it for the page, plus who may see it."""
    data = standin.message_payload(msg)
    by_name = {}
    for att in data["attachments"]:
        att["url"] = att["proxy_url"] = f"/api/sandbox/attachments/{att['id']}/{att['filename']}"
        by_name[att["filename"]] = att["url"]
    for embed in data["embeds"]:  # `attachment://chart.png` is the uploaded file's address
        for key in ("image", "thumbnail"):
            url = (embed.get(key) or {}).get("url", "")
            if url.startswith("attachment://"):
                embed[key] = {**embed[key], "url": by_name.get(url.removeprefix("attachment://"))}
    data["author"]["display_name"] = display_name(standin, msg.author_id)
    data["deleted"] = msg.deleted
    data["loading"] = msg.loading
    data["ephemeral"] = msg.ephemeral
    # Only the member who ran the command sees an ephemeral reply.
    data["visible_to"] = str(msg.interaction_user_id) if msg.ephemeral else None
    command = command_used(standin, msg.interaction_id)
    if msg.interaction_user_id is not None and command is not None:
        data["used"] = {"user": display_name(standin, msg.interaction_user_id), "command": command}
    return data


def directory(standin: DiscordStandIn) -> cl.Directory:
    guild = standin.world.guilds[GUILD_ID]
    return cl.Directory(
        members=[
            cl.Entity(uid, m.user.username, display_name(standin, uid))
            for uid, m in guild.members.items()
        ],
        channels=[cl.Entity(c.id, c.name, c.name) for c in guild.channels.values() if c.type == 0],
        roles=[cl.Entity(r.id, r.name, r.name) for r in guild.roles.values() if r.id != GUILD_ID],
    )


def people(standin: DiscordStandIn) -> list[dict[str, Any]]:
    """Whom the page lets you be: the guild's human members, moderators marked."""
    guild = standin.world.guilds[GUILD_ID]
    out = []
    for uid, member in guild.members.items():
        if member.user.bot:
            continue
        perms = guild.base_permissions(uid)
        out.append(
            {
                "id": str(uid),
                "name": display_name(standin, uid),
                "username": member.user.username,
                "moderator": bool(perms & Perm.MANAGE_GUILD),
            }
        )
    # Members first, moderators after: the page opens as a member.
    return sorted(out, key=lambda p: (p["moderator"], p["name"]))
