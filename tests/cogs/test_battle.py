"""`/battle start|status` through the real discord.py client, the stand-in and a real ledger
(fake clock): the invitation (accept, decline, expiry, presses by others), whole battles with a
winner and a draw, the `gift` filter, the §7 refusals, restarts, the LIVE recap's battle lines,
and coalesced post edits under a stream of gifts. `verify` after each."""

from __future__ import annotations

from typing import Any

import pytest

from bot.economy.reads import BattleScore, GetBattle, GetBattleById, GetLive
from bot.sandbox.standin.ids import ALICE, BOB, BOT_MEMBER, CAROL, GENERAL, GUILD_ID, MODERATOR

G = GUILD_ID
# The whole battle and the restart also run on the PostgreSQL ledger (the same SQL, translated).
BOTH = pytest.mark.parametrize("harness_backend", ["sqlite", "postgres"], indirect=True)


def posts(harness: Any, channel_id: int = GENERAL) -> list[Any]:
    return [m for m in harness.standin.world.channels[channel_id].log if not m.deleted]


def battle_cog(harness: Any) -> Any:
    cog = harness.bot.get_cog("Battle")
    assert cog is not None
    cog.boards.throttle.interval = 0.05  # the throttle, shortened for the test
    return cog


def button(message: Any, label: str) -> str:
    for row in message.components:
        for item in row.get("components", []):
            if item.get("label") == label:
                return str(item["custom_id"])
    raise AssertionError(f"no {label!r} button on {message.text!r}")


async def go_live(harness: Any, *user_ids: int) -> None:
    for uid in user_ids:
        started = await harness.user(uid).invoke("live start", channel=GENERAL)
        assert "You are **LIVE**" in started.text, started.text


async def gift(harness: Any, sender: int, recipient: int, name: str, count: int = 1) -> None:
    result = await harness.user(sender).invoke("gift", member=recipient, gift=name, count=count)
    assert not result.ephemeral or "combo" in result.text, result.text


async def invite(harness: Any, challenger: int, opponent: int, **options: Any) -> Any:
    result = await harness.user(challenger).invoke("battle start", opponent=opponent, **options)
    assert not result.ephemeral, result.text
    assert "challenges you to a **LIVE Match**" in result.text
    return result


async def start_battle(harness: Any, challenger: int, opponent: int, **options: Any) -> Any:
    invitation = await invite(harness, challenger, opponent, **options)
    accepted = await harness.user(opponent).click(invitation.message, button(invitation.message,
                                                                             "Accept"))  # fmt: skip
    assert "accepted the battle" in accepted.message.text, accepted.describe()
    battle = await harness.ledger.run(GetBattle(G, challenger))
    assert battle is not None
    return battle


def battle_post(harness: Any, battle: Any) -> Any:
    return harness.standin.message(battle.message_id)


@BOTH
async def test_a_whole_battle_with_gifts_to_both_sides_and_a_winner(harness: Any) -> None:
    cog = battle_cog(harness)
    for uid in (ALICE, MODERATOR):
        await harness.grant(uid, 50_000)
    await go_live(harness, BOB, CAROL)
    harness.clock.advance(30)
    battle = await start_battle(harness, BOB, CAROL, minutes=3)
    # Its minutes count from the moment the opponent accepted.
    assert battle.started_at == harness.clock()
    assert battle.ends_at == battle.started_at + 180
    assert (battle.challenger_id, battle.opponent_id, battle.gift_name) == (BOB, CAROL, None)
    post = battle_post(harness, battle)
    assert "LIVE Match" in post.text
    assert "0 ▰▰▰▰▰▱▱▱▱▱ 0" in post.text
    assert f"<t:{int(battle.ends_at)}:R>" in post.text
    assert not post.pings()["users"]

    await gift(harness, ALICE, BOB, "Doughnut", 2)  # 60 diamonds… to Bob
    await gift(harness, MODERATOR, CAROL, "Rose", 5)  # 5 to Carol
    await gift(harness, MODERATOR, BOB, "Rose", 3)  # 3 more to Bob
    await gift(harness, ALICE, MODERATOR, "Rose")  # to a member in no battle: no points
    await cog.boards.throttle.drain()
    score = await harness.ledger.run(BattleScore(G, battle.id))
    assert (score.challenger.score, score.opponent.score) == (63, 5)
    assert (score.challenger.top_supporter, score.opponent.top_supporter) == (ALICE, MODERATOR)
    post = battle_post(harness, battle)
    assert "63 ▰▰▰▰▰▰▰▰▰▱ 5" in post.text
    assert 1 <= post.edit_count <= 3

    status = await harness.user(CAROL).invoke("battle status")
    assert status.ephemeral
    assert "63" in status.text
    assert "5" in status.text
    assert "left" in status.text
    none = await harness.user(ALICE).invoke("battle status")
    assert "not in a battle" in none.text
    assert "/battle start" in none.text

    harness.clock.advance(181)
    assert await cog.boards.end_due() == 1
    ended = await harness.ledger.run(GetBattleById(G, battle.id))
    assert ended.ended_at == ended.ends_at
    result = battle_post(harness, battle).text
    for shown in ("final", f"<@{BOB}> wins!", "63", f"Top supporter: <@{ALICE}>",
                  f"Top supporter: <@{MODERATOR}>"):  # fmt: skip
        assert shown in result, shown
    # A gift after the end no longer counts, and nobody is battling any more.
    await gift(harness, ALICE, CAROL, "Doughnut")
    assert (await harness.ledger.run(BattleScore(G, battle.id))).opponent.score == 5
    assert await harness.ledger.run(GetBattle(G, BOB)) is None
    assert await cog.boards.end_due() == 0  # never twice

    # Each creator's LIVE recap lists the battle.
    carol_end = await harness.user(CAROL).invoke("live end")
    assert f"⚔️ lost vs <@{BOB}> 5 : 63" in carol_end.text
    bob_live = await harness.ledger.run(GetLive(G, BOB))
    bob_end = await harness.user(BOB).invoke("live end")
    assert f"⚔️ won vs <@{CAROL}> 63 : 5" in bob_end.text
    assert "⚔️ won" in harness.standin.message(bob_live.message_id).text
    assert (await harness.ledger.verify()).ok


async def test_a_draw_and_a_battle_for_one_gift(harness: Any) -> None:
    cog = battle_cog(harness)
    await harness.grant(ALICE, 50_000)
    await go_live(harness, BOB, CAROL)
    battle = await start_battle(harness, BOB, CAROL, minutes=1, gift="rose")
    assert battle.gift_name == "Rose"  # the catalogue's name, whatever the case typed
    assert "Only **Rose** scores" in battle_post(harness, battle).text
    await gift(harness, ALICE, BOB, "Rose", 4)
    await gift(harness, ALICE, CAROL, "Rose", 4)
    await gift(harness, ALICE, CAROL, "Doughnut", 3)  # not Rose: no points
    score = await harness.ledger.run(BattleScore(G, battle.id))
    assert (score.challenger.score, score.opponent.score) == (4, 4)
    harness.clock.advance(61)
    await cog.boards.end_due()
    text = battle_post(harness, battle).text
    assert "It's a draw!" in text
    assert "wins" not in text
    assert (await harness.ledger.verify()).ok


async def test_declined_expired_and_pressed_by_someone_else(harness: Any) -> None:
    cog = battle_cog(harness)
    await go_live(harness, BOB, CAROL)
    invitation = await invite(harness, BOB, CAROL)
    message = invitation.message
    other = await harness.user(ALICE).click(message, button(message, "Accept"))
    assert other.ephemeral
    assert f"Only <@{CAROL}> can answer" in other.text
    also = await harness.user(BOB).click(message, button(message, "Decline"))
    assert also.ephemeral
    assert "Only" in also.text
    assert await harness.ledger.run(GetBattle(G, BOB)) is None
    declined = await harness.user(CAROL).click(message, button(message, "Decline"))
    assert "declined the battle" in declined.message.text
    assert not harness.standin.message(message.id).components
    assert await harness.ledger.run(GetBattle(G, BOB)) is None

    cog.invite_seconds = 0.2
    expiring = await invite(harness, CAROL, BOB)
    await harness.wait_until(lambda: "expired" in harness.standin.message(expiring.message.id).text)
    assert not harness.standin.message(expiring.message.id).components
    assert await harness.ledger.run(GetBattle(G, CAROL)) is None
    assert (await harness.ledger.verify()).ok


async def test_refusals(harness: Any) -> None:
    battle_cog(harness)
    bob = harness.user(BOB)
    not_live = await bob.invoke("battle start", opponent=CAROL)
    assert not_live.ephemeral
    assert "You are not LIVE" in not_live.text
    assert "/live start" in not_live.text
    await go_live(harness, BOB)
    opponent_off = await bob.invoke("battle start", opponent=CAROL)
    assert opponent_off.ephemeral
    assert f"<@{CAROL}> is not LIVE" in opponent_off.text
    yourself = await bob.invoke("battle start", opponent=BOB)
    assert yourself.ephemeral
    assert "yourself" in yourself.text
    a_bot = await bob.invoke("battle start", opponent=BOT_MEMBER)
    assert a_bot.ephemeral
    assert "Bots" in a_bot.text
    await go_live(harness, CAROL, ALICE)
    typo = await bob.invoke("battle start", opponent=CAROL, gift="Rosee")
    assert typo.ephemeral
    assert "Rose" in typo.text
    too_long = await bob.invoke("battle start", opponent=CAROL, minutes=31, validate=False)
    assert too_long.ephemeral

    await start_battle(harness, BOB, CAROL)
    busy = await bob.invoke("battle start", opponent=ALICE)
    assert busy.ephemeral
    assert "already in a battle" in busy.text
    them_busy = await harness.user(ALICE).invoke("battle start", opponent=CAROL)
    assert them_busy.ephemeral
    assert f"<@{CAROL}> is already in a battle" in them_busy.text
    assert len([m for m in posts(harness) if "LIVE Match" in m.text]) == 1
    assert (await harness.ledger.verify()).ok


async def test_accept_after_the_situation_changed_is_refused(harness: Any) -> None:
    battle_cog(harness)
    await go_live(harness, BOB, CAROL, ALICE)
    first = await invite(harness, BOB, CAROL)
    second = await invite(harness, ALICE, CAROL)
    await harness.user(CAROL).click(first.message, button(first.message, "Accept"))
    late = await harness.user(CAROL).click(second.message, button(second.message, "Accept"))
    assert late.ephemeral
    assert "already in a battle" in late.text
    assert await harness.ledger.run(GetBattle(G, ALICE)) is None
    assert (await harness.ledger.verify()).ok


@BOTH
async def test_a_battle_survives_a_restart_and_one_due_at_start_up_ends(harness: Any) -> None:
    battle_cog(harness)
    await harness.grant(ALICE, 10_000)
    await go_live(harness, BOB, CAROL)
    battle = await start_battle(harness, BOB, CAROL, minutes=10)
    await gift(harness, ALICE, CAROL, "Rose", 2)

    await harness.restart()
    cog = battle_cog(harness)
    await gift(harness, ALICE, CAROL, "Rose", 3)  # still counts after the restart
    await harness.wait_until(lambda: "▱ 5 " in battle_post(harness, battle).text)
    assert (await harness.ledger.run(BattleScore(G, battle.id))).opponent.score == 5
    status = await harness.user(BOB).invoke("battle status")
    assert "left" in status.text
    await cog.boards.throttle.drain()

    await harness.stop_bot()
    harness.clock.advance(11 * 60)
    await harness.start_bot()
    # The first sweep after start-up ends it at its scheduled end and posts the result.
    await harness.wait_until(lambda: "final" in battle_post(harness, battle).text)
    ended = await harness.ledger.run(GetBattleById(G, battle.id))
    assert ended.ended_at == ended.ends_at
    assert f"<@{CAROL}> wins!" in battle_post(harness, battle).text
    assert await harness.bot.get_cog("Battle").boards.end_due() == 0
    assert (await harness.ledger.verify()).ok


async def test_a_stream_of_gifts_is_a_few_coalesced_post_edits(harness: Any) -> None:
    cog = battle_cog(harness)
    cog.boards.throttle.interval = 0.25
    await harness.grant(ALICE, 10_000)
    await harness.grant(MODERATOR, 10_000)
    await go_live(harness, BOB, CAROL)
    battle = await start_battle(harness, BOB, CAROL, minutes=30)
    edits_before = cog.boards.edits

    elapsed = await harness.rose_stream(
        1_500, lambda i: (ALICE, BOB) if i % 3 else (MODERATOR, CAROL)
    )
    await cog.boards.throttle.drain()
    edits = cog.boards.edits - edits_before
    assert 1 <= edits <= elapsed / 0.25 + 2, (edits, elapsed)
    assert edits < 60
    post = battle_post(harness, battle)
    assert post.edit_count == edits
    assert "1,000" in post.text
    assert "500" in post.text
    assert (await harness.ledger.verify()).ok


async def test_help_mentions_battles(harness: Any) -> None:
    shown = await harness.user(ALICE).invoke("help")
    assert "/battle start" in shown.text
    assert "/battle status" in shown.text
