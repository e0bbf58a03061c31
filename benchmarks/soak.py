"""Soak: the real `python -m bot run` (SQLite) against the local Discord stand-in under a steady
mixed load, watched minute by minute for what only time shows — memory, descriptors or tasks
that only grow, latency that creeps up.

    python -m benchmarks.soak [--minutes N] [--rate R] [--json]

The load is open-loop at a fixed modest rate (default 12 interactions/s, about a third of what
one bot process answers on this 2-core machine in benchmarks/e2e's paced workload), mixed:
streakable Roses and non-streakable Heart Me gifts to a few creators, `/coins buy`,
`/leaderboard`, `/diamonds stats`, `/balance`, moderator grants and freeze/unfreeze (of a
member who is never gifted to), treasure drops and presses on their Open button, and two
cycles: a community event started and ended by a moderator, and a creator going LIVE and
ending it.

Recorded per minute: interactions answered, errors, p50/p99 latency (gateway delivery → the
bot's callback, the stand-in's clock), the bot process's RSS and open file descriptors
(/proc/<pid>/status, /proc/<pid>/fd), its OS threads, and its asyncio task count — read by
benchmarks/soak_probe/sitecustomize.py inside the process, so no production code exists for it.

Pass (warm-up: minute 1, or the first 5 minutes in a run of 7 or more — discord.py keeps a
timer task and the View per paginated reply for its 300-second timeout, so that state grows
for 5 minutes and then holds; they are counted apart as "view timers"):
- flat: every later minute's peak RSS ≤ the last warm-up minute's × 1.10 + 5 MB; median tasks
  other than view timers ≤ warm-up's × 1.5 + 10; peak descriptors ≤ warm-up's + 10;
- p99 flat: the last minute's p99 ≤ warm-up p99 × 2 + 50 ms;
- 0 errors: every interaction answered, no gift refused, no "something went wrong", no
  warning/error/traceback in the bot's output;
- `python -m bot verify` OK; conservation exact: every acknowledged gift is in the ledger
  exactly once, no gift nobody sent, and the diamonds members hold equal the gifts' diamonds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    arguments,
    emit,
    ms,
    percentile,
    rss_bytes,
    seed_members,
    table,
    verdict,
)
from bot.economy.config import EconomyConfig
from bot.sandbox.standin import GENERAL, GUILD_ID, MODERATOR, DiscordStandIn, InteractionResult
from bot.storage import SqliteLedger
from tests.e2e.proc import BotProcess, alarming_lines, bot_env, run_cli

PROBE_DIR = Path(__file__).resolve().parent / "soak_probe"
START_COINS = 1_000_000
FANS, CREATORS = 40, 5
SAMPLE_EVERY = 2.0  # seconds between /proc samples
MAX_IN_FLIGHT = 64  # an overloaded bot shows as errors and latency, not as unbounded tasks here
# Interactions per kind, by weight; the cycles (event, LIVE) come on top, on their own clocks.
MIX: dict[str, int] = {
    "gift_rose": 30,
    "gift_heart": 22,
    "buy": 5,
    "leaderboard": 8,
    "diamonds_stats": 6,
    "balance": 6,
    "mod_grant": 4,
    "freeze": 2,
    "treasure_drop": 2,
    "treasure_open": 7,
}
# discord.py runs one timer task per View (buttons on gift posts, pages, confirmations) until its
# timeout (180 s by default): bounded by rate × timeout, so they are counted apart and the
# "tasks flat" verdict is held on the other tasks, the ones nothing bounds but our own code.
VIEW_TIMER = "BaseView.__timeout_task_impl"
WARMUP_LONG = 5  # minutes: bot/ui/pagination.py's 300-second View timeout, the longest timer
EVENT_EVERY, LIVE_EVERY = 40.0, 30.0  # seconds between a cycle's start and its end


@dataclass
class Minute:
    answered: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    view_timers: list[int] = field(default_factory=list)  # of `tasks`: discord.py View timeouts

    def row(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "errors": self.errors,
            "p50_ms": ms(percentile(self.latencies, 50)),
            "p99_ms": ms(percentile(self.latencies, 99)),
            "rss_mb_max": round(max(self.rss, default=0) / 2**20, 1),
            "fds_max": max(self.fds, default=0),
            "threads_max": max(self.threads, default=0),
            "tasks_median": statistics.median(self.tasks) if self.tasks else None,
            "tasks_max": max(self.tasks, default=0),
            "view_timers_median": statistics.median(self.view_timers) if self.view_timers else 0,
            "other_tasks_median": (
                statistics.median(t - v for t, v in zip(self.tasks, self.view_timers, strict=True))
                if self.tasks
                else None
            ),
        }


@dataclass
class Soak:
    standin: DiscordStandIn
    bot: BotProcess
    probe: Path
    fans: list[int]
    creators: list[int]
    frozen: int  # the member moderators freeze and unfreeze: nobody gifts to them
    rng: random.Random
    started: float = field(default_factory=time.perf_counter)
    minutes: list[Minute] = field(default_factory=list)
    gifts: list[InteractionResult] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    is_frozen: bool = False
    freeze_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    kinds: dict[str, int] = field(default_factory=dict)

    def minute(self) -> Minute:
        index = int((time.perf_counter() - self.started) // 60)
        while len(self.minutes) <= index:
            self.minutes.append(Minute())
        return self.minutes[index]

    def error(self, what: str) -> None:
        self.minute().errors += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(what)

    async def send(
        self, kind: str, r: InteractionResult, ok: Callable[[InteractionResult], bool] = bool
    ) -> InteractionResult | None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        try:
            await self.standin.deliver(r, timeout=20)
        except Exception as exc:  # noqa: BLE001 - an unanswered interaction is a counted error
            self.error(f"{kind}: {exc}: {r.describe()}")
            return None
        bucket = self.minute()
        bucket.answered += 1
        if r.latency is not None:
            bucket.latencies.append(r.latency)
        if "something went wrong" in r.text or not ok(r):
            self.error(f"{kind}: unexpected answer: {r.describe()}")
        return r


# --- the load ----------------------------------------------------------------------------------


def last_box(standin: DiscordStandIn) -> tuple[Any, str] | None:
    """The newest treasure box post in #general and its Open button, newest first."""
    for message in reversed(standin.world.channels[GENERAL].log):
        if message.deleted or message.ephemeral:
            continue
        ids = [c for c in message.custom_ids if c.startswith("giftcord:treasure:")]
        if ids:
            return message, ids[0]
    return None


async def one(s: Soak, kind: str) -> None:
    rng, fan = s.rng, s.rng.choice(s.fans)
    user = s.standin.user(fan)
    if kind in ("gift_rose", "gift_heart"):
        gift = "Rose" if kind == "gift_rose" else "Heart Me"
        r = user.prepare("gift", member=rng.choice(s.creators), gift=gift, count=rng.randint(1, 3))
        s.gifts.append(r)
        # A gift that joins a running combo is answered privately (the public post is edited).
        await s.send(kind, r, lambda x: f"{gift} ×" in x.text)
    elif kind == "buy":
        await s.send(kind, user.prepare("coins buy", amount="100"))
    elif kind == "leaderboard":
        board, period = rng.choice(("gifters", "creators")), rng.choice(("today", "week", "all"))
        await s.send(kind, user.prepare("leaderboard", board=board, period=period))
    elif kind == "diamonds_stats":
        await s.send(kind, s.standin.user(rng.choice(s.creators)).prepare("diamonds stats"))
    elif kind == "balance":
        await s.send(kind, user.prepare("balance"))
    elif kind == "mod_grant":
        r = s.standin.user(MODERATOR).prepare(
            "mod grant", member=fan, currency="coins", amount="100", reason="soak"
        )
        await s.send(kind, r)
    elif kind == "freeze":
        async with s.freeze_lock:  # freeze, unfreeze, freeze… one at a time
            command = "mod unfreeze" if s.is_frozen else "mod freeze"
            r = s.standin.user(MODERATOR).prepare(command, member=s.frozen, reason="soak")
            if await s.send(kind, r):
                s.is_frozen = not s.is_frozen
    elif kind == "treasure_drop":
        r = user.prepare("treasure drop", coins="60", openers=3, minutes=1)
        await s.send(kind, r)
    elif kind == "treasure_open":
        box = last_box(s.standin)
        if box is not None:
            await s.send(kind, user.prepare_click(box[0], box[1], validate=False))


async def cycles(s: Soak, stop: asyncio.Event) -> None:
    """The event and LIVE cycles: each starts, runs its period, ends, starts again."""
    mod = s.standin.user(MODERATOR)

    async def cycle(every: float, begin: Callable[[], Any], end: Callable[[], Any]) -> None:
        while not stop.is_set():
            await begin()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            await end()

    creator = s.creators[0]
    await asyncio.gather(
        cycle(
            EVENT_EVERY,
            lambda: s.send("event_start", mod.prepare("event start", name="Soak", minutes=5)),
            lambda: s.send("event_end", mod.prepare("event end")),
        ),
        cycle(
            LIVE_EVERY,
            lambda: s.send("live_start", s.standin.user(creator).prepare("live start")),
            lambda: s.send("live_end", s.standin.user(creator).prepare("live end")),
        ),
    )


async def load(s: Soak, seconds: float, rate: float) -> None:
    """Open loop: one interaction every 1/rate seconds, whatever the answers are doing."""
    kinds, weights = list(MIX), list(MIX.values())
    stop = asyncio.Event()
    background = asyncio.create_task(cycles(s, stop))
    in_flight: set[asyncio.Task[None]] = set()
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def guarded(kind: str) -> None:
        async with gate:
            await one(s, kind)

    deadline = s.started + seconds
    tick = s.started
    while (now := time.perf_counter()) < deadline:
        if s.bot.returncode is not None:
            s.error(f"the bot exited with {s.bot.returncode}")
            break
        task = asyncio.create_task(guarded(s.rng.choices(kinds, weights)[0]))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        tick += 1 / rate
        await asyncio.sleep(max(0.0, tick - now))
    stop.set()
    await asyncio.gather(background, *in_flight)


async def sample(s: Soak, stop: asyncio.Event) -> None:
    pid, read = s.bot.proc.pid, 0
    while not stop.is_set():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            bucket = s.minute()
            bucket.rss.append(rss_bytes(pid)[0])
            bucket.fds.append(len(os.listdir(f"/proc/{pid}/fd")))
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                bucket.threads += [int(x.split()[1]) for x in fh if x.startswith("Threads:")]
            if s.probe.exists():
                lines = s.probe.read_text(encoding="utf-8").splitlines()
                for line in lines[read:]:
                    _, thread, tasks, *top = line.split()
                    if thread == "MainThread":  # the bot's loop (not the ledger's threads)
                        bucket.tasks.append(int(tasks))
                        bucket.view_timers.append(view_timers(top))
                read = len(lines)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)


def view_timers(top: list[str]) -> int:
    """How many of the probe's tasks are discord.py View timeout timers (`name=count,…`)."""
    counts = dict(item.rsplit("=", 1) for item in ",".join(top).split(",") if "=" in item)
    return int(counts.get(VIEW_TIMER, 0))


# --- the checks --------------------------------------------------------------------------------


def conservation(db: Path, gifts: list[InteractionResult]) -> dict[str, Any]:
    """Every acknowledged gift in the ledger exactly once, nothing nobody sent, and the diamonds
    members hold == the diamonds gifts minted (nothing else in the soak mints diamonds)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        keys = [
            k
            for (k,) in conn.execute(
                "SELECT idem_key FROM txns WHERE guild_id = ? AND kind = 'gift'", (GUILD_ID,)
            )
        ]
        [(minted,)] = conn.execute(
            "SELECT COALESCE(SUM(diamonds), 0) FROM txns WHERE guild_id = ? AND kind = 'gift'",
            (GUILD_ID,),
        )
        [(held,)] = conn.execute(
            "SELECT COALESCE(SUM(diamonds), 0) FROM accounts WHERE guild_id = ?", (GUILD_ID,)
        )
    finally:
        conn.close()
    sent = {str(r.id) for r in gifts}
    acked = {str(r.id) for r in gifts if r.acknowledged and "×" in r.text}
    committed = set(keys)
    return {
        "gifts_sent": len(sent),
        "gifts_acknowledged": len(acked),
        "gift_txns": len(keys),
        "duplicates": len(keys) - len(committed),
        "acknowledged_missing": len(acked - committed),
        "unknown_gifts": len(committed - sent),
        "diamonds_minted": minted,
        "diamonds_held": held,
        "ok": len(keys) == len(committed) and acked <= committed <= sent and minted == held,
    }


def warmup_minutes(minutes: int) -> int:
    """State that legitimately lives T seconds (a Paginator's View timer: 300 s) grows for T,
    then holds: a run long enough to show the hold (2 more minutes) is judged after it."""
    return WARMUP_LONG if minutes >= WARMUP_LONG + 2 else 1


def judge(rows: list[dict[str, Any]]) -> dict[str, bool]:
    """The flatness verdicts: every minute after warm-up is held against warm-up's last one."""
    warm_n = warmup_minutes(len(rows))
    if len(rows) <= warm_n:
        return {"rss_flat": False, "tasks_flat": False, "fds_flat": False, "p99_flat": False}
    warm, later = rows[warm_n - 1], rows[warm_n:]
    rss_cap = warm["rss_mb_max"] * 1.10 + 5
    tasks_cap = (warm["other_tasks_median"] or 0) * 1.5 + 10
    return {
        "rss_flat": all(r["rss_mb_max"] <= rss_cap for r in later),
        "tasks_flat": all(
            r["other_tasks_median"] is not None and r["other_tasks_median"] <= tasks_cap
            for r in later
        ),
        "fds_flat": all(r["fds_max"] <= warm["fds_max"] + 10 for r in later),
        "p99_flat": later[-1]["p99_ms"] <= warm["p99_ms"] * 2 + 50,
    }


async def soak(minutes: float, rate: float, tmp: Path, seed: int = 15) -> dict[str, Any]:
    standin = DiscordStandIn(
        interaction_deadline=3.0, max_interactions=int(minutes * 60 * rate * 1.2) + 1_000
    )
    standin.gateway.heartbeat_ack_delay = 0.05  # a network's round trip (see the stand-in)
    await standin.start()
    try:
        return await _soak(standin, minutes, rate, tmp, seed)
    finally:
        await standin.stop()


async def _soak(
    standin: DiscordStandIn, minutes: float, rate: float, tmp: Path, seed: int
) -> dict[str, Any]:
    fans = [m.user.id for m in standin.add_members(FANS, prefix="fan")]
    creators = [m.user.id for m in standin.add_members(CREATORS, prefix="creator")]
    [frozen] = [m.user.id for m in standin.add_members(1, prefix="frozen")]
    db, probe = tmp / "giftcord.db", tmp / "probe.txt"
    ledger = await SqliteLedger.open(db, EconomyConfig())
    try:
        await seed_members(ledger, GUILD_ID, fans + creators, START_COINS)
    finally:
        await ledger.close()
    env = bot_env(standin, db)
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=tmp)
    assert sync.returncode == 0, str(sync)
    env |= {
        "PYTHONPATH": f"{PROBE_DIR}{os.pathsep}{env['PYTHONPATH']}",
        "SOAK_PROBE_FILE": str(probe),
        "SOAK_PROBE_INTERVAL": str(SAMPLE_EVERY),
    }
    bot = await BotProcess.start(env, tmp)
    probe_tail: list[str] = []
    try:
        await bot.wait_ready(standin)
        s = Soak(standin, bot, probe, fans, creators, frozen, random.Random(seed))
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample(s, stop))
        await load(s, minutes * 60, rate)
        stop.set()
        await sampler
        code, _ = await bot.stop(signal.SIGTERM, timeout=30)
        probe_tail = probe.read_text(encoding="utf-8").splitlines()[-2:]
    finally:
        await bot.kill()
    verify = await run_cli("verify", env=env, cwd=tmp)
    rows = [m.row() for m in s.minutes[: max(1, round(minutes))]]  # drop the drain's sliver
    alarms = alarming_lines(bot.output)
    errors = sum(m.errors for m in s.minutes) + len(alarms) + (code != 0)
    books = conservation(db, s.gifts)
    flat = judge(rows)
    ok = {
        **flat,
        "no_errors": errors == 0,
        "verify_ok": verify.returncode == 0 and "verify: OK" in verify.stdout,
        "conservation_exact": bool(books["ok"]),
        "standin_saw_nothing_unexpected": not standin.unexpected,
    }
    return {
        "config": {
            "minutes": minutes,
            "rate_per_s": rate,
            "fans": FANS,
            "creators": CREATORS,
            "mix": MIX,
            "event_every_s": EVENT_EVERY,
            "live_every_s": LIVE_EVERY,
        },
        "minutes": rows,
        "interactions_by_kind": dict(sorted(s.kinds.items())),
        "errors": errors,
        "error_samples": s.error_samples
        + alarms[:5]
        + ([f"exit code {code}"] if code else [])
        + [f"stand-in: {u.kind}: {u.detail}" for u in standin.unexpected[:5]],
        "conservation": books,
        "probe_last": probe_tail,  # the task census by coroutine, for a MISS on tasks
        "checks": ok,
        "pass": all(ok.values()),
    }


def report(result: dict[str, Any]) -> str:
    header = (
        "min",
        "answered",
        "errors",
        "p50 ms",
        "p99 ms",
        "RSS MB",
        "fds",
        "threads",
        "tasks med/max",
        "view timers",
        "other tasks",
    )
    rows = [
        (
            i + 1,
            r["answered"],
            r["errors"],
            r["p50_ms"],
            r["p99_ms"],
            r["rss_mb_max"],
            r["fds_max"],
            r["threads_max"],
            f"{r['tasks_median']}/{r['tasks_max']}",
            r["view_timers_median"],
            r["other_tasks_median"],
        )
        for i, r in enumerate(result["minutes"])
    ]
    checks = "\n".join(f"  {name}: {verdict(v)}" for name, v in result["checks"].items())
    return (
        f"soak: {result['config']['minutes']} min at {result['config']['rate_per_s']}/s\n"
        f"{table(rows, header)}\n{checks}\n  conservation: {result['conservation']}\n"
        + "".join(f"  error: {e}\n" for e in result["error_samples"])
        + f"overall: {verdict(result['pass'])}"
    )


def main() -> None:
    parser = arguments("benchmarks.soak", __doc__ or "", quick_help="2 minutes", runs=False)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=12.0, help="interactions per second")
    args = parser.parse_args()
    minutes = 2.0 if args.quick else args.minutes
    with tempfile.TemporaryDirectory(prefix="giftcord-soak-") as tmp:
        result = asyncio.run(soak(minutes, args.rate, Path(tmp)))
    emit("soak", report(result), result, args.json)
    raise SystemExit(0 if result["pass"] else 1)


if __name__ == "__main__":
    main()
