"""A non-default economy through the real discord.py client: the `/coins buy package:` choices
are the configured packages (issue 16 item 4); the largest configured amounts never overflow
the ledger (item 5); typed amounts (item 14) and text other members see (item 14)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.economy.config import MAX_BALANCE_CEILING, EconomyConfig, GiftConfig, PackageConfig
from bot.sandbox.standin.ids import ALICE, BOB, GUILD_ID, MODERATOR

pytestmark = pytest.mark.asyncio

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


@pytest.fixture
def economy() -> EconomyConfig:
    return EconomyConfig(
        max_balance=MAX_BALANCE_CEILING,
        diamonds_per_coin=Decimal(100),
        packages=[
            PackageConfig(coins=500, usd=Decimal("4.50")),
            PackageConfig(coins=100, usd=Decimal("1.00")),
        ],
        gifts=[
            GiftConfig(tiktok_id=1, name="Rose", coins=1, streakable=True),
            GiftConfig(tiktok_id=2, name="Planet", coins=MAX_BALANCE_CEILING),
        ],
    )


def package_option(harness: Any) -> dict[str, Any]:
    """`/coins buy package:` as Discord stores it after the harness's real sync."""
    coins = next(
        c for c in harness.standin.synced_commands(guild_id=GUILD_ID) if c["name"] == "coins"
    )
    buy = next(o for o in coins["options"] if o["name"] == "buy")
    return next(o for o in buy["options"] if o["name"] == "package")


async def buy_confirming_age(harness: Any, **options: Any) -> str:
    """A first purchase, as a member makes it: the command asks "I am 18 or older" and the
    press completes it. The purchase's text."""
    alice = harness.user(ALICE)
    asked = await alice.invoke("coins buy", **options)
    assert asked.ephemeral, asked.describe()
    buttons = {
        c.get("label"): c.get("custom_id") for row in asked.components for c in row["components"]
    }
    await alice.click(asked.message, buttons["I am 18 or older"])
    await asked.wait_for_text("Thanks")
    return asked.message.text


async def test_package_choices_are_the_configured_packages(harness: Any) -> None:
    option = package_option(harness)
    assert [(c["name"], c["value"]) for c in option["choices"]] == [
        ("100 coins — $1.00", 100),
        ("500 coins — $4.50", 500),
    ]
    assert "500 coins" in await buy_confirming_age(harness, package=500)
    assert await harness.balances(ALICE) == [(500, 0)]
    # TikTok's 70 is not a package here: a client that sends it anyway is refused.
    stale = await harness.user(ALICE).invoke("coins buy", package=70, validate=False)
    assert stale.ephemeral
    assert "`package` must be `100` or `500`" in stale.text, stale.describe()
    assert await harness.balances(ALICE) == [(500, 0)]


async def test_the_largest_configured_amounts_are_refused_without_an_incident(
    harness: Any,
) -> None:
    # A member at the maximum balance, a gift priced at the maximum, 99 of them at 100 diamonds
    # per coin: every product still fits the ledger's integers, so each is an ordinary refusal.
    await harness.grant(ALICE, MAX_BALANCE_CEILING)
    many = await harness.user(ALICE).invoke("gift", member=BOB, gift="Planet", count=99)
    assert many.ephemeral
    assert "missing" in many.text, many.describe()
    one = await harness.user(ALICE).invoke("gift", member=BOB, gift="Planet")
    assert one.ephemeral
    assert "maximum" in one.text.lower(), one.describe()
    assert "incident" not in (many.text + one.text).lower()
    assert await harness.balances(ALICE, BOB) == [(MAX_BALANCE_CEILING, 0), (0, 0)]


async def test_thousands_grouped_with_underscores_are_an_amount(harness: Any) -> None:
    assert "1,500 coins" in await buy_confirming_age(harness, amount="1_500")
    assert await harness.balances(ALICE) == [(1500, 0)]


async def test_bidi_controls_never_reach_a_public_announcement(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = await harness.user(ALICE).invoke(
        "gift", member=BOB, gift="Rose", message=f"gg {RLO}olleh{PDF} {LRI}x{PDI}"
    )
    assert not r.ephemeral
    fields = {f["name"]: f["value"] for f in r.embeds[0]["fields"]}
    assert fields["Message"] == "gg olleh x"


async def test_bidi_controls_are_stripped_from_event_names(harness: Any) -> None:
    started = await harness.user(MODERATOR).invoke(
        "event start", name=f"{RLO}Launch{PDF}  night\u200f", minutes=60
    )
    assert "**Launch night**" in started.text, started.describe()
    status = await harness.user(ALICE).invoke("event status")
    shown = status.text + " ".join(str(e) for e in status.embeds)
    assert "Launch night" in shown, status.describe()
    assert not any(c in shown for c in (RLO, PDF, "\u200f"))
