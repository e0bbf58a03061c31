"""Shard processes under a gift load in four guilds at once, one SIGKILLed mid-load and
restarted (reliability.md, "shards"): every acknowledged gift is in the ledger exactly once,
every balance is the model of the committed gifts, and `verify` passes.

- On PostgreSQL: two `python -m bot` processes, shards [0, 1] and [2, 3] of 4, one database
  (created for the run, dropped after); one process is killed and restarted while the other
  keeps serving, then the PostgreSQL server itself is restarted under the load: the bot
  survives, recovers, and nothing acknowledged is lost. Without a PostgreSQL server it is
  reported as not run (tests/pg.py; an error under CI=true); a tree whose `python -m bot`
  refuses `postgresql://` FAILS it with a sentence saying so — it never skips silently.
- On SQLite (one machine, one process): one process on all four shards, killed and restarted.

"Acknowledged" = the public announcement reached the stand-in; the promise is that it is only
ever sent after the commit. The read-back goes through the ledger port (tests/e2e/fleet.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.standin import DiscordStandIn, StandInError
from tests.e2e.fleet import Fleet, GiftLoad, members_by_guild, replay_check, verify_gifts
from tests.e2e.pgdb import require_backend, restart_server, scratch_database
from tests.e2e.proc import alarming_lines

START = 50_000  # enough that nobody runs dry, however fast the bots answer
WORKERS = 4  # gifts in flight per guild
EXTRA_MEMBERS = 5  # per guild, beside Alice, Bob and Carol


async def served_again(load: GiftLoad, guilds: list[int], more: int, what: str) -> None:
    """Wait until every guild in `guilds` has `more` acknowledged gifts beyond now."""
    mark = dict(load.acked)
    seen = len(load.refused)
    try:
        await load.until(lambda: all(load.acked[g] >= mark.get(g, 0) + more for g in guilds), what)
    except StandInError as exc:
        raise AssertionError(
            f"{exc}; answers meanwhile that were not announcements: {load.refused[seen:][-5:]}"
        ) from exc


async def crash_and_recover(
    standin: DiscordStandIn, fleet: Fleet, *, restart_database: bool
) -> GiftLoad:
    """Seed, load every guild, SIGKILL process 0 mid-load, restart it (and, asked to, the
    PostgreSQL server); the load as it ended, with every process stopped cleanly."""
    members = members_by_guild(standin, EXTRA_MEMBERS)
    await fleet.cli("migrate")
    await fleet.cli("sync")  # global commands: every guild
    await fleet.start()
    await fleet.seed(members, START)
    load = GiftLoad(standin, members, WORKERS, paused=fleet.down, timeout=10)
    guilds = list(members)
    load.start()
    try:
        await load.until(lambda: load.acknowledged >= 120, "120 acknowledged gifts")
        await fleet.kill(0)  # mid-load: gifts of its guilds are in flight
        others = [g for g in guilds if fleet.serving(g) != 0]
        if others:
            await served_again(load, others, 10, "the other process serving through the crash")
        await fleet.start(0)
        await served_again(load, guilds, 10, "every guild served after the restart")
        if restart_database:
            await restart_server()
            await served_again(load, guilds, 10, "every guild served after PostgreSQL restarted")
            assert all(fleet.up(i) for i in range(len(fleet.layout))), fleet.outputs
    finally:
        await load.stop()
    assert await fleet.stop() == [0] * len(fleet.layout), fleet.outputs
    return load


async def check_exactly_once(fleet: Fleet, load: GiftLoad) -> None:
    gifts_in_ledger = verify_gifts(await fleet.cli("verify"))
    back = await replay_check(fleet.url, load.sent, START)
    assert not back.missing, (
        f"{len(back.missing)} acknowledged gifts are not in the ledger: "
        f"{[s.result.id for s in back.missing[:5]]}"
    )
    assert not back.wrong, back.wrong[:5]
    assert len(back.committed) == gifts_in_ledger  # nothing in the ledger that was not sent
    assert len(back.acknowledged) <= len(back.committed) <= len(load.sent)
    assert {s.guild_id for s in back.acknowledged} == set(load.members)
    assert verify_gifts(await fleet.cli("verify")) >= gifts_in_ledger  # replays kept the books


@pytest.mark.postgres
async def test_two_shard_processes_on_postgresql_lose_nothing_to_a_sigkill_or_a_server_restart(
    four_guilds: DiscordStandIn, tmp_path: Path
) -> None:
    standin = four_guilds
    async with scratch_database("giftcord_shards_e2e") as url:
        await require_backend(url, tmp_path)
        fleet = Fleet(standin, url, 4, [[0, 1], [2, 3]], tmp_path)
        try:
            load = await crash_and_recover(standin, fleet, restart_database=True)
            await check_exactly_once(fleet, load)
        finally:
            await fleet.close()


async def test_one_process_on_four_shards_on_sqlite_loses_nothing_to_a_sigkill(
    four_guilds: DiscordStandIn, tmp_path: Path
) -> None:
    standin = four_guilds
    fleet = Fleet(standin, f"sqlite:///{tmp_path / 'giftcord.db'}", 4, [[0, 1, 2, 3]], tmp_path)
    try:
        load = await crash_and_recover(standin, fleet, restart_database=False)
        await check_exactly_once(fleet, load)
    finally:
        await fleet.close()
    for output in fleet.outputs:
        assert not alarming_lines(output), output
