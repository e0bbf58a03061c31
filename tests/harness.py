"""The end-to-end harness: the real giftcord bot (every extension, a real SQLite ledger — or a
PostgreSQL one, `db_url`) running
in-process on the real discord.py client against the local Discord stand-in.

Used by the `harness` fixture in tests/conftest.py; also importable without pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import discord

from bot.app import GiftcordBot
from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.levels import LevelsConfig
from bot.economy.reads import GetAccount
from bot.economy.requests import Adjust, SendGift
from bot.sandbox.standin import GUILD_ID, OWNER, DiscordStandIn, SimulatedUser, start_bot, stop_bot
from bot.services import Services
from bot.settings import DiscordSettings
from bot.shards import make_bot
from bot.storage import SqliteLedger, open_ledger
from tests.clock import FakeClock

T = TypeVar("T")


class ErrorLog(logging.Handler):
    """Collects ERROR records from discord.py and giftcord: an unexpected error fails the test."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        return [
            r.getMessage() + (f" {r.exc_info[1]!r}" if r.exc_info else "") for r in self.records
        ]


@contextlib.asynccontextmanager
async def running_harness(
    standin: DiscordStandIn,
    db_path: Path,
    economy: EconomyConfig,
    configure: Callable[[Harness], None] | None = None,
    *,
    db_url: str | None = None,
) -> AsyncIterator[Harness]:
    """Start `standin`, point discord.py at it, start the bot (`configure` may change the
    harness first); afterwards stop everything and fail on any unexpected request or logged
    error. `db_url`: a PostgreSQL ledger instead of the SQLite file `db_path`."""
    await standin.start()
    patch = standin.patch_discord_py()
    h = Harness(standin, db_path, economy, db_url=db_url)
    if configure is not None:
        configure(h)
    try:
        await h.start()
        yield h
    finally:
        await h.close()
        await standin.stop()
        patch.undo()
    standin.assert_no_unexpected()
    assert not h.errors.records, h.errors.messages()


class Harness:
    def __init__(
        self,
        standin: DiscordStandIn,
        db_path: Path,
        economy: EconomyConfig,
        *,
        db_url: str | None = None,
    ) -> None:
        self.standin = standin
        self.db_path = db_path
        self.db_url = db_url  # a PostgreSQL URL: the ledger is there instead of at db_path
        self.economy = economy
        self.clock = FakeClock()
        self.ledger: SqliteLedger | None = None  # type: ignore[assignment]
        self.bot: GiftcordBot | None = None  # type: ignore[assignment]
        self._task: asyncio.Task[None] | None = None
        self.errors = ErrorLog()
        self._grants = 0
        # What the next `start_bot` connects with (a test may switch the members intent off,
        # or shard the bot) and the guilds it syncs its commands to.
        self.discord_settings = DiscordSettings(guild_ready_timeout=0.05)
        self.levels = LevelsConfig()  # `[levels]` of the next `start_bot`
        self.guild_ids = [GUILD_ID]

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> Harness:
        for name in ("discord", "giftcord"):
            logging.getLogger(name).addHandler(self.errors)
        await self.start_bot()
        return self

    async def start_bot(self) -> GiftcordBot:
        """Open the ledger (migrating), start a fresh bot on it and sync its commands through
        the stand-in's real PUT, as `python -m bot sync --guild` does."""
        if self.db_url is not None:
            self.ledger = await open_ledger(
                self.db_url, self.economy, clock=self.clock, pool_size=3
            )
        else:
            self.ledger = await SqliteLedger.open(self.db_path, self.economy, clock=self.clock)
        services = Services(self.ledger, self.economy, self.clock, levels=self.levels)
        self.bot = make_bot(services, self.discord_settings)
        self._task = await start_bot(self.bot, self.standin.token)
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.bot.tree.copy_global_to(guild=guild)
            await self.bot.tree.sync(guild=guild)
        return self.bot

    async def stop_bot(self) -> None:
        if self.bot is not None and self._task is not None:
            await stop_bot(self.bot, self._task)
        if self.ledger is not None:
            await self.ledger.close()
        self.bot, self._task, self.ledger = None, None, None

    async def restart(self) -> GiftcordBot:
        """A clean stop and a new process-equivalent start on the same database file."""
        await self.stop_bot()
        return await self.start_bot()

    async def close(self) -> None:
        await self.stop_bot()
        for name in ("discord", "giftcord"):
            logging.getLogger(name).removeHandler(self.errors)

    # --- conveniences ---------------------------------------------------------------------
    async def rose_stream(
        self, count: int, pair: Callable[[int], tuple[int, int]], *, batch: int = 100
    ) -> float:
        """`count` Roses, gift `i` from `pair(i)` = (sender, recipient), through the ledger and
        the same after-gift hooks the `/gift` cog calls (quicker than `count` interactions),
        `batch` at a time; the seconds the stream took (for a bound on coalesced edits)."""
        assert self.ledger is not None
        assert self.bot is not None
        ledger, hooks = self.ledger, self.bot.services.gift_hooks

        async def send(i: int) -> None:
            sender, recipient = pair(i)
            result = await ledger.run(
                SendGift(GUILD_ID, sender, recipient, key=f"rose-{i}", gift_name="Rose", count=1)
            )
            hooks.committed(GUILD_ID, result)

        loop = asyncio.get_running_loop()
        began = loop.time()
        for start in range(0, count, batch):
            await asyncio.gather(*(send(i) for i in range(start, min(start + batch, count))))
            await asyncio.sleep(0)
        return loop.time() - began

    async def grant(
        self,
        user_id: int,
        amount: int,
        currency: Currency = Currency.COINS,
        *,
        guild_id: int = GUILD_ID,
    ) -> None:
        """Seed a balance the way a moderator would (a ledger grant), so the books balance."""
        self._grants += 1
        assert self.ledger is not None
        await self.ledger.run(
            Adjust(
                guild_id,
                user_id,
                key=f"seed-{self._grants}",
                actor_id=OWNER,
                currency=currency,
                mode=AdjustMode.GRANT,
                amount=amount,
                reason="test seed",
            )
        )

    async def balances(self, *user_ids: int, guild_id: int = GUILD_ID) -> list[tuple[int, int]]:
        """(coins, diamonds) of each member, read from the ledger."""
        assert self.ledger is not None
        accounts = [await self.ledger.run(GetAccount(guild_id, uid)) for uid in user_ids]
        return [(a.coins, a.diamonds) for a in accounts]

    def user(self, user_id: int, **kw: Any) -> SimulatedUser:
        return self.standin.user(user_id, **kw)

    async def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Poll `predicate` until it returns something truthy (the bot works asynchronously).
        An async predicate is awaited: a coroutine object must never count as "true"."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)
