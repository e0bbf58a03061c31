"""The combo tracker on its own: window with a fake clock, coalesced edits, bounded memory,
expiry by time.

(The end-to-end combo — announcement edited to "×N combo" through the real client — is in
test_member_gifting.py; here the edit is a slow stand-in function so coalescing is visible.)
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import discord

from bot.sandbox.standin.ids import ALICE, BOB
from bot.services.combos import AnnouncementRef, Combo, ComboTracker
from tests.clock import FakeClock

REF = AnnouncementRef(application_id=1, token="token", message_id=2)


class SlowOriginal:
    """Stands in for the webhook edit of the announcement; each edit takes a while."""

    def __init__(self, delay: float = 0.02) -> None:
        self.delay = delay
        self.edits: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, ref: AnnouncementRef, embed: discord.Embed) -> None:
        assert ref is REF
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.edits.append(embed.title or "")
        self.in_flight -= 1


def render(combo: Combo) -> discord.Embed:
    return discord.Embed(title=f"{combo.gift_name} ×{combo.count} combo")


def tracker_with(
    clock: FakeClock, edit: SlowOriginal | None = None, **kw: Any
) -> tuple[ComboTracker, SlowOriginal]:
    edit = edit or SlowOriginal()
    return ComboTracker(clock, 15, render, edit, **kw), edit


def hit(tracker: ComboTracker, **kw: Any) -> tuple[Combo, bool]:
    args = {"count": 1, "coins": 1, "diamonds": 1, "message": None} | kw
    return tracker.hit(1, 10, 20, "Rose", **args)


async def test_repeats_inside_the_window_join_and_outside_start_afresh() -> None:
    clock = FakeClock(1_700_000_000.0)
    tracker, _ = tracker_with(clock)
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
    tracker, _ = tracker_with(FakeClock(1_700_000_000.0))
    a, _ = hit(tracker)
    b, first_b = tracker.hit(1, 10, 21, "Rose", count=1, coins=1, diamonds=1, message=None)
    c, first_c = tracker.hit(1, 10, 20, "GG", count=1, coins=1, diamonds=1, message=None)
    assert first_b
    assert first_c
    assert len({id(a), id(b), id(c)}) == 3


async def test_edits_are_coalesced_one_in_flight_plus_a_trailing_one() -> None:
    tracker, original = tracker_with(FakeClock(1_700_000_000.0))
    combo, _ = hit(tracker)
    tracker.attach(combo, REF)
    for _ in range(50):
        joined, _ = hit(tracker)
        tracker.request_edit(joined)
        await asyncio.sleep(0)
    await tracker.drain()
    assert original.max_in_flight == 1
    assert 1 <= len(original.edits) <= 3  # never one edit per gift
    assert original.edits[-1] == "Rose ×51 combo"  # the trailing edit has the latest count


async def test_a_servers_combos_share_its_edit_budget_and_each_ends_on_its_count() -> None:
    """Forty combos in one server, each extended twice: their edits go out one server slot
    apart (50 per second here), never all at once, and every announcement's last edit still
    carries its own final count."""
    rate = 50.0
    edited: list[tuple[float, str]] = []
    loop = asyncio.get_running_loop()

    async def edit(ref: AnnouncementRef, embed: discord.Embed) -> None:
        edited.append((loop.time(), f"{ref.message_id}:{embed.title}"))

    tracker = ComboTracker(
        FakeClock(1_700_000_000.0), 15, render, edit, server_edits_per_second=rate
    )
    combos = []
    for sender in range(40):
        combo, _ = tracker.hit(1, sender, 99, "Rose", count=1, coins=1, diamonds=1, message=None)
        tracker.attach(combo, AnnouncementRef(1, "token", sender))
        combos.append(combo)
    for _ in range(2):
        for combo in combos:
            tracker.hit(1, combo.sender_id, 99, "Rose", count=1, coins=1, diamonds=1, message=None)
            tracker.request_edit(combo)
        await asyncio.sleep(0)
    await tracker.drain()
    times = [at for at, _ in edited]
    # Each edit waits for its own server slot, one slot after the previous one's: a stalled
    # loop can only make them later, so the edits span at least their slots.
    assert times[-1] - times[0] >= (len(times) - 1) / rate * 0.9
    last = {text.split(":")[0]: text for _, text in edited}
    assert last == {str(c.sender_id): f"{c.sender_id}:Rose ×3 combo" for c in combos}
    assert len(edited) <= 2 * len(combos)  # coalesced: not one per gift


async def test_edits_wait_for_the_first_announcement() -> None:
    tracker, original = tracker_with(FakeClock(1_700_000_000.0), SlowOriginal(0))
    combo, _ = hit(tracker)
    hit(tracker)
    tracker.request_edit(combo)
    await asyncio.sleep(0.01)
    assert original.edits == []  # nothing to edit before the announcement is out
    tracker.attach(combo, REF)
    await tracker.drain()
    assert original.edits == ["Rose ×2 combo"]


async def test_a_failed_announcement_is_forgotten() -> None:
    tracker, _ = tracker_with(FakeClock(1_700_000_000.0))
    combo, _ = hit(tracker)
    tracker.drop(combo)
    again, is_first = hit(tracker)
    assert is_first
    assert again is not combo


async def test_memory_is_bounded() -> None:
    clock = FakeClock(1_700_000_000.0)
    tracker, _ = tracker_with(clock, max_entries=100)
    for recipient in range(1_000):
        tracker.hit(1, 10, recipient, "Rose", count=1, coins=1, diamonds=1, message=None)
    assert len(tracker) == 100
    clock.now += 16
    hit(tracker)
    assert len(tracker) == 1  # everything older than the window expired
    await tracker.close()


async def test_windows_expire_by_time_without_another_gift() -> None:
    """Many open windows are dropped when their time is up, with no gift arriving to trigger
    it; a window extended meanwhile stays."""
    clock = FakeClock(1_700_000_000.0)
    tracker, _ = tracker_with(clock, sweep_interval=0.01)
    for recipient in range(2_000):
        tracker.hit(1, 10, recipient, "Rose", count=1, coins=1, diamonds=1, message=None)
    clock.advance(10)
    kept, _ = tracker.hit(1, 10, 0, "Rose", count=1, coins=1, diamonds=1, message=None)
    await asyncio.sleep(0.05)
    assert len(tracker) == 2_000  # nothing is due yet
    clock.advance(6)  # 16 s after the first gifts, 6 s after the extended one
    await _until(lambda: len(tracker) == 1)
    assert tracker.hit(1, 10, 0, "Rose", count=1, coins=1, diamonds=1, message=None)[0] is kept
    clock.advance(16)
    await _until(lambda: len(tracker) == 0)
    await tracker.close()


async def test_a_window_past_the_token_lifetime_starts_afresh() -> None:
    clock = FakeClock(1_700_000_000.0)
    tracker, _ = tracker_with(clock)
    first, _ = hit(tracker)
    for _ in range(14 * 60 // 10):  # extended every 10 s for 14 minutes
        clock.advance(10)
        assert hit(tracker)[0] is first
    clock.advance(10)
    fresh, is_first = hit(tracker)
    assert is_first  # the first announcement's token is about to expire: a new announcement
    assert fresh is not first
    await tracker.close()


async def _until(predicate: Any) -> None:
    for _ in range(400):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the windows did not expire")


# --- the combo window in the running bot, through the real client -------------------------------


def gifting(harness: Any) -> Any:
    cog = harness.bot.get_cog("Gifting")
    assert cog is not None
    return cog


async def test_a_window_keeps_only_what_the_edit_needs_and_expires_by_time(harness: Any) -> None:
    tracker = gifting(harness).combos
    tracker.sweep_interval = 0.01
    await harness.grant(ALICE, 100)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    [combo] = tracker._combos.values()
    assert combo.ref == AnnouncementRef(harness.bot.application_id, first.token, first.message.id)
    held = [getattr(combo, name) for name in Combo.__slots__]
    assert not any(isinstance(value, discord.Interaction) for value in held)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    await first.wait_for_text("×2 combo")  # the edit went through the interaction's webhook
    harness.clock.advance(16)
    await _until(lambda: len(tracker) == 0)  # no further gift needed


async def test_a_combo_edits_the_announcement_another_delivery_posted(
    harness: Any, monkeypatch: Any
) -> None:
    """When another delivery of the same interaction answered first, the window finds the
    announcement (the interaction's original response) and edits it all the same."""
    module = sys.modules[type(gifting(harness)).__module__]  # the extension as loaded
    real_respond = module.respond

    async def answered_elsewhere(interaction: Any, **kwargs: Any) -> None:
        await real_respond(interaction, **kwargs)  # as if the other delivery posted it

    monkeypatch.setattr(module, "respond", answered_elsewhere)
    await harness.grant(ALICE, 100)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    monkeypatch.setattr(module, "respond", real_respond)
    again = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=2)
    assert again.ephemeral
    await first.wait_for_text("×3 combo")


async def test_closing_sends_the_edit_still_owed_then_stops() -> None:
    """A stop right after a repeat (SIGTERM unloads the cog): the trailing edit, still waiting
    for its turn, is sent before the tracker closes, so the announcement shows the whole
    combo; an edit that cannot be sent in time is cancelled, not awaited for ever."""
    tracker, original = tracker_with(FakeClock(1_700_000_000.0), SlowOriginal(0))
    combo, _ = hit(tracker)
    tracker.attach(combo, REF)
    for _ in range(3):
        tracker.request_edit(hit(tracker)[0])
        await asyncio.sleep(0)
    await tracker.close(flush_timeout=5)
    assert original.edits == ["Rose ×2 combo", "Rose ×4 combo"]  # the trailing one landed

    stuck, _ = tracker_with(FakeClock(1_700_000_000.0), SlowOriginal(60))
    combo, _ = hit(stuck)
    stuck.attach(combo, REF)
    stuck.request_edit(hit(stuck)[0])
    await asyncio.sleep(0)
    await stuck.close(flush_timeout=0.05)
    assert not stuck._tasks  # cancelled after the flush time
