"""Fixtures of the end-to-end tests: the local Discord stand-in, served by the test's own event
loop, that the real `python -m bot` processes talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.standin import DiscordStandIn
from tests.e2e.proc import SECRET_TOKEN


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    """A stand-in that knows the secret token; after the test, it must have seen no request it
    does not know."""
    server = await DiscordStandIn(token=SECRET_TOKEN).start()
    try:
        yield server
    finally:
        await server.stop()
    server.assert_no_unexpected()


@pytest.fixture
async def four_guilds() -> AsyncIterator[DiscordStandIn]:
    """Four guilds, one per shard of four (`World.build_shard_guilds`), and a large bot's session
    start limit (16 IDENTIFYs at once), so a process's shards connect without 5-second pauses."""
    server = await DiscordStandIn(token=SECRET_TOKEN, guilds=4, max_concurrency=16).start()
    try:
        yield server
    finally:
        await server.stop()
    server.assert_no_unexpected()
