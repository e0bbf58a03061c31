"""`/coins buy` and `/coins packages`: the 18+ button completing the purchase, the confirm
button above the threshold (owner only), refusals that change nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy.reads import GetAccount, GetHistory
from bot.economy.requests import ConfirmAge
from bot.sandbox.standin import ComponentError
from bot.sandbox.standin.ids import ALICE, CAROL, GUILD_ID

pytestmark = pytest.mark.asyncio


def buttons(result_or_message: Any) -> dict[str, str]:
    rows = result_or_message.components
    return {c.get("label"): c.get("custom_id") for row in rows for c in row.get("components", [])}


async def coins(harness: Any, user_id: int = ALICE) -> int:
    return (await harness.ledger.run(GetAccount(GUILD_ID, user_id))).coins


async def test_first_purchase_asks_18_plus_and_the_button_completes_it(harness: Any) -> None:
    alice = harness.user(ALICE)
    r = await alice.invoke("coins buy", package=350)
    assert r.ephemeral
    assert "18 or older" in r.text
    assert "I am 18 or older" in buttons(r)
    assert await coins(harness) == 0
    # A double click: both presses reach the bot; the purchase happens once.
    custom_id = buttons(r)["I am 18 or older"]
    presses = [alice.prepare_click(r.message, custom_id) for _ in range(2)]
    await asyncio.gather(*(harness.standin.deliver(p) for p in presses))
    await r.wait_for_text("350 coins")
    assert "Thanks — your age is confirmed." in r.message.text
    assert sum("Already answered" in p.text for p in presses) == 1
    assert await coins(harness) == 350
    assert (await harness.ledger.run(GetAccount(GUILD_ID, ALICE))).age_confirmed
    assert (await harness.ledger.run(GetHistory(GUILD_ID, ALICE))).total == 1  # one purchase entry
    again = await alice.invoke("coins buy", package=70)  # no second age question
    assert again.ephemeral
    assert "Coins" in again.text
    assert await coins(harness) == 420


async def test_custom_amount_and_its_remaining_cap(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    r = await harness.user(ALICE).invoke("coins buy", amount="1.5k")
    assert r.ephemeral
    assert "$16.20" in r.text  # 1,500 × 0.0108 list price
    assert "$233.80" in r.text  # remaining of the 250.00 daily cap
    assert await coins(harness) == 1500


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({}, "exactly one"),
        ({"package": 70, "amount": "100"}, "exactly one"),
        ({"amount": "abc"}, "not an amount"),
        ({"amount": "10"}, "between"),
        ({"amount": "-5"}, "negative"),
    ],
)
async def test_bad_input_is_refused(harness: Any, kwargs: dict[str, Any], sentence: str) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    r = await harness.user(ALICE).invoke("coins buy", **kwargs)
    assert r.ephemeral
    assert sentence in r.text
    assert await coins(harness) == 0


async def test_above_20_usd_asks_to_confirm_and_only_the_owner_can(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    r = await harness.user(ALICE).invoke("coins buy", package=3500)
    assert r.ephemeral
    assert "$49.99" in r.text
    custom_id = buttons(r)["Confirm"]
    assert await coins(harness) == 0
    # The question is ephemeral: Discord never shows it (or its buttons) to anyone else ...
    with pytest.raises(ComponentError):
        await harness.user(CAROL).click(r.message, custom_id)
    # ... and a forged press on it is still refused by the bot itself.
    stranger = await harness.user(CAROL).click(r.message, custom_id, validate=False)
    assert stranger.ephemeral
    assert "Only the member who asked" in stranger.text
    assert await coins(harness) == 0
    press = await harness.user(ALICE).click(r.message, custom_id)
    await press.wait_for(lambda p: "3,500 coins" in p.text)
    assert await coins(harness) == 3500


async def test_cancel_changes_nothing(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    r = await harness.user(ALICE).invoke("coins buy", package=7000)
    press = await harness.user(ALICE).click(r.message, buttons(r)["Cancel"])
    await press.wait_for(lambda p: "nothing was changed" in p.text)
    assert await coins(harness) == 0


async def test_daily_cap_refusal_says_when_it_resets(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    alice = harness.user(ALICE)
    r = await alice.invoke("coins buy", package=17500)
    await alice.click(r.message, buttons(r)["Confirm"])
    refused = await alice.invoke("coins buy", package=350)
    assert refused.ephemeral
    assert "<t:" in refused.text
    assert await coins(harness) == 17500


async def test_over_the_cap_is_refused_before_asking(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    alice = harness.user(ALICE)
    r = await alice.invoke("coins buy", package=17500)  # $249.99 of the $250.00
    await alice.click(r.message, buttons(r)["Confirm"])
    refused = await alice.invoke("coins buy", package=3500)  # above the confirm threshold
    assert refused.ephemeral
    assert "$0.01 left" in refused.text
    assert "<t:" in refused.text
    assert not refused.components  # no question whose answer could only be refused
    assert await coins(harness) == 17500


async def test_a_redelivered_purchase_buys_once(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    r = harness.user(ALICE).prepare("coins buy", package=70)
    await harness.standin.deliver(r)
    await harness.standin.redeliver(r)
    attempts = await r.wait_for_attempts(2)
    assert [a.accepted for a in attempts] == [True, False]
    assert "70 coins" in r.text
    assert await coins(harness) == 70


async def test_packages_lists_prices(harness: Any) -> None:
    r = await harness.user(ALICE).invoke("coins packages")
    assert "$0.99" in r.text
    assert "$249.99" in r.text
    assert "17,500 coins" in r.text
