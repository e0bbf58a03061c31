"""Start and stop an in-process discord.py client against the stand-in, without leaking its task.

    async with run_bot(bot, standin.token):
        ...

``start_bot`` returns as soon as ``on_ready`` fired, and re-raises at once if the client died
first (a bad token, or a payload it could not parse) instead of waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any


async def start_bot(bot: Any, token: str, *, timeout: float = 10.0) -> asyncio.Task[None]:  # noqa: ASYNC109
    task: asyncio.Task[None] = asyncio.create_task(bot.start(token), name="standin-bot")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready in done:
        return task
    ready.cancel()
    if task in done:
        await bot.close()
        task.result()  # raises the client's own error (LoginFailure, KeyError in a parser...)
        raise RuntimeError("the bot stopped before it was ready")
    await stop_bot(bot, task)
    raise TimeoutError(f"the bot was not ready within {timeout}s")


async def stop_bot(bot: Any, task: asyncio.Task[None], *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    await bot.close()
    try:
        await asyncio.wait_for(task, timeout)
    except asyncio.CancelledError:
        if not task.cancelled():
            raise


@contextlib.asynccontextmanager
async def run_bot(bot: Any, token: str, *, timeout: float = 10.0) -> AsyncIterator[Any]:  # noqa: ASYNC109
    task = await start_bot(bot, token, timeout=timeout)
    try:
        yield bot
    finally:
        await stop_bot(bot, task, timeout=timeout)
