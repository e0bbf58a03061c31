"""`/live start|end|status` through the real discord.py client, the stand-in and a real
SqliteLedger (fake clock): the card, its figures, the recap, the §7 refusals, restarts, two
creators LIVE at once, and the coalesced card edits under a stream of gifts. `verify` after each."""

from __future__ import annotations

from typing import Any

from bot.economy.reads import GetLive, GetLiveById, LiveStats
from bot.economy.requests import UpdateGuildSettings
from bot.sandbox.standin.ids import ALICE, ANNOUNCE, BOB, CAROL, GENERAL, GUILD_ID, MODERATOR

G = GUILD_ID


def posts(harness: Any, channel_id: int) -> list[Any]:
    return [m for m in harness.standin.world.channels[channel_id].log if not m.deleted]


def live_cog(harness: Any) -> Any:
    cog = harness.bot.get_cog("Live")
    assert cog is not None
    cog.boards.throttle.interval = 0.05  # the throttle, shortened for the test
    return cog


async def fund(harness: Any, *user_ids: int, coins: int = 50_000) -> None:
    for uid in user_ids:
        await harness.grant(uid, coins)


async def gift(harness: Any, sender: int, recipient: int, name: str, count: int = 1) -> Any:
    result = await harness.user(sender).invoke("gift", member=recipient, gift=name, count=count)
    assert not result.ephemeral or "combo" in result.text, result.text
    return result


async def test_live_start_card_gifts_status_end_recap(harness: Any) -> None:
    cog = live_cog(harness)
    await harness.ledger.run(UpdateGuildSettings(G, announce_channel_id=ANNOUNCE))
    await fund(harness, ALICE, CAROL)

    started = await harness.user(BOB).invoke("live start", title="Late-night karaoke")
    assert started.ephemeral
    assert "You are **LIVE**" in started.text
    live = await harness.ledger.run(GetLive(G, BOB))
    assert live is not None
    assert live.title == "Late-night karaoke"
    assert live.channel_id == ANNOUNCE  # no channel given: the announce channel
    assert live.ends_at == live.started_at + 12 * 3600  # [live] max_hours default
    [card] = posts(harness, ANNOUNCE)
    assert card.id == live.message_id
    assert "LIVE" in card.text
    assert f"<@{BOB}>" in card.text
    assert "Nobody yet" in card.text
    assert card.pings()["users"] == set()

    await gift(harness, ALICE, BOB, "Doughnut", 2)  # 60 coins
    await gift(harness, CAROL, BOB, "Rose", 5)  # 5 coins
    await gift(harness, ALICE, BOB, "Rose", 3)  # 3 coins: Rose is sent 8 times in all
    await gift(harness, ALICE, CAROL, "Doughnut")  # to Carol, who is not LIVE: not counted
    await cog.boards.throttle.drain()
    figures = await harness.ledger.run(LiveStats(G, live.id))
    assert (figures.diamonds, figures.gifters, figures.gifts) == (68, 2, 3)
    assert [(g.user_id, g.coins) for g in figures.top] == [(ALICE, 63), (CAROL, 5)]
    assert figures.top_gift.gift_name == "Rose"
    assert figures.top_gift.count == 8
    card = posts(harness, ANNOUNCE)[0]
    assert "68" in card.text
    assert f"🥇 <@{ALICE}> — 63 coins" in card.text
    assert f"🥈 <@{CAROL}> — 5 coins" in card.text
    assert 1 <= card.edit_count <= 3  # never more edits than gifts

    status = await harness.user(CAROL).invoke("live status", member=BOB)
    assert status.ephemeral
    assert "68" in status.text
    assert "LIVE for" in status.text

    harness.clock.advance(3_725)  # 1 h 02 min
    ended = await harness.user(BOB).invoke("live end")
    assert ended.ephemeral
    assert "has ended" in ended.text
    assert await harness.ledger.run(GetLive(G, BOB)) is None
    [card] = posts(harness, ANNOUNCE)  # the card itself became the recap: no new post
    for shown in ("LIVE ended", "1 h 02 min", "68", "Rose ×8", f"<@{ALICE}> — 63 coins"):
        assert shown in card.text, shown
        assert shown in ended.text, shown

    # A gift after the end no longer counts for that LIVE.
    await gift(harness, ALICE, BOB, "Rose")
    assert (await harness.ledger.run(LiveStats(G, live.id))).diamonds == 68
    after = await harness.user(ALICE).invoke("live status", member=BOB)
    assert "not LIVE" in after.text
    assert (await harness.ledger.verify()).ok


async def test_live_refusals(harness: Any) -> None:
    bob = harness.user(BOB)
    not_live = await bob.invoke("live end")
    assert not_live.ephemeral
    assert "You are not LIVE" in not_live.text
    assert "/live start" in not_live.text
    own_status = await bob.invoke("live status")
    assert "You are not LIVE" in own_status.text
    assert "/live start" in own_status.text

    await bob.invoke("live start", channel=GENERAL)
    again = await bob.invoke("live start")
    assert again.ephemeral
    assert "already LIVE" in again.text
    assert len(posts(harness, GENERAL)) == 1

    # Only moderators end someone else's LIVE.
    refused = await harness.user(ALICE).invoke("live end", member=BOB)
    assert refused.ephemeral
    assert "moderator" in refused.text.lower()
    assert await harness.ledger.run(GetLive(G, BOB)) is not None
    nobody = await harness.user(MODERATOR).invoke("live end", member=CAROL)
    assert "is not LIVE" in nobody.text

    by_mod = await harness.user(MODERATOR).invoke("live end", member=BOB)
    assert "has ended" in by_mod.text
    assert await harness.ledger.run(GetLive(G, BOB)) is None
    too_long = await bob.invoke("live start", title="x" * 101, validate=False)
    assert too_long.ephemeral
    assert await harness.ledger.run(GetLive(G, BOB)) is None
    assert (await harness.ledger.verify()).ok


async def test_two_creators_live_at_once_with_interleaved_gifts(harness: Any) -> None:
    cog = live_cog(harness)
    await fund(harness, ALICE, CAROL, MODERATOR)
    await harness.user(BOB).invoke("live start", channel=GENERAL)
    await harness.user(CAROL).invoke("live start", channel=ANNOUNCE)
    bob_live = await harness.ledger.run(GetLive(G, BOB))
    carol_live = await harness.ledger.run(GetLive(G, CAROL))
    sends = [
        (ALICE, BOB, "Rose", 3),
        (ALICE, CAROL, "Doughnut", 1),
        (MODERATOR, BOB, "Doughnut", 2),
        (ALICE, BOB, "Rose", 1),
        (MODERATOR, CAROL, "Rose", 7),
        (ALICE, CAROL, "Rose", 2),
    ]
    for sender, recipient, name, count in sends:
        await gift(harness, sender, recipient, name, count)
    await cog.boards.throttle.drain()
    bob = await harness.ledger.run(LiveStats(G, bob_live.id))
    carol = await harness.ledger.run(LiveStats(G, carol_live.id))
    assert (bob.diamonds, bob.gifters) == (64, 2)
    assert [(g.user_id, g.coins) for g in bob.top] == [(MODERATOR, 60), (ALICE, 4)]
    assert (bob.top_gift.gift_name, bob.top_gift.count) == ("Rose", 4)
    assert (carol.diamonds, carol.gifters) == (39, 2)
    assert [(g.user_id, g.coins) for g in carol.top] == [(ALICE, 32), (MODERATOR, 7)]
    assert (carol.top_gift.gift_name, carol.top_gift.count) == ("Rose", 9)
    assert "64" in posts(harness, GENERAL)[0].text
    assert "39" in posts(harness, ANNOUNCE)[0].text
    assert (await harness.ledger.verify()).ok


async def test_live_survives_a_restart_and_one_due_at_start_up_ends(harness: Any) -> None:
    await fund(harness, ALICE)
    await harness.user(BOB).invoke("live start", channel=ANNOUNCE)
    await harness.user(CAROL).invoke("live start", channel=GENERAL)
    await gift(harness, ALICE, BOB, "Rose", 2)
    bob_live = await harness.ledger.run(GetLive(G, BOB))
    carol_live = await harness.ledger.run(GetLive(G, CAROL))

    await harness.restart()
    cog = live_cog(harness)
    await gift(harness, ALICE, BOB, "Rose", 3)  # counts: Bob is still LIVE after the restart
    await cog.boards.throttle.drain()
    assert (await harness.ledger.run(LiveStats(G, bob_live.id))).diamonds == 5
    await harness.wait_until(lambda: "5" in posts(harness, ANNOUNCE)[0].text)
    assert (await harness.user(ALICE).invoke("live status", member=BOB)).text.count("LIVE") >= 1

    # Carol ends hers; then the bot is down past Bob's [live] max_hours.
    await harness.user(CAROL).invoke("live end")
    await harness.stop_bot()
    harness.clock.advance(13 * 3600)
    await harness.start_bot()
    # The first due check after start-up ends Bob's LIVE at its scheduled end; the card
    # becomes the recap.
    await harness.wait_until(lambda: "LIVE ended" in posts(harness, ANNOUNCE)[0].text)
    ended = await harness.ledger.run(GetLiveById(G, bob_live.id))
    assert ended.ended_at == ended.ends_at
    assert "12 h 00 min" in posts(harness, ANNOUNCE)[0].text
    assert "Rose ×5" in posts(harness, ANNOUNCE)[0].text
    assert (await harness.ledger.run(GetLiveById(G, carol_live.id))).ended_at is not None
    assert await harness.bot.get_cog("Live").boards.end_due() == 0  # never twice
    assert len(posts(harness, ANNOUNCE)) == 1
    assert (await harness.ledger.verify()).ok


async def test_a_stream_of_3000_roses_is_a_few_coalesced_card_edits(harness: Any) -> None:
    """3,000 gifts to a LIVE creator: the card is edited a handful of times, and the last edit
    carries the final figures. (The gifts go through the ledger and the same after-gift hooks the
    `/gift` cog calls, so the stream is quick to run.)"""
    cog = live_cog(harness)
    cog.boards.throttle.interval = 0.25
    await fund(harness, ALICE, CAROL, coins=10_000)
    await harness.user(BOB).invoke("live start", channel=ANNOUNCE)
    live = await harness.ledger.run(GetLive(G, BOB))
    edits_before = cog.boards.edits

    elapsed = await harness.rose_stream(3_000, lambda i: (ALICE if i % 2 else CAROL, BOB))
    await cog.boards.throttle.drain()
    edits = cog.boards.edits - edits_before
    # At most one edit per interval while the stream ran, plus the trailing one.
    assert 1 <= edits <= elapsed / 0.25 + 2, (edits, elapsed)
    assert edits < 100
    card = posts(harness, ANNOUNCE)[0]
    assert card.edit_count == edits
    assert "3,000" in card.text  # the trailing edit shows every Rose
    figures = await harness.ledger.run(LiveStats(G, live.id))
    assert (figures.diamonds, figures.gifters, figures.top_gift.count) == (3_000, 2, 3_000)
    assert (await harness.ledger.verify()).ok


async def test_a_deleted_card_gets_a_new_recap_post(harness: Any) -> None:
    await harness.user(BOB).invoke("live start", channel=ANNOUNCE)
    [card] = posts(harness, ANNOUNCE)
    card.deleted = True  # a moderator deleted the LIVE card
    ended = await harness.user(BOB).invoke("live end")
    assert "has ended" in ended.text
    [recap] = posts(harness, ANNOUNCE)
    assert recap.id != card.id
    assert "LIVE ended" in recap.text
    assert "No gifts" in recap.text
