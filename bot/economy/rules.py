"""TikTok's conversion rules as pure functions: prices, diamonds, USD, cash-out estimate,
eligibility, and UTC-day arithmetic for the daily limits. No I/O, no clocks: time comes in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from bot.economy.config import EconomyConfig, PromotionConfig
from bot.economy.errors import DailyCapReached, InvalidAmount
from bot.economy.money import format_count, format_usd, to_cents

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class PurchaseQuote:
    coins: int
    usd: Decimal  # list price, exact (e.g. 10.80 for 1,000 custom coins)
    package: bool


def quote_package(cfg: EconomyConfig, coins: int) -> PurchaseQuote:
    for p in cfg.coin_packages():
        if p.coins == coins:
            return PurchaseQuote(coins, p.usd, package=True)
    offered = ", ".join(format_count(p.coins) for p in cfg.coin_packages())
    raise InvalidAmount(f"There is no {format_count(coins)}-coin package. Packages: {offered}.")


def quote_custom(cfg: EconomyConfig, coins: int) -> PurchaseQuote:
    if not cfg.custom_min_coins <= coins <= cfg.custom_max_coins:
        raise InvalidAmount(
            f"A custom amount must be between {format_count(cfg.custom_min_coins)} and "
            f"{format_count(cfg.custom_max_coins)} coins."
        )
    return PurchaseQuote(coins, coins * cfg.custom_usd_per_coin, package=False)


def remaining_spend(cfg: EconomyConfig, spent_today: Decimal) -> Decimal:
    """What is left of today's demo spend cap (never negative)."""
    return max(cfg.daily_spend_cap_usd - spent_today, Decimal(0))


def check_spend(cfg: EconomyConfig, spent_today: Decimal, quote: PurchaseQuote, now: float) -> None:
    """The daily demo spend cap: refuse a purchase whose list price is over what is left today.
    One rule for the purchase itself and for the question asked before it."""
    remaining = remaining_spend(cfg, spent_today)
    if quote.usd > remaining:
        raise DailyCapReached("demo spending limit", format_usd(remaining), next_reset(now))


@dataclass(frozen=True, slots=True)
class Bonus:
    """The bonus a purchase gets: one percent, from the live event or from a promotion."""

    percent: int
    promotion: bool  # False: the event's bonus (or none)

    def coins(self, bought: int) -> int:
        return bonus_coins(bought, self.percent)


def active_promotions(cfg: EconomyConfig, now: float) -> list[PromotionConfig]:
    """The promotions whose window holds this UTC day, best bonus first."""
    today = datetime.fromtimestamp(now, tz=UTC).date()
    live = [
        p
        for p in cfg.promotions
        if (p.starts is None or p.starts <= today) and (p.ends is None or today <= p.ends)
    ]
    return sorted(live, key=lambda p: (-p.bonus_percent, p.min_coins))


def purchase_bonus(cfg: EconomyConfig, coins: int, event_percent: int, now: float) -> Bonus:
    """The highest promotion this purchase reaches, or the event's bonus if that is larger:
    they never stack (a tie goes to the event, the same coins either way)."""
    promo = next((p for p in active_promotions(cfg, now) if coins >= p.min_coins), None)
    if promo is not None and promo.bonus_percent > event_percent:
        return Bonus(promo.bonus_percent, promotion=True)
    return Bonus(event_percent, promotion=False)


def bonus_coins(coins: int, bonus_percent: int) -> int:
    """Event bonus coins: a whole number, rounded down so a bonus never mints a partial coin."""
    return coins * bonus_percent // 100


def diamonds_for_coins(coins: int, ratio: Decimal) -> int:
    """Diamonds credited for a gift worth `coins`: coins × ratio, rounded down per gift."""
    return int((coins * ratio).to_integral_value(rounding=ROUND_FLOOR))


def usd_for_diamonds(cfg: EconomyConfig, diamonds: int) -> Decimal:
    """Exact USD value of diamonds (unrounded; `to_cents` rounds when shown or paid)."""
    return diamonds * cfg.usd_per_diamond


def diamonds_for_usd(cfg: EconomyConfig, usd: Decimal) -> int:
    """The fewest whole diamonds worth at least `usd`."""
    if cfg.usd_per_diamond == 0:
        return 0
    return int((usd / cfg.usd_per_diamond).to_integral_value(rounding="ROUND_CEILING"))


# --- UTC days -----------------------------------------------------------------------------


def utc_day(ts: float) -> int:
    """Days since the epoch (UTC) — the key of every daily limit and daily statistic."""
    return int(ts // SECONDS_PER_DAY)


def day_start(day: int) -> float:
    return float(day * SECONDS_PER_DAY)


def next_reset(ts: float) -> datetime:
    """When today's limits reset: the next midnight UTC."""
    return datetime.fromtimestamp(day_start(utc_day(ts) + 1), tz=UTC)


def period_start(period: str, ts: float) -> float | None:
    """Start of a leaderboard period: today, this ISO week (Monday), this month, or all time."""
    now = datetime.fromtimestamp(ts, tz=UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return midnight.timestamp()
    if period == "week":
        return (midnight - timedelta(days=midnight.weekday())).timestamp()
    if period == "month":
        return midnight.replace(day=1).timestamp()
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


# --- Eligibility and the cash-out estimate ------------------------------------------------


@dataclass(frozen=True, slots=True)
class EligibilityItem:
    label: str
    ok: bool
    fix: str  # what to do when not ok


class _HasCreatorFacts(Protocol):
    @property
    def age_confirmed(self) -> bool: ...
    @property
    def country(self) -> str | None: ...
    @property
    def payout_method(self) -> str | None: ...
    @property
    def frozen(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class CreatorFacts:
    """What the ledger knows about a member, as the rules need it."""

    age_confirmed: bool
    country: str | None
    payout_method: str | None
    frozen: bool


def eligibility(
    cfg: EconomyConfig, facts: CreatorFacts | _HasCreatorFacts
) -> list[EligibilityItem]:
    """The cash-out checklist, from a member's `Account` (or the bare facts): one place that
    turns what the ledger knows into ✅/❌ rows, for `/creator status`, `/cashout` and the
    cash-out decision alike."""
    country_ok = facts.country is not None and facts.country in cfg.eligible_countries
    return [
        EligibilityItem(
            "Confirmed 18 or older", facts.age_confirmed, "confirm with `/creator register`"
        ),
        EligibilityItem(
            "Lives where LIVE Gifts are available"
            + (f" ({facts.country})" if facts.country else ""),
            country_ok,
            "register your country with `/creator register`"
            if facts.country is None
            else "your country is not eligible in this server",
        ),
        EligibilityItem("Account in good standing", not facts.frozen, "ask a moderator"),
        EligibilityItem(
            "Payout method chosen" + (f" ({facts.payout_method})" if facts.payout_method else ""),
            facts.payout_method is not None,
            "choose one with `/creator register`",
        ),
    ]


def failed_items(items: Sequence[EligibilityItem]) -> list[str]:
    return [f"{i.label.split(' (')[0].lower()} — {i.fix}" for i in items if not i.ok]


@dataclass(frozen=True, slots=True)
class CashoutEstimate:
    diamonds: int
    gross: Decimal  # USD, rounded down to cents: what a payout would be
    fee: Decimal
    net: Decimal
    minimum: Decimal
    missing_to_minimum: Decimal  # USD still needed to reach the minimum (0 when reached)
    missing_diamonds: int
    remaining_today: Decimal  # of the daily maximum
    over_daily_max: bool
    checklist: list[EligibilityItem]

    @property
    def eligible(self) -> bool:
        return all(i.ok for i in self.checklist)

    @property
    def allowed(self) -> bool:
        return (
            self.eligible
            and self.missing_to_minimum == 0
            and not self.over_daily_max
            and self.diamonds > 0
        )


def cashout_estimate(
    cfg: EconomyConfig,
    diamonds: int,
    requested_today: Decimal,
    checklist: list[EligibilityItem],
) -> CashoutEstimate:
    """Gross, fee, net, distance to the minimum and today's remaining cap for `diamonds`."""
    gross = to_cents(usd_for_diamonds(cfg, diamonds))
    fee = (
        to_cents(gross * cfg.cashout_fee_percent / 100 + cfg.cashout_fee_fixed_usd)
        if gross
        else Decimal("0.00")
    )
    fee = min(fee, gross)
    missing = max(Decimal("0.00"), cfg.cashout_min_usd - gross)
    remaining = max(Decimal("0.00"), cfg.cashout_daily_max_usd - requested_today)
    return CashoutEstimate(
        diamonds=diamonds,
        gross=gross,
        fee=fee,
        net=gross - fee,
        minimum=cfg.cashout_min_usd,
        missing_to_minimum=missing,
        missing_diamonds=diamonds_for_usd(cfg, missing) if missing else 0,
        remaining_today=remaining,
        over_daily_max=gross > remaining,
        checklist=checklist,
    )
