"""Text members type: bidi controls stripped from what others see; ids parsed without ever
raising (issue 16 items 13 and 14)."""

import pytest

from bot.economy.text import MAX_ID, parse_id, public_text, strip_bidi

BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))] + [
    "\u200e",
    "\u200f",
    "\u061c",
]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_every_bidi_control_is_stripped(control: str) -> None:
    assert strip_bidi(f"gift{control} from alice") == "gift from alice"


def test_other_text_is_kept() -> None:
    text = "héllo 🌹 مرحبا ×3 — gg"  # right-to-left letters themselves are fine
    assert strip_bidi(text) == text


def test_public_text_collapses_whitespace_and_nothing_visible_is_none() -> None:
    assert public_text("  Launch \u202e  night ") == "Launch night"
    assert public_text("\u202e\u2066 \u200f") is None
    assert public_text(None) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        (" 7 ", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # above SQLite's integers
        ("9" * 5000, None),  # past int/str's digit limit
        ("0", None),
        ("-3", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits
        ("\uff11\uff12", None),  # full-width digits
        ("Launch night", None),
        ("", None),
    ],
)
def test_parse_id(text: str, value: int | None) -> None:
    assert parse_id(text) == value
