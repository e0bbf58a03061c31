"""Answers past Discord's 3-second deadline, through the real process: another connection holds
the database's write lock for longer than Discord waits (as a long `verify`, a backup tool or
a slow disk can), while members send gifts. Promised: each gift is deferred in time
("thinking…", only for its sender), then announced publicly once it is committed; each is in
the ledger once; nothing is logged at warning level or above.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.sandbox.standin import ALICE, BOB, CAROL, DiscordStandIn
from tests.e2e.proc import BotProcess, alarming_lines, run_cli
from tests.e2e.test_crash import GIFT, START_COINS, read_back, seeded

HOLD_SECONDS = 3.5  # past Discord's 3 s, inside the bot's 5-s wait for a busy database


async def test_gifts_behind_a_held_write_lock_are_deferred_then_announced_once(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    members = [ALICE, BOB, CAROL]
    db, env = await seeded(standin, tmp_path, members)
    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        quick = await standin.user(ALICE).invoke("gift", member=BOB, gift=GIFT, count=1)
        assert [a.callback_type for a in quick.attempts] == [4]  # nothing held: answered directly

        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the write lock, until the ROLLBACK below
        try:
            pairs = [(ALICE, BOB, 2), (BOB, CAROL, 3), (CAROL, ALICE, 4)]
            gifts = [
                standin.user(s).prepare("gift", member=r, gift=GIFT, count=n) for s, r, n in pairs
            ]
            answers = asyncio.gather(*(standin.deliver(g, timeout=20) for g in gifts))
            await asyncio.sleep(HOLD_SECONDS)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await answers
        for g in gifts:
            # Deferred inside the deadline the stand-in enforces, then a public announcement.
            assert [(a.accepted, a.callback_type) for a in g.attempts] == [(True, 5)]
            assert g.acknowledged
            assert not g.ephemeral
            assert GIFT in g.text

        committed, balances = read_back(db)
        keys = {quick.id, *(g.id for g in gifts)}
        assert set(committed) == keys  # each once (keyed by interaction id), nothing else
        sent = {ALICE: 1 + 2, BOB: 3, CAROL: 4}
        got = {BOB: 1 + 2, CAROL: 3, ALICE: 4}
        assert {m: balances[m] for m in members} == {
            m: (START_COINS - sent[m], got[m]) for m in members
        }
    finally:
        code, _ = await bot.stop()
    assert code == 0, bot.output
    assert alarming_lines(bot.output) == []
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
