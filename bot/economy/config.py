"""The economy's configuration: every number of `docs/economy.md` as a validated setting.

Lives in the domain (pydantic only, no discord) so the rules and the store read one definition;
`bot/settings.py` composes it into the full settings tree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.economy.catalog import Catalog, CoinPackage, Gift, load_packaged_gifts

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


class PackageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    coins: int = Field(gt=0)
    usd: NonNegUSD


class GiftConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tiktok_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=60)
    coins: int = Field(gt=0)
    streakable: bool = False


class EconomyConfig(BaseModel):
    """`[economy]` — defaults are TikTok's numbers (docs/economy.md: where each comes from)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    packages: list[PackageConfig] = Field(
        default_factory=lambda: [
            PackageConfig(coins=c, usd=Decimal(u)) for c, u in DEFAULT_PACKAGES
        ]
    )
    custom_min_coins: int = Field(default=30, gt=0)
    custom_max_coins: int = Field(default=100_000, gt=0)
    custom_usd_per_coin: NonNegUSD = Decimal("0.0108")
    daily_spend_cap_usd: NonNegUSD = Decimal("250.00")
    purchase_confirm_above_usd: NonNegUSD = Decimal("20.00")
    diamonds_per_coin: Annotated[Decimal, Field(gt=0, le=100)] = Decimal("1")
    usd_per_diamond: NonNegUSD = Decimal("0.005")
    cashout_min_usd: NonNegUSD = Decimal("100.00")
    cashout_daily_max_usd: NonNegUSD = Decimal("1000.00")
    cashout_fee_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal("0")
    cashout_fee_fixed_usd: NonNegUSD = Decimal("0")
    eligible_countries: list[str] = Field(default_factory=lambda: list(DEFAULT_ELIGIBLE_COUNTRIES))
    combo_window_seconds: float = Field(default=15.0, gt=0, le=300)
    max_balance: int = Field(default=10**12, gt=0, le=2**62)
    gifts: list[GiftConfig] | None = Field(
        default=None,
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

    @model_validator(mode="after")
    def _ranges(self) -> EconomyConfig:
        if self.custom_min_coins > self.custom_max_coins:
            raise ValueError("custom_min_coins must not exceed custom_max_coins")
        if len({p.coins for p in self.packages}) != len(self.packages):
            raise ValueError("packages must have distinct coin amounts")
        return self

    def catalog(self) -> Catalog:
        if self.gifts:
            return Catalog(Gift(g.tiktok_id, g.name, g.coins, g.streakable) for g in self.gifts)
        return Catalog(load_packaged_gifts())

    def coin_packages(self) -> list[CoinPackage]:
        return sorted((CoinPackage(p.coins, p.usd) for p in self.packages), key=lambda p: p.coins)
