"""The after-gift hooks: plain calls in order, a failing one logged and never in the way, and
the open-LIVE index that a gift before its first read still reaches."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.economy.ledger import GiftResult
from bot.services.gift_hooks import GiftHooks
from bot.services.open_now import OpenNow

G = 1


def gift(recipient: int = 7) -> GiftResult:
    return GiftResult(
        txn_id=1,
        gift_name="Rose",
        count=1,
        coins=1,
        diamonds=1,
        sender_coins=0,
        recipient_diamonds=1,
        event_id=None,
        created_at=0.0,
        recipient_id=recipient,
    )


def test_hooks_run_in_order_and_a_failing_one_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hooks, seen = GiftHooks(), []

    def broken(guild_id: int, result: GiftResult) -> None:
        raise RuntimeError("board gone")

    hooks.add(lambda g, r: seen.append(("first", g)))
    hooks.add(broken)
    hooks.add(lambda g, r: seen.append(("last", r.recipient_id)))
    with caplog.at_level(logging.ERROR, logger="giftcord.gift_hooks"):
        hooks.committed(G, gift())
    assert seen == [("first", G), ("last", 7)]
    assert len(caplog.records) == 1
    assert "after-gift hook" in caplog.records[0].getMessage()
    hooks.remove(broken)
    hooks.committed(G, gift())
    assert len(seen) == 4
    assert len(caplog.records) == 1


async def test_a_gift_before_the_first_read_pokes_once_the_read_is_done() -> None:
    release = asyncio.Event()
    reads, pokes = 0, []

    async def read() -> dict[tuple[int, int], int]:
        nonlocal reads
        reads += 1
        await release.wait()
        return {(G, 7): 70}

    index = OpenNow(read, lambda g, item: pokes.append((g, item)), "LIVEs")
    for _ in range(5):  # a burst before the read returns: one read, one poke per member
        index.gift_received(G, 7)
    index.gift_received(G, 8)  # nothing open for member 8
    await asyncio.sleep(0)
    assert pokes == []
    assert reads == 1
    release.set()
    await index.ensure_loaded()
    await asyncio.sleep(0)
    assert pokes == [(G, 70)]
    assert reads == 1
    index.gift_received(G, 7)
    assert pokes == [(G, 70), (G, 70)]
    index.closed(G, 7, item_id=99)  # another item's end leaves this one open
    assert index.get(G, 7) == 70
    index.closed(G, 7)
    index.gift_received(G, 7)
    assert len(pokes) == 2
    await index.close()
