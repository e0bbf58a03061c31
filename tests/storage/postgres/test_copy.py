"""Moving a server: `copy-db` SQLite → PostgreSQL → SQLite with verify on all three and every
balance compared; refusals of a non-empty or held target; `backup` / `restore` on both backends."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.common import seed_members
from bot.economy.config import EconomyConfig
from bot.economy.ledger import Currency, PayoutMethod
from bot.economy.requests import (
    ConfirmAge,
    RegisterCreator,
    RequestCashout,
    SendGift,
    StartEvent,
    UpdateGuildSettings,
)
from bot.storage import SqliteLedger, StorageError, open_ledger, opening
from bot.storage.copy import copy_db
from tests import pg
from tests.clock import FakeClock
from tests.storage.conftest import GUILD, START, fund, key
from tests.test_settings import run_cli

MEMBERS = 40


async def build(path: Path) -> None:
    """A SQLite ledger seeded the way the benchmarks seed one, then some of everything."""
    store = await SqliteLedger.open(path, EconomyConfig(), clock=FakeClock(START))
    try:
        await seed_members(store, GUILD, range(1, MEMBERS + 1), 5_000)
        await store.run(UpdateGuildSettings(GUILD, audit_channel_id=77))
        await store.run(
            StartEvent(GUILD, key=key(), actor_id=900, name="Fest", minutes=60, goal=None,
                       bonus_percent=0, channel_id=None)
        )  # fmt: skip
        rng = random.Random(3)
        await asyncio.gather(
            *(
                store.run(
                    SendGift(GUILD, s, r, key=key(), gift_name="Rose", count=rng.randint(1, 9))
                )
                for s, r in (rng.sample(range(1, MEMBERS + 1), 2) for _ in range(300))
            )
        )
        await store.run(ConfirmAge(GUILD, 1))
        await store.run(RegisterCreator(GUILD, 1, country="us", method=PayoutMethod.PAYPAL))
        await fund(store, 1, 30_000, Currency.DIAMONDS)
        await store.run(
            RequestCashout(GUILD, 1, key=key(), diamonds=20_001, method=PayoutMethod.PAYPAL)
        )
    finally:
        await store.close()


@pytest.fixture
async def pg_url() -> str:
    assert pg.State.url is not None, pg.State.why_not
    await pg.clean(pg.State.url)
    return pg.State.url


async def test_sqlite_to_postgresql_and_back_verifies_everywhere(
    tmp_path: Path, pg_url: str
) -> None:
    source, back = tmp_path / "source.db", tmp_path / "back.db"
    await build(source)
    there = await copy_db(f"sqlite:///{source}", pg_url, EconomyConfig())
    assert there.ok
    assert there.accounts_compared >= MEMBERS
    assert there.rows["txns"] > 300
    home = await copy_db(pg_url, f"sqlite:///{back}", EconomyConfig())
    assert home.ok
    assert home.rows == there.rows
    for url in (f"sqlite:///{source}", pg_url, f"sqlite:///{back}"):
        assert (await opening.verify(url, max_balance=EconomyConfig().max_balance)).ok, url
    # The copy is a working ledger: ids continue after the copied rows.
    store = await open_ledger(pg_url, EconomyConfig(), pool_size=2)
    try:
        res = await store.run(SendGift(GUILD, 2, 3, key=key(), gift_name="Rose", count=1))
        assert res.txn_id > there.rows["txns"]
        assert (await store.verify()).ok
    finally:
        await store.close()


async def test_a_non_empty_or_held_target_is_refused(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "source.db"
    await build(source)
    await copy_db(f"sqlite:///{source}", pg_url, EconomyConfig())
    with pytest.raises(StorageError, match="is not empty"):
        await copy_db(f"sqlite:///{source}", pg_url, EconomyConfig())
    with pytest.raises(StorageError, match="is not empty"):
        await copy_db(pg_url, f"sqlite:///{source}", EconomyConfig())
    await pg.clean(pg_url)
    running = await open_ledger(pg_url, EconomyConfig(), pool_size=2)
    try:
        with pytest.raises(StorageError, match="running giftcord"):
            await copy_db(f"sqlite:///{source}", pg_url, EconomyConfig())
        held = tmp_path / "held.db"
        bot = await SqliteLedger.open(held, EconomyConfig())
        try:
            with pytest.raises(StorageError):
                await copy_db(pg_url, f"sqlite:///{held}", EconomyConfig())
        finally:
            await bot.close()
    finally:
        await running.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_backup_then_restore_into_an_empty_database(
    tmp_path: Path, pg_url: str, backend: str
) -> None:
    source = tmp_path / "source.db"
    await build(source)
    if backend == "postgres":
        await copy_db(f"sqlite:///{source}", pg_url, EconomyConfig())
        url = pg_url
    else:
        url = f"sqlite:///{source}"
    file = tmp_path / "ledger.backup"
    await opening.backup(url, file)
    assert file.stat().st_size > 0
    with pytest.raises(StorageError, match="already exists"):
        await opening.backup(url, file)
    # restore into the other backend's empty database, then into a fresh SQLite file
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    if backend == "sqlite":
        await pg.clean(pg_url)
        target = pg_url
    report = await copy_db(str(file), target, EconomyConfig())
    assert report.ok
    assert report.accounts_compared >= MEMBERS
    env = {"GIFTCORD_DATABASE__URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    proc = run_cli("restore", str(file), env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "verify: OK on both" in proc.stdout


def test_copy_db_through_the_cli(tmp_path: Path, pg_url: Any) -> None:
    source = tmp_path / "source.db"
    asyncio.run(build(source))
    proc = run_cli("copy-db", f"sqlite:///{source}", pg_url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "verify: OK on both" in proc.stdout
    again = run_cli("copy-db", f"sqlite:///{source}", pg_url, cwd=tmp_path)
    assert again.returncode == 1
    assert "is not empty" in again.stderr
    assert "Traceback" not in again.stderr
