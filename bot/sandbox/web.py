"""The sandbox's web client: aiohttp routes between a browser and the local Discord stand-in.

The browser is a Discord client: it picks who it is, reads a channel, types slash commands and
presses buttons. Every action goes through the stand-in's own SimulatedUser — the same interaction
payloads, the same option validation (Discord's refusals) the tests use — so the bot answers it
exactly as it answers Discord. Messages reach the page as server-sent events from the stand-in's
message watcher: posts, edits (combo counts, event boards) and deletions appear in place.

Snowflakes travel as strings: JavaScript numbers cannot hold 64-bit ids.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox import commandline as cl
from bot.sandbox.standin import (
    ANNOUNCE,
    AUDIT,
    GENERAL,
    GUILD_ID,
    DiscordStandIn,
    InteractionFailed,
    Message,
    StandInError,
)
from bot.sandbox.views import directory, display_name, message_view, people

STATIC = Path(__file__).parent / "static"
SANDBOX_CHANNELS = (GENERAL, ANNOUNCE, AUDIT)
STANDIN_KEY: web.AppKey[DiscordStandIn] = web.AppKey("standin", DiscordStandIn)
HEARTBEAT_SECONDS = 15.0
ANSWER_TIMEOUT = 10.0


class Feed:
    """Fans the stand-in's message changes out to every open page (one queue per page)."""

    def __init__(self, standin: DiscordStandIn) -> None:
        self.standin = standin
        self.queues: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._unwatch = standin.watch_messages(self._changed)

    def _changed(self, msg: Message) -> None:
        if msg.channel_id not in SANDBOX_CHANNELS:
            return
        view = message_view(self.standin, msg)
        for queue in self.queues:
            queue.put_nowait(view)

    def close(self) -> None:
        """Ends every open stream (at shutdown), so the server can stop at once."""
        self._unwatch()
        for queue in self.queues:
            queue.put_nowait(None)


FEED_KEY: web.AppKey[Feed] = web.AppKey("feed", Feed)


def _standin(request: web.Request) -> DiscordStandIn:
    return request.app[STANDIN_KEY]


def _refusal(text: str, status: int = 400) -> web.Response:
    return web.json_response({"error": text}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="The request body must be a JSON object.")
    return body


def _member_id(standin: DiscordStandIn, value: Any) -> int:
    guild = standin.world.guilds[GUILD_ID]
    if not str(value).isdigit() or int(value) not in guild.members:
        raise web.HTTPBadRequest(text="Pick who you are: that member is not in the server.")
    return int(value)


def _channel_id(value: Any) -> int:
    if not str(value).isdigit() or int(value) not in SANDBOX_CHANNELS:
        raise web.HTTPBadRequest(text="That channel is not one of the sandbox's channels.")
    return int(value)


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def state(request: web.Request) -> web.Response:
    standin = _standin(request)
    guild = standin.world.guilds[GUILD_ID]
    channels = [
        {"id": str(cid), "name": standin.world.channels[cid].name} for cid in SANDBOX_CHANNELS
    ]
    return web.json_response(
        {
            "guild": {"id": str(guild.id), "name": guild.name},
            "people": people(standin),
            "channels": channels,
            "bot": display_name(standin, standin.app.bot.id),
            # What <@id>, <#id> and <@&id> in the bot's text show as.
            "mentions": {
                "users": {str(uid): display_name(standin, uid) for uid in standin.world.users},
                "channels": {str(c.id): c.name for c in guild.channels.values()},
                "roles": {str(r.id): r.name for r in guild.roles.values()},
            },
        }
    )


async def channel_messages(request: web.Request) -> web.Response:
    standin = _standin(request)
    cid = _channel_id(request.match_info["channel_id"])
    uid = _member_id(standin, request.query.get("as"))
    views = [message_view(standin, m) for m in standin.visible_messages(cid, uid)]
    return web.json_response(views)


async def feed(request: web.Request) -> web.StreamResponse:
    hub = request.app[FEED_KEY]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    hub.queues.add(queue)
    try:
        await response.write(b": connected\n\n")
        while True:
            try:
                view = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if view is None:
                break
            await response.write(f"data: {json.dumps(view)}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the page was closed or reloaded
    finally:
        hub.queues.discard(queue)
    return response


def _commands(standin: DiscordStandIn) -> list[dict[str, Any]]:
    return standin.synced_commands(guild_id=GUILD_ID) + standin.synced_commands()


async def complete(request: web.Request) -> web.Response:
    """The popup above the command box: command names, options, values, the bot's choices."""
    standin = _standin(request)
    body = await _body(request)
    uid, cid = _member_id(standin, body.get("as")), _channel_id(body.get("channel"))
    line = str(body.get("line", ""))
    commands, people_here = _commands(standin), directory(standin)
    parsed = cl.parse(line, commands)
    hint = None
    stage = "command" if parsed.leaf is None else "value" if parsed.focused else "option"
    if parsed.focused is not None:
        opt = parsed.options[parsed.focused]
        hint = {"name": opt["name"], "detail": cl.describe_option(opt)}
        if opt.get("autocomplete"):
            choices = await _bot_autocomplete(standin, uid, cid, parsed, people_here)
            found = cl.autocomplete_suggestions(parsed, choices)
            return _popup(stage, hint, found)
    found = cl.suggest(parsed, commands, people_here)
    return _popup(stage, hint, found)


def _popup(stage: str, hint: dict[str, str] | None, found: list[cl.Suggestion]) -> web.Response:
    return web.json_response(
        {"stage": stage, "hint": hint, "suggestions": [s.to_json() for s in found]}
    )


async def _bot_autocomplete(
    standin: DiscordStandIn, uid: int, cid: int, parsed: cl.Parsed, people_here: cl.Directory
) -> list[dict[str, Any]]:
    """Ask the bot, as Discord does on every keystroke in an autocomplete option."""
    assert parsed.focused is not None
    typed = {n: cl.convert(parsed.options[n], raw.strip(), people_here) for n, raw in parsed.typed}
    typed[parsed.focused] = parsed.typed[-1][1].strip()
    user = standin.user(uid, channel_id=cid)
    try:
        return await user.autocomplete(parsed.command, focused=parsed.focused, options=typed)
    except StandInError:
        # Another option is still half-typed: Discord sends it as it stands.
        try:
            return await user.autocomplete(
                parsed.command, focused=parsed.focused, options=typed, validate=False
            )
        except StandInError:
            return []


async def send(request: web.Request) -> web.Response:
    """Enter in the command box: the interaction Discord would send, or the client's refusal."""
    standin = _standin(request)
    body = await _body(request)
    uid, cid = _member_id(standin, body.get("as")), _channel_id(body.get("channel"))
    line = str(body.get("line", "")).strip()
    parsed = cl.parse(line + " ", _commands(standin))
    try:
        options = cl.values(parsed, directory(standin))
        result = standin.user(uid, channel_id=cid).prepare(parsed.command, options=options)
    except (cl.CommandLineError, StandInError) as refusal:
        return _refusal(str(refusal))
    return await _deliver(standin, result)


async def click(request: web.Request) -> web.Response:
    standin = _standin(request)
    body = await _body(request)
    uid = _member_id(standin, body.get("as"))
    mid = str(body.get("message", ""))
    msg = standin.world.messages.get(int(mid)) if mid.isdigit() else None
    if msg is None or msg.channel_id not in SANDBOX_CHANNELS:
        return _refusal("That message is gone.", 404)
    values = body.get("values")
    if values is not None and not (
        isinstance(values, list) and all(isinstance(v, str) for v in values)
    ):
        return _refusal("values must be a list of strings.")
    try:
        result = standin.user(uid, channel_id=msg.channel_id).prepare_click(
            msg, str(body.get("custom_id", "")), values=values
        )
    except StandInError as refusal:
        return _refusal(str(refusal))
    return await _deliver(standin, result)


async def _deliver(standin: DiscordStandIn, result: Any) -> web.Response:
    try:
        await standin.deliver(result, timeout=ANSWER_TIMEOUT, wait_deferred=False)
    except InteractionFailed as failed:
        return _refusal(f"The interaction failed: {failed}", 502)
    except StandInError:
        return _refusal("giftcord did not respond.", 504)
    return web.json_response({"ok": True, "interaction": str(result.id)})


async def attachment(request: web.Request) -> web.Response:
    aid = request.match_info["attachment_id"]
    found = _standin(request).attachments.get(int(aid)) if aid.isdigit() else None
    if found is None:
        raise web.HTTPNotFound(text="No such attachment.")
    return web.Response(
        body=found.data, content_type=found.content_type or "application/octet-stream"
    )


def add_sandbox_routes(app: web.Application, standin: DiscordStandIn) -> Feed:
    """Mount the client on `app`; the returned feed must be closed at shutdown."""
    hub = Feed(standin)
    app[STANDIN_KEY] = standin
    app[FEED_KEY] = hub
    r = app.router
    r.add_get("/", index)
    r.add_static("/static/", STATIC)
    r.add_get("/api/sandbox/state", state)
    r.add_get("/api/sandbox/channels/{channel_id}/messages", channel_messages)
    r.add_get("/api/sandbox/feed", feed)
    r.add_post("/api/sandbox/complete", complete)
    r.add_post("/api/sandbox/send", send)
    r.add_post("/api/sandbox/click", click)
    r.add_get("/api/sandbox/attachments/{attachment_id}/{filename}", attachment)
    return hub
