"""SIGTERM in the middle of a gift storm — an operator's restart, systemd's stop — three times on
one database: the real `python -m bot` finishes the gifts it is handling, tells the members whose
commands arrive while it stops that nothing changed and to try again, and exits 0 with nothing
alarming in its log (no incident, no traceback, no task error). Every acknowledged gift is in the
ledger once, none told to try again is, balances equal the model, `verify` passes.

Before the fix (bot/app.py `GiftcordBot.close`), discord.py unloaded the cogs while the gateway
still delivered interactions, and closed the HTTP session under the commands still running: each
gift in flight became an ERROR with a traceback and an incident-id apology, some after their
commit (the announcement of a committed gift lost).
"""

from __future__ import annotations

from pathlib import Path

from bot.app import RESTARTING
from bot.sandbox.standin import DiscordStandIn
from tests.e2e.fleet import Fleet, GiftLoad, Sent, members_by_guild, replay_check, verify_gifts
from tests.e2e.proc import alarming_lines

STOPS = 3
START = 10_000  # coins per member: no refusal for want of coins
WORKERS = 6  # gifts in flight when the signal comes
GIFTS = ("Heart Me", "Rose")  # 1 coin each (fleet.Sent); Roses make combo edits pending too


async def storm_then_sigterm(
    standin: DiscordStandIn, fleet: Fleet, members: dict, seed: int
) -> list[Sent]:
    """A storm, SIGTERM once 50 gifts are acknowledged, the storm kept up while the bot stops."""
    load = GiftLoad(standin, members, WORKERS, seed=seed, gifts=GIFTS, timeout=10)
    load.start()
    try:
        await load.until(lambda: load.acknowledged >= 50, "50 acknowledged gifts")
        assert await fleet.stop() == [0], fleet.outputs[-1][-3000:]
    finally:
        await load.cancel()  # what the stopped bot will never read stays unanswered
    return load.sent


async def test_sigterm_mid_storm_finishes_the_gifts_in_flight_and_logs_no_error(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    fleet = Fleet(standin, f"sqlite:///{tmp_path / 'giftcord.db'}", 1, [[0]], tmp_path)
    members = members_by_guild(standin, 3)
    await fleet.cli("migrate")
    await fleet.cli("sync")
    sent: list[Sent] = []
    try:
        await fleet.start(0)
        await fleet.seed(members, START)
        for stop in range(STOPS):
            if stop:
                await fleet.start(0)
            sent += await storm_then_sigterm(standin, fleet, members, stop)
            output = fleet.outputs[-1]
            assert not alarming_lines(output), f"stop {stop + 1}:\n{output[-5000:]}"
    finally:
        await fleet.close()

    answered = [s for s in sent if s.result.answered]
    told_to_retry = [s for s in answered if not s.acknowledged]
    for s in told_to_retry:
        assert s.result.ephemeral, s.result.describe()
        assert RESTARTING in s.result.text, s.result.describe()
    gifts_in_ledger = verify_gifts(await fleet.cli("verify"))
    back = await replay_check(fleet.url, sent, START)
    assert not back.missing, [s.result.describe() for s in back.missing[:3]]
    assert not back.wrong, back.wrong[:5]
    assert len(back.committed) == gifts_in_ledger
    committed = {s.result.id for s in back.committed}
    assert not [s.result.id for s in told_to_retry if s.result.id in committed]
    # And the other way: no gift committed without its answer (none cut off by the close).
    assert {s.result.id for s in back.acknowledged} == committed
    print(
        f"{STOPS} SIGTERMs mid-storm: {len(sent)} gifts sent, {len(back.acknowledged)} acked, "
        f"{len(told_to_retry)} told to try again, {len(sent) - len(answered)} never read"
    )
