"""Every JSON payload the stand-in sends: gateway events, interactions and REST objects.

All of them live in this one module on purpose. discord.py indexes many keys directly
(``data['flags']`` on a member, ``data['attachment_size_limit']`` on an interaction...); a missing
key raises inside the gateway reader and kills the whole client. The contract tests feed each
builder here through the real client, so a shape fixed here is fixed everywhere.
"""

from __future__ import annotations

from typing import Any

from .world import (
    Application,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
)

# Gateway opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11

HEARTBEAT_INTERVAL_MS = 41_250
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def frame(op: int, d: Any = None, *, s: int | None = None, t: str | None = None) -> dict[str, Any]:
    return {"op": op, "d": d, "s": s, "t": t}


def hello() -> dict[str, Any]:
    return frame(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ["standin"]})


# --- objects -------------------------------------------------------------------------------


def user(u: User) -> dict[str, Any]:
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def client_user(u: User) -> dict[str, Any]:
    """``GET /users/@me`` and READY.user: a user plus the account-only keys."""
    return user(u) | {"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}


def member(
    guild: Guild,
    m: Member,
    *,
    with_user: bool = True,
    channel_id: int | None = None,
    permissions: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.roles],
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,  # indexed directly by discord.py's Member()
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions:
        # Interactions carry the member's permissions in the channel, as a string of bits.
        data["permissions"] = str(guild.permissions(m.user.id, channel_id))
    return data


def role(r: Role) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(r.id),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(c: Channel) -> dict[str, Any]:
    last = c.log[-1].id if c.log else None
    data = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": [
            {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in c.overwrites
        ],
        "topic": c.topic,
        "nsfw": False,
        "last_message_id": None if last is None else str(last),
        "rate_limit_per_user": 0,
        "parent_id": None if c.parent_id is None else str(c.parent_id),
        "flags": 0,
    }
    if c.type in (2, 13):  # voice / stage: discord.py indexes these directly
        data |= {"bitrate": 64_000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1}
    return data


def resolved_channel(guild: Guild, c: Channel, user_id: int) -> dict[str, Any]:
    """A channel in ``data.resolved.channels``: partial, plus the invoker's permissions there."""
    return {
        "id": str(c.id),
        "type": c.type,
        "name": c.name,
        "permissions": str(guild.permissions(user_id, c.id)),
        "parent_id": None if c.parent_id is None else str(c.parent_id),
        "topic": c.topic,
        "position": c.position,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
        "guild_id": str(c.guild_id),
    }


def guild_base(g: Guild) -> dict[str, Any]:
    """The guild object of ``GET /guilds/{id}`` (no channels or members)."""
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": g.locale,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "features": [],
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "max_members": 500_000,
        "max_video_channel_users": 25,
        "widget_enabled": False,
        "incidents_data": None,
    }


def guild_create(g: Guild, members: list[Member]) -> dict[str, Any]:
    """GUILD_CREATE: the full guild the way the gateway sends it after READY."""
    return guild_base(g) | {
        "unavailable": False,
        "joined_at": g.members[next(iter(g.members))].joined_at,
        "large": len(g.members) > 250,
        "member_count": len(g.members),
        "channels": [channel(c) for c in g.channels.values()],
        "members": [member(g, m) for m in members],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def unavailable_guild(guild_id: int) -> dict[str, Any]:
    return {"id": str(guild_id), "unavailable": True}


def application(app: Application, owner: User) -> dict[str, Any]:
    """``GET /oauth2/applications/@me``."""
    return {
        "id": str(app.id),
        "name": app.name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": user(app.bot),
        "owner": user(owner),
        "team": None,
        "verify_key": "0" * 64,
        "flags": app.flags,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": app.interactions_endpoint_url,  # set: discord.py warns
        "approximate_guild_count": 1,
        "integration_types_config": {"0": {}},
    }


def attachment(a: Attachment, base_url: str, channel_id: int) -> dict[str, Any]:
    url = f"{base_url}/attachments/{channel_id}/{a.id}/{a.filename}"
    data: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": url,
        "proxy_url": url,
        "content_type": a.content_type,
        "flags": 0,
    }
    if a.description is not None:
        data["description"] = a.description
    return data


def message(
    m: Message, author: User, base_url: str, *, guild: Guild | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "type": m.type,
        "content": m.content,
        "author": user(author),
        "embeds": m.embeds,
        "components": m.components,
        "attachments": [attachment(a, base_url, m.channel_id) for a in m.attachments],
        "flags": m.flags,
        "tts": m.tts,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "reactions": [],
    }
    if m.guild_id is not None:
        data["guild_id"] = str(m.guild_id)
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
        data["application_id"] = str(m.webhook_id)
    if m.interaction_id is not None and guild is not None and m.interaction_user_id is not None:
        invoker = guild.members.get(m.interaction_user_id)
        if invoker is not None:
            data["interaction_metadata"] = {
                "id": str(m.interaction_id),
                "type": 2 if m.type == 20 else 3,
                "user": user(invoker.user),
                "authorizing_integration_owners": {"0": str(guild.id)},
            }
    return data


def command(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored application command as the sync/list routes answer it."""
    return entry


# --- gateway events --------------------------------------------------------------------------


def ready(
    app: Application,
    guild_ids: list[int],
    session_id: str,
    resume_url: str,
    shard: list[int] | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "v": 10,
        "user": client_user(app.bot),
        "guilds": [unavailable_guild(g) for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": {"id": str(app.id), "flags": app.flags},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["local"],
        "user_settings": {},
        "_trace": ["standin"],
    }
    if shard is not None:
        data["shard"] = shard  # AutoShardedClient's parse_ready indexes data['shard'][0]
    return data


def resumed() -> dict[str, Any]:
    # discord.py writes into this dict ('__shard_id__'): it must be an object, never null.
    return {"_trace": ["standin"]}


def members_chunk(
    g: Guild,
    members: list[Member],
    *,
    index: int,
    count: int,
    nonce: str | None,
    not_found: list[int],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "guild_id": str(g.id),
        "members": [member(g, m) for m in members],
        "chunk_index": index,
        "chunk_count": count,
        "presences": [],
    }
    if not_found:
        data["not_found"] = [str(u) for u in not_found]
    if nonce is not None:
        data["nonce"] = nonce
    return data


def member_add(g: Guild, m: Member) -> dict[str, Any]:
    return member(g, m) | {"guild_id": str(g.id)}


def member_remove(g: Guild, u: User) -> dict[str, Any]:
    return {"guild_id": str(g.id), "user": user(u)}


def channel_event(c: Channel) -> dict[str, Any]:
    """CHANNEL_CREATE / CHANNEL_UPDATE / CHANNEL_DELETE all carry the channel object."""
    return channel(c)


# --- interactions ----------------------------------------------------------------------------


def interaction(
    *,
    interaction_id: int,
    token: str,
    kind: int,
    app: Application,
    guild: Guild,
    channel_obj: Channel,
    invoker: Member,
    data: dict[str, Any],
    message_obj: dict[str, Any] | None = None,
    locale: str = "en-US",
) -> dict[str, Any]:
    """INTERACTION_CREATE for a guild interaction (2 command, 3 component, 4 autocomplete)."""
    chan = channel(channel_obj) | {
        "permissions": str(guild.permissions(invoker.user.id, channel_obj.id))
    }
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "type": kind,
        "token": token,
        "version": 1,
        "application_id": str(app.id),
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
        "guild_locale": guild.locale,
        "channel": chan,
        "channel_id": str(channel_obj.id),
        "member": member(guild, invoker, channel_id=channel_obj.id, permissions=True),
        "app_permissions": str(guild.permissions(app.bot.id, channel_obj.id)),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,  # 0 = guild
        "data": data,
    }
    if message_obj is not None:
        payload["message"] = message_obj
    return payload


def callback_response(
    *,
    interaction_id: int,
    interaction_type: int,
    callback_type: int,
    message_obj: dict[str, Any] | None,
    msg: Message | None,
) -> dict[str, Any]:
    """The body of ``POST /interactions/{id}/{token}/callback?with_response=1``."""
    info: dict[str, Any] = {"id": str(interaction_id), "type": interaction_type}
    if msg is not None:
        info["response_message_id"] = str(msg.id)
        info["response_message_loading"] = msg.loading
        info["response_message_ephemeral"] = msg.ephemeral
    resource: dict[str, Any] = {"type": callback_type}
    if message_obj is not None:
        resource["message"] = message_obj
    return {"interaction": info, "resource": resource}


def role_event(g: Guild, r: Role) -> dict[str, Any]:
    """GUILD_ROLE_CREATE / GUILD_ROLE_UPDATE."""
    return {"guild_id": str(g.id), "role": role(r)}


def member_update(g: Guild, m: Member) -> dict[str, Any]:
    """GUILD_MEMBER_UPDATE: the member (with user) plus guild_id, like GUILD_MEMBER_ADD."""
    return member_add(g, m)
