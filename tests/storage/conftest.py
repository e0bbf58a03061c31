"""Shared fixtures for the storage tests: a real SQLite file per test and a fake clock."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.requests import Adjust
from bot.storage import SqliteLedger
from bot.storage.postgres import PostgresLedger
from tests import pg
from tests.clock import FakeClock

GUILD = 1
MOD = 900
# Wednesday 2025-03-05 12:00 UTC: mid-day, mid-week, mid-month.
START = datetime(2025, 3, 5, 12, 0, tzinfo=UTC).timestamp()


_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    """A fresh idempotency key (interaction ids are unique per delivery)."""
    return f"{prefix}{next(_keys)}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def economy() -> EconomyConfig:
    return EconomyConfig()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


# The contract suite runs once per backend: every test that takes `ledger` checks the port and
# `verify` only, so a new backend joins by adding its name here and its opener below.
BACKENDS = ["sqlite", "postgres"]


async def open_backend(
    backend: str, db_path: Path, economy: EconomyConfig, clock: FakeClock, *, fresh: bool = True
) -> Any:
    """The backend's ledger; `fresh`: on an empty database (PostgreSQL: the session's database,
    emptied; tests/pg.py)."""
    if backend == "sqlite":
        return await SqliteLedger.open(db_path, economy, clock=clock)
    if backend == "postgres":
        assert pg.State.url is not None, pg.State.why_not
        if fresh:
            await pg.clean(pg.State.url)
        return await PostgresLedger.open(pg.State.url, economy, clock=clock, pool_size=3)
    raise ValueError(f"unknown backend {backend!r}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def ledger(
    backend: str, db_path: Path, economy: EconomyConfig, clock: FakeClock
) -> AsyncIterator[SqliteLedger]:
    store = await open_backend(backend, db_path, economy, clock)
    try:
        yield store
    finally:
        await store.close()


async def fund(
    store: SqliteLedger, user_id: int, amount: int, currency: Currency = Currency.COINS
) -> None:
    """Give a member a balance the way a moderator would (purchases have a daily cap)."""
    await store.run(
        Adjust(
            GUILD,
            user_id,
            key=key("fund"),
            actor_id=MOD,
            currency=currency,
            mode=AdjustMode.GRANT,
            amount=amount,
            reason="test funds",
        )
    )
