"""TikTok's conversion rules, table-driven (docs/economy.md)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.economy import rules
from bot.economy.config import EconomyConfig
from bot.economy.errors import InvalidAmount
from bot.economy.money import format_usd, to_cents

CFG = EconomyConfig()


@pytest.mark.parametrize(
    ("diamonds", "usd"),
    [
        (20_000, "100.00"),  # 200 diamonds = 1 USD, the 50 % share applied once
        (29_999, "149.99"),  # a Lion: 29,999 coins → 29,999 diamonds
        (1, "0.00"),  # half a cent rounds down
        (3, "0.01"),
        (0, "0.00"),
        (10**12, "5000000000.00"),
    ],
)
def test_usd_for_diamonds_rounds_down_to_cents(diamonds: int, usd: str) -> None:
    assert to_cents(rules.usd_for_diamonds(CFG, diamonds)) == Decimal(usd)


def test_lion_end_to_end() -> None:
    lion = CFG.catalog().find("lion")
    diamonds = rules.diamonds_for_coins(lion.coins, CFG.diamonds_per_coin)
    assert (lion.coins, diamonds) == (29_999, 29_999)
    assert format_usd(rules.usd_for_diamonds(CFG, diamonds)) == "$149.99"


@pytest.mark.parametrize(
    ("coins", "usd"),
    [(1_000, "10.80"), (30, "0.324"), (100_000, "1080.00")],
)
def test_custom_price_is_web_price(coins: int, usd: str) -> None:
    quote = rules.quote_custom(CFG, coins)
    assert quote.usd == Decimal(usd)
    assert not quote.package


@pytest.mark.parametrize("coins", [29, 100_001, 0])
def test_custom_amount_outside_range_is_refused(coins: int) -> None:
    with pytest.raises(InvalidAmount, match="between 30 and 100,000"):
        rules.quote_custom(CFG, coins)


@pytest.mark.parametrize(
    ("coins", "usd"),
    [
        (70, "0.99"),
        (350, "4.99"),
        (700, "9.99"),
        (1400, "19.99"),
        (3500, "49.99"),
        (7000, "99.99"),
        (17500, "249.99"),
    ],
)
def test_package_prices(coins: int, usd: str) -> None:
    assert rules.quote_package(CFG, coins).usd == Decimal(usd)


def test_unknown_package_lists_the_offer() -> None:
    with pytest.raises(InvalidAmount, match="70, 350, 700"):
        rules.quote_package(CFG, 71)


@pytest.mark.parametrize(
    ("coins", "ratio", "diamonds"),
    [(1, "1", 1), (99, "1", 99), (5, "0.5", 2), (7, "0.3", 2), (44_999, "1", 44_999)],
)
def test_diamonds_round_down_per_gift(coins: int, ratio: str, diamonds: int) -> None:
    assert rules.diamonds_for_coins(coins, Decimal(ratio)) == diamonds


@given(st.integers(0, 10**12), st.decimals("0.01", "10", places=2))
def test_diamonds_never_exceed_value(coins: int, ratio: Decimal) -> None:
    d = rules.diamonds_for_coins(coins, ratio)
    assert d <= coins * ratio < d + 1


@pytest.mark.parametrize(
    ("pct", "coins", "bonus"), [(0, 700, 0), (10, 700, 70), (15, 70, 10), (100, 35, 35)]
)
def test_event_bonus_is_whole_coins(pct: int, coins: int, bonus: int) -> None:
    assert rules.bonus_coins(coins, pct) == bonus


ELIGIBLE = rules.CreatorFacts(
    age_confirmed=True, country="US", payout_method="paypal", frozen=False
)


def test_estimate_below_minimum_says_how_far() -> None:
    est = rules.cashout_estimate(CFG, 10_000, Decimal("0"), rules.eligibility(CFG, ELIGIBLE))
    assert (est.gross, est.net, est.missing_to_minimum, est.missing_diamonds) == (
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("50.00"),
        10_000,
    )
    assert est.eligible
    assert not est.allowed


def test_estimate_with_processor_fee_and_daily_cap() -> None:
    cfg = EconomyConfig(cashout_fee_percent=Decimal("2.9"), cashout_fee_fixed_usd=Decimal("0.30"))
    est = rules.cashout_estimate(cfg, 40_000, Decimal("950"), rules.eligibility(cfg, ELIGIBLE))
    assert est.gross == Decimal("200.00")
    assert est.fee == Decimal("6.10")
    assert est.net == Decimal("193.90")
    assert est.remaining_today == Decimal("50.00")
    assert est.over_daily_max
    assert not est.allowed


@pytest.mark.parametrize(
    ("facts", "failed"),
    [
        (ELIGIBLE, []),
        (rules.CreatorFacts(False, "US", "bank", False), ["confirmed 18 or older"]),
        (rules.CreatorFacts(True, None, "bank", False), ["lives where live gifts are available"]),
        (rules.CreatorFacts(True, "KP", "bank", False), ["lives where live gifts are available"]),
        (rules.CreatorFacts(True, "US", "bank", True), ["account in good standing"]),
        (rules.CreatorFacts(True, "US", None, False), ["payout method chosen"]),
    ],
)
def test_eligibility_checklist(facts: rules.CreatorFacts, failed: list[str]) -> None:
    items = rules.eligibility(CFG, facts)
    assert len(items) == 4
    assert [f.split(" — ")[0] for f in rules.failed_items(items)] == failed


@pytest.mark.parametrize(
    ("now", "period", "start"),
    [
        ("2026-11-22T15:30:00", "today", "2026-11-22T00:00:00"),
        ("2026-11-22T15:30:00", "week", "2026-11-16T00:00:00"),  # Sunday → Monday before
        ("2026-11-16T00:00:00", "week", "2026-11-16T00:00:00"),
        ("2026-11-22T15:30:00", "month", "2026-11-01T00:00:00"),
    ],
)
def test_period_starts_in_utc(now: str, period: str, start: str) -> None:
    ts = datetime.fromisoformat(now).replace(tzinfo=UTC).timestamp()
    assert (
        rules.period_start(period, ts)
        == datetime.fromisoformat(start).replace(tzinfo=UTC).timestamp()
    )
    assert rules.period_start("all", ts) is None


def test_daily_limits_reset_at_midnight_utc() -> None:
    ts = datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC).timestamp()
    assert rules.next_reset(ts) == datetime(2026, 11, 23, tzinfo=UTC)
    assert rules.utc_day(ts) + 1 == rules.utc_day(ts + 1)
