"""The edit throttle for event progress posts.

A busy event can see hundreds of gifts a minute; editing the progress post for each would hit
Discord's rate limits and delay the gift replies. `RefreshThrottle` allows at most one refresh
per `interval` seconds per event and coalesces: gifts that arrive while a refresh is pending are
absorbed by it (it reads the ledger when it runs, so it shows all of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger("giftcord.events")

Refresh = Callable[[int, int], Awaitable[object]]  # what it returns is not used


async def cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until each has finished (a shutdown: timers, refreshes)."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


class RefreshThrottle:
    """At most one `refresh(guild_id, event_id)` per `interval` seconds per event, coalesced.

    `poke` never blocks the caller (a gift reply): it schedules a task when none is pending.
    Times come from `clock` (the services clock); the wait itself is an `asyncio.sleep`.
    """

    def __init__(
        self,
        refresh: Refresh,
        *,
        interval: float = 5.0,
        clock: Callable[[], float],
    ) -> None:
        self.refresh = refresh
        self.interval = interval
        self.clock = clock
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        # Every task not finished yet, pending or already refreshing: a refresh leaves
        # `_pending` before it reads the ledger, so waiting on `_pending` alone would miss an
        # edit in flight.
        self._alive: set[asyncio.Task[None]] = set()

    def poke(self, guild_id: int, event_id: int) -> bool:
        """Ask for a refresh; False when a pending one already absorbs this request."""
        if event_id in self._pending:
            return False
        last = self._last.get(event_id)
        delay = 0.0 if last is None else max(0.0, last + self.interval - self.clock())
        task = asyncio.create_task(
            self._run(guild_id, event_id, delay), name=f"event-board-{event_id}"
        )
        self._pending[event_id] = task
        self._alive.add(task)
        task.add_done_callback(self._alive.discard)
        return True

    def pending(self, event_id: int) -> bool:
        return event_id in self._pending

    async def _run(self, guild_id: int, event_id: int, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            # Leave the pending slot before reading the ledger: a gift committed after this
            # point schedules the next refresh instead of being lost.
            self._pending.pop(event_id, None)
            self._last[event_id] = self.clock()
            await self.refresh(guild_id, event_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("refreshing the progress post of event %s failed", event_id)
        finally:
            if self._pending.get(event_id) is asyncio.current_task():
                self._pending.pop(event_id, None)

    def forget(self, event_id: int) -> None:
        """Drop an ended event's state (its pending refresh, if any, is cancelled)."""
        task = self._pending.pop(event_id, None)
        if task is not None:
            task.cancel()
        self._last.pop(event_id, None)

    async def close(self) -> None:
        tasks = list(self._alive)
        self._pending.clear()
        await cancel_all(tasks)

    async def drain(self) -> None:
        """Wait for every pending or running refresh (tests, and a graceful shutdown)."""
        while self._alive:
            await asyncio.gather(*self._alive, return_exceptions=True)
