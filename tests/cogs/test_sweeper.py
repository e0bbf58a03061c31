"""The sweep every timer cog runs (bot/services/sweeper.py): its first run waits for the bot to
be ready, a failing run is logged and the next one still comes, and stop() ends it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.services.sweeper import Sweeper


class NotReadyYet:
    def __init__(self) -> None:
        self.ready = asyncio.Event()

    async def wait_until_ready(self) -> None:
        await self.ready.wait()


async def test_runs_after_ready_survives_a_failure_and_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = NotReadyYet()
    runs: list[int] = []

    async def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("database is locked")

    sweeper = Sweeper(bot, "test sweep", 0.01, work)  # type: ignore[arg-type]
    sweeper.start()
    await asyncio.sleep(0.05)
    assert runs == []  # not before the bot is ready
    with caplog.at_level(logging.ERROR, logger="giftcord.sweeps"):
        bot.ready.set()
        for _ in range(100):
            if len(runs) >= 3:
                break
            await asyncio.sleep(0.01)
    assert len(runs) >= 3  # the failure did not stop it
    assert "the test sweep failed; retrying in 0.01 s" in caplog.text
    await sweeper.stop()
    stopped_at = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == stopped_at
