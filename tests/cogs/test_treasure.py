"""`/treasure drop` and its Open button through the real discord.py client, the stand-in and a
real SqliteLedger: the drop and a full split, the refund, 100 concurrent presses, the daily cap,
the refusals, and the button across a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy.ledger import TreasureState
from bot.economy.reads import GetTreasure, UnfinishedTreasures
from bot.economy.requests import SetFrozen, SettleTreasure
from bot.economy.treasure import TreasureConfig
from bot.sandbox.standin.ids import ALICE, BOB, BOT_MEMBER, CAROL, GENERAL, GUILD_ID, OWNER
from bot.storage import SqliteLedger

G = GUILD_ID


def treasure_cog(harness: Any) -> Any:
    cog = harness.bot.get_cog("Treasure")
    assert cog is not None
    cog.boxes.seed = lambda: 42  # a deterministic split
    cog.boxes.throttle.interval = 0.01
    return cog


def box_posts(harness: Any) -> list[Any]:
    log = harness.standin.world.channels[GENERAL].log
    return [m for m in log if not m.deleted and "Treasure box" in m.text and not m.ephemeral]


def open_id(post: Any) -> str:
    [custom_id] = [c for c in post.custom_ids if c.startswith("giftcord:treasure:")]
    return str(custom_id)


async def drop(harness: Any, coins: str = "1,000", openers: int = 3, minutes: int = 2) -> Any:
    r = await harness.user(ALICE).invoke(
        "treasure drop", coins=coins, openers=openers, minutes=minutes
    )
    assert r.ephemeral, r.text
    return r


async def the_box(harness: Any) -> Any:
    [box] = await harness.ledger.run(UnfinishedTreasures())
    return box


async def test_drop_open_and_a_full_split(harness: Any) -> None:
    cog = treasure_cog(harness)
    await harness.grant(ALICE, 1_500)
    r = await drop(harness, coins="1k", openers=3)
    assert "Your box of 1,000 coins is out" in r.text
    assert await harness.balances(ALICE) == [(500, 0)]
    [post] = box_posts(harness)
    assert f"<@{ALICE}> dropped **1,000 coins**" in post.text
    assert "0 of 3" in post.text
    assert not post.pings(harness.standin.world.guilds[G])["users"]
    button = open_id(post)
    box = await the_box(harness)
    assert box.message_id == post.id

    bob = await harness.user(BOB).click(post, button)
    assert bob.ephemeral
    assert "opener 1 of 3" in bob.text
    await cog.boxes.throttle.drain()
    assert "1 of 3" in harness.standin.message(post.id).text
    await harness.user(CAROL).click(post, button)
    await harness.user(OWNER).click(post, button)  # the third fills it: the split follows

    await harness.wait_until(
        lambda: "opened" in harness.standin.message(post.id).embeds[0]["title"]
    )
    settled = await harness.ledger.run(GetTreasure(G, box.id))
    assert settled.state is TreasureState.SPLIT
    assert sum(settled.shares) == 1_000
    assert min(settled.shares) >= 1
    got = await harness.balances(BOB, CAROL, OWNER)
    assert [c for c, _ in got] == list(settled.shares)
    results = harness.standin.message(post.id)
    assert not results.custom_ids  # the Open button is gone
    for uid, share in zip(settled.opener_ids, settled.shares, strict=True):
        assert f"<@{uid}> — {share:,} coin" in results.text
    assert (await harness.ledger.verify()).ok


async def test_nobody_opens_and_the_coins_come_back(harness: Any) -> None:
    cog = treasure_cog(harness)
    await harness.grant(ALICE, 600)
    await drop(harness, coins="600", openers=5, minutes=1)
    assert await harness.balances(ALICE) == [(0, 0)]
    [post] = box_posts(harness)
    assert await cog.boxes.settle_due() == 0  # not due yet
    harness.clock.advance(61)
    late = await harness.user(BOB).click(post, open_id(post))
    assert "has closed" in late.text
    assert await cog.boxes.settle_due() == 1
    assert await harness.balances(ALICE) == [(600, 0)]
    results = harness.standin.message(post.id)
    assert "Nobody opened" in results.text
    assert "600 coins went back" in results.text
    assert await cog.boxes.settle_due() == 0  # exactly once
    assert (await harness.ledger.verify()).ok


async def test_a_hundred_concurrent_presses(harness: Any) -> None:
    treasure_cog(harness)
    await harness.grant(ALICE, 10_000)
    await drop(harness, coins="10k", openers=10)
    [post] = box_posts(harness)
    button = open_id(post)
    members = harness.standin.add_members(100)
    presses = [harness.user(m.user.id).prepare_click(post, button) for m in members]
    # Every fifth member double-clicks: two interactions for one member at the same moment.
    presses += [harness.user(m.user.id).prepare_click(post, button) for m in members[::5]]
    results = await asyncio.gather(*(harness.standin.deliver(p) for p in presses))
    assert all(r.ephemeral for r in results)
    inside = [r for r in results if "You're in" in r.text]
    full = [r for r in results if "This box is full" in r.text]
    again = [r for r in results if "already opened" in r.text]
    assert len(inside) == 10
    assert len(inside) + len(full) + len(again) == len(results)
    assert len(full) >= 90 - len(again)
    box = await harness.wait_until(
        lambda: _settled(harness, int(button.rsplit(":", 1)[1])), timeout=10
    )
    assert len(set(box.opener_ids)) == 10
    assert sum(box.shares) == 10_000
    assert min(box.shares) >= 1
    assert (await harness.ledger.verify()).ok


async def _settled(harness: Any, box_id: int) -> Any:
    box = await harness.ledger.run(GetTreasure(G, box_id))
    return box if box.state is not TreasureState.OPEN else None


async def test_the_daily_cap(harness: Any) -> None:
    treasure_cog(harness)
    harness.bot.services.treasure = TreasureConfig(daily_opens=2)
    await harness.grant(ALICE, 100)
    for _ in range(3):
        await drop(harness, coins="10", openers=2)
    posts = box_posts(harness)
    assert len(posts) == 3
    for post in posts[:2]:
        assert "You're in" in (await harness.user(BOB).click(post, open_id(post))).text
    capped = await harness.user(BOB).click(posts[2], open_id(posts[2]))
    assert capped.ephemeral
    assert "2 opens per day" in capped.text
    assert "resets" in capped.text
    harness.clock.advance(24 * 3600)  # a new UTC day (the box has closed by then, though)
    assert "has closed" in (await harness.user(BOB).click(posts[2], open_id(posts[2]))).text


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        ({"coins": "3", "openers": 5}, "at least 5 coins for 5 openers"),
        ({"coins": "2,000", "openers": 5}, "1,000 missing"),
        ({"coins": "0"}, "at least 1 coin"),
        ({"coins": "1.5"}, "whole"),
    ],
)
async def test_drop_refusals_change_nothing(
    harness: Any, options: dict[str, Any], sentence: str
) -> None:
    await harness.grant(ALICE, 1_000)
    r = await harness.user(ALICE).invoke("treasure drop", **options)
    assert r.ephemeral
    assert sentence.lower() in r.text.lower(), r.text
    assert await harness.balances(ALICE) == [(1_000, 0)]
    assert await harness.ledger.run(UnfinishedTreasures()) == []
    assert not box_posts(harness)


async def test_frozen_dropper_is_refused(harness: Any) -> None:
    await harness.grant(ALICE, 1_000)
    await harness.ledger.run(SetFrozen(G, ALICE, "freeze-a", OWNER, True, "test"))
    r = await harness.user(ALICE).invoke("treasure drop", coins="100")
    assert r.ephemeral
    assert "frozen" in r.text
    assert await harness.balances(ALICE) == [(1_000, 0)]


async def test_open_refusals_dropper_bot_frozen(harness: Any) -> None:
    treasure_cog(harness)
    await harness.grant(ALICE, 100)
    await harness.grant(CAROL, 1)
    await drop(harness, coins="100", openers=2)
    [post] = box_posts(harness)
    button = open_id(post)
    own = await harness.user(ALICE).click(post, button)
    assert "You dropped this box" in own.text
    bot = await harness.user(BOT_MEMBER).click(post, button)
    assert "Bots can't open" in bot.text
    await harness.ledger.run(SetFrozen(G, CAROL, "freeze-c", OWNER, True, "test"))
    frozen = await harness.user(CAROL).click(post, button)
    assert "frozen" in frozen.text
    assert all(r.ephemeral for r in (own, bot, frozen))
    assert (await the_box(harness)).opened == 0


async def test_the_open_button_works_across_a_restart(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    await drop(harness, coins="100", openers=2, minutes=10)
    [post] = box_posts(harness)
    button = open_id(post)
    await harness.user(BOB).click(post, button)
    await harness.restart()
    cog = treasure_cog(harness)
    r = await harness.user(CAROL).click(post, button)
    assert "opener 2 of 2" in r.text
    box = await harness.wait_until(lambda: _settled(harness, int(button.rsplit(":", 1)[1])))
    assert box.opener_ids == (BOB, CAROL)
    assert sum(box.shares) == 100
    await harness.wait_until(
        lambda: "opened" in harness.standin.message(post.id).embeds[0]["title"]
    )
    assert cog.boxes.seed() == 42
    assert (await harness.ledger.verify()).ok


async def bob_opened_then_stopped(harness: Any, *, openers: int, minutes: int) -> tuple[Any, int]:
    """ALICE drops 100 coins, BOB opens, the bot stops: (the post, the box id)."""
    await harness.grant(ALICE, 100)
    await drop(harness, coins="100", openers=openers, minutes=minutes)
    [post] = box_posts(harness)
    box_id = (await the_box(harness)).id
    await harness.user(BOB).click(post, open_id(post))
    await harness.stop_bot()
    return post, box_id


async def test_an_overdue_box_is_settled_at_start_up(harness: Any) -> None:
    post, box_id = await bob_opened_then_stopped(harness, openers=5, minutes=1)
    harness.clock.advance(3600)  # the bot was down past the box's end
    await harness.start_bot()
    box = await harness.wait_until(lambda: _settled(harness, box_id))
    assert box.shares == (100,)
    assert await harness.balances(BOB) == [(100, 0)]
    await harness.wait_until(
        lambda: "opened" in harness.standin.message(post.id).embeds[0]["title"]
    )
    assert (await harness.ledger.verify()).ok


async def test_results_lost_to_a_crash_are_posted_at_start_up(harness: Any) -> None:
    """The split committed but the bot died before the results replaced the post: the next
    start posts them (once), and the box is not split again."""
    post, box_id = await bob_opened_then_stopped(harness, openers=2, minutes=10)
    harness.clock.advance(700)
    # What the dead process got done: the split, and nothing after it.
    ledger = await SqliteLedger.open(harness.db_path, harness.economy, clock=harness.clock)
    split = await ledger.run(SettleTreasure(G, box_id, seed=9))
    await ledger.close()
    assert harness.standin.message(post.id).custom_ids  # the post still shows the open box
    await harness.start_bot()
    await harness.wait_until(
        lambda: "opened" in harness.standin.message(post.id).embeds[0]["title"]
    )
    assert f"<@{BOB}> — 100 coins" in harness.standin.message(post.id).text
    await harness.wait_until(lambda: _announced(harness, box_id))
    assert await harness.ledger.run(UnfinishedTreasures()) == []
    assert split.shares == (100,)
    assert await harness.balances(BOB) == [(100, 0)]
    assert (await harness.ledger.verify()).ok


async def _announced(harness: Any, box_id: int) -> bool:
    box = await harness.ledger.run(GetTreasure(G, box_id))
    return bool(box.announced)


async def test_a_redelivered_drop_and_open_count_once(harness: Any) -> None:
    await harness.grant(ALICE, 1_000)
    dropping = harness.user(ALICE).prepare("treasure drop", coins="300", openers=2)
    await harness.standin.deliver(dropping)
    await harness.standin.redeliver(dropping)
    await dropping.wait_for_attempts(2)
    assert await harness.balances(ALICE) == [(700, 0)]  # charged once
    [post] = box_posts(harness)  # posted once
    opening = harness.user(BOB).prepare_click(post, open_id(post))
    await harness.standin.deliver(opening)
    await harness.standin.redeliver(opening)
    attempts = await opening.wait_for_attempts(2)
    assert [a.accepted for a in attempts] == [True, False]
    box = await the_box(harness)
    assert box.opener_ids == (BOB,)
    assert (await harness.ledger.verify()).ok
