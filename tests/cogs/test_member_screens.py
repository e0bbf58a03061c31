"""The read screens and creator flows through the real client: /help, /balance, /gifts pages,
/diamonds, /cashout, /creator, /leaderboard, /history."""

from __future__ import annotations

from typing import Any

import pytest

from bot.economy.ledger import Currency
from bot.economy.reads import GetAccount, ListCashouts
from bot.sandbox.standin import ComponentError
from bot.sandbox.standin.ids import ALICE, BOB, CAROL, DEPARTED, GUILD_ID, MODERATOR

pytestmark = pytest.mark.asyncio


def buttons(result_or_message: Any) -> dict[str, str]:
    rows = result_or_message.components
    return {c.get("label"): c.get("custom_id") for row in rows for c in row.get("components", [])}


def fields(result: Any) -> dict[str, str]:
    return {f["name"]: f["value"] for f in result.embeds[0].get("fields", [])}


async def gift(harness: Any, sender: int, recipient: int, name: str, count: int = 1) -> None:
    harness.clock.advance(60)  # keep combos out of the way
    r = await harness.user(sender).invoke("gift", member=recipient, gift=name, count=count)
    assert not r.ephemeral, r.text


async def test_help_uses_live_numbers_and_says_demo(harness: Any) -> None:
    r = await harness.user(ALICE).invoke("help")
    assert r.ephemeral
    for text in ("$0.99", "$250.00", "$100.00", "$1,000.00", "15 s", "Twitch", "demo"):
        assert text in r.text, text


async def test_own_balance_has_labelled_fields(harness: Any) -> None:
    await harness.grant(ALICE, 1500)
    await harness.grant(ALICE, 12_345, Currency.DIAMONDS)
    r = await harness.user(ALICE).invoke("balance")
    assert r.ephemeral
    f = fields(r)
    assert f["Coins"] == "1,500"
    assert f["Diamonds"] == "12,345"
    assert "$61.72" in f["USD value"]


async def test_other_members_profile_hides_coins_except_for_moderators(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    await gift(harness, ALICE, BOB, "Rose", 5)
    public = await harness.user(CAROL).invoke("balance", member=ALICE)
    assert not public.ephemeral
    assert "Coins" not in fields(public)
    assert fields(public)["Gifts sent"] == "1"
    mod = await harness.user(MODERATOR).invoke("balance", member=ALICE)
    assert mod.ephemeral
    assert fields(mod)["Coins"].startswith("95")


async def test_gifts_catalogue_pages(harness: Any) -> None:
    alice = harness.user(ALICE)
    r = await alice.invoke("gifts")
    assert "Rose" in r.text
    assert "Page 1 of" in r.text
    nxt = await alice.click(r.message, buttons(r)["Next ▶"])
    await nxt.wait_for(lambda p: "Page 2 of" in p.text)
    assert r.ephemeral  # a reference screen for the caller only: nobody else sees its buttons
    with pytest.raises(ComponentError):
        await harness.user(BOB).click(r.message, buttons(r)["Next ▶"])
    # a forged press by someone else is refused by the bot and turns no page
    other = await harness.user(BOB).click(r.message, buttons(r)["Next ▶"], validate=False)
    assert other.ephemeral
    assert "Page 2 of" in r.message.text
    assert "belong to whoever ran" in other.text
    last = await alice.invoke("gifts", page=99)  # past the end: the last page
    assert "Universe" in last.text


async def test_diamonds_balance_and_stats_chart(harness: Any) -> None:
    await harness.grant(ALICE, 1000)
    await gift(harness, ALICE, BOB, "Rose", 7)
    bal = await harness.user(BOB).invoke("diamonds balance")
    assert bal.ephemeral
    assert fields(bal)["Diamonds"] == "7"
    stats = await harness.user(BOB).invoke("diamonds stats", days=7)
    msg = (await stats.wait_for_followups(1))[0] if not stats.embeds else stats.message
    att = msg.attachments[0]
    assert att.filename.endswith(".png")
    assert att.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Rose" in msg.text
    assert f"<@{ALICE}>" in msg.text
    assert "7 diamonds" in msg.text


async def test_stats_without_data_is_friendly(harness: Any) -> None:
    stats = await harness.user(CAROL).invoke("diamonds stats")
    msg = (await stats.wait_for_followups(1))[0] if not stats.embeds else stats.message
    assert "No diamonds" in msg.text


async def test_cashout_estimate_request_and_history(harness: Any) -> None:
    await harness.grant(BOB, 30_000, Currency.DIAMONDS)
    bob = harness.user(BOB)
    est = await bob.invoke("cashout estimate")
    assert est.ephemeral
    assert "$150.00" in est.text
    assert "❌" in est.text
    assert "no real money" in est.text
    refused = await bob.invoke("cashout request", diamonds="30k", method="paypal")
    assert refused.ephemeral
    assert "/creator register" in refused.text
    assert (await harness.ledger.run(GetAccount(GUILD_ID, BOB))).diamonds == 30_000

    reg = await bob.invoke("creator register", country="DE", method="paypal")
    assert reg.ephemeral
    assert "I am 18 or older" in buttons(reg)
    press = await bob.click(reg.message, buttons(reg)["I am 18 or older"])
    await press.wait_for(lambda p: "registered" in p.text)
    account = await harness.ledger.run(GetAccount(GUILD_ID, BOB))
    assert (account.country, account.payout_method, account.age_confirmed) == ("DE", "paypal", True)
    status = await bob.invoke("creator status")
    assert status.text.count("✅") >= 4
    assert "❌" not in status.embeds[0]["description"]

    ok = await bob.invoke("cashout request", diamonds="25,000", method="paypal")
    assert ok.ephemeral
    assert "$125.00" in ok.text
    assert "pending" in ok.text
    assert (await harness.ledger.run(GetAccount(GUILD_ID, BOB))).diamonds == 5_000
    [payout] = (await harness.ledger.run(ListCashouts(GUILD_ID, user_id=BOB))).items
    assert (payout.diamonds, payout.state.value, str(payout.usd)) == (25_000, "pending", "125.00")
    hist = await bob.invoke("cashout history")
    assert "$125.00" in hist.text
    assert "pending" in hist.text


async def test_country_autocomplete_values_are_iso_codes(harness: Any) -> None:
    choices = await harness.user(BOB).autocomplete(
        "creator register", focused="country", country="germ"
    )
    assert choices[0] == {"name": "Germany (DE)", "value": "DE"}


async def test_leaderboard_hides_nobody_pings_and_shows_own_rank(harness: Any) -> None:
    await harness.grant(ALICE, 1000)
    await harness.grant(CAROL, 1000)
    await gift(harness, ALICE, BOB, "Rose", 5)
    await gift(harness, CAROL, ALICE, "Rose", 2)
    r = await harness.user(CAROL).invoke("leaderboard", board="gifters", period="all")
    assert not r.ephemeral
    desc = r.embeds[0]["description"]
    assert desc.index(f"<@{ALICE}>") < desc.index(f"<@{CAROL}>")
    assert "#2" in fields(r)["Your rank"]
    assert r.allowed_mentions is not None
    assert not r.allowed_mentions.get("parse")
    creators = await harness.user(CAROL).invoke("leaderboard")  # defaults: creators, all time
    assert f"<@{BOB}>" in creators.embeds[0]["description"]


async def test_history_own_and_moderator_only_for_others(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    await gift(harness, ALICE, BOB, "Rose", 3)
    own = await harness.user(ALICE).invoke("history")
    assert own.ephemeral
    assert "Gift sent" in own.text
    assert "Rose" in own.text
    refused = await harness.user(CAROL).invoke("history", member=ALICE)
    assert refused.ephemeral
    assert "Only moderators" in refused.text
    mod = await harness.user(MODERATOR).invoke("history", member=BOB)
    assert mod.ephemeral
    assert "Gift received" in mod.text


async def test_a_member_who_left_keeps_a_ledger_moderators_can_read(harness: Any) -> None:
    await harness.grant(DEPARTED, 40)
    mod = await harness.user(MODERATOR).invoke("history", member=DEPARTED)
    assert mod.ephemeral
    assert "Moderator grant" in mod.text
    assert "+40 coins" in mod.text
    assert (await harness.ledger.run(GetAccount(GUILD_ID, DEPARTED))).coins == 40
