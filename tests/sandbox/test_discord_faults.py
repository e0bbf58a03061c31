"""Discord's REST faults, injected by the stand-in (bot/sandbox/standin/faults.py), through the
real discord.py client: a 429 (per route, and global) or a 500/502/503 on the interaction
callback of a `/gift`. discord.py retries the callback itself; the promise checked here is
ours: the gift is charged exactly once, the member still gets the announcement (the retry lands
inside Discord's 3-second window), and the log says what happened once, not per retry. And
an expired interaction (10062 on every answer): committed once, one warning.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.sandbox.standin import ALICE, BOB
from bot.sandbox.standin.faults import CALLBACK, FOLLOWUP
from tests.e2e.test_exactly_once import gift_txns, lose_the_first_answer

GIFT = "Heart Me"  # 1 coin, not streakable: each gift is its own announcement


async def gift_through(harness: Any) -> Any:
    await harness.grant(ALICE, 10)
    r = await harness.user(ALICE).invoke("gift", member=BOB, gift=GIFT, count=2)
    assert not r.ephemeral, r.describe()
    assert GIFT in r.embeds[0]["title"]
    assert await harness.balances(ALICE, BOB) == [(8, 0), (0, 2)]
    assert gift_txns(harness, r.id) == 1
    assert (await harness.ledger.verify()).ok
    return r


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_429_on_the_callback_is_waited_out_and_charges_once(
    harness: Any, caplog: pytest.LogCaptureFixture, is_global: bool
) -> None:
    fault = harness.standin.faults.add(CALLBACK, 429, retry_after=0.3, is_global=is_global)
    with caplog.at_level(logging.WARNING):
        await gift_through(harness)
    assert fault.injected == 1
    assert harness.standin.faults.log == [(CALLBACK, 429)]
    limited = [r for r in caplog.records if "rate limited" in r.getMessage()]
    assert len(limited) == 1, [r.getMessage() for r in caplog.records]  # said once
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_5xx_on_the_callback_is_retried_and_charges_once(
    harness: Any, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    fault = harness.standin.faults.add(CALLBACK, status)
    with caplog.at_level(logging.WARNING):
        r = await gift_through(harness)
    assert fault.injected == 1
    assert [a.accepted for a in r.attempts] == [True]  # the fault answered before the handler
    assert not [x for x in caplog.records if x.levelno >= logging.ERROR]


async def test_faults_answer_only_as_often_as_asked(harness: Any) -> None:
    harness.standin.faults.add(CALLBACK, 502, times=1)
    await gift_through(harness)
    again = await harness.user(ALICE).invoke("gift", member=BOB, gift=GIFT, count=1)
    assert not again.ephemeral
    assert harness.standin.faults.log == [(CALLBACK, 502)]


async def test_an_expired_interaction_10062_commits_once_and_is_logged_once(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord's 3-second window already closed when the bot answers: every answer is refused
    10062. The gift still committed exactly once (no retry doubles it), and the log says so in
    one warning — no error, no traceback, no second line from the apology that was refused."""
    await harness.grant(ALICE, 10)
    r = harness.user(ALICE).prepare("gift", member=BOB, gift=GIFT, count=3)
    with caplog.at_level(logging.WARNING):
        await lose_the_first_answer(harness, r)
    assert r.callback is None
    assert all(a.code == 10062 for a in r.attempts)
    assert await harness.balances(ALICE, BOB) == [(7, 0), (0, 3)]
    assert gift_txns(harness, r.id) == 1
    said = [x.getMessage() for x in caplog.records if x.levelno >= logging.WARNING]
    assert said == [f"interaction {r.id} expired before giftcord could answer it"], said
    assert (await harness.ledger.verify()).ok


async def test_5xx_on_a_follow_up_is_retried_and_the_member_gets_one_answer(harness: Any) -> None:
    """`/diamonds stats` defers, then answers with a follow-up: a 502 and then a 503 on it are
    retried by discord.py, and the member sees exactly one chart."""
    await harness.grant(ALICE, 10)
    await harness.user(ALICE).invoke("gift", member=BOB, gift=GIFT, count=2)
    harness.standin.faults.add(FOLLOWUP, 502)
    harness.standin.faults.add(FOLLOWUP, 503)
    r = harness.user(BOB).prepare("diamonds stats")
    await harness.standin.deliver(r, timeout=20)  # discord.py waits 1 s, then 3 s, to retry
    assert harness.standin.faults.log == [(FOLLOWUP, 502), (FOLLOWUP, 503)]
    assert r.callback is not None
    assert len(r.followups) == 1, r.describe()
    assert "2" in r.text
