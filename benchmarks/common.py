"""Shared benchmark plumbing: timing statistics, the table for people and the JSON for machines."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bot.economy.requests import Adjust

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (seconds in, same unit out)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def emit(name: str, text: str, result: dict[str, Any], as_json: bool) -> None:
    """Print the table; save the JSON under benchmarks/results/; with --json the last line of
    output is the JSON object."""
    result = {"benchmark": name, "machine": machine(), **result}
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
    if as_json:
        print(json.dumps(result, default=str))
    sys.stdout.flush()


def verdict(ok: bool | None) -> str:
    """The pass/miss cell of a table row (None: no target for this line)."""
    return "" if ok is None else ("pass" if ok else "MISS")


def ms(seconds: float) -> float:
    """Seconds → milliseconds, rounded for the JSON."""
    return round(seconds * 1000, 2)


def rss_bytes(pid: int | str = "self") -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes of a live process, from /proc/<pid>/status (Linux)."""
    found = {"VmRSS": 0, "VmHWM": 0}
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in found:
                found[name] = int(value.split()[0]) * 1024
    return found["VmRSS"], found["VmHWM"]


def arguments(
    module: str, doc: str, *, quick_help: str, runs: bool = True
) -> argparse.ArgumentParser:
    """The options every benchmark shares: --quick, --json and (optionally) --runs."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON on the last line"
    )
    if runs:
        parser.add_argument(
            "--runs", type=int, default=None, help="runs to take the median of (default 3, quick 1)"
        )
    return parser


async def seed_members(
    ledger: Any, guild_id: int, user_ids: Sequence[int] | range, coins: int, *, chunk: int = 5_000
) -> None:
    """Give members coins through the ledger itself (moderator grants), so the books balance
    from the first row; `chunk` bounds how many operations are queued at once."""
    from bot.economy.ledger import AdjustMode, Currency

    for lo in range(0, len(user_ids), chunk):
        await asyncio.gather(
            *(
                ledger.run(
                    Adjust(
                        guild_id,
                        uid,
                        key=f"seed{uid}",
                        actor_id=0,
                        currency=Currency.COINS,
                        mode=AdjustMode.GRANT,
                        amount=coins,
                        reason="benchmark seed",
                    )
                )
                for uid in user_ids[lo : lo + chunk]
            )
        )


async def storm(
    work: Sequence[Any], senders: int, send: Callable[[int, Any], Awaitable[Any]]
) -> tuple[float, list[float]]:
    """`senders` concurrent tasks take `work` items (index, item) until none is left, each
    `send` timed: (seconds for all of it, the latencies)."""
    latencies: list[float] = []
    queue = list(enumerate(work))

    async def sender() -> None:
        while queue:
            i, item = queue.pop()
            t = time.perf_counter()
            await send(i, item)
            latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return time.perf_counter() - t0, latencies
