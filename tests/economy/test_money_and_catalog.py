"""The shared amount parser, USD formatting and the gift catalogue."""

from decimal import Decimal

import pytest

from bot.economy.catalog import Catalog, Gift, load_packaged_gifts
from bot.economy.countries import country_name, search_countries
from bot.economy.errors import InvalidAmount, UnknownGift
from bot.economy.money import format_count, format_usd, parse_amount

MAX = 10**12


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1500", 1500),
        ("1,500", 1500),
        ("1.5k", 1500),
        ("2m", 2_000_000),
        (" 12 ", 12),
        ("1K", 1000),
        ("0.5k", 500),
        ("1,000,000", 1_000_000),
        ("+5", 5),
        ("1b", 10**9),
        ("1_000", 1000),  # grouped like 1,000 (README: "Money amounts are typed as …")
        ("1_000_000", 1_000_000),
        ("1_500k", 1_500_000),
    ],
)
def test_amounts_people_type(text: str, value: int) -> None:
    assert parse_amount(text, maximum=MAX) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("0", "at least 1"),
        ("-5", "negative"),
        ("1.5", "fraction"),
        ("1.2345k", "fraction"),
        ("abc", "not an amount"),
        ("", "not an amount"),
        ("1,50", "not an amount"),
        ("12e3", "not an amount"),
        ("NaN", "not an amount"),
        ("9223372036854775808", "above the maximum"),  # 2^63
        ("1001b", "above the maximum"),
        ("1.5kk", "not an amount"),
        ("1_0", "not an amount"),  # underscores group thousands, nothing else
        ("\uff11\uff15\uff10\uff10", "not an amount"),  # full-width 1500
        ("\u0661\u0665\u0660\u0660", "not an amount"),  # Arabic-Indic 1500
        ("\u0967\u096b", "not an amount"),  # Devanagari 15
        ("9" * 5000, "above the maximum"),  # past Python's 4,300-digit int/str limit
        ("1" + "0" * 4400 + "k", "above the maximum"),
        ("1.0000000000000000000000000000001", "fraction"),  # past Decimal's 28 digits
        ("0." + "0" * 5000 + "1k", "fraction"),
    ],
)
def test_bad_amounts_get_a_sentence(text: str, why: str) -> None:
    with pytest.raises(InvalidAmount, match=why):
        parse_amount(text, maximum=MAX)


def test_zero_allowed_only_when_asked() -> None:
    assert parse_amount("0", maximum=MAX, allow_zero=True) == 0


@pytest.mark.parametrize(
    ("usd", "text"),
    [("61.729", "$61.72"), ("0", "$0.00"), ("1234567.891", "$1,234,567.89"), ("0.005", "$0.00")],
)
def test_usd_is_shown_with_cents_rounded_down(usd: str, text: str) -> None:
    assert format_usd(Decimal(usd)) == text


def test_counts_have_separators() -> None:
    assert format_count(1500) == "1,500"


def test_packaged_catalogue_is_tiktoks_list() -> None:
    gifts = load_packaged_gifts()
    assert len(gifts) == 67
    catalog = Catalog(gifts)
    assert catalog.find("rose") == Gift(5655, "Rose", 1, True)
    assert catalog.find("TikTok Universe").coins == 44_999
    assert catalog.find("Rose — 1 coin").name == "Rose"  # an autocomplete label works too
    assert sum(g.streakable for g in gifts) > 10


def test_unknown_gift_suggests_the_closest_names() -> None:
    catalog = Catalog(load_packaged_gifts())
    with pytest.raises(UnknownGift) as err:
        catalog.find("Rosse")
    assert "Rose" in err.value.suggestions
    assert "Did you mean" in err.value.message


def test_autocomplete_prefers_prefix_matches() -> None:
    catalog = Catalog(load_packaged_gifts())
    names = [g.name for g in catalog.search("ro")]
    assert names[:4] == ["Rose", "Rosa", "Rosa Nebula", "Rocket"]  # cheapest first
    assert "Forever Rosa" in names[4:]  # then names that merely contain it
    assert all("ro" in n.casefold() for n in names)
    assert len(catalog.search("")) == 25


def test_countries() -> None:
    assert country_name("de") == "Germany"
    assert search_countries("ger")[0] == ("DE", "Germany")
    assert search_countries("us")[0][0] == "US"
