"""REST handlers that create or change messages: interaction callbacks, webhook follow-ups and edits,
channel posts and edits. Each one records what the bot did on the :class:`InteractionResult` or the
channel log and wakes whoever waits on it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import messages, payloads
from .errors import (
    DiscordError,
    already_acknowledged,
    invalid_form,
    missing_permissions,
    unknown_channel,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .ids import Perm
from .rest_util import auth, json_response, no_content, read_body, snowflake, standin_of
from .results import ALLOWED_CALLBACKS, APPLICATION_COMMAND, CallbackAttempt, InteractionResult
from .world import EPHEMERAL, LOADING, Message

if TYPE_CHECKING:
    from .messages import Upload
    from .server import DiscordStandIn


def _truthy(value: str | None) -> bool:
    return value in ("1", "true", "True")


# --- interaction callback ----------------------------------------------------------------------


async def interaction_callback(request: web.Request) -> web.Response:
    standin = standin_of(request)
    result = standin.interactions.get(snowflake(request, "interaction_id"))
    if result is None or result.token != request.match_info["token"]:
        raise unknown_interaction()
    payload, uploads = await read_body(request)
    ctype = payload.get("type")
    try:
        msg = _apply_callback(standin, result, ctype, payload.get("data") or {}, uploads)
    except DiscordError as exc:
        result.attempts.append(CallbackAttempt(exc.status, exc.code, ctype, payload))
        result.signal.notify()
        raise
    with_response = _truthy(request.query.get("with_response"))
    result.attempts.append(CallbackAttempt(200 if with_response else 204, None, ctype, payload))
    result.callback = payload
    result.answered_at = time.perf_counter()
    if msg is not None:
        standin.message_changed(msg, result)
    result.signal.notify()
    if not with_response:
        return no_content()
    body = payloads.callback_response(
        interaction_id=result.id,
        interaction_type=result.kind,
        callback_type=ctype,  # type: ignore[arg-type]
        message_obj=None if msg is None or ctype == 6 else standin.message_payload(msg),
        msg=msg,
    )
    return json_response(body)


def _apply_callback(
    standin: DiscordStandIn,
    result: InteractionResult,
    ctype: Any,
    data: dict[str, Any],
    uploads: dict[int, Upload],
) -> Message | None:
    if result.callback is not None:
        raise already_acknowledged()
    deadline = standin.interaction_deadline
    if (
        deadline is not None
        and result.sent_at is not None
        and time.perf_counter() - result.sent_at > deadline
    ):
        raise unknown_interaction()  # what Discord answers after its 3-second window
    if ctype not in ALLOWED_CALLBACKS[result.kind]:
        raise invalid_form(
            {"type": f"callback type {ctype!r} is not valid for interaction type {result.kind}"}
        )
    if ctype == 4:
        result.original = _new_message(standin, result, data, uploads)
    elif ctype == 5:
        placeholder = {"content": "", "flags": (data.get("flags") or 0) & EPHEMERAL}
        msg = _new_message(standin, result, placeholder, {}, loading=True)
        result.original = msg
    elif ctype == 7:
        assert result.clicked is not None
        messages.edit(standin.world, result.clicked, data, uploads)
    elif ctype == 8:
        result.choices = _check_choices(data.get("choices"))
    elif ctype == 9:
        if not data.get("custom_id") or not data.get("title") or not data.get("components"):
            raise invalid_form({"data": "a modal needs custom_id, title and components"})
        result.modal = data
    return result.original if ctype in (4, 5, 6, 7) else None


def _check_choices(choices: Any) -> list[dict[str, Any]]:
    if not isinstance(choices, list) or len(choices) > 25:
        raise invalid_form({"data.choices": "must be a list of 25 or fewer choices"})
    for i, c in enumerate(choices):
        if not 1 <= len(str(c.get("name", ""))) <= 100 or "value" not in c:
            raise invalid_form(
                {f"data.choices.{i}": "a choice needs a 1-100 character name and a value"}
            )
    return choices


def _new_message(
    standin: DiscordStandIn,
    result: InteractionResult,
    data: dict[str, Any],
    uploads: dict[int, Upload],
    *,
    loading: bool = False,
) -> Message:
    """An interaction response / follow-up: authored by the bot, sent through the app's webhook."""
    app = result.app
    kw: dict[str, Any] = {
        "channel_id": result.channel_id,
        "guild_id": result.guild_id,
        "author_id": app.bot.id,
        "type": 20 if result.kind == APPLICATION_COMMAND else 0,
        "webhook_id": app.id,
        "interaction_id": result.id,
        "interaction_user_id": result.user_id,
    }
    if loading:
        msg = Message(id=standin.world.ids.next(), flags=LOADING | data["flags"], **kw)
        standin.world.messages[msg.id] = msg
    else:
        msg = messages.create(standin.world, payload=data, uploads=uploads, **kw)
    if not msg.ephemeral:
        standin.world.channels[result.channel_id].log.append(msg)
    return msg


# --- webhook follow-ups and @original --------------------------------------------------------


def _webhook_interaction(request: web.Request) -> InteractionResult:
    standin = standin_of(request)
    result = standin.by_token.get(request.match_info["token"])
    if result is None or str(result.app.id) != request.match_info["application_id"]:
        raise unknown_webhook()
    return result


async def webhook_execute(request: web.Request) -> web.Response:
    standin = standin_of(request)
    result = _webhook_interaction(request)
    if result.callback is None:
        raise unknown_webhook()  # follow-ups need an acknowledged interaction
    payload, uploads = await read_body(request)
    original = result.original
    if original is not None and original.loading and not original.deleted and result.type == 5:
        # Discord completes the "thinking" placeholder with the first follow-up (same message id,
        # the defer's ephemerality), instead of posting a second message. Once the placeholder
        # is deleted, a follow-up is a new message.
        messages.complete_deferred(standin.world, original, payload, uploads)
        msg = original
    else:
        msg = _new_message(standin, result, payload, uploads)
    result.followups.append(msg)
    standin.message_changed(msg, result)
    if _truthy(request.query.get("wait")):
        return json_response(standin.message_payload(msg))
    return no_content()


def _webhook_message(request: web.Request) -> tuple[InteractionResult, Message]:
    result = _webhook_interaction(request)
    mid = request.match_info["message_id"]
    if mid == "@original":
        msg = result.original
    else:
        msg = next((m for m in result.messages if str(m.id) == mid), None)
    if msg is None or msg.deleted:
        raise unknown_message()
    return result, msg


async def webhook_message_get(request: web.Request) -> web.Response:
    _, msg = _webhook_message(request)
    return json_response(standin_of(request).message_payload(msg))


async def webhook_message_edit(request: web.Request) -> web.Response:
    standin = standin_of(request)
    result, msg = _webhook_message(request)
    if standin.edit_rate_limit is not None:
        standin.edit_rate_limit.check(msg.channel_id)
    payload, uploads = await read_body(request)
    if msg.loading:
        messages.complete_deferred(standin.world, msg, payload, uploads)
    else:
        messages.edit(standin.world, msg, payload, uploads)
    standin.message_changed(msg, result)
    return json_response(standin.message_payload(msg))


async def webhook_message_delete(request: web.Request) -> web.Response:
    standin = standin_of(request)
    result, msg = _webhook_message(request)
    msg.deleted = True
    standin.message_changed(msg, result)
    return no_content()


# --- channel messages ----------------------------------------------------------------------------


def _channel_perms(request: web.Request) -> tuple[DiscordStandIn, int, Any, int]:
    """(stand-in, bot user id, channel, the bot's permissions there); 404 for unknown channels."""
    standin = standin_of(request)
    app = auth(request)
    channel = standin.world.channels.get(snowflake(request, "channel_id"))
    if channel is None:
        raise unknown_channel()
    guild = standin.world.guilds[channel.guild_id]
    if app.bot.id not in guild.members:
        raise DiscordError(403, 50001, "Missing Access")
    perms = guild.permissions(app.bot.id, channel.id)
    if not perms & Perm.VIEW_CHANNEL:
        raise DiscordError(403, 50001, "Missing Access")
    return standin, app.bot.id, channel, perms


async def channel_message_create(request: web.Request) -> web.Response:
    standin, bot_id, channel, perms = _channel_perms(request)
    payload, uploads = await read_body(request)
    needed = Perm.POST
    needed |= Perm.ATTACH_FILES if uploads else 0
    needed |= Perm.EMBED_LINKS if payload.get("embeds") else 0
    if perms & needed != needed:
        raise missing_permissions()
    payload = {k: v for k, v in payload.items() if k != "flags"} | {
        "flags": (payload.get("flags") or 0)
        & ~EPHEMERAL  # only interaction messages can be ephemeral
    }
    msg = messages.create(
        standin.world,
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=bot_id,
        payload=payload,
        uploads=uploads,
    )
    channel.log.append(msg)
    standin.message_changed(msg)
    return json_response(standin.message_payload(msg))


def _channel_message(request: web.Request) -> tuple[DiscordStandIn, int, Any, int, Message]:
    standin, bot_id, channel, perms = _channel_perms(request)
    msg = standin.world.messages.get(snowflake(request, "message_id"))
    if msg is None or msg.deleted or msg.ephemeral or msg.channel_id != channel.id:
        raise unknown_message()
    return standin, bot_id, channel, perms, msg


async def channel_message_get(request: web.Request) -> web.Response:
    standin, _, _, perms, msg = _channel_message(request)
    if not perms & Perm.READ_MESSAGE_HISTORY:
        raise DiscordError(403, 50001, "Missing Access")
    return json_response(standin.message_payload(msg))


async def channel_message_edit(request: web.Request) -> web.Response:
    standin, bot_id, channel, _, msg = _channel_message(request)
    if msg.author_id != bot_id:
        raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
    if standin.edit_rate_limit is not None:
        standin.edit_rate_limit.check(channel.id)
    payload, uploads = await read_body(request)
    messages.edit(standin.world, msg, payload, uploads)
    standin.message_changed(msg)
    return json_response(standin.message_payload(msg))


async def channel_message_delete(request: web.Request) -> web.Response:
    standin, bot_id, _, perms, msg = _channel_message(request)
    if msg.author_id != bot_id and not perms & Perm.MANAGE_MESSAGES:
        raise missing_permissions()
    msg.deleted = True
    standin.message_changed(msg)
    return no_content()


async def channel_messages_list(request: web.Request) -> web.Response:
    (
        standin,
        _,
        channel,
        perms,
    ) = _channel_perms(request)
    if not perms & Perm.READ_MESSAGE_HISTORY:
        return json_response([])
    limit = min(int(request.query.get("limit", "50")), 100)
    before = int(request.query.get("before", 0)) or None
    after = int(request.query.get("after", 0)) or None
    found = [
        m
        for m in reversed(channel.log)
        if not m.deleted and (before is None or m.id < before) and (after is None or m.id > after)
    ]
    return json_response([standin.message_payload(m) for m in found[:limit]])
