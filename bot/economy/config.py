"""The economy's configuration: every number of `docs/economy.md` as a validated setting.

Lives in the domain (pydantic only, no discord) so the rules and the store read one definition;
`bot/settings.py` composes it into the full settings tree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.economy.catalog import Catalog, CoinPackage, Gift, load_packaged_gifts
from bot.economy.money import format_count, format_usd

DEFAULT_PACKAGES = [
    (70, "0.99"),
    (350, "4.99"),
    (700, "9.99"),
    (1400, "19.99"),
    (3500, "49.99"),
    (7000, "99.99"),
    (17500, "249.99"),
]

# Where TikTok LIVE Gifts are broadly available; an operator narrows or widens this in config.
DEFAULT_ELIGIBLE_COUNTRIES = sorted(
    """AE AR AT AU BE BG BR CA CH CL CO CY CZ DE DK EE EG ES FI FR GB GR HR HU ID IE IL IT JP KE
    KR LT LU LV MA MT MX MY NG NL NO NZ PE PH PK PL PT RO SA SE SG SI SK TH TR TW UA US VN ZA""".split()
)

NonNegUSD = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=6)]

# The ceiling of `max_balance`, and so of every configured amount. Discord's integer options
# carry at most 2^53 (package choices are integers), and 99 of a gift priced at the maximum, at
# 100 diamonds per coin, must still fit SQLite's 64-bit integers: 99 × 100 × 10^15 < 2^63.
MAX_BALANCE_CEILING = 10**15
# Discord allows at most 25 choices on one option (`/coins buy package:`).
MAX_PACKAGES = 25


class PackageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    coins: int = Field(gt=0)
    usd: NonNegUSD


class PromotionConfig(BaseModel):
    """A purchase promotion: `bonus_percent` extra coins on a purchase of at least `min_coins`,
    from the day `starts` through the day `ends` (UTC dates, both included; either optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min_coins: int = Field(gt=0)
    bonus_percent: int = Field(gt=0, le=100)
    starts: date | None = None
    ends: date | None = None

    @model_validator(mode="after")
    def _window(self) -> PromotionConfig:
        if self.starts is not None and self.ends is not None and self.ends < self.starts:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        return self


class GiftConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tiktok_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=60)
    coins: int = Field(gt=0)
    streakable: bool = False


class EconomyConfig(BaseModel):
    """`[economy]` — defaults are TikTok's numbers (docs/economy.md: where each comes from)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # First, so that the validators of the amounts below can compare with it.
    max_balance: int = Field(default=10**12, gt=0, le=MAX_BALANCE_CEILING)
    packages: list[PackageConfig] = Field(
        default_factory=lambda: [
            PackageConfig(coins=c, usd=Decimal(u)) for c, u in DEFAULT_PACKAGES
        ],
        validate_default=True,
    )
    custom_min_coins: int = Field(default=30, gt=0, validate_default=True)
    custom_max_coins: int = Field(default=100_000, gt=0, validate_default=True)
    custom_usd_per_coin: NonNegUSD = Decimal("0.0108")
    daily_spend_cap_usd: Annotated[NonNegUSD, Field(validate_default=True)] = Decimal("250.00")
    purchase_confirm_above_usd: NonNegUSD = Decimal("20.00")
    diamonds_per_coin: Annotated[Decimal, Field(gt=0, le=100)] = Decimal("1")
    usd_per_diamond: NonNegUSD = Decimal("0.005")
    cashout_min_usd: Annotated[NonNegUSD, Field(validate_default=True)] = Decimal("100.00")
    cashout_daily_max_usd: Annotated[NonNegUSD, Field(validate_default=True)] = Decimal("1000.00")
    cashout_fee_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal("0")
    cashout_fee_fixed_usd: NonNegUSD = Decimal("0")
    eligible_countries: list[str] = Field(default_factory=lambda: list(DEFAULT_ELIGIBLE_COUNTRIES))
    combo_window_seconds: float = Field(default=15.0, gt=0, le=300)
    # `/diamonds exchange`: diamonds per coin. 2 is value-neutral: a diamond is worth 0.005 USD
    # to its creator, a coin 0.01 USD at list price.
    exchange_diamonds_per_coin: int = Field(default=2, ge=1, validate_default=True)
    # Purchase promotions (none by default): the highest matching bonus applies, and an event's
    # bonus and a promotion do not stack — the larger one applies (rules.purchase_bonus).
    promotions: list[PromotionConfig] = Field(default_factory=list)
    gifts: list[GiftConfig] | None = Field(
        default=None,
        validate_default=True,  # TikTok's packaged prices are bounded by max_balance too
        description="The gift catalogue; empty means TikTok's list in bot/data/gifts.csv",
    )

    @field_validator("eligible_countries")
    @classmethod
    def _upper_codes(cls, codes: list[str]) -> list[str]:
        out = []
        for code in codes:
            c = code.strip().upper()
            if len(c) != 2 or not c.isalpha():
                raise ValueError(f"“{code}” is not an ISO 3166 two-letter country code")
            out.append(c)
        return out

    @field_validator("packages")
    @classmethod
    def _packages(cls, packages: list[PackageConfig], info: ValidationInfo) -> list[PackageConfig]:
        if not packages:
            raise ValueError(
                "must list at least one coin package (leave it out for TikTok's seven)"
            )
        if len(packages) > MAX_PACKAGES:
            raise ValueError(
                f"can list at most {MAX_PACKAGES} packages (Discord's limit of choices)"
            )
        if len({p.coins for p in packages}) != len(packages):
            raise ValueError("packages must have distinct coin amounts")
        for p in packages:
            _within_max_balance(p.coins, info, f"the {format_count(p.coins)}-coin package")
        return packages

    @field_validator("daily_spend_cap_usd")
    @classmethod
    def _cap_allows_every_package(cls, cap: Decimal, info: ValidationInfo) -> Decimal:
        # A package dearer than a whole day's cap would be offered and always refused.
        packages: list[PackageConfig] = info.data.get("packages") or []
        dear = [p for p in packages if p.usd > cap]
        if dear:
            worst = max(dear, key=lambda p: p.usd)
            raise ValueError(
                f"is below the price of the {format_count(worst.coins)}-coin package "
                f"({format_usd(worst.usd)}): it could never be bought — raise the cap or "
                "leave that package out"
            )
        return cap

    @field_validator("custom_min_coins", "custom_max_coins")
    @classmethod
    def _custom_amount(cls, coins: int, info: ValidationInfo) -> int:
        _within_max_balance(coins, info, f"{format_count(coins)} coins")
        low = info.data.get("custom_min_coins")
        if info.field_name == "custom_max_coins" and low is not None and coins < low:
            raise ValueError(f"must be at least custom_min_coins ({format_count(low)})")
        return coins

    @field_validator("gifts")
    @classmethod
    def _gifts(
        cls, gifts: list[GiftConfig] | None, info: ValidationInfo
    ) -> list[GiftConfig] | None:
        # The catalogue's own rules (unique ids, unique names) and the bound on every price.
        for gift in _catalog(gifts).gifts:
            _within_max_balance(
                gift.coins, info, f"the gift “{gift.name}” ({format_count(gift.coins)} coins)"
            )
        return gifts

    @field_validator("promotions")
    @classmethod
    def _promotions(
        cls, promotions: list[PromotionConfig], info: ValidationInfo
    ) -> list[PromotionConfig]:
        for p in promotions:
            _within_max_balance(
                p.min_coins, info, f"a promotion from {format_count(p.min_coins)} coins"
            )
        return promotions

    @field_validator("exchange_diamonds_per_coin")
    @classmethod
    def _exchange_rate(cls, rate: int, info: ValidationInfo) -> int:
        _within_max_balance(
            rate, info, f"an exchange rate of {format_count(rate)} diamonds per coin"
        )
        return rate

    @field_validator("cashout_min_usd")
    @classmethod
    def _reachable_minimum(cls, usd: Decimal, info: ValidationInfo) -> Decimal:
        maximum, per_diamond = info.data.get("max_balance"), info.data.get("usd_per_diamond")
        if maximum is not None and per_diamond is not None and usd > maximum * per_diamond:
            raise ValueError(
                "is worth more diamonds than max_balance allows (max_balance × usd_per_diamond "
                f"= {format_usd(maximum * per_diamond)}): no cash-out could ever be allowed"
            )
        return usd

    @field_validator("cashout_daily_max_usd")
    @classmethod
    def _daily_max(cls, usd: Decimal, info: ValidationInfo) -> Decimal:
        minimum = info.data.get("cashout_min_usd")
        if minimum is not None and usd < minimum:
            raise ValueError(
                f"must be at least cashout_min_usd ({format_usd(minimum)}): no cash-out could ever be allowed"
            )
        return usd

    def catalog(self) -> Catalog:
        return _catalog(self.gifts)

    def coin_packages(self) -> list[CoinPackage]:
        return sorted((CoinPackage(p.coins, p.usd) for p in self.packages), key=lambda p: p.coins)


def _catalog(gifts: list[GiftConfig] | None) -> Catalog:
    """The configured catalogue, or TikTok's when none is configured. Raises ValueError (a
    configuration error) when two gifts share an id or a name."""
    if gifts:
        return Catalog(Gift(g.tiktok_id, g.name, g.coins, g.streakable) for g in gifts)
    return Catalog(load_packaged_gifts())


def _within_max_balance(amount: int, info: ValidationInfo, what: str) -> None:
    """No configured amount may exceed `max_balance`: nobody could ever hold it, and an amount
    beyond the ceiling would not fit the ledger's integers. (When `max_balance` itself is
    invalid it is missing here, and its own error is the one reported.)"""
    maximum = info.data.get("max_balance")
    if maximum is not None and amount > maximum:
        raise ValueError(
            f"{what} is above max_balance ({format_count(maximum)}): no member could ever hold it"
        )
