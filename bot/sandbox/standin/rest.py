"""The REST API: the route table, the middleware that keeps every answer Discord-shaped, and the
read-only / command-sync handlers (message-changing handlers are in ``rest_messages``).

Rules the middleware enforces: never a 5xx (discord.py would retry for ~25 s); unknown routes and
stand-in bugs answer a 4xx JSON error AND land in ``standin.unexpected``; Discord refusals a test
provoked on purpose (404 Unknown Channel, 403 Missing Permissions...) land in ``standin.rejections``.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import payloads, rest_messages, rest_roles
from .errors import DiscordError
from .rest_util import (
    STANDIN_KEY,
    RateLimited,
    auth,
    json_response,
    read_body,
    snowflake,
    standin_of,
)

log = logging.getLogger(__name__)
API = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def discord_shaped(request: web.Request, handler: Handler) -> web.StreamResponse:
    standin = standin_of(request)
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    route = "unknown" if template == "/{tail}" else f"{request.method} {template.removeprefix(API)}"
    standin.route_counts[route] += 1
    fault = standin.faults.take(route)
    if fault is not None:  # injected on purpose (faults.py): answered before the handler runs
        return fault.response()
    try:
        return await handler(request)
    except DiscordError as exc:
        standin.record_rejection(request.method, request.path, exc)
        return json_response(
            exc.body(), exc.status, exc.headers() if isinstance(exc, RateLimited) else None
        )
    except web.HTTPException as exc:
        standin.record_unexpected(
            "rest", f"{request.method} {request.path}: {exc.status} {exc.reason}"
        )
        status = exc.status if 400 <= exc.status < 500 else 400
        return json_response({"code": 0, "message": f"{exc.status}: {exc.reason}"}, status)
    except Exception:  # a stand-in bug: tell the test loudly, but never answer 5xx
        log.exception("stand-in error on %s %s", request.method, request.path)
        standin.record_unexpected(
            "bug", f"{request.method} {request.path}\n{traceback.format_exc()}"
        )
        return json_response({"code": 0, "message": "stand-in error (see standin.unexpected)"}, 400)


async def unknown_route(request: web.Request) -> web.Response:
    standin_of(request).record_unexpected(
        "rest", f"unknown route {request.method} {request.path_qs}"
    )
    return json_response({"code": 0, "message": "404: Not Found"}, 404)


# --- identity ---------------------------------------------------------------------------------


async def users_me(request: web.Request) -> web.Response:
    return json_response(payloads.client_user(auth(request).bot))


async def application_me(request: web.Request) -> web.Response:
    app = auth(request)
    world = standin_of(request).world
    return json_response(payloads.application(app, world.users[app.owner_id]))


async def gateway(request: web.Request) -> web.Response:
    return json_response({"url": standin_of(request).gateway_url})


async def gateway_bot(request: web.Request) -> web.Response:
    auth(request)
    standin = standin_of(request)
    return json_response(
        {
            "url": standin.gateway_url,
            "shards": standin.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": standin.max_concurrency,
            },
        }
    )


# --- application commands ---------------------------------------------------------------------


def _command_scope(request: web.Request) -> tuple[int, int | None]:
    app = auth(request)
    if snowflake(request, "application_id") != app.id:
        raise DiscordError(
            403, 20012, "You are not authorized to perform this action on this application"
        )
    if "guild_id" not in request.match_info:
        return app.id, None
    guild = standin_of(request).world.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    if app.bot.id not in guild.members:
        raise DiscordError(403, 50001, "Missing Access")
    return app.id, guild.id


async def commands_put(request: web.Request) -> web.Response:
    app_id, guild_id = _command_scope(request)
    raw = await request.read()
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    standin = standin_of(request)
    stored = standin.commands.put(app_id, guild_id, body)
    standin.changed.notify()
    return json_response([payloads.command(e) for e in stored])


async def commands_get(request: web.Request) -> web.Response:
    app_id, guild_id = _command_scope(request)
    return json_response(
        [payloads.command(e) for e in standin_of(request).commands.list(app_id, guild_id)]
    )


# --- guilds, members, users, channels ---------------------------------------------------------


def _guild(request: web.Request) -> Any:
    auth(request)
    guild = standin_of(request).world.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise DiscordError(404, 10004, "Unknown Guild")
    return guild


async def guild_get(request: web.Request) -> web.Response:
    g = _guild(request)
    return json_response(
        payloads.guild_base(g)
        | {"approximate_member_count": len(g.members), "approximate_presence_count": 0}
    )


async def guild_channels(request: web.Request) -> web.Response:
    return json_response([payloads.channel(c) for c in _guild(request).channels.values()])


async def guild_roles(request: web.Request) -> web.Response:
    return json_response([payloads.role(r) for r in _guild(request).roles.values()])


async def guild_member(request: web.Request) -> web.Response:
    g = _guild(request)
    member = g.members.get(snowflake(request, "user_id"))
    if member is None:
        raise DiscordError(404, 10007, "Unknown Member")
    return json_response(payloads.member(g, member))


async def guild_members(request: web.Request) -> web.Response:
    g = _guild(request)
    limit = min(int(request.query.get("limit", "1")), 1000)
    after = int(request.query.get("after", "0"))
    found = sorted((m for uid, m in g.members.items() if uid > after), key=lambda m: m.user.id)
    return json_response([payloads.member(g, m) for m in found[:limit]])


async def user_get(request: web.Request) -> web.Response:
    auth(request)
    user = standin_of(request).world.users.get(snowflake(request, "user_id"))
    if user is None:
        raise DiscordError(404, 10013, "Unknown User")
    return json_response(payloads.user(user))


async def channel_get(request: web.Request) -> web.Response:
    _, _, channel, _ = rest_messages._channel_perms(request)
    return json_response(payloads.channel(channel))


async def attachment_get(request: web.Request) -> web.Response:
    """The CDN: serves attachment bytes so ``Attachment.read()`` works."""
    msg_att = standin_of(request).attachments.get(snowflake(request, "attachment_id"))
    if msg_att is None:
        raise DiscordError(404, 0, "404: Not Found")
    return web.Response(
        body=msg_att.data, content_type=msg_att.content_type or "application/octet-stream"
    )


async def body_sink(request: web.Request) -> web.Response:
    """Routes the stand-in accepts and ignores (typing indicator...)."""
    auth(request)
    await read_body(request)
    return web.Response(status=204)


def build_app(standin: Any, gateway_handler: Handler) -> web.Application:
    app = web.Application(middlewares=[discord_shaped], client_max_size=64 * 1024 * 1024)
    app[STANDIN_KEY] = standin
    r = app.router
    r.add_get("/", gateway_handler)
    r.add_get("/resume", gateway_handler)
    r.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", attachment_get)
    m = rest_messages
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/users/@me", users_me),
        ("GET", "/oauth2/applications/@me", application_me),
        ("GET", "/applications/@me", application_me),
        ("GET", "/gateway", gateway),
        ("GET", "/gateway/bot", gateway_bot),
        ("PUT", "/applications/{application_id}/commands", commands_put),
        ("GET", "/applications/{application_id}/commands", commands_get),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", commands_put),
        ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", commands_get),
        ("POST", "/interactions/{interaction_id}/{token}/callback", m.interaction_callback),
        ("POST", "/webhooks/{application_id}/{token}", m.webhook_execute),
        ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", m.webhook_message_get),
        (
            "PATCH",
            "/webhooks/{application_id}/{token}/messages/{message_id}",
            m.webhook_message_edit,
        ),
        (
            "DELETE",
            "/webhooks/{application_id}/{token}/messages/{message_id}",
            m.webhook_message_delete,
        ),
        ("GET", "/channels/{channel_id}", channel_get),
        ("GET", "/channels/{channel_id}/messages", m.channel_messages_list),
        ("POST", "/channels/{channel_id}/messages", m.channel_message_create),
        ("GET", "/channels/{channel_id}/messages/{message_id}", m.channel_message_get),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}", m.channel_message_edit),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}", m.channel_message_delete),
        ("POST", "/channels/{channel_id}/typing", body_sink),
        ("GET", "/guilds/{guild_id}", guild_get),
        ("GET", "/guilds/{guild_id}/channels", guild_channels),
        ("GET", "/guilds/{guild_id}/roles", guild_roles),
        ("GET", "/guilds/{guild_id}/members", guild_members),
        ("GET", "/guilds/{guild_id}/members/{user_id}", guild_member),
        ("GET", "/users/{user_id}", user_get),
    ]
    routes += rest_roles.ROUTES  # member role add/remove (level roles)
    for method, path, handler in routes:
        r.add_route(method, API + path, handler)
    r.add_route("*", "/{tail:.*}", unknown_route)
    return app
