"""A restart under load, through the real process: SIGTERM while gifts stream in. Promised: the
bot stops admitting interactions, answers the ones it is handling before it closes the
connection, and exits 0. Every gift that committed was announced (none cut off by the closed
connection), every gift that arrived during the stop got a sentence and changed nothing, and
nothing is logged at warning level or above ("Session is closed" was, before).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
from pathlib import Path

from bot.app import STOPPING_SENTENCE
from bot.sandbox.standin import ALICE, BOB, CAROL, DiscordStandIn, StandInError
from tests.e2e.proc import BotProcess, alarming_lines, run_cli
from tests.e2e.test_crash import GIFT, Sent, read_back, seeded

WORKERS = 12


async def test_sigterm_under_load_answers_what_it_handles_and_exits_cleanly(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    members = [ALICE, BOB, CAROL, *(m.user.id for m in standin.add_members(5, prefix="s"))]
    db, env = await seeded(standin, tmp_path, members)
    bot = await BotProcess.start(env, tmp_path)
    rng = random.Random(7)
    sent: list[Sent] = []
    unanswered: list[Sent] = []
    stopping = False

    async def worker() -> None:
        while not stopping:
            sender, recipient = rng.sample(members, 2)
            r = standin.user(sender).prepare("gift", member=recipient, gift=GIFT, count=1)
            s = Sent(r, sender, recipient, 1)
            sent.append(s)
            try:
                await standin.deliver(r, timeout=15)
            except StandInError:  # sent after the bot stopped reading: never dispatched to it
                unanswered.append(s)

    try:
        await bot.wait_ready(standin)
        workers = [asyncio.create_task(worker()) for _ in range(WORKERS)]
        await standin.wait_until(
            lambda: sum(s.acknowledged for s in sent) >= 150, timeout=60, what="150 gifts"
        )
        code, _ = await bot.stop(signal.SIGTERM, timeout=30)
        stopping = True
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await bot.kill()
    assert code == 0, bot.output
    assert alarming_lines(bot.output) == [], bot.output
    assert "stopping: answering the" in bot.output  # gifts were in flight at the signal

    committed, _ = read_back(db)
    announced = {s.result.id for s in sent if s.acknowledged and not s.result.ephemeral}
    turned_away = [s for s in sent if s.acknowledged and s.result.ephemeral]
    # Every committed gift was announced; every announced gift committed, once.
    assert set(committed) == announced
    for s in turned_away:
        assert STOPPING_SENTENCE in s.result.text, s.result.describe()
    assert not {s.result.id for s in turned_away} & set(committed)
    assert not {s.result.id for s in unanswered} & set(committed)
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
