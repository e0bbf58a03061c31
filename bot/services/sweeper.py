"""The periodic sweep a cog runs for what no interaction starts: ending due events, LIVEs and
battles, settling overdue treasure boxes.

Every sweep has the same three promises, so they live here once: the first run is right after
the bot is ready (what fell due while the bot was down is handled at start-up), a failing run
(say, a locked database) is logged and retried on the next tick instead of stopping the sweep,
and stopping it waits for nothing but its own cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

log = logging.getLogger("giftcord.sweeps")


class Sweeper:
    def __init__(
        self,
        bot: discord.Client,
        what: str,
        seconds: float,
        work: Callable[[], Awaitable[object]],
    ) -> None:
        self.bot, self.what, self.seconds, self.work = bot, what, seconds, work
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"sweep: {self.what}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.work()
            except Exception:
                log.exception("the %s failed; retrying in %s s", self.what, self.seconds)
            await asyncio.sleep(self.seconds)
