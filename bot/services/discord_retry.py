"""Discord's server errors, tried again: discord.py retries a 500, 502 or 504 itself but raises
a 503 at once (Discord's edge answers it when busy). A role change or a channel post that met
one is tried again after each of these pauses before it is given up.

Only for requests whose repeat is harmless: a role given twice is one role, and a 5xx post
was not made (Discord answers 5xx before it creates the message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

T = TypeVar("T")

SERVER_ERROR_PAUSES = (1.0, 3.0)


async def retrying_server_errors(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, again after each pause while Discord answers 5xx; the last failure is raised."""
    for pause in SERVER_ERROR_PAUSES:
        try:
            return await call()
        except discord.DiscordServerError:
            await asyncio.sleep(pause)
    return await call()
