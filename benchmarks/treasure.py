"""Treasure boxes under a rush: many members pressing Open on one box at once, then its split.

    python -m benchmarks.treasure [--quick] [--json] [--runs N]

Each round drops a box for 100 openers and 300 members press Open at the same moment through
the real ledger (group commit, the counted guard, the daily cap); 100 get in, 200 are refused
"this box is full". Reported: presses/s, p50/p99 latency of a press, the split of a full
100-opener box (one transaction: 100 credits and their legs), and `verify` after the run (a
fast ledger that loses a coin is a failed benchmark).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import arguments, emit, median, ms, percentile, seed_members, table
from bot.economy.config import EconomyConfig
from bot.economy.errors import EconomyError
from bot.economy.requests import DropTreasure, OpenTreasure, SettleTreasure
from bot.storage import SqliteLedger

GUILD = 1
DROPPER = 1
OPENERS = 100
PRESSERS = 300


async def one_run(path: Path, boxes: int) -> dict[str, Any]:
    ledger = await SqliteLedger.open(path, EconomyConfig())
    try:
        await seed_members(ledger, GUILD, [DROPPER], 10**9)
        latencies: list[float] = []
        settles: list[float] = []
        got_in = refused = 0
        started = time.perf_counter()
        for n in range(boxes):
            box = await ledger.run(
                DropTreasure(GUILD, DROPPER, f"drop-{n}", 1_000_000, OPENERS, 60, channel_id=None)
            )

            async def press(uid: int, box_id: int = box.id, n: int = n) -> bool:
                t0 = time.perf_counter()
                try:
                    await ledger.run(
                        OpenTreasure(GUILD, box_id, uid, f"o{n}-{uid}", daily_limit=10**4)
                    )
                    return True
                except EconomyError:
                    return False
                finally:
                    latencies.append(time.perf_counter() - t0)

            members = range(10 + n * PRESSERS, 10 + (n + 1) * PRESSERS)
            outcomes = await asyncio.gather(*(press(uid) for uid in members))
            got_in += sum(outcomes)
            refused += len(outcomes) - sum(outcomes)
            t0 = time.perf_counter()
            await ledger.run(SettleTreasure(GUILD, box.id, seed=n))
            settles.append(time.perf_counter() - t0)
        wall = time.perf_counter() - started
        report = await ledger.verify()
    finally:
        await ledger.close()
    return {
        "presses_per_s": round(len(latencies) / wall, 1),
        "press_p50_ms": ms(percentile(latencies, 50)),
        "press_p99_ms": ms(percentile(latencies, 99)),
        "split_ms": ms(median(settles)),
        "got_in": got_in,
        "refused": refused,
        "exact": got_in == boxes * OPENERS and report.ok,
    }


def main() -> None:
    args = arguments(
        "benchmarks.treasure", __doc__ or "", quick_help="3 boxes, one run (a smoke run)"
    ).parse_args()
    boxes = 3 if args.quick else 20
    runs = args.runs or (1 if args.quick else 3)
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(asyncio.run(one_run(Path(tmp) / "treasure.db", boxes)))
    keys = ("presses_per_s", "press_p50_ms", "press_p99_ms", "split_ms")
    summary: dict[str, Any] = {k: median([r[k] for r in results]) for k in keys}
    summary["exact"] = all(r["exact"] for r in results)
    rows = [[k, summary[k]] for k in keys] + [["exactly openers in, verify OK", summary["exact"]]]
    text = table(
        rows, ["treasure rush", f"median of {runs} (boxes={boxes}, {PRESSERS} presses each)"]
    )
    emit("treasure", text, {"boxes": boxes, "runs": results, "summary": summary}, args.json)


if __name__ == "__main__":
    main()
