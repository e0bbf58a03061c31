"""Answers past Discord's 3-second deadline, through the real discord.py client: when the ledger
is slow, the interaction is deferred in time ("thinking…": publicly for `/gift`, whose
announcement completes it; privately for the rest) and the answer completes it. The stand-in
refuses any initial answer later than 3 s, as Discord does.

The slowness is the ledger's own `run` held back for chosen requests, as a lock held by a
backup or a slow disk would (tests/e2e/test_slow_ledger.py does it with a real lock on the
database file of the real process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.sandbox.standin.ids import ALICE, BOB
from bot.services.deferral import DEFER_AFTER_SECONDS

pytestmark = pytest.mark.asyncio

SLOW = DEFER_AFTER_SECONDS + 1.5  # past the deferral, and past Discord's 3 s as well


@pytest.fixture
def slow_gifts(harness: Any) -> Iterator[list[float]]:
    """Every `SendGift` waits `SLOW` seconds before the ledger runs it (delays can be popped
    from the list to make later gifts fast)."""
    ledger = harness.ledger
    real_run = ledger.run
    delays = [SLOW]

    async def run(request: Any) -> Any:
        if isinstance(request, SendGift) and delays:
            await asyncio.sleep(delays[0])
        return await real_run(request)

    ledger.run = run
    yield delays
    ledger.run = real_run


def placeholder_then_answer(r: Any) -> None:
    """The first answer was a deferral, accepted: inside Discord's deadline, which the stand-in
    enforces (a later one is refused with 10062)."""
    assert [(a.accepted, a.callback_type) for a in r.attempts] == [(True, 5)]


async def test_a_slow_gift_is_deferred_then_announced_publicly(
    harness: Any, slow_gifts: list[float]
) -> None:
    await harness.grant(ALICE, 100)
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift="Heart Me", count=2)
    placeholder_then_answer(r)
    # The public placeholder became the announcement: one message, completed in place.
    assert r.followups == [r.original]
    assert not r.ephemeral
    assert "Heart Me ×2" in r.embeds[0]["title"]
    assert "Send again" in str(r.components)
    assert await harness.balances(ALICE, BOB) == [(98, 0), (0, 2)]
    assert r.acknowledged


async def test_a_slow_refusal_replaces_the_public_placeholder_privately(
    harness: Any, slow_gifts: list[float]
) -> None:
    await harness.grant(ALICE, 1)
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=5)
    placeholder_then_answer(r)
    # The public placeholder made way for a private sentence: nothing public remains.
    assert r.original is not None
    assert r.original.deleted
    assert not r.original.ephemeral
    assert r.ephemeral
    assert "missing" in r.text
    assert await harness.balances(ALICE, BOB) == [(1, 0), (0, 0)]


async def test_a_combo_continues_on_a_deferred_announcement(
    harness: Any, slow_gifts: list[float]
) -> None:
    await harness.grant(ALICE, 100)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    placeholder_then_answer(first)
    slow_gifts.clear()  # the next Rose is quick: it joins the combo on the follow-up
    second = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    assert second.ephemeral
    assert "combo now ×2" in second.text
    announcement = await first.wait_for_edits(1, timeout=10)
    assert announcement is first.followups[0]
    assert "Rose ×2 combo" in first.text
    assert await harness.balances(ALICE, BOB) == [(98, 0), (0, 2)]


async def test_a_slow_private_answer_completes_a_private_placeholder(harness: Any) -> None:
    ledger = harness.ledger
    real_run = ledger.run
    held = [SLOW]  # the balance's account read waits (once); the rest, timers' too, are quick

    async def slow(request: Any) -> Any:
        if isinstance(request, GetAccount) and held:
            await asyncio.sleep(held.pop())
        return await real_run(request)

    ledger.run = slow
    try:
        r = await harness.user(ALICE).invoke("balance")
    finally:
        ledger.run = real_run
    placeholder_then_answer(r)
    assert r.followups == [r.original]
    assert r.ephemeral
    assert "Your balance" in r.text


async def test_a_quick_answer_is_not_deferred(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    assert [(a.accepted, a.callback_type) for a in r.attempts] == [(True, 4)]
    await asyncio.sleep(DEFER_AFTER_SECONDS + 0.2)  # the disarmed timer sends nothing later
    assert [(a.accepted, a.callback_type) for a in r.attempts] == [(True, 4)]
    assert r.followups == []
