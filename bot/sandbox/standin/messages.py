"""Message bodies: Discord's validation limits, creating messages and applying edits.

A bot bug that only Discord would catch (an embed field over 1,024 characters, six buttons in a
row, an empty message) is answered here exactly as Discord answers it: 400 with code 50035 or 50006.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from .errors import DiscordError, invalid_form
from .world import COMPONENTS_V2, EPHEMERAL, Attachment, Message, World, iso_now

# Flags a bot may set when sending (ephemeral, suppress embeds, silent, components v2).
SENDABLE_FLAGS = EPHEMERAL | (1 << 2) | (1 << 12) | COMPONENTS_V2
EDITABLE_FLAGS = (1 << 2) | COMPONENTS_V2


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None


def _embed_errors(embed: dict[str, Any], where: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    limits = {"title": 256, "description": 4096}
    total = 0
    for key, limit in limits.items():
        value = embed.get(key) or ""
        total += len(value)
        if len(value) > limit:
            errors[f"{where}.{key}"] = f"must be {limit} or fewer in length"
    fields = embed.get("fields") or []
    if len(fields) > 25:
        errors[f"{where}.fields"] = "must be 25 or fewer in length"
    for i, f in enumerate(fields):
        name, value = str(f.get("name") or ""), str(f.get("value") or "")
        if not 1 <= len(name) <= 256:
            errors[f"{where}.fields.{i}.name"] = "must be 1-256 characters"
        if not 1 <= len(value) <= 1024:
            errors[f"{where}.fields.{i}.value"] = "must be 1-1024 characters"
        total += len(name) + len(value)
    for key, inner, limit in (("footer", "text", 2048), ("author", "name", 256)):
        value = (embed.get(key) or {}).get(inner) or ""
        total += len(value)
        if len(value) > limit:
            errors[f"{where}.{key}.{inner}"] = f"must be {limit} or fewer in length"
    if total > 6000:
        errors[where] = "embed size exceeds maximum size of 6000"
    return errors


def _component_errors(rows: list[dict[str, Any]], flags: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if flags & COMPONENTS_V2:
        return errors  # layout components: checked by Discord differently; accepted as-is here
    if len(rows) > 5:
        errors["components"] = "must be 5 or fewer in length"
    seen: set[str] = set()
    for r, row in enumerate(rows):
        if row.get("type") != 1:
            errors[f"components.{r}.type"] = "top-level components must be action rows"
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            errors[f"components.{r}.components"] = "an action row holds 1-5 components"
        for c, comp in enumerate(children):
            where = f"components.{r}.components.{c}"
            custom_id = comp.get("custom_id")
            if comp.get("type") == 2 and comp.get("style") == 5:
                if not comp.get("url"):
                    errors[f"{where}.url"] = "link buttons need a url"
                continue
            if comp.get("type") == 2 and comp.get("style") == 6:
                continue  # premium button: sku_id, no custom_id
            if not custom_id or len(custom_id) > 100:
                errors[f"{where}.custom_id"] = "must be 1-100 characters"
            elif custom_id in seen:
                errors[f"{where}.custom_id"] = "component custom id cannot be duplicated"
            seen.add(custom_id or "")
            if len(comp.get("label") or "") > 80:
                errors[f"{where}.label"] = "must be 80 or fewer in length"
            if comp.get("type") != 2 and len(comp.get("options") or []) > 25:
                errors[f"{where}.options"] = "must be 25 or fewer in length"
    return errors


def validate(payload: dict[str, Any], *, creating: bool, uploads: dict[int, Upload]) -> None:
    """Raise the 400 Discord would answer for this message body."""
    errors: dict[str, str] = {}
    content = payload.get("content")
    if content is not None and (not isinstance(content, str) or len(content) > 2000):
        errors["content"] = "must be 2000 or fewer in length"
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = "must be 10 or fewer in length"
    for i, e in enumerate(embeds):
        errors |= _embed_errors(e, f"embeds.{i}")
    errors |= _component_errors(payload.get("components") or [], payload.get("flags") or 0)
    if errors:
        raise invalid_form(errors)
    if creating and not (
        content
        or embeds
        or payload.get("components")
        or uploads
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _attachments(
    world: World, payload: dict[str, Any], uploads: dict[int, Upload], existing: list[Attachment]
) -> list[Attachment]:
    """New file parts plus kept attachments, as listed in ``payload.attachments``."""

    def new(index: int, meta: dict[str, Any]) -> Attachment:
        up = uploads[index]
        name = meta.get("filename") or up.filename
        ctype = up.content_type
        if not ctype or ctype == "application/octet-stream":  # discord.py always sends this
            ctype = mimetypes.guess_type(name)[0] or ctype
        return Attachment(world.ids.next(), name, up.data, ctype, meta.get("description"))

    if "attachments" not in payload:
        return existing + [new(i, {}) for i in sorted(uploads)]
    kept = {str(a.id): a for a in existing}
    result: list[Attachment] = []
    for meta in payload.get("attachments") or []:
        key = str(meta.get("id"))
        if key in kept:
            result.append(kept[key])
        elif key.isdigit() and int(key) in uploads:
            result.append(new(int(key), meta))
        else:
            raise invalid_form({"attachments": f"unknown attachment id {key}"})
    return result


def create(
    world: World,
    *,
    channel_id: int,
    guild_id: int | None,
    author_id: int,
    payload: dict[str, Any],
    uploads: dict[int, Upload],
    **extra: Any,
) -> Message:
    validate(payload, creating=True, uploads=uploads)
    msg = Message(
        id=world.ids.next(),
        channel_id=channel_id,
        guild_id=guild_id,
        author_id=author_id,
        content=payload.get("content") or "",
        embeds=list(payload.get("embeds") or []),
        components=list(payload.get("components") or []),
        flags=(payload.get("flags") or 0) & SENDABLE_FLAGS,
        allowed_mentions=payload.get("allowed_mentions"),
        tts=bool(payload.get("tts")),
        **extra,
    )
    msg.attachments = _attachments(world, payload, uploads, [])
    world.messages[msg.id] = msg
    return msg


def edit(world: World, msg: Message, payload: dict[str, Any], uploads: dict[int, Upload]) -> None:
    """PATCH semantics: only keys present change; the previous version goes to ``history``."""
    validate(payload, creating=False, uploads=uploads)
    msg.history.append(msg.snapshot())
    if "content" in payload:
        msg.content = payload["content"] or ""
    if "embeds" in payload:
        msg.embeds = list(payload["embeds"] or [])
    if "components" in payload:
        msg.components = list(payload["components"] or [])
    if "allowed_mentions" in payload:
        msg.allowed_mentions = payload["allowed_mentions"]
    if payload.get("flags") is not None:
        keep = msg.flags & ~EDITABLE_FLAGS
        msg.flags = keep | (payload["flags"] & EDITABLE_FLAGS)
    if "attachments" in payload or uploads:
        msg.attachments = _attachments(world, payload, uploads, msg.attachments)
    msg.edited_timestamp = iso_now()


def complete_deferred(
    world: World, msg: Message, payload: dict[str, Any], uploads: dict[int, Upload]
) -> None:
    """The first edit of a deferred ("thinking") response replaces the loading placeholder."""
    validate(payload, creating=True, uploads=uploads)  # an empty completion is refused too
    msg.flags &= ~(1 << 7)
    msg.content = payload.get("content") or ""
    msg.embeds = list(payload.get("embeds") or [])
    msg.components = list(payload.get("components") or [])
    msg.allowed_mentions = payload.get("allowed_mentions", msg.allowed_mentions)
    msg.attachments = _attachments(world, payload, uploads, [])
