"""Treasure boxes through the port (`Ledger.run` and `verify` only, so every backend runs them):
the escrow, opening once, the counted guard under concurrency, the daily cap, the split, the
refund, and that every refusal changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy import errors as E
from bot.economy.ledger import SystemAccount, TreasureState
from bot.economy.reads import ExportRows, GetAccount, GetTreasure, UnfinishedTreasures
from bot.economy.requests import (
    DropTreasure,
    MarkTreasureAnnounced,
    OpenTreasure,
    SetFrozen,
    SettleTreasure,
    SetTreasureMessage,
)
from tests.storage.conftest import GUILD, MOD, fund, key

DROPPER, CAP = 10, 20


async def coins(ledger: Any, user_id: int) -> int:
    return int((await ledger.run(GetAccount(GUILD, user_id))).coins)


async def drop(ledger: Any, amount: int = 1_000, openers: int = 3, minutes: int = 2) -> Any:
    return await ledger.run(
        DropTreasure(GUILD, DROPPER, key("drop"), amount, openers, minutes, channel_id=55)
    )


def press(box_id: int, user_id: int, k: str | None = None, **kw: Any) -> OpenTreasure:
    return OpenTreasure(GUILD, box_id, user_id, k or key("open"), daily_limit=CAP, **kw)


async def escrowed(ledger: Any) -> int:
    rows = await ledger.run(ExportRows(GUILD))
    return sum(r["amount"] for r in rows if r["account"] == "system:treasure_escrow")


async def test_drop_escrows_and_a_full_box_splits_exactly(ledger: Any) -> None:
    await fund(ledger, DROPPER, 1_500)
    box = await drop(ledger, 1_000, openers=3)
    assert box.state is TreasureState.OPEN
    assert box.coins == 1_000
    assert box.openers == 3
    assert await coins(ledger, DROPPER) == 500
    assert await escrowed(ledger) == 1_000
    assert (await ledger.verify()).ok
    for uid in (21, 22, 23):
        opened = await ledger.run(press(box.id, uid))
        assert opened.user_id == uid
    assert opened.full
    assert opened.opened == 3
    split = await ledger.run(SettleTreasure(GUILD, box.id, seed=7))
    assert split.state is TreasureState.SPLIT
    assert split.opener_ids == (21, 22, 23)
    assert sum(split.shares) == 1_000
    assert min(split.shares) >= 1
    assert split.returned == 0
    assert [await coins(ledger, u) for u in (21, 22, 23)] == list(split.shares)
    assert await coins(ledger, DROPPER) == 500
    assert await escrowed(ledger) == 0
    # Settling again (the timer after a full box, or the start-up sweep) changes nothing.
    again = await ledger.run(SettleTreasure(GUILD, box.id, seed=99))
    assert again.replayed
    assert again.shares == split.shares
    stored = await ledger.run(GetTreasure(GUILD, box.id))
    assert stored.shares == split.shares
    assert stored.state is TreasureState.SPLIT
    assert (await ledger.verify()).ok


async def test_the_same_seed_splits_the_same_way(ledger: Any) -> None:
    await fund(ledger, DROPPER, 2_000)
    results = []
    for _ in range(2):
        box = await drop(ledger, 1_000, openers=2)
        await ledger.run(press(box.id, 31))
        await ledger.run(press(box.id, 32))
        results.append((await ledger.run(SettleTreasure(GUILD, box.id, seed=1234))).shares)
    assert results[0] == results[1]


async def test_nobody_opened_returns_the_coins(ledger: Any, clock: Any) -> None:
    await fund(ledger, DROPPER, 1_000)
    box = await drop(ledger, 600, openers=5, minutes=1)
    with pytest.raises(E.InvalidState, match="still open"):
        await ledger.run(SettleTreasure(GUILD, box.id, seed=1))
    clock.advance(61)
    assert [b.id for b in await ledger.run(UnfinishedTreasures())] == [box.id]
    with pytest.raises(E.InvalidState, match="closed"):
        await ledger.run(press(box.id, 21))  # too late to open
    back = await ledger.run(SettleTreasure(GUILD, box.id, seed=1))
    assert back.state is TreasureState.RETURNED
    assert back.returned == 600
    assert back.shares == ()
    assert await coins(ledger, DROPPER) == 1_000
    # Settled, but its results are not out yet: still unfinished until they are.
    [pending] = await ledger.run(UnfinishedTreasures())
    assert pending.state is TreasureState.RETURNED
    assert not pending.announced
    await ledger.run(MarkTreasureAnnounced(GUILD, box.id))
    assert await ledger.run(UnfinishedTreasures()) == []
    assert (await ledger.verify()).ok


async def test_a_timed_out_box_splits_among_those_who_opened(ledger: Any, clock: Any) -> None:
    await fund(ledger, DROPPER, 50)
    box = await drop(ledger, 50, openers=10)
    await ledger.run(press(box.id, 21))
    await ledger.run(press(box.id, 22))
    clock.advance(121)
    split = await ledger.run(SettleTreasure(GUILD, box.id, seed=3))
    assert split.opener_ids == (21, 22)
    assert sum(split.shares) == 50
    assert min(split.shares) >= 1
    assert (await ledger.verify()).ok


async def test_drop_refusals_change_nothing(ledger: Any) -> None:
    await fund(ledger, DROPPER, 100)
    with pytest.raises(E.InvalidAmount, match="at least 5"):
        await drop(ledger, 4, openers=5)
    with pytest.raises(E.InsufficientCoins):
        await drop(ledger, 101, openers=1)
    with pytest.raises(E.InvalidInput):
        await drop(ledger, 100, openers=101)
    with pytest.raises(E.InvalidInput):
        await drop(ledger, 100, openers=1, minutes=61)
    await ledger.run(SetFrozen(GUILD, DROPPER, key("f"), MOD, True, "abuse"))
    with pytest.raises(E.AccountFrozen):
        await drop(ledger, 10, openers=1)
    assert await coins(ledger, DROPPER) == 100
    assert await ledger.run(UnfinishedTreasures()) == []
    assert (await ledger.verify()).ok


async def test_open_refusals(ledger: Any) -> None:
    await fund(ledger, DROPPER, 100)
    await fund(ledger, 24, 1)
    box = await drop(ledger, 100, openers=2)
    with pytest.raises(E.InvalidInput, match="You dropped this box"):
        await ledger.run(press(box.id, DROPPER))
    with pytest.raises(E.InvalidInput, match="Bots"):
        await ledger.run(press(box.id, 99, opener_is_bot=True))
    await ledger.run(SetFrozen(GUILD, 24, key("f"), MOD, True, "abuse"))
    with pytest.raises(E.AccountFrozen):
        await ledger.run(press(box.id, 24))
    with pytest.raises(E.NotFound):
        await ledger.run(press(box.id + 1, 21))
    first = await ledger.run(press(box.id, 21, "click-1"))
    # A redelivered interaction gets its first answer; a second click is "already opened".
    assert (await ledger.run(press(box.id, 21, "click-1"))).replayed
    with pytest.raises(E.InvalidState, match="already opened"):
        await ledger.run(press(box.id, 21, "click-2"))
    await ledger.run(press(box.id, 22))
    with pytest.raises(E.InvalidState, match="full"):
        await ledger.run(press(box.id, 23))
    stored = await ledger.run(GetTreasure(GUILD, box.id))
    assert stored.opener_ids == (21, 22)
    assert first.opened == 1
    assert (await ledger.verify()).ok


async def test_a_hundred_concurrent_presses_let_exactly_openers_in(ledger: Any) -> None:
    await fund(ledger, DROPPER, 1_000)
    box = await drop(ledger, 1_000, openers=10)
    members = list(range(100, 200))
    # Every member presses; half of them double-click (two interactions at once).
    presses = [press(box.id, u) for u in members] + [press(box.id, u) for u in members[::2]]
    outcomes = await asyncio.gather(*(ledger.run(p) for p in presses), return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 10
    assert len({o.user_id for o in won}) == 10
    assert all(isinstance(o, E.InvalidState) for o in refused)
    assert sum("full" in str(o) for o in refused) >= 90 - 10
    stored = await ledger.run(GetTreasure(GUILD, box.id))
    assert sorted(stored.opener_ids) == sorted(o.user_id for o in won)
    assert stored.full
    split = await ledger.run(SettleTreasure(GUILD, box.id, seed=5))
    assert sum(split.shares) == 1_000
    assert min(split.shares) >= 1
    assert (await ledger.verify()).ok


async def test_daily_cap_counts_opens_per_utc_day(ledger: Any, clock: Any) -> None:
    await fund(ledger, DROPPER, 100)
    boxes = [await drop(ledger, 10, openers=1) for _ in range(3)]
    limited = [OpenTreasure(GUILD, b.id, 21, key("o"), daily_limit=2) for b in boxes]
    await ledger.run(limited[0])
    await ledger.run(limited[1])
    with pytest.raises(E.DailyCapReached, match="2 opens per day"):
        await ledger.run(limited[2])
    assert (await ledger.run(GetTreasure(GUILD, boxes[2].id))).opened == 0


async def test_frozen_opener_share_returns_to_the_dropper(ledger: Any) -> None:
    await fund(ledger, DROPPER, 100)
    box = await drop(ledger, 100, openers=2)
    await ledger.run(press(box.id, 21))
    await ledger.run(press(box.id, 22))
    await ledger.run(SetFrozen(GUILD, 22, key("f"), MOD, True, "abuse"))
    split = await ledger.run(SettleTreasure(GUILD, box.id, seed=1))
    assert split.shares == (100, 0)
    assert split.returned == 0
    assert await coins(ledger, 21) == 100
    assert await coins(ledger, 22) == 0
    assert (await ledger.verify()).ok


async def test_an_open_box_cannot_be_marked_announced(ledger: Any) -> None:
    await fund(ledger, DROPPER, 10)
    box = await drop(ledger, 10, openers=1)
    with pytest.raises(E.InvalidState, match="not settled"):
        await ledger.run(MarkTreasureAnnounced(GUILD, box.id))


async def test_message_of_a_box_is_remembered(ledger: Any) -> None:
    await fund(ledger, DROPPER, 10)
    box = await drop(ledger, 10, openers=1)
    await ledger.run(SetTreasureMessage(GUILD, box.id, 55, 777))
    stored = await ledger.run(GetTreasure(GUILD, box.id))
    assert (stored.channel_id, stored.message_id) == (55, 777)
    with pytest.raises(E.NotFound):
        await ledger.run(SetTreasureMessage(GUILD, box.id + 5, 55, 777))


def test_escrow_is_its_own_system_account() -> None:
    assert SystemAccount.TREASURE_ESCROW not in {
        SystemAccount.MINT,
        SystemAccount.GIFTS,
        SystemAccount.ADJUST,
        SystemAccount.PAYOUT_PENDING,
        SystemAccount.PAID_OUT,
        SystemAccount.EXCHANGE,
    }
