"""Crash loop (issue 15, item 3): twenty times in a row on ONE database — start `python -m bot`,
a concurrent gift storm through the stand-in, SIGKILL at a random point, verify — on SQLite and
on PostgreSQL; at the end every acknowledged gift is in the ledger exactly once, nothing is there
that nobody sent, every balance is the model of the committed gifts, and a last restart serves
those balances.

The storm mixes "Heart Me" (not streakable: one announcement per gift) with "Rose" (streakable:
repeats to the same member within the combo window edit one announcement and get a short
ephemeral confirmation), so combos are in flight when the kill comes. A round kills after a
random number of acknowledged gifts, after a random delay into the storm, during start-up
(connected or not: the next start must not be refused by anything the dead one left behind),
or mid-way through a graceful stop (a SIGTERM, then the SIGKILL a moment later — a stop that
finishes first is one more round, not one of the twenty kills; the commands it told to try
again must not have committed). One `random.Random` per test drives it all; its seed is in
every failure message.

"Acknowledged" = the gift's own answer was accepted by the stand-in (fleet.Sent.acknowledged);
a gift in flight at the kill may or may not have committed, so the model counts what the ledger
says committed (fleet.replay_check) and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import RESTARTING
from bot.economy.catalog import Catalog, load_packaged_gifts
from bot.economy.config import EconomyConfig
from bot.sandbox.standin import DiscordStandIn
from bot.storage import opening
from tests.e2e.fleet import (
    COMBO_REPEAT,
    Fleet,
    GiftLoad,
    Sent,
    members_by_guild,
    replay_check,
    verify_gifts,
)
from tests.e2e.pgdb import require_backend, scratch_database
from tests.e2e.proc import alarming_lines

SIGKILLS = 20  # rounds run until this many ended in a SIGKILL (a graceful stop may win)
START = 10_000  # coins per member: twenty storms never run a sender dry (a refusal fails)
EXTRA_MEMBERS = 3  # beside Alice, Bob and Carol: six senders and recipients
WORKERS = 6  # gifts in flight at any moment
GIFTS = ("Heart Me", "Rose")  # both 1 coin (checked below): the model counts coins = count
MAX_ACKS = 100  # a round kills after 0..MAX_ACKS acknowledged gifts...
MAX_DELAY = 0.6  # ...or 0..MAX_DELAY seconds into its storm
MAX_GRACE = 0.15  # a SIGKILL 0..MAX_GRACE seconds into a graceful stop (SIGTERM)
CLI_VERIFY_EVERY = 5  # `python -m bot verify` as a process; the same check in-process otherwise


@dataclass
class Loop:
    """The state of one test's crash loop, for the checks and their failure messages."""

    seed: int
    rng: random.Random
    sent: list[Sent] = field(default_factory=list)
    round_of: dict[int, int] = field(default_factory=dict)  # interaction id → round
    kills: list[str] = field(default_factory=list)  # how each round ended
    seconds: dict[str, list[float]] = field(default_factory=dict)  # the cost of each step

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds.setdefault(step, []).append(time.perf_counter() - started)

    def costs(self) -> str:
        return ", ".join(
            f"{step} {sum(s) / len(s):.2f}s ×{len(s)}" for step, s in self.seconds.items()
        )

    def where(self) -> str:
        return f"crash loop seed {self.seed}; rounds so far: {'; '.join(self.kills)}"

    @property
    def acknowledged(self) -> int:
        return sum(s.acknowledged for s in self.sent)


async def ledger_gifts(fleet: Fleet, loop: Loop, number: int) -> int:
    """The crashed database passes every invariant `python -m bot verify` checks: as the real
    command every few rounds (and after the last), in-process (the same `opening.verify`, without a
    process start) otherwise. Its count of gifts."""
    if number % CLI_VERIFY_EVERY == 0:
        with loop.timed("verify (process)"):
            return verify_gifts(await fleet.cli("verify"))
    with loop.timed("verify (in-process)"):
        report = await opening.verify(fleet.url, max_balance=EconomyConfig().max_balance)
    assert report.ok, f"round {number}: {report.violations[:5]} ({loop.where()})"
    return report.summary["gifts"]


@dataclass(frozen=True)
class KillPoint:
    """Where a round's SIGKILL falls: after `acks` acknowledged gifts, `delay` seconds into the
    storm, (`start_up`) `delay` seconds after the process started, connected or not, or
    (`stopping`) `grace` seconds after a SIGTERM `delay` seconds into the storm — mid-way
    through the graceful stop, unless it finished first."""

    acks: int | None = None
    delay: float = 0.0
    start_up: bool = False
    stopping: bool = False
    grace: float = 0.0

    @classmethod
    def draw(cls, rng: random.Random) -> KillPoint:
        mode = rng.choice(("acks", "acks", "delay", "delay", "start-up", "stopping"))
        if mode == "acks":
            return cls(acks=rng.randint(0, MAX_ACKS))
        delay = rng.uniform(0, MAX_DELAY)
        if mode == "stopping":
            return cls(delay=delay, stopping=True, grace=rng.uniform(0, MAX_GRACE))
        return cls(delay=delay, start_up=mode == "start-up")

    def due(self, load: GiftLoad, started: float) -> bool:
        if self.acks is not None:
            return load.acknowledged >= self.acks
        return time.perf_counter() - started >= self.delay

    def __str__(self) -> str:
        if self.acks is not None:
            return f"after {self.acks} acks"
        if self.stopping:
            return f"{self.grace:.2f}s after a SIGTERM {self.delay:.2f}s into the storm"
        return f"{self.delay:.2f}s after {'its start' if self.start_up else 'the storm began'}"


def answered_not_sent(load: GiftLoad, point: KillPoint) -> list[Sent]:
    """Gifts answered with anything but their acknowledgement: none, but for the sentence a
    stopping bot gives the commands it will not run (checked uncommitted at the end)."""
    return [
        s
        for s in load.sent
        if s.result.answered
        and not s.acknowledged
        and not (point.stopping and RESTARTING in s.result.text)
    ]


async def one_round(
    standin: DiscordStandIn, fleet: Fleet, members: dict[int, list[int]], loop: Loop, number: int
) -> bool:
    """Start, storm, SIGKILL at this round's point, verify the database the crash left. Whether
    it was a SIGKILL (not a graceful stop that finished before its kill was due)."""
    point = KillPoint.draw(loop.rng)
    if point.start_up:
        await fleet.start_and_kill(0, point.delay)
        connected = "connected as" in fleet.outputs[-1]
        loop.kills.append(f"{number}: killed {point} ({'' if connected else 'not '}connected)")
    else:
        with loop.timed("start"):
            await fleet.start(0)
        load = GiftLoad(
            standin, members, WORKERS, seed=loop.rng.randrange(2**32), gifts=GIFTS, timeout=30
        )
        load.start()
        started = time.perf_counter()
        try:
            await load.until(lambda: point.due(load, started), f"round {number}'s kill point")
            if point.stopping:
                await fleet.terminate_then_kill(0, point.grace)
            else:
                await fleet.kill(0)  # SIGKILL with gifts in flight
        finally:
            await load.cancel()
        loop.sent += load.sent
        loop.round_of.update((s.result.id, number) for s in load.sent)
        refused = [s.result.describe() for s in answered_not_sent(load, point)]
        assert not refused, f"round {number}: answered but not sent: {refused[:3]} ({loop.where()})"
        how = "exited 0 before its kill" if fleet.exit_code(0) == 0 else "killed"
        loop.kills.append(f"{number}: {how} {point}, {load.acknowledged}/{len(load.sent)} acked")
    ends = (0, -signal.SIGKILL) if point.stopping else (-signal.SIGKILL,)
    assert fleet.exit_code(0) in ends, f"round {number}: it ended by itself ({loop.where()})"
    output = fleet.outputs[-1]
    assert not alarming_lines(output), f"round {number} ({loop.where()}):\n{output[-3000:]}"
    gifts = await ledger_gifts(fleet, loop, number)
    # exactly-once, cheaply: at least every acknowledged gift, at most every gift sent
    assert loop.acknowledged <= gifts <= len(loop.sent), (
        f"{gifts} gifts in the ledger ({loop.where()})"
    )
    return fleet.exit_code(0) == -signal.SIGKILL


def as_int(shown: str) -> int:
    return int(shown.replace(",", ""))


async def balances_served(
    standin: DiscordStandIn, members: dict[int, list[int]]
) -> dict[tuple[int, int], tuple[int, int]]:
    """Every member's `/balance` as the restarted bot shows it: (guild, member) → (coins,
    diamonds)."""
    shown = {}
    for gid, uids in members.items():
        for uid in uids:
            r = await standin.user(uid, guild_id=gid).invoke("balance")
            fields = {f["name"]: f["value"] for f in r.embeds[0]["fields"]}
            shown[(gid, uid)] = (as_int(fields["Coins"]), as_int(fields["Diamonds"]))
    return shown


async def crash_loop(standin: DiscordStandIn, fleet: Fleet, seed: int) -> None:
    catalog = Catalog(load_packaged_gifts())
    assert all(catalog.find(name).coins == 1 for name in GIFTS)  # what the model assumes
    loop = Loop(seed, random.Random(seed))
    members = members_by_guild(standin, EXTRA_MEMBERS)
    await fleet.cli("migrate")
    await fleet.cli("sync")
    try:
        await fleet.start(0)
        await fleet.seed(members, START)
        assert await fleet.stop() == [0], fleet.outputs[-1][-3000:]
        number = sigkills = 0
        while sigkills < SIGKILLS:
            number += 1
            sigkills += await one_round(standin, fleet, members, loop, number)
        # the last restart serves the balances the crashes left
        await fleet.start(0)
        shown = await balances_served(standin, members)
        assert await fleet.stop() == [0], fleet.outputs[-1][-3000:]
    finally:
        await fleet.close()
    assert not alarming_lines(fleet.outputs[-1]), fleet.outputs[-1][-3000:]

    gifts_in_ledger = verify_gifts(await fleet.cli("verify"))
    with loop.timed("replay check"):
        back = await replay_check(fleet.url, loop.sent, START)
    missing = [(s.result.id, loop.round_of[s.result.id]) for s in back.missing]
    assert not missing, (
        f"acknowledged gifts (id, round) not in the ledger: {missing[:5]} ({loop.where()})"
    )
    assert not back.wrong, f"{back.wrong[:5]} ({loop.where()})"
    assert len(back.committed) == gifts_in_ledger, f"gifts nobody sent ({loop.where()})"
    assert shown == back.balances, f"the restart serves other balances ({loop.where()})"
    committed = {s.result.id for s in back.committed}
    retried = [s.result.id for s in loop.sent if RESTARTING in s.result.text]
    assert not committed.intersection(retried), f"told to retry, yet committed ({loop.where()})"
    combos = [s for s in back.acknowledged if s.result.content.startswith(COMBO_REPEAT)]
    assert combos, f"no combo repeat was acknowledged: the storm tested no combo ({loop.where()})"
    in_flight = len(loop.sent) - len(back.acknowledged)
    assert in_flight, f"no kill caught a gift in flight ({loop.where()})"
    print(
        f"crash loop seed {seed}: {len(loop.sent)} gifts sent, {len(back.acknowledged)} acked "
        f"({len(combos)} combo repeats), {in_flight} in flight at the kills of which "
        f"{len(back.committed) - len(back.acknowledged)} had committed; {loop.costs()}; "
        + "; ".join(loop.kills)
    )


def loop_seed() -> int:
    """A new seed per run (more kill points over time), or CRASH_LOOP_SEED to replay a failure's
    choices (the kill's timing against the real processes still varies)."""
    return int(os.environ.get("CRASH_LOOP_SEED") or random.SystemRandom().randrange(2**32))


async def test_twenty_sigkills_in_a_row_on_sqlite_lose_nothing_acknowledged(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    fleet = Fleet(standin, f"sqlite:///{tmp_path / 'giftcord.db'}", 1, [[0]], tmp_path)
    await crash_loop(standin, fleet, loop_seed())


@pytest.mark.postgres
async def test_twenty_sigkills_in_a_row_on_postgresql_lose_nothing_acknowledged(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    async with scratch_database("giftcord_crash_loop_e2e") as url:
        await require_backend(url, tmp_path)
        fleet = Fleet(standin, url, 1, [[0]], tmp_path)
        await crash_loop(standin, fleet, loop_seed())
