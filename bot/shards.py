"""The bot on several shards: `[discord] shard_count` / `shard_ids` (product.md §6).

Discord sends each server's events to one shard, `(guild_id >> 22) % shard_count`. With the
settings unset the bot is the plain `GiftcordBot` (one connection, exactly as before); with
them it is `ShardedGiftcordBot`, discord.py's `AutoShardedBot` connecting only `shard_ids` — so
any number of processes, each with its own ids, serve one bot from one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from discord.ext import commands

from bot.app import EXTENSIONS, GiftcordBot
from bot.services import Services
from bot.settings import DiscordSettings

log = logging.getLogger("giftcord.shards")

# Discord allows `max_concurrency` IDENTIFYs per this many seconds, one per rate-limit bucket
# (`shard_id % max_concurrency`).
IDENTIFY_INTERVAL = 5.0
# Seconds a shard waits before identifying AGAIN (Discord ended its session: op 9
# INVALID_SESSION, or a refused RESUME): Discord asks for a random 1-5 s, and discord.py's own
# hook, which `before_identify_hook` replaces, waits 5 s.
REIDENTIFY_WAIT = (1.0, 5.0)


class ShardedGiftcordBot(GiftcordBot, commands.AutoShardedBot):
    """`GiftcordBot` on `AutoShardedBot`'s connections (the MRO puts AutoShardedClient's
    connection handling under GiftcordBot's commands and services)."""

    def __init__(self, services: Services, discord_settings: DiscordSettings, **kw: Any) -> None:
        assert discord_settings.shard_count is not None
        super().__init__(
            services,
            discord_settings,
            shard_count=discord_settings.shard_count,
            shard_ids=discord_settings.shard_ids,
            **kw,
        )
        self._max_concurrency: int | None = None
        self._identified_at: dict[int, float] = {}
        self._identify_lock = asyncio.Lock()
        self._identified_shards: set[int] = set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Pace IDENTIFYs the way Discord's session start limit allows: one per bucket
        (`shard_id % max_concurrency`) every 5 s — not discord.py's flat 5 s before every
        shard, which makes a large bot (max_concurrency 16) start 16 times slower than it may.
        A shard identifying again first waits `REIDENTIFY_WAIT`, as Discord asks after op 9."""
        if (shard_id or 0) in self._identified_shards:
            await asyncio.sleep(random.uniform(*REIDENTIFY_WAIT))
        self._identified_shards.add(shard_id or 0)
        async with self._identify_lock:
            if self._max_concurrency is None:
                limits = await self.fetch_session_start_limits()
                self._max_concurrency = max(1, limits.max_concurrency)
            bucket = (shard_id or 0) % self._max_concurrency
            loop = asyncio.get_running_loop()
            last = self._identified_at.get(bucket)
            if last is not None and (wait := last + IDENTIFY_INTERVAL - loop.time()) > 0:
                await asyncio.sleep(wait)
            self._identified_at[bucket] = loop.time()

    async def on_ready(self) -> None:
        log.info(
            "connected as %s to %d servers on shards %s of %s",
            self.user,
            len(self.guilds),
            sorted(self.shards),
            self.shard_count,
        )


def make_bot(
    services: Services,
    discord_settings: DiscordSettings,
    *,
    extensions: tuple[str, ...] = EXTENSIONS,
) -> GiftcordBot:
    """The bot the settings ask for: sharded only when `[discord] shard_count` is set."""
    if discord_settings.sharded:
        return ShardedGiftcordBot(services, discord_settings, extensions=extensions)
    return GiftcordBot(services, discord_settings, extensions=extensions)
