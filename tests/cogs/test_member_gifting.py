"""`/gift` through the real discord.py client and a real ledger — SQLite and PostgreSQL, every
test on both: the announcement, refusals (nothing changes), autocomplete, combos with the fake
clock, and "Send again"."""

from __future__ import annotations

from typing import Any

import pytest

from bot.economy.requests import SetFrozen
from bot.sandbox.standin.ids import ALICE, BOB, BOT_MEMBER, CAROL, DEPARTED, GUILD_ID, OWNER

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.parametrize("harness_backend", ["sqlite", "postgres"], indirect=True),
]


def buttons(result_or_message: Any) -> dict[str, str]:
    """label → custom_id of every button on a message."""
    rows = result_or_message.components
    return {c.get("label"): c.get("custom_id") for row in rows for c in row.get("components", [])}


async def test_gift_announces_publicly_without_pings_and_moves_money(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3, message="gg!")
    assert not r.ephemeral
    embed = r.embeds[0]
    assert "Rose ×3" in embed["title"]
    assert f"<@{ALICE}>" in embed["description"]
    assert f"<@{BOB}>" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Coins"] == "3"
    assert fields["Diamonds"] == "3"
    assert fields["Message"] == "gg!"
    assert r.allowed_mentions is not None
    assert not r.allowed_mentions.get("parse")
    assert "Send again" in buttons(r)
    assert await harness.balances(ALICE, BOB) == [(97, 0), (0, 3)]


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"member": BOB, "gift": "Rose", "count": 99}, "missing"),  # 99 coins, has 10
        ({"member": BOB, "gift": "Rsoe"}, "Rose"),  # closest names
        ({"member": ALICE, "gift": "Rose"}, "yourself"),
        ({"member": BOT_MEMBER, "gift": "Rose"}, "Bots"),
    ],
)
async def test_refusals_are_ephemeral_sentences_and_change_nothing(
    harness: Any, kwargs: dict[str, Any], sentence: str
) -> None:
    await harness.grant(ALICE, 10)
    r = await harness.user(ALICE).invoke("gift", **kwargs)
    assert r.ephemeral
    assert sentence in r.text
    assert await harness.balances(ALICE, BOB) == [(10, 0), (0, 0)]


async def test_gift_to_a_member_who_left_is_refused(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = await harness.user(ALICE).invoke("gift", member=DEPARTED, gift="Rose")
    assert r.ephemeral
    assert "not a member of this server" in r.text
    assert await harness.balances(ALICE, DEPARTED) == [(10, 0), (0, 0)]


async def test_a_redelivered_gift_is_charged_and_announced_once(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = harness.user(ALICE).prepare("gift", member=BOB, gift="Rose", count=2)
    await harness.standin.deliver(r)
    await harness.standin.redeliver(r)  # same interaction id and token
    attempts = await r.wait_for_attempts(2)
    assert [a.accepted for a in attempts] == [True, False]
    assert attempts[1].code == 40060  # Discord: already acknowledged — the first answer stands
    assert "Rose ×2" in r.embeds[0]["title"]
    assert [m.id for m in harness.standin.messages(r.channel_id)] == [r.message.id]
    assert await harness.balances(ALICE, BOB) == [(8, 0), (0, 2)]
    # (the harness also fails the test if the refused second answer was logged as an error)


async def test_frozen_sender_is_refused(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    await harness.ledger.run(
        SetFrozen(GUILD_ID, ALICE, key="freeze", actor_id=OWNER, frozen=True, reason="test")
    )
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    assert r.ephemeral
    assert "frozen" in r.text
    assert await harness.balances(ALICE, BOB) == [(10, 0), (0, 0)]


async def test_gift_autocomplete_shows_names_with_prices(harness: Any) -> None:
    choices = await harness.user(ALICE).autocomplete("gift", focused="gift", member=BOB, gift="ro")
    assert 0 < len(choices) <= 25
    assert choices[0]["name"] == "Rose — 1 coin"
    assert choices[0]["value"] == "Rose"
    assert all("ro" in c["name"].lower() for c in choices)
    everything = await harness.user(ALICE).autocomplete("gift", focused="gift", member=BOB, gift="")
    assert len(everything) == 25


async def test_combo_inside_the_window_edits_the_first_announcement(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    first = await alice.invoke("gift", member=BOB, gift="Rose")
    harness.clock.advance(10)
    second = await alice.invoke("gift", member=BOB, gift="Rose", count=2)
    assert second.ephemeral
    assert "×3" in second.text
    await first.wait_for_text("×3 combo")
    harness.clock.advance(14)  # the window slides from the last gift
    third = await alice.invoke("gift", member=BOB, gift="Rose")
    assert third.ephemeral
    await first.wait_for_text("×4 combo")
    assert await harness.balances(ALICE, BOB) == [(96, 0), (0, 4)]  # counted once per gift


async def test_combo_outside_the_window_posts_a_new_announcement(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    first = await alice.invoke("gift", member=BOB, gift="Rose")
    harness.clock.advance(16)
    second = await alice.invoke("gift", member=BOB, gift="Rose")
    assert not second.ephemeral
    assert "combo" not in second.embeds[0]["title"]
    assert "combo" not in first.embeds[0]["title"]


async def test_many_quick_combo_gifts_coalesce_edits(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    first = await alice.invoke("gift", member=BOB, gift="Rose")
    for _ in range(20):
        await alice.invoke("gift", member=BOB, gift="Rose")
    await first.wait_for_text("×21 combo")
    assert len(first.edits) < 20  # never one edit per gift


async def test_non_streakable_gift_never_combos(harness: Any) -> None:
    await harness.grant(ALICE, 100_000)
    gift = next(g for g in harness.bot.services.catalog.gifts if not g.streakable)
    alice = harness.user(ALICE)
    await alice.invoke("gift", member=BOB, gift=gift.name)
    again = await alice.invoke("gift", member=BOB, gift=gift.name)
    assert not again.ephemeral
    assert "combo" not in again.embeds[0]["title"]


async def test_send_again_by_the_sender_gifts_again(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    first = await alice.invoke("gift", member=BOB, gift="Rose", count=2)
    harness.clock.advance(60)  # outside the combo window: a new announcement
    again = await alice.click(first.message, buttons(first)["Send again"])
    assert not again.ephemeral
    assert "Rose ×2" in again.embeds[0]["title"]
    assert await harness.balances(ALICE, BOB) == [(96, 0), (0, 4)]


async def test_send_again_by_someone_else_is_refused(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    await harness.grant(CAROL, 100)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    r = await harness.user(CAROL).click(first.message, buttons(first)["Send again"])
    assert r.ephemeral
    assert "Only the member who sent" in r.text
    assert await harness.balances(ALICE, BOB, CAROL) == [(99, 0), (0, 1), (100, 0)]


async def test_send_again_survives_a_restart_of_the_cog(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    first = await alice.invoke("gift", member=BOB, gift="Rose")
    await harness.bot.reload_extension("cogs.gifting")
    harness.clock.advance(60)
    again = await alice.click(first.message, buttons(first)["Send again"])
    assert not again.ephemeral
    assert await harness.balances(ALICE, BOB) == [(98, 0), (0, 2)]


async def test_send_again_survives_a_restart_of_the_bot(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3)
    await harness.restart()  # a new client on the same database: no view is stored anywhere
    harness.clock.advance(60)
    again = await harness.user(ALICE).click(first.message, buttons(first)["Send again"])
    assert not again.ephemeral
    assert "Rose ×3" in again.embeds[0]["title"]
    assert await harness.balances(ALICE, BOB) == [(94, 0), (0, 6)]
