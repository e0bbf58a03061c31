"""`/diamonds exchange` through the real discord.py client: diamonds into coins at the
configured rate, the remainder kept, refusals that change nothing, the confirm button above
10,000 diamonds, a redelivered interaction or a double click exchanged once, the history
label, and `verify` after each."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy.ledger import Currency
from bot.economy.reads import GetHistory
from bot.economy.requests import SetFrozen
from bot.sandbox.standin.ids import ALICE, GUILD_ID, MODERATOR

pytestmark = pytest.mark.asyncio


def buttons(result_or_message: Any) -> dict[str, str]:
    rows = result_or_message.components
    return {c.get("label"): c.get("custom_id") for row in rows for c in row.get("components", [])}


async def test_exchange_turns_diamonds_into_coins_and_keeps_the_remainder(harness: Any) -> None:
    await harness.grant(ALICE, 1_001, Currency.DIAMONDS)
    r = await harness.user(ALICE).invoke("diamonds exchange", diamonds="1,001")
    assert r.ephemeral
    assert "500 coins" in r.text  # 2 diamonds per coin by default
    assert await harness.balances(ALICE) == [(500, 1)]  # the odd diamond stays
    history = await harness.ledger.run(GetHistory(GUILD_ID, ALICE))
    assert {e.kind for e in history.items} >= {"exchange"}
    screen = await harness.user(ALICE).invoke("history")
    assert "Exchanged diamonds for coins" in screen.text
    assert (await harness.ledger.verify()).ok


@pytest.mark.parametrize(
    ("setup", "amount", "says"),
    [
        ("none", "1", "less than one coin's worth"),
        ("none", "5", "short"),  # has 3
        ("frozen", "2", "frozen"),
        ("none", "-4", "negative"),
        ("none", "1.5", "whole"),
    ],
)
async def test_refusals_change_nothing(harness: Any, setup: str, amount: str, says: str) -> None:
    await harness.grant(ALICE, 3, Currency.DIAMONDS)
    if setup == "frozen":
        await harness.ledger.run(
            SetFrozen(GUILD_ID, ALICE, key="f", actor_id=MODERATOR, frozen=True, reason="test")
        )
    r = await harness.user(ALICE).invoke("diamonds exchange", diamonds=amount)
    assert r.ephemeral
    assert says in r.text.lower()
    assert await harness.balances(ALICE) == [(0, 3)]
    assert (await harness.ledger.verify()).ok


async def test_above_10000_diamonds_asks_first_and_a_double_click_exchanges_once(
    harness: Any,
) -> None:
    await harness.grant(ALICE, 30_000, Currency.DIAMONDS)
    alice = harness.user(ALICE)
    r = await alice.invoke("diamonds exchange", diamonds="20k")
    assert r.ephemeral
    assert "Exchange 20,000 diamonds?" in r.text
    assert await harness.balances(ALICE) == [(0, 30_000)]  # nothing yet
    presses = [alice.prepare_click(r.message, buttons(r)["Exchange"]) for _ in range(2)]
    await asyncio.gather(*(harness.standin.deliver(p) for p in presses))
    await r.wait_for_text("You exchanged 20,000 diamonds")
    assert await harness.balances(ALICE) == [(10_000, 10_000)]
    assert (await harness.ledger.verify()).ok


async def test_exactly_10000_diamonds_needs_no_question(harness: Any) -> None:
    await harness.grant(ALICE, 10_000, Currency.DIAMONDS)
    r = await harness.user(ALICE).invoke("diamonds exchange", diamonds="10k")
    assert "You exchanged 10,000 diamonds" in r.text
    assert await harness.balances(ALICE) == [(5_000, 0)]


async def test_a_redelivered_exchange_is_applied_once(harness: Any) -> None:
    await harness.grant(ALICE, 100, Currency.DIAMONDS)
    result = harness.user(ALICE).prepare("diamonds exchange", diamonds="100")
    await harness.standin.deliver(result)
    await harness.standin.redeliver(result)
    await result.wait_for_attempts(2)
    assert await harness.balances(ALICE) == [(50, 0)]
    assert (await harness.ledger.verify()).ok
