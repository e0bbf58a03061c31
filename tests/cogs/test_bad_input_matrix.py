"""Reliability promise 5: bad input gets a sentence, never a traceback, and changes nothing —
including values Discord's own client would have refused but a modified client sends anyway
(`validate=False` skips the stand-in's schema check, as such a client would).

Each case runs through the real discord.py client; the ledger export must be identical before
and after, and the reply must be an ephemeral sentence. (The harness also fails a test if
anything was logged as an unexpected error.)"""

from __future__ import annotations

from typing import Any

import pytest

from bot.economy.ledger import AdjustMode, Currency
from bot.economy.reads import ExportRows, GetGuildSettings, GetLiveEvent
from bot.economy.requests import Adjust, ConfirmAge
from bot.sandbox.standin.ids import ALICE, BOB, GENERAL, GUILD_ID, MODERATOR, OWNER

CASES: list[tuple[int, str, dict[str, Any], str]] = [
    # (who, command, options, words the sentence must contain)
    (ALICE, "gift", {"member": BOB, "gift": "Rose", "count": 0}, "1"),
    (ALICE, "gift", {"member": BOB, "gift": "Rose", "count": 100}, "99"),
    (ALICE, "gift", {"member": BOB, "gift": "Rose", "count": -3}, "1"),
    (ALICE, "gift", {"member": BOB, "gift": "Rose", "message": "x" * 201}, "200"),
    (ALICE, "gift", {"member": BOB, "gift": "Rosse"}, "Did you mean"),
    (ALICE, "gift", {"member": ALICE, "gift": "Rose"}, "yourself"),
    (ALICE, "gift", {"member": BOB, "gift": "Lion"}, "missing"),
    (ALICE, "coins buy", {"package": 71}, "package"),
    (ALICE, "coins buy", {}, "package"),
    (ALICE, "coins buy", {"package": 70, "amount": "100"}, "package"),
    (ALICE, "coins buy", {"amount": "-5"}, "negative"),
    (ALICE, "coins buy", {"amount": "0"}, "at least"),
    (ALICE, "coins buy", {"amount": "1.5"}, "fraction"),
    (ALICE, "coins buy", {"amount": "9223372036854775808"}, "maximum"),
    (ALICE, "coins buy", {"amount": "lots"}, "not an amount"),
    (ALICE, "coins buy", {"amount": "9" * 5000}, "maximum"),  # past int/str's 4,300 digits
    (ALICE, "coins buy", {"amount": "\uff11\uff15\uff10\uff10"}, "not an amount"),  # full-width
    (ALICE, "coins buy", {"amount": "\u0661\u0665\u0660\u0660"}, "not an amount"),  # Arabic-Indic
    (ALICE, "coins buy", {"amount": "29"}, "between"),
    (ALICE, "gifts", {"page": 0}, "page"),
    (ALICE, "history", {"page": -1}, "page"),
    (ALICE, "diamonds stats", {"days": 5}, "90"),
    (ALICE, "cashout estimate", {"diamonds": "-1"}, "negative"),
    (ALICE, "cashout request", {"diamonds": "0", "method": "paypal"}, "at least"),
    (ALICE, "cashout request", {"diamonds": "20000", "method": "crypto"}, "paypal"),
    (ALICE, "creator register", {"country": "ZZ", "method": "bank"}, "country"),
    (ALICE, "leaderboard", {"board": "whales", "period": "all"}, "gifters"),
    (ALICE, "leaderboard", {"board": "gifters", "period": "decade"}, "today"),
    (ALICE, "leaderboard", {"event": str(2**63)}, "no such event"),  # above SQLite's integers
    (ALICE, "leaderboard", {"event": "\u0661\u0662"}, "no such event"),
    (
        MODERATOR,
        "mod grant",
        {"member": BOB, "currency": "coins", "amount": "-5", "reason": "r"},
        "negative",
    ),
    (
        MODERATOR,
        "mod grant",
        {"member": BOB, "currency": "gold", "amount": "5", "reason": "r"},
        "coins",
    ),
    (
        MODERATOR,
        "mod grant",
        {"member": BOB, "currency": "coins", "amount": "2m5", "reason": "r"},
        "not an amount",
    ),
    (MODERATOR, "mod export", {"days": 0}, "day"),
    (MODERATOR, "event start", {"name": "Launch", "minutes": 1}, "5"),
    (MODERATOR, "event start", {"name": "Launch", "minutes": 60, "bonus": 500}, "100"),
    (MODERATOR, "event start", {"name": "Launch", "minutes": 60, "goal": "0"}, "at least"),
    (MODERATOR, "event start", {"name": "\u202e\u2066", "minutes": 60}, "visible"),
]


async def seed(harness: Any) -> None:
    for uid in (ALICE, BOB):
        await harness.ledger.run(
            Adjust(
                GUILD_ID,
                uid,
                key=f"seed-{uid}",
                actor_id=OWNER,
                currency=Currency.COINS,
                mode=AdjustMode.GRANT,
                amount=50,
                reason="seed",
            )
        )
    await harness.ledger.run(ConfirmAge(GUILD_ID, ALICE))


@pytest.mark.parametrize(
    ("who", "command", "options", "words"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)]
)
async def test_bad_input_gets_a_sentence_and_changes_nothing(
    harness: Any, who: int, command: str, options: dict[str, Any], words: str
) -> None:
    await seed(harness)
    before = await harness.ledger.run(ExportRows(GUILD_ID))
    settings_before = await harness.ledger.run(GetGuildSettings(GUILD_ID))
    result = await harness.user(who).invoke(command, validate=False, **options)
    assert result.ephemeral, result.describe()
    assert words.lower() in result.text.lower(), result.describe()
    assert "Traceback" not in result.text
    assert "incident" not in result.text.lower()
    assert await harness.ledger.run(ExportRows(GUILD_ID)) == before
    assert await harness.ledger.run(GetGuildSettings(GUILD_ID)) == settings_before
    assert await harness.ledger.run(GetLiveEvent(GUILD_ID)) is None
    assert not harness.standin.messages(GENERAL) or all(
        m.ephemeral for m in harness.standin.messages(GENERAL)
    )
