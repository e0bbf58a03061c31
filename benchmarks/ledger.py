"""Ledger throughput: giftcord's group-commit writer against the naive aiosqlite design and the
machine's ceiling, measured side by side in one run (docs/performance.md).

    python -m benchmarks.ledger [--quick] [--json] [--runs N] [--backend postgresql]

10,000 members; 100 concurrent senders send gifts between random pairs. Reported: gifts/s,
p50/p99 latency per gift, the ratios, and conservation checked after every run (a fast ledger
that loses a coin is a failed benchmark).

Two ceilings, so the share we report is honest about what it is a share of:
- `ceiling`: the minimal gift (debit, credit, one ledger row; docs/performance.md) in ONE stdlib
  sqlite3 transaction — the machine's ceiling for any design.
- `schema_ceiling`: giftcord's own batch code (`run_batch` over every gift: same schema, same
  operations, double-entry rows, statistics, idempotency) in ONE transaction on one thread, no
  asyncio and one commit — the ceiling for this schema. giftcord's gap to it is the price of
  group commit (a durable commit per batch) and of the event loop; its gap to `ceiling` is the
  price of the schema.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import aiosqlite

from benchmarks.common import arguments, emit, median, percentile, seed_members, table
from bot.economy.config import EconomyConfig
from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.storage import SqliteLedger
from bot.storage.batch import run_batch

GUILD = 1
MEMBERS = 10_000
SENDERS = 100
START_COINS = 1_000_000
GIFT = "Rose"  # 1 coin → 1 diamond: the event-night workload

# The minimal gift of the `ceiling` (docs/performance.md): debit coins, credit diamonds, one ledger row.
REFERENCE_SCHEMA = """
CREATE TABLE accounts (user_id INTEGER PRIMARY KEY, coins INTEGER NOT NULL CHECK (coins >= 0),
                       diamonds INTEGER NOT NULL);
CREATE TABLE ledger (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, sender INTEGER NOT NULL,
                     recipient INTEGER NOT NULL, coins INTEGER NOT NULL, diamonds INTEGER NOT NULL);
"""
DEBIT = "UPDATE accounts SET coins = coins - ? WHERE user_id = ? AND coins >= ?"
CREDIT = "UPDATE accounts SET diamonds = diamonds + ? WHERE user_id = ?"
RECORD = "INSERT INTO ledger (key, sender, recipient, coins, diamonds) VALUES (?, ?, ?, ?, ?)"


def pairs(n: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = rng.randint(1, MEMBERS)
        r = rng.randint(1, MEMBERS - 1)
        out.append((s, r if r < s else r + 1))  # never a self-gift
    return out


def reference_db(path: Path) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript("PRAGMA journal_mode=WAL;" + REFERENCE_SCHEMA)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO accounts VALUES (?, ?, 0)", [(i, START_COINS) for i in range(1, MEMBERS + 1)]
    )
    con.execute("COMMIT")
    con.close()


def reference_conserved(path: Path, gifts: int) -> bool:
    con = sqlite3.connect(path)
    coins, diamonds = con.execute("SELECT SUM(coins), SUM(diamonds) FROM accounts").fetchone()
    spent, minted, rows = con.execute(
        "SELECT SUM(coins), SUM(diamonds), COUNT(*) FROM ledger"
    ).fetchone()
    con.close()
    return rows == gifts and coins == MEMBERS * START_COINS - spent and diamonds == minted == spent


def run_ceiling(path: Path, work: list[tuple[int, int]]) -> dict[str, float]:
    """Every gift in one stdlib sqlite3 transaction: no asyncio, no thread hops — the ceiling."""
    reference_db(path)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=FULL")
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    for i, (s, r) in enumerate(work):
        if con.execute(DEBIT, (1, s, 1)).rowcount == 1:
            con.execute(CREDIT, (1, r))
            con.execute(RECORD, (f"c{i}", s, r, 1, 1))
    con.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    con.close()
    return {"gifts_per_s": len(work) / elapsed, "conserved": reference_conserved(path, len(work))}


async def run_naive(path: Path, work: list[tuple[int, int]]) -> dict[str, float]:
    """What most bots do: aiosqlite, one await per statement, a commit per gift, serialised by a
    lock (without it concurrent gifts fail with 'cannot start a transaction within a transaction')."""
    reference_db(path)
    lock = asyncio.Lock()
    latencies: list[float] = []
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA synchronous=FULL")
        queue = list(enumerate(work))

        async def sender() -> None:
            while queue:
                i, (s, r) = queue.pop()
                t = time.perf_counter()
                async with lock:
                    await db.execute("BEGIN IMMEDIATE")
                    cur = await db.execute(DEBIT, (1, s, 1))
                    if cur.rowcount == 1:
                        await db.execute(CREDIT, (1, r))
                        await db.execute(RECORD, (f"n{i}", s, r, 1, 1))
                    await db.execute("COMMIT")
                latencies.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        elapsed = time.perf_counter() - t0
    return {
        "gifts_per_s": len(work) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "conserved": reference_conserved(path, len(work)),
    }


async def seeded_ledger(path: Path) -> SqliteLedger:
    ledger = await SqliteLedger.open(path, EconomyConfig(), synchronous="FULL")
    await seed_members(ledger, GUILD, range(1, MEMBERS + 1), START_COINS)
    return ledger


def run_schema_ceiling(path: Path, work: list[tuple[int, int]]) -> dict[str, float]:
    """giftcord's OWN batch code — `run_batch` over every gift, one transaction, one thread, no
    asyncio, no futures: the ceiling for this schema and these operations."""
    economy = EconomyConfig()

    async def seed() -> None:  # the same seeded database run_giftcord starts from
        await (await seeded_ledger(path)).close()

    asyncio.run(seed())
    ops = [
        SendGift(GUILD, s, r, key=f"g{i}", gift_name=GIFT, count=1) for i, (s, r) in enumerate(work)
    ]
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA cache_size = -32768")
    t0 = time.perf_counter()
    outcomes = run_batch(con, ops, economy, economy.catalog(), time.time())
    elapsed = time.perf_counter() - t0
    con.close()
    report = asyncio.run(_verify(path))
    return {
        "gifts_per_s": len(work) / elapsed,
        "conserved": report and all(ok for ok, _ in outcomes),
    }


async def _verify(path: Path) -> bool:
    ledger = await SqliteLedger.open(path, EconomyConfig(), synchronous="FULL")
    try:
        return (await ledger.verify()).ok
    finally:
        await ledger.close()


async def run_giftcord(path: Path, work: list[tuple[int, int]]) -> dict[str, float]:
    ledger = await seeded_ledger(path)
    try:
        latencies: list[float] = []
        queue = list(enumerate(work))

        async def sender() -> None:
            while queue:
                i, (s, r) = queue.pop()
                t = time.perf_counter()
                await ledger.run(SendGift(GUILD, s, r, key=f"g{i}", gift_name=GIFT, count=1))
                latencies.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        elapsed = time.perf_counter() - t0
        report = await ledger.verify()
        accounts = [await ledger.run(GetAccount(GUILD, u)) for u in range(1, MEMBERS + 1)]
        spent = sum(a.coins_spent for a in accounts)
        minted = sum(a.lifetime_diamonds for a in accounts)
        conserved = report.ok and spent == len(work) and minted == spent
    finally:
        await ledger.close()
    return {
        "gifts_per_s": len(work) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "conserved": conserved,
    }


async def one_run(tmp: Path, run: int, sizes: dict[str, int]) -> dict[str, dict[str, float]]:
    return {
        "ceiling": run_ceiling(tmp / f"ceiling{run}.db", pairs(sizes["ceiling"], run)),
        "schema_ceiling": await asyncio.to_thread(
            run_schema_ceiling, tmp / f"schema{run}.db", pairs(sizes["schema_ceiling"], run)
        ),
        "naive": await run_naive(tmp / f"naive{run}.db", pairs(sizes["naive"], run)),
        "giftcord": await run_giftcord(tmp / f"giftcord{run}.db", pairs(sizes["giftcord"], run)),
    }


def main() -> None:
    parser = arguments(
        "benchmarks.ledger", __doc__ or "", quick_help="smaller workload, one run (< 60 s)"
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: the PostgreSQL ledger beside asyncpg txn-per-gift (benchmarks/ledger_pg.py)",
    )
    args = parser.parse_args()
    if args.backend == "postgresql":
        from benchmarks import ledger_pg

        ledger_pg.main(args)
        return
    runs = args.runs or (1 if args.quick else 3)
    sizes = (
        {"ceiling": 50_000, "schema_ceiling": 20_000, "naive": 2_000, "giftcord": 20_000}
        if args.quick
        else {"ceiling": 200_000, "schema_ceiling": 100_000, "naive": 5_000, "giftcord": 100_000}
    )
    with tempfile.TemporaryDirectory(prefix="giftcord-bench-") as tmp:
        results = [asyncio.run(one_run(Path(tmp), i, sizes)) for i in range(runs)]

    def med(design: str, key: str) -> float:
        return median([r[design][key] for r in results])

    conserved = all(r[d]["conserved"] for r in results for d in r)
    ours, naive, ceiling = (
        med("giftcord", "gifts_per_s"),
        med("naive", "gifts_per_s"),
        med("ceiling", "gifts_per_s"),
    )
    schema_ceiling = med("schema_ceiling", "gifts_per_s")
    result = {
        "runs": runs,
        "sizes": sizes,
        "members": MEMBERS,
        "senders": SENDERS,
        "synchronous": "FULL",
        "gifts_per_s": round(ours),
        "p50_ms": round(med("giftcord", "p50_ms"), 2),
        "p99_ms": round(med("giftcord", "p99_ms"), 2),
        "naive_gifts_per_s": round(naive),
        "naive_p99_ms": round(med("naive", "p99_ms"), 2),
        "ceiling_gifts_per_s": round(ceiling),
        "speedup_vs_naive": round(ours / naive, 1),
        "share_of_ceiling": round(ours / ceiling, 3),
        "schema_ceiling_gifts_per_s": round(schema_ceiling),
        "share_of_schema_ceiling": round(ours / schema_ceiling, 3),
        "schema_ceiling_share_of_ceiling": round(schema_ceiling / ceiling, 3),
        "conserved": conserved,
        "targets": {
            "gifts_per_s>=25000": ours >= 25_000,
            "p99_ms<=15": med("giftcord", "p99_ms") <= 15,
            "speedup>=20x": ours / naive >= 20,
            "share_of_ceiling>=0.30": ours / ceiling >= 0.30,
        },
    }
    rows = [
        (
            "giftcord (group commit)",
            f"{ours:,.0f}",
            f"{result['p50_ms']:.2f}",
            f"{result['p99_ms']:.2f}",
            "1.0×",
        ),
        (
            "naive aiosqlite, commit per gift",
            f"{naive:,.0f}",
            "",
            f"{result['naive_p99_ms']:.2f}",
            f"{naive / ours:.3f}×",
        ),
        ("ceiling: one sqlite3 transaction", f"{ceiling:,.0f}", "", "", f"{ceiling / ours:.2f}×"),
        (
            "ceiling for this schema: run_batch, 1 txn",
            f"{schema_ceiling:,.0f}",
            "",
            "",
            f"{schema_ceiling / ours:.2f}×",
        ),
    ]
    text = (
        f"ledger: {MEMBERS:,} members, {SENDERS} concurrent senders, synchronous=FULL, "
        f"median of {runs} run(s)\n"
        + table(rows, ["design", "gifts/s", "p50 ms", "p99 ms", "vs giftcord"])
        + f"\nspeed-up over naive: {result['speedup_vs_naive']}×   share of ceiling: "
        f"{result['share_of_ceiling']:.0%}   share of schema ceiling: "
        f"{result['share_of_schema_ceiling']:.0%}   conserved: {'yes' if conserved else 'NO'}"
    )
    emit("ledger", text, result, args.json)
    if not conserved:
        raise SystemExit("conservation failed: the ledger lost or created value")


if __name__ == "__main__":
    main()
