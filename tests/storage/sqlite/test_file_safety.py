"""The ledger's hold on its file: replaced under the writer, locked against a second opener,
read-only at open (the process-level versions are in tests/e2e/test_storage_safety.py)."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.economy.config import EconomyConfig
from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.storage import SqliteLedger, StorageError
from bot.storage.sqlite.file_identity import GONE_SENTENCE, DatabaseFileGone
from tests.storage.conftest import GUILD, FakeClock, fund, key


async def rescued_coins(copy: Path, economy: EconomyConfig) -> int:
    """Member 1's coins in a rescued copy, which must also pass `verify`."""
    ledger = await SqliteLedger.open(copy, economy)
    try:
        assert (await ledger.verify()).ok
        return (await ledger.run(GetAccount(GUILD, 1))).coins
    finally:
        await ledger.close()


async def test_a_replaced_file_refuses_every_later_write_and_saves_what_was_acknowledged(
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
                await store.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=1))
            assert info.value.message == GONE_SENTENCE
            assert "was replaced by another file" in info.value.operator_detail
        with pytest.raises(StorageError):
            await fund(store, 2, 5)
    finally:
        await store.close()  # waits for the writer, which reports after answering
    (loud,) = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    rescued = list(db_path.parent.glob("ledger.db.rescued-*"))
    assert len(rescued) == 1
    assert f"is saved in {rescued[0]}" in loud  # how to recover
    assert await rescued_coins(rescued[0], economy) == 100  # the refused gifts are not in it


async def test_a_file_deleted_after_the_last_write_is_rescued_when_the_bot_stops(
    db_path: Path, economy: EconomyConfig, caplog: pytest.LogCaptureFixture
) -> None:
    store = await SqliteLedger.open(db_path, economy)
    await fund(store, 1, 100)
    db_path.unlink()  # and then the operator stops the bot
    caplog.set_level(logging.CRITICAL, logger="giftcord.storage")
    await store.close()
    (loud,) = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    (rescued,) = db_path.parent.glob("ledger.db.rescued-*")
    assert f"is saved in {rescued}" in loud
    assert await rescued_coins(rescued, economy) == 100


async def test_a_deleted_folder_cannot_be_rescued_and_the_line_says_restore_the_backup(
    tmp_path: Path, economy: EconomyConfig, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    store = await SqliteLedger.open(folder / "ledger.db", economy)
    try:
        await fund(store, 1, 100)
        shutil.rmtree(folder)
        caplog.set_level(logging.CRITICAL, logger="giftcord.storage")
        with pytest.raises(DatabaseFileGone):
            await fund(store, 2, 100)
    finally:
        await store.close()
    (loud,) = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "was deleted while giftcord was running" in loud
    assert "could not be saved" in loud
    assert "put your latest `python -m bot backup` copy at" in loud
    assert not folder.exists()


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
        assert (await again.run(GetAccount(GUILD, 1))).coins == 10
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
