"""`[economy] promotions` through the real discord.py client: the highest matching bonus, the
window's edges (UTC days, both included), `min_coins` − 1 and exactly, the event's bonus against
a promotion (the larger applies, never both), bonus coins outside the daily cap, the offer shown
in `/coins packages` and `/help`, and `verify` after each purchase."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.economy.config import EconomyConfig, PromotionConfig
from bot.economy.reads import GetAccount
from bot.economy.requests import ConfirmAge, StartEvent
from bot.sandbox.standin.ids import ALICE, GUILD_ID, MODERATOR

pytestmark = pytest.mark.asyncio


@pytest.fixture
def economy() -> EconomyConfig:
    return EconomyConfig(
        purchase_confirm_above_usd=Decimal("1000"),  # every purchase here completes at once
        promotions=[
            PromotionConfig(min_coins=1_400, bonus_percent=10, ends=date(2026, 12, 31)),
            PromotionConfig(min_coins=7_000, bonus_percent=20, ends=date(2026, 12, 31)),
            PromotionConfig(min_coins=70, bonus_percent=50, starts=date(2026, 11, 23)),
        ],
    )


async def buy(harness: Any, amount: str) -> tuple[int, str]:
    """(coins gained, the reply's text) of ALICE's purchase of a custom `amount`."""
    before = (await harness.ledger.run(GetAccount(GUILD_ID, ALICE))).coins
    r = await harness.user(ALICE).invoke("coins buy", amount=amount)
    assert r.ephemeral
    after = (await harness.ledger.run(GetAccount(GUILD_ID, ALICE))).coins
    assert (await harness.ledger.verify()).ok
    return after - before, r.text


def at(harness: Any, when: datetime) -> None:
    harness.clock.now = when.timestamp()


async def test_min_coins_minus_one_and_exactly(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    gained, _ = await buy(harness, "1,399")
    assert gained == 1_399  # one coin short of the promotion
    gained, text = await buy(harness, "1,400")
    assert gained == 1_540
    assert "(promotion)" in text
    # The bonus has no list price: the cap counts 1,399 + 1,400 coins at $0.0108, nothing more.
    assert "$219.77" in text  # 250.00 − 15.11 − 15.12


async def test_the_highest_matching_tier_applies(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    gained, _ = await buy(harness, "7,000")
    assert gained == 8_400  # 20 %, not 10 % + 20 %


async def test_the_window_includes_its_first_and_last_day(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    at(harness, datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC))  # the day before 23 November
    assert (await buy(harness, "100"))[0] == 100
    at(harness, datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    assert (await buy(harness, "100"))[0] == 150  # 50 % from its first day
    at(harness, datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert (await buy(harness, "1,400"))[0] == 2_100  # 50 % beats 10 % on the last day
    at(harness, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    # The 10 % and 20 % tiers have ended; the open-ended 50 % one goes on.
    assert (await buy(harness, "1,400"))[0] == 2_100


async def test_an_event_bonus_and_a_promotion_do_not_stack(harness: Any) -> None:
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))
    await harness.ledger.run(
        StartEvent(
            GUILD_ID,
            key="ev",
            actor_id=MODERATOR,
            name="Party",
            minutes=600,
            goal=None,
            bonus_percent=15,
            channel_id=None,
        )
    )
    gained, text = await buy(harness, "1,400")
    assert gained == 1_610  # the event's 15 % beats the promotion's 10 %
    assert "(event bonus)" in text
    gained, text = await buy(harness, "7,000")
    assert gained == 8_400  # the promotion's 20 % beats the event's 15 %
    assert "(promotion)" in text


async def test_packages_and_help_show_the_offers(harness: Any) -> None:
    packages = await harness.user(ALICE).invoke("coins packages")
    assert "+10 % on 1,400 coins or more until 31 Dec" in packages.text
    assert "+20 % on 7,000 coins or more until 31 Dec" in packages.text
    assert "+50 %" not in packages.text  # not started yet
    help_ = await harness.user(ALICE).invoke("help")
    assert "+20 % on 7,000 coins or more" in help_.text
    assert "2 diamonds per coin" in help_.text  # /diamonds exchange's live rate
