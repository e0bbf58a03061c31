"""A gateway disconnect mid-load, through the real process: while `/gift`s stream in, the
stand-in closes every socket with 4000 (unknown error: resumable) or cuts it with no close frame
(1006). discord.py RESUMEs; the interactions dispatched meanwhile are replayed from the
session's buffer. Promised: no gift lost or applied twice (every acknowledged gift in the
ledger once, nothing nobody sent), the session resumed rather than re-identified, every
interaction answered, and no warning/error/traceback in the log.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.standin import ALICE, BOB, CAROL, DiscordStandIn
from tests.e2e.proc import BotProcess, alarming_lines, run_cli
from tests.e2e.test_crash import GIFT, START_COINS, Sent, read_back, seeded

WORKERS, BEFORE, AFTER = 6, 30, 60  # gifts acknowledged before the drop, and in all


@pytest.mark.parametrize("code", [4000, 1006])
async def test_gateway_drop_mid_load_resumes_and_loses_nothing(
    standin: DiscordStandIn, tmp_path: Path, code: int
) -> None:
    members = [ALICE, BOB, CAROL, *(m.user.id for m in standin.add_members(5, prefix="g"))]
    db, env = await seeded(standin, tmp_path, members)
    bot = await BotProcess.start(env, tmp_path)
    sent: list[Sent] = []
    failures: list[str] = []
    try:
        await bot.wait_ready(standin)
        identified = len(standin.gateway.connections)

        async def worker(n: int) -> None:
            i = 0
            while sum(s.acknowledged for s in sent) < AFTER and not failures:
                sender, recipient = (
                    members[(n + i) % len(members)],
                    members[(n + i + 1) % len(members)],
                )
                i += 1
                r = standin.user(sender).prepare("gift", member=recipient, gift=GIFT, count=1)
                sent.append(Sent(r, sender, recipient, 1))
                try:
                    await standin.deliver(r, timeout=20)
                except Exception as exc:  # noqa: BLE001 - reported below
                    failures.append(f"{exc}: {r.describe()}")

        workers = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
        await standin.wait_until(
            lambda: sum(s.acknowledged for s in sent) >= BEFORE or bool(failures),
            timeout=30,
            what=f"{BEFORE} acknowledged gifts",
        )
        if code == 1006:
            standin.gateway.drop_all()
        else:
            await standin.gateway.force_close(code)
        await standin.gateway.wait_for_resumes(1, timeout=30)
        await asyncio.gather(*workers)
        await bot.stop()
    finally:
        await bot.kill()
    assert not failures, failures[:3]
    assert all(s.acknowledged and GIFT in s.result.text for s in sent)
    assert standin.gateway.resume_count >= 1
    assert len(standin.gateway.sessions) == 1  # resumed, not re-identified
    assert len(standin.gateway.connections) >= identified + 1
    assert not alarming_lines(bot.output), bot.output

    gifts, balances = read_back(db)
    assert sorted(gifts) == sorted(s.result.id for s in sent)  # each once, nothing else
    spent = {uid: sum(s.coins for s in sent if s.sender == uid) for uid in members}
    got = {uid: sum(s.coins for s in sent if s.recipient == uid) for uid in members}
    for uid in members:
        assert balances[uid] == (START_COINS - spent[uid], got[uid]), uid
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout
