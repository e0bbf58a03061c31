"""The progress post's goal bar and its edit throttle (pure pieces, no Discord needed)."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.throttle import RefreshThrottle
from bot.ui.event_board import goal_bar
from tests.clock import FakeClock


@pytest.mark.parametrize(
    ("diamonds", "goal", "bar"),
    [
        (0, 100, "░░░░░░░░░░ 0 %"),
        (80, 100, "████████░░ 80 %"),
        (799, 1000, "███████░░░ 79 %"),
        (100, 100, "██████████ 100 %"),
        (250, 100, "██████████ 100 %"),
        (1, 3, "███░░░░░░░ 33 %"),
    ],
)
def test_goal_bar(diamonds: int, goal: int, bar: str) -> None:
    assert goal_bar(diamonds, goal) == bar


async def test_throttle_coalesces_a_burst_into_one_pending_refresh() -> None:
    calls: list[tuple[int, int]] = []

    async def refresh(guild_id: int, event_id: int) -> None:
        calls.append((guild_id, event_id))

    clock = FakeClock(1_000.0)
    board = RefreshThrottle(refresh, interval=0.2, clock=clock)
    assert board.poke(1, 7) is True  # first gift: refresh right away
    await board.drain()
    assert calls == [(1, 7)]

    # A burst within the interval: one refresh absorbs all of it, after the interval.
    assert board.poke(1, 7) is True
    assert [board.poke(1, 7) for _ in range(50)] == [False] * 50
    assert board.pending(7)
    await asyncio.sleep(0.05)
    assert calls == [(1, 7)]  # still waiting out the interval
    await board.drain()
    assert calls == [(1, 7), (1, 7)]
    assert not board.pending(7)


async def test_throttle_is_per_event_and_refreshes_at_once_after_the_interval() -> None:
    calls: list[int] = []

    async def refresh(_: int, event_id: int) -> None:
        calls.append(event_id)

    clock = FakeClock(1_000.0)
    board = RefreshThrottle(refresh, interval=60, clock=clock)
    board.poke(1, 1)
    board.poke(2, 2)  # another event is not held back by the first
    await board.drain()
    assert sorted(calls) == [1, 2]
    clock.now += 61  # the interval has passed: no waiting
    board.poke(1, 1)
    await asyncio.wait_for(board.drain(), timeout=1)
    assert calls.count(1) == 2


async def test_throttle_survives_a_failing_refresh_and_close_cancels_pending() -> None:
    async def refresh(_: int, __: int) -> None:
        raise RuntimeError("discord is down")

    clock = FakeClock(1_000.0)
    board = RefreshThrottle(refresh, interval=30, clock=clock)
    board.poke(1, 1)
    await board.drain()  # logged, not raised
    board.poke(1, 1)  # now waits 30 s
    assert board.pending(1)
    await board.close()
    assert not board.pending(1)
