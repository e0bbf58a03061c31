"""Several real `python -m bot` shard processes on one database, a gift load over every guild,
and the read-back that proves exactly-once — shared by the shard e2e test
(tests/e2e/test_shard_crash.py), the crash loop (tests/e2e/test_crash_loop.py), the stop under
load (tests/e2e/test_stop_under_load.py) and the shard benchmark (`python -m benchmarks.shards`).

`Fleet` starts one process per entry of a layout (`[[0, 1], [2, 3]]` of 4 shards: two
processes), knows which process serves which guild, and kills or restarts one. `GiftLoad` keeps
`workers` concurrent `/gift`s going in every guild through the stand-in, pausing a guild while
its process is down, and is cancelled where it stands for a crash. `replay_check` reads the ledger back through the ledger port only (no SQL,
so it holds on every backend): every gift sent is replayed with its interaction id as the key —
an acknowledged gift must come back as a replay (present exactly once), and the balances taken
before the replays must equal the model of the gifts that were committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.economy.config import EconomyConfig
from bot.economy.errors import EconomyError
from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.sandbox.standin import ALICE, BOB, CAROL, OWNER, DiscordStandIn, InteractionResult
from bot.sandbox.standin.errors import NoBotConnected, StandInError
from bot.storage import open_ledger
from tests.e2e.proc import BotProcess, bot_env, run_cli

GIFT = "Heart Me"  # 1 coin and not streakable: every gift gets its own public announcement
# The reply to a streakable gift repeated into a combo (cogs/gifting.py): ephemeral, to the sender.
COMBO_REPEAT = "🎁 Sent **"


def members_by_guild(standin: DiscordStandIn, extra: int) -> dict[int, list[int]]:
    """Alice, Bob, Carol and `extra` new members in every guild (added before any bot starts)."""
    return {
        gid: [ALICE, BOB, CAROL, *(m.user.id for m in standin.add_members(extra, guild_id=gid))]
        for gid in standin.guild_ids
    }


class Fleet:
    """The shard processes of one bot: process i connects `layout[i]` of `shard_count`, on the
    database `url` — one for all (PostgreSQL), or one per process (`urls`, a SQLite reference
    in the benchmark: each process then owns its guilds' ledger alone)."""

    def __init__(
        self,
        standin: DiscordStandIn,
        url: str,
        shard_count: int,
        layout: list[list[int]],
        cwd: Path,
        *,
        urls: list[str] | None = None,
    ) -> None:
        self.standin, self.url, self.cwd = standin, url, cwd
        self.urls = urls or [url] * len(layout)
        self.shard_count, self.layout = shard_count, layout
        self.procs: list[BotProcess | None] = [None] * len(layout)
        self.ready: set[int] = set()  # processes connected and serving
        self.outputs: list[str] = []  # the output of every process that ended

    def env(self, index: int) -> dict[str, str]:
        return bot_env(
            self.standin, None, url=self.urls[index], shards=(self.shard_count, self.layout[index])
        )

    def serving(self, guild_id: int) -> int:
        """Which process serves `guild_id` (Discord's routing, then the layout)."""
        shard = (guild_id >> 22) % self.shard_count
        return next(i for i, ids in enumerate(self.layout) if shard in ids)

    def up(self, index: int) -> bool:
        """Started, connected, and not dead since."""
        proc = self.procs[index]
        return index in self.ready and proc is not None and proc.returncode is None

    def down(self, guild_id: int) -> bool:
        return not self.up(self.serving(guild_id))

    async def cli(self, *args: str, index: int = 0) -> str:
        """A one-shot command (migrate, sync, verify) on process `index`'s database; its
        stdout."""
        result = await run_cli(*args, env=self.env(index), cwd=self.cwd, timeout=120)
        assert result.returncode == 0, str(result)
        return result.stdout

    async def start(self, index: int | None = None) -> None:
        """Start process `index` (default: every one, at once) and wait until connected."""
        indexes = range(len(self.layout)) if index is None else [index]
        for i in indexes:
            self.procs[i] = await BotProcess.start(self.env(i), self.cwd)
        await asyncio.gather(
            *(
                self._proc(i).wait_ready(
                    self.standin, timeout=60, shards=(self.shard_count, self.layout[i])
                )
                for i in indexes
            )
        )
        self.ready.update(indexes)

    def exit_code(self, index: int) -> int | None:
        return self._proc(index).returncode

    def _proc(self, index: int) -> BotProcess:
        proc = self.procs[index]
        assert proc is not None
        return proc

    async def kill(self, index: int) -> None:
        """SIGKILL, mid-load: the crash."""
        proc = self._proc(index)
        self.ready.discard(index)
        await proc.kill()
        self.outputs.append(proc.output)

    async def start_and_kill(self, index: int, after: float) -> None:
        """Start process `index` and SIGKILL it `after` seconds later, connected or not: a crash
        while it opens, migrates or connects."""
        self.procs[index] = await BotProcess.start(self.env(index), self.cwd)
        await asyncio.sleep(after)
        await self.kill(index)

    async def terminate_then_kill(self, index: int, after: float) -> None:
        """SIGTERM process `index`, then SIGKILL it `after` seconds later if it has not exited
        by then: a crash in the middle of a graceful stop."""
        proc = self._proc(index)
        self.ready.discard(index)
        proc.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.proc.wait(), after)
        await self.kill(index)

    async def stop(self) -> list[int]:
        """SIGTERM every live process; their exit codes."""
        codes = []
        for proc in self.procs:
            if proc is not None and proc.returncode is None:
                code, _ = await proc.stop(timeout=30)
                codes.append(code)
                self.outputs.append(proc.output)
        return codes

    async def close(self) -> None:
        """The clean-up of every `finally`: nothing outlives the test."""
        for proc in self.procs:
            if proc is not None:
                await proc.kill()

    async def seed(self, members: dict[int, list[int]], coins: int) -> None:
        """Coins for every member, granted by the owner through `/mod grant` (the real path, so
        seeding needs nothing of the backend)."""

        async def grant(gid: int, uid: int) -> None:
            r = await self.standin.user(OWNER, guild_id=gid).invoke(
                "mod grant", member=uid, currency="coins", amount=str(coins), reason="shard seed"
            )
            assert "Granted" in r.text, r.describe()

        await asyncio.gather(*(grant(gid, uid) for gid, uids in members.items() for uid in uids))


@dataclass
class Sent:
    result: InteractionResult
    guild_id: int
    sender: int
    recipient: int
    count: int
    gift: str = GIFT  # a 1-coin gift: the model below counts coins = diamonds = count

    @property
    def acknowledged(self) -> bool:
        """The gift's answer reached Discord — the public announcement or, for a streakable gift
        repeated into a combo, the sender's short confirmation: the promise is that either
        follows the commit (a refusal is ephemeral too, and is not this; a deferral's
        placeholder alone is no answer)."""
        if not self.result.acknowledged:
            return False
        return not self.result.ephemeral or self.result.content.startswith(COMBO_REPEAT)


@dataclass
class GiftLoad:
    """`workers` concurrent gifts in every guild until stopped; a guild pauses while
    `paused(guild_id)` is true (its process is down)."""

    standin: DiscordStandIn
    members: dict[int, list[int]]
    workers: int
    seed: int = 1
    paused: Callable[[int], bool] = lambda _gid: False
    timeout: float = 15.0
    max_count: int = 3
    gifts: tuple[str, ...] = (GIFT,)  # each gift picks one (1-coin gifts: see `Sent.gift`)
    sent: list[Sent] = field(default_factory=list)
    acked: Counter[int] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # answered, but not with the announcement
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopping: bool = False

    def start(self) -> None:
        rng = random.Random(self.seed)
        for gid in self.members:
            for _ in range(self.workers):
                self._tasks.append(
                    asyncio.create_task(self._worker(gid, random.Random(rng.random())))
                )

    async def _worker(self, gid: int, rng: random.Random) -> None:
        while not self._stopping:
            if self.paused(gid):
                await asyncio.sleep(0.05)
                continue
            sender, recipient = rng.sample(self.members[gid], 2)
            count = rng.randint(1, self.max_count)
            gift = rng.choice(self.gifts)
            r = self.standin.user(sender, guild_id=gid).prepare(
                "gift", member=recipient, gift=gift, count=count
            )
            s = Sent(r, gid, sender, recipient, count, gift)
            self.sent.append(s)
            try:
                await self.standin.deliver(r, timeout=self.timeout)
            except NoBotConnected:
                # Not delivered at all (the bot stopped, or is not back yet): not a gift sent.
                # The refusal comes without awaiting anything, so back off rather than spin
                # the event loop (and everything else on it) in this loop.
                self.sent.remove(s)
                await asyncio.sleep(0.05)
                continue
            except StandInError as exc:  # unanswered: in flight (a crash, an outage)
                self.refused.append(f"{exc}")
                continue
            if s.acknowledged:
                self.acked[gid] += 1
            else:
                self.refused.append(r.text[:200])

    @property
    def acknowledged(self) -> int:
        return sum(self.acked.values())

    async def until(self, predicate: Callable[[], object], what: str, timeout: float = 120) -> None:  # noqa: ASYNC109
        await self.standin.wait_until(predicate, timeout=timeout, what=what)

    async def cancel(self) -> None:
        """The crash's side of the load: stop every worker where it is (after a SIGKILL nothing
        will answer the gifts in flight; they stay in `sent`, unacknowledged)."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def stop(self) -> None:
        """Send no more; let the gifts in flight be answered (a bot stopped under them would
        answer none of them, which is another test)."""
        self._stopping = True
        try:
            await asyncio.wait_for(asyncio.gather(*self._tasks), self.timeout + 5)
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._tasks.clear()


@dataclass
class ReadBack:
    committed: list[Sent]
    acknowledged: list[Sent]
    missing: list[Sent]  # acknowledged but not in the ledger: must be empty
    wrong: list[str]  # balances that differ from the model of the committed gifts
    balances: dict[tuple[int, int], tuple[int, int]]  # (guild, member) → (coins, diamonds), before


async def replay_check(url: str, sent: list[Sent], start_coins: int) -> ReadBack:
    """Balances first, then every gift replayed by its key through the ledger port: a replay
    means it was committed (once: the key is unique); the model of the committed gifts must
    give exactly the balances read before. Replays of gifts that were never committed commit
    now — call this last."""
    ledger = await open_ledger(url, EconomyConfig())
    try:
        members = {(s.guild_id, uid) for s in sent for uid in (s.sender, s.recipient)}
        before = {}
        for gid, uid in sorted(members):
            account = await ledger.run(GetAccount(gid, uid))
            before[(gid, uid)] = (account.coins, account.diamonds)
        committed: list[Sent] = []
        for s in sent:
            request = SendGift(
                s.guild_id,
                s.sender,
                s.recipient,
                key=str(s.result.id),
                gift_name=s.gift,
                count=s.count,
            )
            try:
                result = await ledger.run(request)
            except EconomyError:
                continue  # refused now (say, no coins left): it was not committed before either
            if result.replayed:
                assert (result.count, result.coins) == (s.count, s.count), s.result.describe()
                committed.append(s)
    finally:
        await ledger.close()
    spent, received = Counter[tuple[int, int]](), Counter[tuple[int, int]]()
    for s in committed:
        spent[(s.guild_id, s.sender)] += s.count
        received[(s.guild_id, s.recipient)] += s.count
    wrong = [
        f"guild {gid} member {uid}: ledger {before[(gid, uid)]}, model "
        f"{(start_coins - spent[(gid, uid)], received[(gid, uid)])}"
        for gid, uid in sorted(members)
        if before[(gid, uid)] != (start_coins - spent[(gid, uid)], received[(gid, uid)])
    ]
    acknowledged = [s for s in sent if s.acknowledged]
    done = {id(s) for s in committed}
    missing = [s for s in acknowledged if id(s) not in done]
    return ReadBack(committed, acknowledged, missing, wrong, before)


def verify_gifts(stdout: str) -> int:
    """The `gifts: N` line of `python -m bot verify` (which passed)."""
    assert "verify: OK" in stdout, stdout
    return int(next(line for line in stdout.splitlines() if line.startswith("gifts:")).split()[1])


def rate(count: int, started: float) -> float:
    return count / max(1e-9, time.perf_counter() - started)
