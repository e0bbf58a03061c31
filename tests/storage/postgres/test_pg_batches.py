"""What only PostgreSQL has: the constant round trips of a gift batch, transient faults retried
without a double effect (a lost COMMIT answer included), and the password kept out of sight."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from bot.economy.config import EconomyConfig
from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.storage import StorageError, open_ledger
from bot.storage.postgres.conn import Cursor, redact
from tests.storage.conftest import GUILD, fund, key


async def _gifts(ledger: Any, n: int) -> list[Any]:
    """`n` gifts queued at once: one batch."""
    before = ledger.writer.batches
    results = await asyncio.gather(
        *(
            ledger.run(
                SendGift(GUILD, 1 + i % 10, 100 + i % 7, key=key(), gift_name="Rose", count=1)
            )
            for i in range(n)
        )
    )
    assert ledger.writer.batches == before + 1
    return results


async def test_a_gift_batch_costs_the_same_round_trips_whatever_its_size(ledger: Any) -> None:
    for sender in range(1, 11):
        await fund(ledger, sender, 1000)
    await _gifts(ledger, 1)  # the day's first batch also rolls the closed days up, once
    trips = []
    for n in (5, 50, 400):
        before = ledger.writer.round_trips
        await _gifts(ledger, n)
        trips.append(ledger.writer.round_trips - before)
    assert trips[0] == trips[1] == trips[2], trips
    assert trips[0] <= 12
    assert (await ledger.verify()).ok


async def test_a_lost_commit_answer_is_run_again_and_applied_once(
    ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fund(ledger, 1, 100)
    real = Cursor.script
    lost = []

    def script(self: Cursor, sql: str) -> None:
        real(self, sql)
        if sql == "COMMIT" and not lost:  # committed; the answer never reaches us
            lost.append(sql)
            raise asyncpg.exceptions.ConnectionDoesNotExistError("connection lost")

    monkeypatch.setattr(Cursor, "script", script)
    results = await asyncio.gather(
        *(
            ledger.run(SendGift(GUILD, 1, 2, key=f"lost{i}", gift_name="Rose", count=3))
            for i in range(4)
        )
    )
    assert lost, "the fault was injected"
    assert ledger.writer.retries == 1
    # The re-run found every key taken: the first results, flagged replayed, and one effect each.
    assert all(r.replayed for r in results)
    assert sorted(r.sender_coins for r in results) == [88, 91, 94, 97]
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 100 - 4 * 3
    assert (await ledger.run(GetAccount(GUILD, 2))).diamonds == 4 * 3
    assert (await ledger.verify()).ok


async def test_a_serialization_failure_is_retried_on_a_clean_slate(
    ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fund(ledger, 1, 100)
    real = Cursor.execute
    failed = []

    def execute(self: Cursor, sql: str, params: Any = ()) -> Any:
        if "FOR UPDATE" in sql and not failed:
            failed.append(sql)
            raise asyncpg.exceptions.SerializationError("could not serialize access")
        return real(self, sql, params)

    monkeypatch.setattr(Cursor, "execute", execute)
    res = await ledger.run(SendGift(GUILD, 1, 2, key="ser", gift_name="Rose", count=5))
    assert failed
    assert ledger.writer.retries == 1
    assert not res.replayed
    assert res.sender_coins == 95
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 95
    assert (await ledger.verify()).ok


@pytest.mark.no_server
async def test_an_unreachable_server_is_one_sentence_without_the_password() -> None:
    with pytest.raises(StorageError) as info:
        await open_ledger("postgresql://giftcord:hunter2@127.0.0.1:1/giftcord", EconomyConfig())
    assert "does not answer" in info.value.operator_detail
    assert "hunter2" not in info.value.operator_detail
    assert "hunter2" not in str(info.value.args)


@pytest.mark.no_server
def test_the_password_is_redacted() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5433/giftcord") == (
        "postgresql://bot:***@db.example:5433/giftcord"
    )
    assert redact("postgresql://bot@db/giftcord") == "postgresql://bot@db/giftcord"
