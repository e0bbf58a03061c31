"""Shared fixtures. `harness`: the real bot on the real discord.py client against the local
Discord stand-in, with a real SQLite ledger in a temporary directory and a fake clock.

Every harness test also fails if discord.py or giftcord logged an error (an unexpected
exception is logged with an incident id, not raised) or if the stand-in saw a request it does
not know."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.sandbox.standin import DiscordStandIn
from tests.harness import Harness, running_harness


@pytest.fixture
def economy() -> EconomyConfig:
    """The economy under test; override this fixture in a module to change a rule."""
    return EconomyConfig()


@pytest.fixture
async def harness(tmp_path: Path, economy: EconomyConfig) -> AsyncIterator[Harness]:
    async with running_harness(DiscordStandIn(), tmp_path / "giftcord.db", economy) as h:
        yield h
