"""What the interaction hot path's savings must not change (issue 14, docs/performance.md): the
announcement's view is a rendering only — discord.py keeps nothing per announcement, yet "Send
again" works on every announcement — and the option re-check, with each command's limits read
once, still refuses what it refused before, every time."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.standin.ids import ALICE, BOB

pytestmark = pytest.mark.asyncio


def send_again(result: Any) -> str:
    return next(
        c["custom_id"]
        for row in result.components
        for c in row.get("components", [])
        if c.get("label") == "Send again"
    )


async def test_announcements_leave_nothing_in_the_view_store_and_send_again_works(
    harness: Any,
) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    store = harness.bot._connection._view_store
    before = (len(store._views), len(store.persistent_views), dict(store._dynamic_items))
    announcements = []
    for gift in ("Heart Me", "Rose", "Heart Me"):
        harness.clock.advance(60)  # outside any combo window: each one is announced
        r = await alice.invoke("gift", member=BOB, gift=gift)
        assert not r.ephemeral
        assert send_again(r).startswith("giftcord:again:")
        announcements.append(r)
    assert (len(store._views), len(store.persistent_views), dict(store._dynamic_items)) == before
    # The oldest announcement's button still works: the dynamic item, not a stored view, routes it.
    harness.clock.advance(60)
    again = await alice.click(announcements[0].message, send_again(announcements[0]))
    assert not again.ephemeral
    assert "Heart Me ×1" in again.embeds[0]["title"]
    assert await harness.balances(ALICE, BOB) == [(96, 0), (0, 4)]


async def test_option_recheck_refuses_every_time_with_limits_read_once(harness: Any) -> None:
    await harness.grant(ALICE, 100)
    alice = harness.user(ALICE)
    # What a modified client sends (the stand-in would refuse it for a real one: validate=False).
    for _ in range(2):  # the second refusal comes from the limits kept after the first
        r = await alice.invoke("gift", validate=False, member=BOB, gift="Rose", count=100)
        assert r.ephemeral
        assert "`count` must be at most 99." in r.text
        r = await alice.invoke("gift", validate=False, member=BOB, gift="Rose", message="x" * 201)
        assert r.ephemeral
        assert "`message` can be at most 200 characters." in r.text
    ok = await alice.invoke("gift", member=BOB, gift="Rose", count=99)
    assert not ok.ephemeral
    assert await harness.balances(ALICE, BOB) == [(1, 0), (0, 99)]
