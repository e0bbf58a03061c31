"""Exactly once, through the real discord.py client (the in-process `harness`): the same
INTERACTION_CREATE delivered twice — one after the other and concurrently — charges once, and
1,000 concurrent `/gift`s from a member with coins for N succeed exactly N times.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
from typing import Any

from bot.economy.reads import GetAccount
from bot.sandbox.standin import ALICE, BOB, GUILD_ID, InteractionResult

GIFT = "Heart Me"  # 1 coin, not streakable: every success is its own public announcement


async def coins_and_diamonds(harness: Any, user_id: int) -> tuple[int, int]:
    account = await harness.ledger.run(GetAccount(GUILD_ID, user_id))
    return account.coins, account.diamonds


def gift_txns(harness: Any, interaction_id: int) -> int:
    conn = sqlite3.connect(f"file:{harness.db_path}?mode=ro", uri=True)
    try:
        [(n,)] = conn.execute(
            "SELECT COUNT(*) FROM txns WHERE guild_id = ? AND idem_key = ?",
            (GUILD_ID, str(interaction_id)),
        )
    finally:
        conn.close()
    return n


def announcement_title(attempt_body: dict[str, Any]) -> str:
    embeds = (attempt_body.get("data") or {}).get("embeds") or [{}]
    return embeds[0].get("title", "")


async def test_same_interaction_delivered_twice_charges_once(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    first = await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3)
    assert not first.ephemeral
    await harness.standin.redeliver(first)  # the gateway sends the same payload again
    attempts = await first.wait_for_attempts(2, timeout=10)
    assert first.deliveries == 2
    # Discord accepts only one answer per interaction; the replay answered with the FIRST
    # result (the same announcement), not a refusal and not a second charge.
    assert attempts[0].accepted
    assert (attempts[1].status, attempts[1].code) == (400, 40060)
    assert announcement_title(attempts[1].body) == announcement_title(attempts[0].body)
    assert "Rose ×3" in announcement_title(attempts[1].body)
    assert await coins_and_diamonds(harness, ALICE) == (7, 0)
    assert await coins_and_diamonds(harness, BOB) == (0, 3)
    assert gift_txns(harness, first.id) == 1
    assert (await harness.ledger.verify()).ok


async def test_same_interaction_delivered_twice_concurrently_charges_once(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = harness.user(ALICE).prepare("gift", member=BOB, gift=GIFT, count=4)
    await harness.standin.deliver(r, wait=False)
    await harness.standin.redeliver(r)  # before the bot answered the first one
    attempts = await r.wait_for_attempts(2, timeout=10)
    assert sorted(a.accepted for a in attempts) == [False, True]
    assert not r.ephemeral
    assert GIFT in r.text
    assert await coins_and_diamonds(harness, ALICE) == (6, 0)
    assert await coins_and_diamonds(harness, BOB) == (0, 4)
    assert gift_txns(harness, r.id) == 1
    assert (await harness.ledger.verify()).ok


def bot_is_idle() -> bool:
    """No slash command is being handled: discord.py runs each in a task of this name."""
    return not any(
        t.get_name() == "CommandTree-invoker" and not t.done() for t in asyncio.all_tasks()
    )


async def lose_the_first_answer(harness: Any, r: InteractionResult) -> None:
    """Deliver `r` while Discord's 3-second window is already over: the bot does the work but
    its answer is refused (404 Unknown interaction), as when a reply is lost. Returns once the
    bot is done with it."""
    standin = harness.standin
    standin.interaction_deadline = 0.0
    try:
        await standin.deliver(r, wait=False)
        await r.wait_for_attempts(1, timeout=10)
        await standin.wait_until(bot_is_idle, timeout=10, what="the bot to finish the command")
        # the announcement (and the error mapper's apology, if any): all refused
        assert r.attempts
        assert all(a.code == 10062 for a in r.attempts), r.describe()
    finally:
        standin.interaction_deadline = 3.0


async def test_redelivery_after_a_lost_answer_is_answered_with_the_first_result(
    harness: Any,
) -> None:
    await harness.grant(ALICE, 10)
    r = harness.user(ALICE).prepare("gift", member=BOB, gift="Rose", count=3)
    await lose_the_first_answer(harness, r)
    assert r.callback is None  # nobody saw an answer
    assert await coins_and_diamonds(harness, ALICE) == (7, 0)  # but the gift happened
    refused = len(r.attempts)

    r.sent_at = None  # the redelivery opens a fresh 3-second window
    await harness.standin.redeliver(r)
    await r.wait_for(lambda x: x.callback is not None, timeout=10, what="the replayed answer")
    assert r.attempts[refused].accepted  # the replay's own answer went through...
    assert not r.ephemeral
    assert "Rose ×3" in r.embeds[0]["title"]  # ...with the first result, the announcement
    assert await coins_and_diamonds(harness, ALICE) == (7, 0)  # and charged nothing more
    assert await coins_and_diamonds(harness, BOB) == (0, 3)
    assert gift_txns(harness, r.id) == 1
    assert (await harness.ledger.verify()).ok


async def test_an_apology_after_the_commit_does_not_claim_nothing_changed(harness: Any) -> None:
    await harness.grant(ALICE, 10)
    r = harness.user(ALICE).prepare("gift", member=BOB, gift="Rose", count=3)
    await lose_the_first_answer(harness, r)
    assert await coins_and_diamonds(harness, ALICE) == (7, 0)
    said = [str((a.body.get("data") or {}).get("content")) for a in r.attempts]
    assert not any("nothing was changed" in text for text in said), said


async def test_a_thousand_concurrent_gifts_with_coins_for_37(harness: Any) -> None:
    n, total = 37, 1_000
    await harness.grant(ALICE, n)
    standin = harness.standin
    # Correctness, not latency: the stand-in, 1,000 simulated clients and the bot share one
    # event loop here, so the last answers can come after Discord's 3-second window.
    standin.interaction_deadline = None
    alice = harness.user(ALICE)
    results: list[InteractionResult] = [
        alice.prepare("gift", member=BOB, gift=GIFT) for _ in range(total)
    ]
    await asyncio.gather(*(standin.deliver(r, timeout=30) for r in results))

    succeeded = [r for r in results if not r.ephemeral]
    refused = [r for r in results if r.ephemeral]
    assert len(succeeded) == n, [r.describe() for r in refused[:1]]
    assert len(refused) == total - n
    for r in succeeded:
        assert GIFT in r.embeds[0]["title"], r.describe()
    for r in refused:  # "not enough coins — with how many are missing"
        assert re.search(r"have 0 — 1 missing", r.text), r.describe()
        assert "/coins buy" in r.text
    assert await coins_and_diamonds(harness, ALICE) == (0, 0)
    assert await coins_and_diamonds(harness, BOB) == (0, n)
    account = await harness.ledger.run(GetAccount(GUILD_ID, ALICE))
    assert (account.gifts_sent, account.coins_spent) == (n, n)
    assert sum(gift_txns(harness, r.id) for r in succeeded) == n
    assert sum(gift_txns(harness, r.id) for r in refused) == 0
    report = await harness.ledger.verify()
    assert report.ok, report.violations
    latencies = sorted(r.latency or 0.0 for r in results)
    print(
        f"1,000 concurrent gifts: p50 {statistics.median(latencies):.2f}s, max {latencies[-1]:.2f}s"
    )
