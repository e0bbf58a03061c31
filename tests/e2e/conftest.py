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
