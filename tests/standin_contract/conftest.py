"""Fixtures: a started stand-in with discord.py pointed at it, and the contract bot running on it.

Every test also fails if discord.py logged an error (a payload it choked on is logged, not raised,
when it happens inside an event handler) or if the stand-in saw a request it does not know.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.sandbox.standin import DiscordStandIn, run_bot
from tests.standin_contract.contract_bot import GUILD, ContractBot


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def discord_errors() -> Iterator[list[logging.LogRecord]]:
    handler = _Collect()
    for name in ("discord", "bot.sandbox.standin"):
        logging.getLogger(name).addHandler(handler)
    yield handler.records
    for name in ("discord", "bot.sandbox.standin"):
        logging.getLogger(name).removeHandler(handler)
    assert not handler.records, [r.getMessage() + str(r.exc_info) for r in handler.records]


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    stand_in = await DiscordStandIn().start()
    stand_in.patch_discord_py()
    try:
        yield stand_in
    finally:
        await stand_in.stop()
    stand_in.assert_no_unexpected()


@pytest.fixture
async def bot(standin: DiscordStandIn) -> AsyncIterator[ContractBot]:
    async with run_bot(ContractBot(), standin.token) as running:
        yield running


@pytest.fixture
async def synced(bot: ContractBot) -> ContractBot:
    """The bot with its tree synced to the guild through the stand-in (the real PUT)."""
    await bot.tree.sync(guild=GUILD)
    return bot
