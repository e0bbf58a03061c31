"""A crash between a treasure box's drop and its split loses nothing: the real `python -m bot`
process is SIGKILLed with a box in escrow (two of three openers in), or right after the third
opener's press (the split may or may not have committed); the restarted process settles the
box exactly once at start-up, the post becomes the results, and `verify` passes on the files
both as the crash left them and after the split.

The box's end is moved an hour back in the crashed file between the two processes: that is
what an hour of downtime looks like to the box, without the test waiting a real minute.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.standin import ALICE, BOB, CAROL, GENERAL, GUILD_ID, OWNER, DiscordStandIn
from tests.e2e.proc import BotProcess, alarming_lines, bot_env, run_cli
from tests.e2e.test_crash import seed

COINS = 900


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def box_post(standin: DiscordStandIn) -> Any:
    [post] = [
        m
        for m in standin.world.channels[GENERAL].log
        if not m.ephemeral and any(c.startswith("giftcord:treasure:") for c in m.custom_ids)
    ]
    return post


@pytest.mark.parametrize("openers_before_kill", [2, 3])
async def test_sigkill_between_drop_and_split_settles_once_at_restart(
    standin: DiscordStandIn, tmp_path: Path, openers_before_kill: int
) -> None:
    db = tmp_path / "giftcord.db"
    env = bot_env(standin, db)
    await seed(db, [ALICE])  # 2,000 coins
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
    assert sync.returncode == 0, str(sync)

    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        dropped = await standin.user(ALICE).invoke(
            "treasure drop", coins=f"{COINS}", openers=3, minutes=5
        )
        assert "is out" in dropped.text, dropped.describe()
        post = box_post(standin)
        [button] = [c for c in post.custom_ids if c.startswith("giftcord:treasure:")]
        for uid in (BOB, CAROL, OWNER)[:openers_before_kill]:
            r = await standin.user(uid).click(post, button)
            assert "You're in" in r.text, r.describe()
        await bot.kill()  # SIGKILL: no clean shutdown, no timer fires
    finally:
        await bot.kill()
    assert bot.returncode == -signal.SIGKILL

    crashed = await run_cli("verify", env=env, cwd=tmp_path)
    assert crashed.returncode == 0, str(crashed)  # escrow accounted for, split or not
    [(box_id, state)] = rows(db, "SELECT id, state FROM treasure_boxes")
    if openers_before_kill < 3:
        assert state == "open"
    # An hour of downtime, as the box sees it.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE treasure_boxes SET ends_at = ends_at - 3600")
    conn.close()

    again = await BotProcess.start(env, tmp_path)
    try:
        await again.wait_ready(standin)
        await standin.wait_until(
            lambda: rows(db, "SELECT state FROM treasure_boxes")[0][0] != "open",
            timeout=20,
            what="the overdue box to be settled at start-up",
        )
        await standin.wait_until(
            lambda: "opened" in (standin.message(post.id).embeds[0].get("title") or ""),
            timeout=20,
            what="the post to become the results",
        )
        code, _ = await again.stop(signal.SIGTERM)
        assert code == 0, again.output
    finally:
        await again.kill()
    assert not alarming_lines(again.output), again.output

    settles = rows(
        db,
        "SELECT COUNT(*) FROM txns WHERE idem_key = ? AND kind = 'treasure_split'",
        f"treasure-settle:{box_id}",
    )
    assert settles == [(1,)]  # exactly one split
    shares = rows(
        db, "SELECT user_id, share FROM treasure_opens WHERE box_id = ? ORDER BY seq", box_id
    )
    assert len(shares) == openers_before_kill
    assert sum(s for _, s in shares) == COINS
    assert min(s for _, s in shares) >= 1
    balances = dict(rows(db, "SELECT user_id, coins FROM accounts"))
    assert balances[ALICE] == 2_000 - COINS
    for uid, share in shares:
        assert balances[uid] == share
        assert f"<@{uid}> — {share:,} coin" in standin.message(post.id).text
    assert not standin.message(post.id).custom_ids  # the Open button is gone
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout
