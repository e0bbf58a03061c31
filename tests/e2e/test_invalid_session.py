"""Op 9 INVALID_SESSION mid-load, through the real process: while `/gift`s (Roses, which run
combos, and Heart Mes) stream in from six members, the stand-in invalidates the bot's session as
Discord does.

d=false: the session is gone. discord.py closes, waits its 5 s and IDENTIFYs anew; the gifts
members sent in that gap had no session to go to (on Discord: "The application did not
respond") and the bot never sees them. d=true: discord.py RESUMEs and the gap is replayed.
Promised: the ledger holds exactly the gifts that reached the bot and were answered — each once,
none of the undelivered ones, nothing nobody sent — balances and `verify` agree; every combo's
announcement ends at its whole count, though the bot stops right after the last gift; the bot
is back on a new session (d=false) or the same one (d=true) and serves gifts afterwards; its log
has no warning, error or traceback and says what happened once, not per gift.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.standin import ALICE, BOB, CAROL, DiscordStandIn
from tests.e2e.gift_stream import HEART, ROSE, GiftStream, combo_shortfall, wrong_answers
from tests.e2e.proc import BotProcess, alarming_lines, plain, run_cli
from tests.e2e.test_crash import read_back, seeded

WORKERS, BEFORE, AFTER = 6, 30, 20  # gifts acknowledged before the invalidation, after the return
INVALIDATED = "session has been invalidated"  # discord.py's INFO line on op 9 d=false
RESUMED = "has successfully RESUMED session"  # discord.py's INFO line after a RESUME
CONNECTED = "has connected to Gateway"  # discord.py's INFO line after an IDENTIFY


@pytest.mark.parametrize("resumable", [False, True], ids=["d=false", "d=true"])
async def test_invalid_session_mid_load_charges_exactly_what_was_delivered(
    standin: DiscordStandIn, tmp_path: Path, resumable: bool
) -> None:
    members = [ALICE, BOB, CAROL, *(m.user.id for m in standin.add_members(5, prefix="g"))]
    db, env = await seeded(standin, tmp_path, members)
    stream = GiftStream(standin, members, seed=9, gifts=(ROSE, HEART), max_count=3)
    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        stream.start(WORKERS)
        await stream.wait_for_acknowledged(BEFORE)
        log_at_invalidation = len(bot.lines)
        [old] = await standin.gateway.invalidate_sessions(resumable=resumable)
        if resumable:
            await standin.gateway.wait_for_resumes(1, timeout=30)
        else:  # back once discord.py IDENTIFYed anew and the bot said it is connected again
            await standin.wait_until(
                lambda: any("connected as" in line for line in bot.lines[log_at_invalidation:]),
                timeout=30,
                what="the bot to be connected on a new session",
            )
        back = len(stream.sent)
        await stream.wait_for_acknowledged(AFTER, since=back)
        await stream.stop()
        await bot.stop()
    finally:
        await bot.kill()
    assert not stream.failures, stream.failures[:3]
    assert not alarming_lines(bot.output), bot.output

    # The session: a new one after d=false, the same one resumed after d=true.
    [session] = standin.gateway.sessions.values()
    after = [c.kind for c in standin.gateway.connections[1:]]
    if resumable:
        assert session.id == old
        assert after == ["resume"]
        assert not stream.undelivered
    else:
        assert session.id != old
        assert after == ["identify"]
        assert stream.undelivered, "no gift fell into the 5-second gap"
        assert standin.gateway.undelivered == [s.result.id for s in stream.undelivered]
        assert all(not s.result.attempts for s in stream.undelivered)  # the bot never saw them
    assert stream.acknowledged_since(back) >= AFTER  # served afterwards

    # Exactly the delivered gifts were answered, and exactly those are in the ledger, once.
    delivered = stream.delivered
    assert not wrong_answers(delivered), wrong_answers(delivered)[:3]
    gifts, balances = read_back(db)
    assert sorted(gifts) == sorted(s.result.id for s in delivered)
    for uid, expected in stream.expected_balances(delivered).items():
        assert balances[uid] == expected, uid
    # Combos ran across the invalidation; the stop came right after the last gift, and still
    # every combo's announcement shows its whole count (the shutdown sends the edits owed).
    assert any(s.result.ephemeral for s in delivered), "no combo formed"
    short = combo_shortfall(standin, delivered)
    assert not short, f"announcements short of their combo (sender, recipient): {short}"
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout

    # Said once: discord.py's line for what happened (and, after d=false, the new connection),
    # giftcord's "connected as" — and nothing else until the stop, nothing per gift.
    said = [plain(line) for line in bot.lines[log_at_invalidation:]]
    said = said[: next(i for i, line in enumerate(said) if "stopping:" in line)]
    wanted = [RESUMED] if resumable else [INVALIDATED, CONNECTED, "connected as"]
    assert [[w for w in wanted if w in line] for line in said] == [[w] for w in wanted], "\n".join(
        said
    )
