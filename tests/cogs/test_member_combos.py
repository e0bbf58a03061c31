"""The combo tracker on its own: window with a fake clock, coalesced edits, bounded memory.

(The end-to-end combo — announcement edited to "×N combo" through the real client — is in
test_member_gifting.py; here the edit target is a slow stand-in object so coalescing is visible.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord

from bot.ui.combos import Combo, ComboTracker
from tests.clock import FakeClock


class SlowOriginal:
    """Looks like an Interaction for `edit_original_response`; each edit takes a while."""

    def __init__(self, delay: float = 0.02) -> None:
        self.delay = delay
        self.edits: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def edit_original_response(self, *, embed: discord.Embed) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.edits.append(embed.title or "")
        self.in_flight -= 1


def render(combo: Combo) -> discord.Embed:
    return discord.Embed(title=f"{combo.gift_name} ×{combo.count} combo")


def hit(tracker: ComboTracker, **kw: Any) -> tuple[Combo, bool]:
    args = {"count": 1, "coins": 1, "diamonds": 1, "message": None} | kw
    return tracker.hit(1, 10, 20, "Rose", **args)


async def test_repeats_inside_the_window_join_and_outside_start_afresh() -> None:
    clock = FakeClock(1_700_000_000.0)
    tracker = ComboTracker(clock, 15, render)
    first, is_first = hit(tracker)
    assert is_first
    clock.now += 14
    again, is_first = hit(tracker, count=2, coins=2, diamonds=2)
    assert again is first
    assert not is_first
    assert (first.count, first.coins, first.diamonds, first.sends) == (3, 3, 3, 2)
    clock.now += 14  # the window slides from the last gift
    assert hit(tracker)[0] is first
    clock.now += 16
    fresh, is_first = hit(tracker)
    assert is_first
    assert fresh is not first


async def test_other_gift_or_recipient_is_another_combo() -> None:
    tracker = ComboTracker(FakeClock(1_700_000_000.0), 15, render)
    a, _ = hit(tracker)
    b, first_b = tracker.hit(1, 10, 21, "Rose", count=1, coins=1, diamonds=1, message=None)
    c, first_c = tracker.hit(1, 10, 20, "GG", count=1, coins=1, diamonds=1, message=None)
    assert first_b
    assert first_c
    assert len({id(a), id(b), id(c)}) == 3


async def test_edits_are_coalesced_one_in_flight_plus_a_trailing_one() -> None:
    tracker = ComboTracker(FakeClock(1_700_000_000.0), 15, render)
    combo, _ = hit(tracker)
    original = SlowOriginal()
    tracker.attach(combo, original)  # type: ignore[arg-type]
    for _ in range(50):
        joined, _ = hit(tracker)
        tracker.request_edit(joined)
        await asyncio.sleep(0)
    await tracker.drain()
    assert original.max_in_flight == 1
    assert 1 <= len(original.edits) <= 3  # never one edit per gift
    assert original.edits[-1] == "Rose ×51 combo"  # the trailing edit has the latest count


async def test_edits_wait_for_the_first_announcement() -> None:
    tracker = ComboTracker(FakeClock(1_700_000_000.0), 15, render)
    combo, _ = hit(tracker)
    hit(tracker)
    tracker.request_edit(combo)
    await asyncio.sleep(0.01)
    original = SlowOriginal(0)
    tracker.attach(combo, original)  # type: ignore[arg-type]
    await tracker.drain()
    assert original.edits == ["Rose ×2 combo"]


async def test_a_failed_announcement_is_forgotten() -> None:
    tracker = ComboTracker(FakeClock(1_700_000_000.0), 15, render)
    combo, _ = hit(tracker)
    tracker.drop(combo)
    again, is_first = hit(tracker)
    assert is_first
    assert again is not combo


async def test_memory_is_bounded() -> None:
    clock = FakeClock(1_700_000_000.0)
    tracker = ComboTracker(clock, 15, render, max_entries=100)
    for recipient in range(1_000):
        tracker.hit(1, 10, recipient, "Rose", count=1, coins=1, diamonds=1, message=None)
    assert len(tracker) == 100
    clock.now += 16
    hit(tracker)
    assert len(tracker) == 1  # everything older than the window expired
