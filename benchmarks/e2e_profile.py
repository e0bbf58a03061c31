"""Where a `/gift`'s CPU goes: the e2e benchmark's concurrent workload under cProfile, giftcord
and the bare bot in turn, each function's own time per interaction grouped by where its code
lives (giftcord's modules one by one, discord.py, aiohttp, asyncio, json, the stand-in).

    python -m benchmarks.e2e_profile [--quick] [--json] [--concurrency N] [--gifts N]

Same process, stand-in and bots as `benchmarks.e2e` (its `setup`), after a warm-up of both
bots. The profiler measures thread CPU time (`time.thread_time`) of the event loop's thread;
the ledger writer's own thread is not in it (`benchmarks.e2e` reports that as `other`). A
profiler inflates call-heavy code several times over, so read the table as shares and as the
difference between the bots, not as microseconds a quiet run would spend. The concurrency is
lower than the benchmark's 300 by default: profiled, 300 senders miss the stand-in's 3-s
deadline and the profile would show the error path instead.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import e2e
from benchmarks.common import arguments, emit, table

REPO = str(Path(__file__).resolve().parents[1]) + "/"


def where(filename: str) -> str:
    """The group a function's file belongs to."""
    if "/sandbox/standin/" in filename:
        return "stand-in (the harness)"
    if filename.startswith((REPO + "bot/", REPO + "cogs/")):
        return "giftcord: " + filename[len(REPO) :]
    if filename.startswith(REPO + "benchmarks/"):
        return "benchmark driver"
    for marker, name in (
        ("/discord/", "discord.py"),
        ("/aiohttp/", "aiohttp"),
        ("/yarl/", "aiohttp"),
        ("/multidict/", "aiohttp"),
        ("/asyncio/", "asyncio"),
        ("/json/", "json"),
        ("/logging/", "logging"),
    ):
        if marker in filename:
            return name
    return "builtins (dict, len, isinstance …)" if filename == "~" else "other stdlib"


async def profile(design: str, b: e2e.Bench, gifts: int, rng: random.Random) -> dict[str, Any]:
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    outcome = await e2e.concurrent(b, design, gifts, rng)
    profiler.disable()
    groups: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = {}
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, line, name), (_, _, own, _, _) in stats.items():
        groups[where(filename)] += own
        functions[f"{filename.removeprefix(REPO)}:{line}({name})"] = own
    per = 1e6 / outcome.interactions
    return {
        "summary": outcome.summary(),
        "groups_us": {k: v * per for k, v in groups.items()},
        "functions_us": {k: v * per for k, v in functions.items()},
    }


async def run(concurrency: int, gifts: int) -> dict[str, Any]:
    e2e.CONCURRENCY = concurrency
    with tempfile.TemporaryDirectory(prefix="giftcord-e2e-profile-") as tmp:
        b = await e2e.setup(Path(tmp), max(2000, concurrency * 2))
        try:
            rng = random.Random(1)
            for design in ("bare", "giftcord"):  # warm-up: caches, imports, first connections
                await e2e.concurrent(b, design, concurrency * 2, rng)
            return {d: await profile(d, b, gifts, rng) for d in ("bare", "giftcord")}
        finally:
            await e2e.teardown(b)


def report(result: dict[str, Any], top: int = 25) -> str:
    bare, gift = result["bare"], result["giftcord"]
    names = sorted(
        set(bare["groups_us"]) | set(gift["groups_us"]), key=lambda k: -gift["groups_us"].get(k, 0)
    )
    rows = []
    for name in names:
        b, g = bare["groups_us"].get(name, 0.0), gift["groups_us"].get(name, 0.0)
        if max(b, g) >= 2:
            rows.append([name, f"{b:,.1f}", f"{g:,.1f}", f"{g - b:+,.1f}"])
    tb, tg = sum(bare["groups_us"].values()), sum(gift["groups_us"].values())
    rows.append(["all (profiled)", f"{tb:,.1f}", f"{tg:,.1f}", f"{tg - tb:+,.1f}"])
    fb, fg = bare["functions_us"], gift["functions_us"]
    diff = sorted(set(fb) | set(fg), key=lambda k: -(fg.get(k, 0) - fb.get(k, 0)))[:top]
    lines = [
        table(rows, ["where the code lives", "bare µs/int", "giftcord µs/int", "difference"]),
        "",
        f"the {top} functions giftcord spends most more in (own time, µs per interaction):",
        *(f"  {fg.get(k, 0) - fb.get(k, 0):+8.1f}  {k}" for k in diff),
        "",
        f"CPU per interaction of these profiled runs: bare "
        f"{bare['summary']['cpu_ms_per_interaction']} ms, giftcord "
        f"{gift['summary']['cpu_ms_per_interaction']} ms (profiling inflates both)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = arguments(
        "benchmarks.e2e_profile", __doc__ or "", quick_help="500 gifts instead of 2,000", runs=False
    )
    parser.add_argument("--concurrency", type=int, default=50, help="senders at once (default 50)")
    parser.add_argument("--gifts", type=int, default=None, help="gifts profiled per bot")
    args = parser.parse_args()
    gifts = args.gifts or (500 if args.quick else 2000)
    result = asyncio.run(run(args.concurrency, gifts))
    compact = {
        d: {
            "summary": r["summary"],
            "groups_us": {k: round(v, 1) for k, v in r["groups_us"].items()},
        }
        for d, r in result.items()
    }
    emit(
        "e2e_profile",
        report(result),
        {"concurrency": args.concurrency, "gifts": gifts, **compact},
        args.json,
    )


if __name__ == "__main__":
    main()
