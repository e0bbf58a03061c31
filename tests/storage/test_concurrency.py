"""Concurrency and exactly-once: the single writer never overdraws and never applies twice."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from bot.economy import errors as E
from bot.economy.ledger import GiftResult
from bot.economy.reads import GetAccount
from bot.economy.requests import Adjust, ConfirmAge, Purchase, SendGift, SetFrozen
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, fund, key


async def test_1000_concurrent_gifts_with_coins_for_10(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 10)
    results = await asyncio.gather(
        *(
            ledger.run(SendGift(GUILD, 1, 2 + i % 7, key=key("c"), gift_name="Rose", count=1))
            for i in range(1000)
        ),
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, GiftResult)]
    refused = [r for r in results if isinstance(r, E.InsufficientCoins)]
    assert (len(ok), len(refused)) == (10, 990)
    assert sorted(r.sender_coins for r in ok) == list(range(10))
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 0
    received = [(await ledger.run(GetAccount(GUILD, 2 + i))).diamonds for i in range(7)]
    assert sum(received) == 10
    assert ledger.writer.batches < 1000  # they really were grouped
    assert (await ledger.verify()).ok


async def test_same_key_twice_sequentially_is_one_effect(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 100)
    k = key()
    first = await ledger.run(SendGift(GUILD, 1, 2, key=k, gift_name="Rose", count=3))
    second = await ledger.run(SendGift(GUILD, 1, 2, key=k, gift_name="Rose", count=3))
    assert not first.replayed
    assert second.replayed
    assert dataclasses.replace(second, replayed=False) == first
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 97


async def test_50_concurrent_copies_are_one_effect(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 100)
    await ledger.run(ConfirmAge(GUILD, 3))
    gift_key, buy_key = key(), key()
    gifts = await asyncio.gather(
        *(
            ledger.run(SendGift(GUILD, 1, 2, key=gift_key, gift_name="Rose", count=5))
            for _ in range(50)
        )
    )
    buys = await asyncio.gather(
        *(ledger.run(Purchase(GUILD, 3, key=buy_key, coins=70, package=True)) for _ in range(50))
    )
    for results in (gifts, buys):
        assert sum(not r.replayed for r in results) == 1
        plain: set[Any] = {dataclasses.replace(r, replayed=False) for r in results}
        assert len(plain) == 1
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 95
    assert (await ledger.run(GetAccount(GUILD, 2))).diamonds == 5
    assert (await ledger.run(GetAccount(GUILD, 3))).coins == 70
    assert (await ledger.verify()).ok


async def test_keys_are_per_server(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 10)
    await ledger.run(
        Adjust(
            2,
            1,
            key="x",
            actor_id=9,
            currency="coins",
            mode="grant",
            amount=10,
            reason="r",  # type: ignore[arg-type]
        )
    )
    a = await ledger.run(SendGift(GUILD, 1, 2, key="same", gift_name="Rose", count=1))
    b = await ledger.run(SendGift(2, 1, 2, key="same", gift_name="Rose", count=1))
    assert not a.replayed
    assert not b.replayed


async def test_refusal_in_a_batch_does_not_disturb_the_others(ledger: SqliteLedger) -> None:
    await fund(ledger, 1, 5)
    calls = [
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=2)),
        ledger.run(SendGift(GUILD, 1, 1, key=key(), gift_name="Rose", count=1)),  # self-gift
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Nope", count=1)),  # unknown
        ledger.run(SendGift(GUILD, 1, 3, key=key(), gift_name="Rose", count=3)),
        ledger.run(SendGift(GUILD, 1, 3, key=key(), gift_name="Rose", count=1)),  # broke now
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["GiftResult", "SelfGift", "UnknownGift", "GiftResult", "InsufficientCoins"]
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 0
    assert (await ledger.verify()).ok


async def test_refused_credit_in_a_batch_undoes_only_its_debit(ledger: SqliteLedger) -> None:
    """A gift refused after its debit (recipient frozen) gives the sender's coins back, and the
    gifts around it in the same batch stand."""
    await fund(ledger, 1, 10)
    await ledger.run(SetFrozen(GUILD, 3, key=key(), actor_id=900, frozen=True, reason="abuse"))
    results = await asyncio.gather(
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=2)),
        ledger.run(SendGift(GUILD, 1, 3, key=key(), gift_name="Rose", count=3)),  # recipient frozen
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=4)),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["GiftResult", "AccountFrozen", "GiftResult"]
    sender = await ledger.run(GetAccount(GUILD, 1))
    assert (sender.coins, sender.coins_spent, sender.gifts_sent) == (4, 6, 2)
    assert (await ledger.run(GetAccount(GUILD, 3))).diamonds == 0
    assert (await ledger.verify()).ok


async def test_a_refused_key_is_free_again_later_in_the_same_batch(ledger: SqliteLedger) -> None:
    k = key()
    results = await asyncio.gather(
        ledger.run(SendGift(GUILD, 1, 2, key=k, gift_name="Rose", count=1)),  # broke: refused
        fund(ledger, 1, 5),
        ledger.run(SendGift(GUILD, 1, 2, key=k, gift_name="Rose", count=1)),
        ledger.run(SendGift(GUILD, 1, 2, key=k, gift_name="Rose", count=1)),
        return_exceptions=True,
    )
    assert isinstance(results[0], E.InsufficientCoins)
    assert isinstance(results[2], GiftResult)
    assert not results[2].replayed
    assert isinstance(results[3], GiftResult)
    assert results[3].replayed
    assert dataclasses.replace(results[3], replayed=False) == results[2]
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 4
    assert (await ledger.verify()).ok


async def test_unexpected_failure_after_writing_is_undone_alone(
    ledger: SqliteLedger, monkeypatch: Any
) -> None:
    """An operation that fails after its guarded writes (here: a bug while recording it) is
    undone alone by its savepoint — no flag to set by hand, no compensating update — so the
    others of its batch commit once and it leaves nothing behind."""
    from bot.storage.batch import Tx

    real = Tx.record

    def boom(self: Tx, req: Any, *args: Any, **kw: Any) -> None:
        if req.key == "boom":
            raise RuntimeError("bug after the debit")
        real(self, req, *args, **kw)

    monkeypatch.setattr(Tx, "record", boom)
    await fund(ledger, 1, 10)
    results = await asyncio.gather(
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=2)),
        ledger.run(SendGift(GUILD, 1, 3, key="boom", gift_name="Rose", count=3)),
        ledger.run(SendGift(GUILD, 1, 2, key=key(), gift_name="Rose", count=4)),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["GiftResult", "RuntimeError", "GiftResult"]
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 4
    assert (await ledger.run(GetAccount(GUILD, 2))).diamonds == 6
    assert (await ledger.run(GetAccount(GUILD, 3))).diamonds == 0
    assert (await ledger.verify()).ok
