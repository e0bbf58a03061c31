"""`/event …` through the real discord.py client, the stand-in and a real SqliteLedger, with the
harness's fake clock: start, gifts counted, purchase bonus, goal reached, end by time, restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy.reads import DueEvents, GetEvent, GetLiveEvent
from bot.economy.requests import ConfirmAge, Purchase, UpdateGuildSettings
from bot.sandbox.standin.ids import ALICE, ANNOUNCE, BOB, CAROL, GENERAL, GUILD_ID, MODERATOR

G = GUILD_ID


def posts(harness: Any, channel_id: int) -> list[Any]:
    return [m for m in harness.standin.world.channels[channel_id].log if not m.deleted]


def events_cog(harness: Any) -> Any:
    cog = harness.bot.get_cog("Events")
    assert cog is not None
    cog.boards.throttle.interval = 0.05  # the throttle, shortened for the test
    return cog


async def fund(harness: Any, user_id: int, coins: int = 5_000) -> None:
    await harness.user(MODERATOR).invoke(
        "mod grant", member=user_id, currency="coins", amount=str(coins), reason="test funds"
    )


async def test_status_without_an_event(harness: Any) -> None:
    result = await harness.user(ALICE).invoke("event status")
    assert result.ephemeral
    assert "No event is running" in result.text


async def test_event_lifecycle_gifts_bonus_goal_and_end_by_time(harness: Any) -> None:
    cog = events_cog(harness)
    await harness.ledger.run(UpdateGuildSettings(G, announce_channel_id=ANNOUNCE))
    await fund(harness, ALICE)
    mod = harness.user(MODERATOR)

    started = await mod.invoke("event start", name="Spring Gala", minutes=60, goal="100", bonus=10)
    assert started.ephemeral
    assert "Spring Gala" in started.text
    assert "has started" in started.text
    event = await harness.ledger.run(GetLiveEvent(G))
    assert event is not None
    assert event.goal == 100
    assert event.bonus_percent == 10
    assert event.channel_id == ANNOUNCE
    [progress] = posts(harness, ANNOUNCE)
    assert event.message_id == progress.id
    assert "░░░░░░░░░░ 0 %" in progress.text
    assert f"<t:{int(event.ends_at)}:R>" in progress.text

    # Only one live event per server.
    second = await mod.invoke("event start", name="Another", minutes=30)
    assert second.ephemeral
    assert (await harness.ledger.run(GetLiveEvent(G))).name == "Spring Gala"

    # Gifts during the event count and refresh the progress post (throttled).
    for _ in range(3):
        await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut", count=1)
    await cog.boards.throttle.drain()
    assert (await harness.ledger.run(GetLiveEvent(G))).diamonds == 90
    progress = posts(harness, ANNOUNCE)[0]
    assert "█████████░ 90 %" in progress.text
    assert f"<@{ALICE}>" in progress.text  # top gifter
    assert f"<@{BOB}>" in progress.text  # top creator
    assert progress.edit_count <= 3  # never more edits than gifts

    # A purchase during the event gets the bonus on top.
    await harness.ledger.run(ConfirmAge(G, CAROL))
    bought = await harness.ledger.run(Purchase(G, CAROL, key="buy-carol", coins=700, package=True))
    assert bought.bonus_coins == 70
    assert bought.event_id == event.id

    # Goal reached.
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut", count=1)
    await cog.boards.throttle.drain()
    assert "██████████ 100 %" in posts(harness, ANNOUNCE)[0].text

    status = await harness.user(CAROL).invoke("event status")
    assert "120" in status.text
    assert "100 %" in status.text

    # Time runs out; the due-events check ends it and posts the results.
    harness.clock.advance(61 * 60)
    assert await cog.boards.end_due_events() == 1
    ended = await harness.ledger.run(GetEvent(G, event.id))
    assert ended is not None
    assert not ended.live
    results = posts(harness, ANNOUNCE)[-1]
    assert "results" in results.text
    assert "120" in results.text
    assert "reached" in results.text
    assert f"<@{ALICE}>" in results.text
    assert results.pings()["users"] == set()
    assert await cog.boards.end_due_events() == 0  # never twice
    assert len(posts(harness, ANNOUNCE)) == 2

    after = await harness.user(ALICE).invoke("event status")
    assert "No event is running" in after.text
    assert "Spring Gala" in after.text


async def test_event_end_early_posts_results_goal_not_reached(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    await mod.invoke("event start", name="Quick one", minutes=5, goal="1m", channel=GENERAL)
    result = await mod.invoke("event end")
    assert result.ephemeral
    assert "has ended" in result.text
    results = posts(harness, GENERAL)[-1]
    assert "not reached" in results.text
    assert await harness.ledger.run(GetLiveEvent(G)) is None
    nothing = await mod.invoke("event end")
    assert "No event is running" in nothing.text


@pytest.mark.parametrize(("goal", "sentence"), [("-1", "negative"), ("1.5", "fraction")])
async def test_bad_goal_is_refused(harness: Any, goal: str, sentence: str) -> None:
    result = await harness.user(MODERATOR).invoke("event start", name="x", minutes=10, goal=goal)
    assert result.ephemeral
    assert sentence in result.text
    assert await harness.ledger.run(GetLiveEvent(G)) is None


async def test_event_due_during_downtime_ends_at_start_up(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    await mod.invoke("event start", name="Overnight", minutes=30, channel=ANNOUNCE)
    event = await harness.ledger.run(GetLiveEvent(G))
    assert event is not None

    await harness.stop_bot()  # the bot goes down mid-event
    harness.clock.advance(45 * 60)
    await harness.start_bot()  # a new bot on the same database

    # The first due-events check after start-up posts the results (a second post in the
    # channel) and turns the progress post into the results view.
    await harness.wait_until(lambda: len(posts(harness, ANNOUNCE)) == 2, timeout=5)
    progress, results = posts(harness, ANNOUNCE)
    assert progress.id == event.message_id
    assert "Overnight" in results.text
    assert "results" in results.text
    assert "results" in progress.text  # the progress post now shows it is over
    assert results.pings()["users"] == set()
    ended = await harness.ledger.run(GetEvent(G, event.id))
    assert ended is not None
    assert not ended.live
    assert ended.ended_at == event.ends_at  # it ended at its scheduled time, not at start-up
    assert await harness.ledger.run(GetLiveEvent(G)) is None
    assert await harness.bot.get_cog("Events").boards.end_due_events() == 0  # never twice
    assert len(posts(harness, ANNOUNCE)) == 2


async def test_concurrent_due_checks_end_and_post_once(harness: Any) -> None:
    """The timer and a `/event start` may both check for due events: one ends it, one posts."""
    cog = events_cog(harness)
    await harness.user(MODERATOR).invoke("event start", name="Race", minutes=5, channel=ANNOUNCE)
    harness.clock.advance(6 * 60)
    counts = await asyncio.gather(cog.boards.end_due_events(), cog.boards.end_due_events(G))
    assert sorted(counts) == [0, 1]
    assert await harness.ledger.run(GetLiveEvent(G)) is None
    progress, results = posts(harness, ANNOUNCE)
    assert "results" in results.text
    assert "Race" in results.text
    assert "results" in progress.text  # the progress post shows it is over


async def test_due_check_for_one_server_leaves_other_servers_alone(harness: Any) -> None:
    cog = events_cog(harness)
    await harness.user(MODERATOR).invoke("event start", name="Mine", minutes=5, channel=ANNOUNCE)
    harness.clock.advance(6 * 60)
    assert await cog.boards.end_due_events(G + 1) == 0
    assert [e.name for e in await harness.ledger.run(DueEvents())] == ["Mine"]
    assert len(posts(harness, ANNOUNCE)) == 1
    assert await cog.boards.end_due_events(G) == 1
    assert len(posts(harness, ANNOUNCE)) == 2


async def test_a_refresh_in_flight_never_overwrites_the_ended_post(
    harness: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A progress refresh that read the live event while `/event end` ran must not land last."""
    cog = events_cog(harness)
    mod = harness.user(MODERATOR)
    await mod.invoke("event start", name="Edge", minutes=30, goal="100", channel=ANNOUNCE)
    event = await harness.ledger.run(GetLiveEvent(G))
    assert event is not None

    real_board = cog.boards.board

    async def slow_live_board(ev: Any) -> Any:
        board = await real_board(ev)
        if ev.live:
            await asyncio.sleep(0.2)  # a slow refresh: the event ends meanwhile
        return board

    monkeypatch.setattr(cog.boards, "board", slow_live_board)
    refresh = asyncio.create_task(cog.boards.refresh_progress(G, event.id))
    await asyncio.sleep(0.05)  # the refresh has read the live event
    await mod.invoke("event end")
    await refresh
    progress, results = posts(harness, ANNOUNCE)
    assert "results" in results.text
    assert "results" in progress.text  # still the ended view, not the stale live one
    assert "not reached" in progress.text
