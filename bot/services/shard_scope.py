"""Which servers this process serves. A server lives on exactly one shard,
`(guild_id >> 22) % shard_count` (Discord's routing); a sharded process connects only its
`shard_ids`, so work that is not started by an interaction (the due-events timer) must touch
only those servers — another process owns the rest and does the same for them."""

from __future__ import annotations

import discord


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a server's events and interactions to."""
    return (guild_id >> 22) % shard_count


def serves_guild(client: discord.Client, guild_id: int) -> bool:
    """True when `client`'s connections carry `guild_id` (always, for an unsharded client)."""
    count = client.shard_count
    if not count:
        return True
    ids = getattr(client, "shard_ids", None)  # AutoShardedClient's; None = every shard
    return ids is None or shard_of(guild_id, count) in ids
