"""SQLite-specific storage tests: faults of the file itself (locked, full, read-only, corrupt), tampering caught by `verify`, backup."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.ledger import Currency, GiftResult
from bot.economy.reads import ExportRows, GetAccount
from bot.economy.requests import ExchangeDiamonds, SendGift
from bot.storage import CorruptDatabase, SqliteLedger, StorageError, database_path, open_ledger
from bot.storage.errors import USER_SENTENCE
from bot.storage.sqlite.schema import LATEST
from tests.storage.conftest import GUILD, FakeClock, fund, key
from tests.storage.test_period_boards import START as PERIOD_START


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///giftcord.db", "giftcord.db"),
        ("sqlite:///data/g.db", "data/g.db"),
        ("sqlite:////var/lib/g.db", "/var/lib/g.db"),
        ("plain/path.db", "plain/path.db"),
    ],
)
def test_database_urls(url: str, path: str) -> None:
    assert database_path(url) == path


@pytest.mark.parametrize(
    ("url", "words"),
    [
        # a PostgreSQL URL opens the PostgreSQL backend: an unknown host is one sentence
        ("postgresql://u@nohost.invalid/db", "the server does not answer"),
        ("mysql://h/db", "unsupported database URL"),
        ("sqlite:///:memory:", "must be a file"),
    ],
)
async def test_unsupported_urls_are_refused(url: str, words: str, economy: EconomyConfig) -> None:
    with pytest.raises(StorageError) as info:
        await open_ledger(url, economy)
    assert words in info.value.operator_detail


async def test_open_creates_and_migrates(tmp_path: Path, economy: EconomyConfig) -> None:
    path = tmp_path / "sub" / "new.db"
    store = await open_ledger(f"sqlite:///{path}", economy)
    assert await store.migrate() == (0, LATEST)
    await store.close()
    store = await open_ledger(str(path), economy)
    assert await store.migrate() == (LATEST, LATEST)
    mode = await store._read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"
    await store.close()


async def test_newer_schema_is_refused(db_path: Path, economy: EconomyConfig) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(StorageError, match="upgrade giftcord"):
        await SqliteLedger.open(db_path, economy)


async def test_garbage_file_is_corrupt_with_restore_hint(
    db_path: Path, economy: EconomyConfig
) -> None:
    db_path.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(CorruptDatabase) as info:
        await SqliteLedger.open(db_path, economy)
    assert "python -m bot backup" in info.value.operator_detail
    assert info.value.message == USER_SENTENCE


async def test_damaged_pages_are_detected_at_open(db_path: Path, economy: EconomyConfig) -> None:
    store = await SqliteLedger.open(db_path, economy)
    for user in range(200):
        await fund(store, user + 1, 10)
    await store.close()
    data = bytearray(db_path.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):  # smash every page after the first two
        data[offset + 8 : offset + 40] = b"\xff" * 32
    db_path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabase):
        await SqliteLedger.open(db_path, economy)


async def test_read_only_database_refuses_writes_and_changes_nothing(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 10)
    # query_only makes SQLite answer every write with SQLITE_READONLY, even for root, who can
    # write to a chmod 444 file.
    await ledger._execute_on_writer("PRAGMA query_only = ON")
    with pytest.raises(StorageError) as info:
        await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
    assert "read-only" in info.value.operator_detail
    await ledger._execute_on_writer("PRAGMA query_only = OFF")
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 10
    assert (await ledger.verify()).ok


async def test_full_disk_fails_the_whole_batch_and_nothing_is_partial(
    ledger: SqliteLedger,
) -> None:
    await fund(ledger, 1, 100_000)
    pages = (await ledger._execute_on_writer("PRAGMA page_count"))[0][0]
    await ledger._execute_on_writer(f"PRAGMA max_page_count = {pages}")
    before = await ledger.run(ExportRows(GUILD))
    results = await asyncio.gather(
        *(
            ledger.run(SendGift(GUILD, 1, 1000 + i, key=key(), gift_name="Rose", count=1))
            for i in range(2000)
        ),
        return_exceptions=True,
    )
    failed = [r for r in results if isinstance(r, StorageError)]
    assert failed, "the page limit should have been hit"
    assert all(isinstance(r, (StorageError, GiftResult)) for r in results)
    assert "full" in failed[0].operator_detail
    assert failed[0].message == USER_SENTENCE
    # Whatever was acknowledged is there; whatever failed left no trace.
    ok = sum(isinstance(r, GiftResult) for r in results)
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 100_000 - ok
    assert len(await ledger.run(ExportRows(GUILD))) == len(before) + 4 * ok
    assert (await ledger.verify()).ok
    await ledger._execute_on_writer("PRAGMA max_page_count = 1073741823")
    assert (
        await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
    ).coins == 1


async def test_locked_database_is_a_storage_error(
    db_path: Path, economy: EconomyConfig, clock: FakeClock
) -> None:
    store = await SqliteLedger.open(db_path, economy, clock=clock, busy_timeout_ms=100)
    try:
        await fund(store, 1, 10)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(StorageError) as info:
            await store.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
        assert "locked" in info.value.operator_detail
        other.execute("ROLLBACK")
        other.close()
        assert (await store.run(GetAccount(GUILD, 1))).coins == 10
        await store.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
    finally:
        await store.close()


async def test_writes_after_close_are_refused(db_path: Path, economy: EconomyConfig) -> None:
    store = await SqliteLedger.open(db_path, economy)
    await store.close()
    with pytest.raises(StorageError):
        await fund(store, 1, 10)


# --- verify and backup ------------------------------------------------------------------------


async def test_verify_names_a_tampered_balance(ledger: SqliteLedger, db_path: Path) -> None:
    await fund(ledger, 1, 100)
    await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=10))
    report = await ledger.verify()
    assert report.ok
    assert report.summary["gifts"] == 1
    other = sqlite3.connect(db_path)
    other.execute("UPDATE accounts SET coins = coins + 5 WHERE user_id = 1")
    # A gift's credit is its row's `diamonds` (its legs are implied by the row): tamper there.
    other.execute("UPDATE txns SET diamonds = 11 WHERE kind = 'gift'")
    # A stored leg (the funding grant's system side), so the ledger no longer sums to zero.
    other.execute("UPDATE entries SET amount = -99 WHERE account = -3")
    other.commit()
    other.close()
    report = await ledger.verify()
    assert not report.ok
    text = "\n".join(report.violations)
    assert "member 1 has 95 coins (entries say 90)" in text
    assert "gift minted the wrong diamonds" in text
    assert "ledger does not balance" in text


async def test_verify_while_writing(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 10_000)
    storm = asyncio.gather(
        *(
            ledger.run(SendGift(GUILD, 1, 2 + i % 50, key=key(), gift_name="Rose", count=1))
            for i in range(2000)
        )
    )
    reports = await asyncio.gather(*(ledger.verify() for _ in range(3)))
    await storm
    assert all(r.ok for r in reports)


async def test_backup_is_an_openable_checked_copy(
    ledger: SqliteLedger, tmp_path: Path, economy: EconomyConfig
) -> None:
    await fund(ledger, 1, 100)
    await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=7))
    dest = tmp_path / "backup.db"
    assert await ledger.backup(dest) == dest
    copy = await SqliteLedger.open(dest, economy)
    try:
        assert (await copy.run(GetAccount(GUILD, 2))).diamonds == 7
        assert (await copy.verify()).ok
    finally:
        await copy.close()
    with pytest.raises(StorageError, match="already exists"):
        await ledger.backup(dest)


async def test_verify_notices_rolled_up_totals_that_differ_from_their_days(tmp_path: Path) -> None:
    clock = FakeClock(PERIOD_START)
    path = tmp_path / "p.db"
    ledger = await SqliteLedger.open(path, EconomyConfig(), clock=clock)
    try:
        await fund(ledger, 1, 100)
        await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=3))
        clock.advance(86_400)  # the next day's first gift rolls the day before up
        await ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
        assert (await ledger.verify()).ok
        other = sqlite3.connect(path)
        other.execute("UPDATE period_stats SET coins_spent = coins_spent + 1 WHERE user_id = 1")
        other.commit()
        other.close()
        report = await ledger.verify()
        assert any("period totals differ from their days" in v for v in report.violations)
    finally:
        await ledger.close()


async def test_verify_notices_an_exchange_that_burnt_the_wrong_diamonds(
    ledger: SqliteLedger, db_path: Path
) -> None:
    await fund(ledger, 1, 101, Currency.DIAMONDS)
    res = await ledger.run(ExchangeDiamonds(GUILD, 1, key=key(), diamonds=101))
    assert (res.coins, res.diamonds, res.diamonds_left) == (50, 100, 1)
    assert (await ledger.verify()).ok
    other = sqlite3.connect(db_path)
    other.execute("UPDATE txns SET ratio = '3' WHERE kind = 'exchange'")  # the recorded rate
    other.commit()
    other.close()
    report = await ledger.verify()
    assert any("exchange moved the wrong amounts" in v for v in report.violations)
