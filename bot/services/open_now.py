"""Who has a LIVE (or a battle) open right now, per server: the index a gift is checked against.

A gift to a member with nothing open costs a dictionary look-up; one to a member with a LIVE
or a battle open pokes that item's throttle. The index is read from the ledger once after
start-up (LIVEs and battles survive restarts), by the first caller that needs it. A gift that
arrives before that read is done is noted and looked up as soon as it is, so the gift hook
stays a plain call that never waits for the ledger (bot/services/gift_hooks.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("giftcord.open_now")

Key = tuple[int, int]  # (guild, member)


class OpenNow:
    def __init__(
        self,
        read: Callable[[], Awaitable[dict[Key, int]]],
        poke: Callable[[int, int], object],
        what: str,
    ) -> None:
        """`read`: every open item by (guild, member), from the ledger; `poke(guild, item)`: a
        gift reached a member with `item` open; `what` names the items in the log."""
        self._read, self._poke, self._what = read, poke, what
        self._on: dict[Key, int] = {}
        self._loaded = False
        self._early: set[Key] = set()  # gifts that came before the first read finished
        self._loading: asyncio.Task[None] | None = None

    async def ensure_loaded(self) -> None:
        """Read the index once; concurrent first callers share the one read."""
        if not self._loaded:
            await asyncio.shield(self._start_loading())

    def _start_loading(self) -> asyncio.Task[None]:
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._load(), name=f"open {self._what}")
        return self._loading

    async def _load(self) -> None:
        self._on.update(await self._read())
        self._loaded = True
        early, self._early = self._early, set()
        for guild_id, member_id in early:
            self.gift_received(guild_id, member_id)

    def get(self, guild_id: int, member_id: int) -> int | None:
        return self._on.get((guild_id, member_id))

    def opened(self, guild_id: int, member_id: int, item_id: int) -> None:
        self._on[(guild_id, member_id)] = item_id

    def closed(self, guild_id: int, member_id: int, item_id: int | None = None) -> None:
        """`member_id`'s item is over (only `item_id`'s entry, when given)."""
        if item_id is None or self._on.get((guild_id, member_id)) == item_id:
            self._on.pop((guild_id, member_id), None)

    def gift_received(self, guild_id: int, recipient_id: int) -> None:
        if not self._loaded:
            self._early.add((guild_id, recipient_id))
            if self._loading is None or self._loading.done():
                self._start_loading().add_done_callback(self._log_failure)
            return
        item_id = self._on.get((guild_id, recipient_id))
        if item_id is not None:
            self._poke(guild_id, item_id)

    def _log_failure(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            # The next gift, due check or command reads again; the cards catch up then.
            log.error("reading the open %s failed", self._what, exc_info=error)

    async def close(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
