"""The Discord stand-in every real-process test talks to, served by the test's own loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.proc import SECRET_TOKEN
from tests.standin import DiscordStandIn


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    server = await DiscordStandIn(token=SECRET_TOKEN).start()
    try:
        yield server
    finally:
        await server.stop()
    server.assert_no_unexpected()
