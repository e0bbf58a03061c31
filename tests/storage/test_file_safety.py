"""The ledger's hold on its file: replaced under the writer, locked against a second opener,
read-only at open (the process-level versions are in tests/e2e/test_storage_safety.py)."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.economy.config import EconomyConfig
from bot.storage import SqliteLedger, StorageError
from bot.storage.file_identity import GONE_SENTENCE, DatabaseFileGone
from tests.storage.conftest import GUILD, FakeClock, fund, key


async def test_a_replaced_file_refuses_the_batch_that_found_it_and_every_later_write(
    db_path: Path, economy: EconomyConfig, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = await SqliteLedger.open(db_path, economy, clock=clock)
    try:
        await fund(store, 1, 100)
        other = db_path.with_name("other.db")
        sqlite3.connect(other).close()
        os.replace(other, db_path)  # e.g. a backup copied over the live file
        caplog.set_level(logging.CRITICAL, logger="giftcord.storage")
        for _ in range(3):
            with pytest.raises(DatabaseFileGone) as info:
                await store.gift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1)
            assert info.value.message == GONE_SENTENCE
            assert "was replaced by another file" in info.value.operator_detail
        with pytest.raises(StorageError):
            await fund(store, 2, 5)
        loud = [r for r in caplog.records if r.levelno == logging.CRITICAL]
        assert len(loud) == 1, loud
        assert "python -m bot backup" in loud[0].getMessage()  # how to recover
    finally:
        await store.close()


async def test_a_second_ledger_on_the_file_is_refused_until_the_first_closes(
    db_path: Path, economy: EconomyConfig
) -> None:
    first = await SqliteLedger.open(db_path, economy)
    try:
        with pytest.raises(StorageError) as info:
            await SqliteLedger.open(db_path, economy)
        assert f"(process {os.getpid()}) is already running" in info.value.operator_detail
        await fund(first, 1, 10)  # the refusal disturbed nothing
    finally:
        await first.close()
    again = await SqliteLedger.open(db_path, economy)  # closing dropped the lock
    try:
        assert (await again.account(GUILD, 1)).coins == 10
    finally:
        await again.close()


async def test_a_read_only_connection_is_refused_at_open(
    db_path: Path, economy: EconomyConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What SQLite does silently when the file may not be written: it opens it read-only.
    Simulated here with `mode=ro` on the writer's connection (root bypasses file modes; the
    real-permission version runs the process unprivileged, in tests/e2e)."""
    await (await SqliteLedger.open(db_path, economy)).close()
    real_connect = aiosqlite.connect
    calls = 0

    def read_only_writer(path: str, **kw: object) -> aiosqlite.Connection:
        nonlocal calls
        calls += 1
        if calls == 1:  # the writer's connection
            return real_connect(f"file:{path}?mode=ro", uri=True, **kw)
        return real_connect(path, **kw)

    monkeypatch.setattr(aiosqlite, "connect", read_only_writer)
    with pytest.raises(StorageError) as info:
        await SqliteLedger.open(db_path, economy)
    assert "is read-only for this process" in info.value.operator_detail
    monkeypatch.undo()
    # the lock was released with the failed open
    await (await SqliteLedger.open(db_path, economy)).close()
