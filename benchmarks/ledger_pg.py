"""The PostgreSQL ledger: giftcord's group-commit writer against asyncpg with one transaction
per gift, in the same run, on the same server (`python -m benchmarks.ledger --backend postgresql`).

10,000 members, 100 concurrent senders, `synchronous_commit = on` (checked, and set on the
benchmark's own database). Reported: gifts/s, p50/p99 per gift, the speed-up, the round trips a
batch cost (statements sent by the writer ÷ batches) and the mean batch size; conservation
(`verify`, and every coin spent minted once) is checked after each run.

The baseline is what a bot written straight on asyncpg does: a pool of connections, and per
gift one transaction — a conditional debit, the credit, one ledger row — on the minimal schema.

The server: GIFTCORD_BENCH_PG (default postgresql://postgres@127.0.0.1:5432); the benchmark
creates `giftcord_bench_<pid>_<random>` and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Any

import asyncpg

from benchmarks.common import emit, median, percentile, seed_members, storm, table
from bot.economy.config import EconomyConfig
from bot.economy.requests import SendGift
from bot.storage.postgres import PostgresLedger

SERVER = os.environ.get("GIFTCORD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
GUILD, MEMBERS, SENDERS, START_COINS, GIFT = 1, 10_000, 100, 1_000_000, "Rose"
BASELINE_POOL = 20

BASELINE_SCHEMA = """
CREATE TABLE ref_accounts (user_id BIGINT PRIMARY KEY, coins BIGINT NOT NULL CHECK (coins >= 0),
                           diamonds BIGINT NOT NULL);
CREATE TABLE ref_ledger (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE, sender BIGINT NOT NULL,
                         recipient BIGINT NOT NULL, coins BIGINT NOT NULL, diamonds BIGINT NOT NULL);
"""


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run_giftcord(url: str, work: list[tuple[int, int]]) -> dict[str, Any]:
    ledger = await PostgresLedger.open(url, EconomyConfig())
    try:
        await seed_members(ledger, GUILD, range(1, MEMBERS + 1), START_COINS)
        w = ledger.writer
        b0, o0, t0_trips = w.batches, w.operations, w.round_trips

        async def gift(i: int, pair: tuple[int, int]) -> None:
            await ledger.run(SendGift(GUILD, *pair, key=f"g{i}", gift_name=GIFT, count=1))

        elapsed, latencies = await storm(work, SENDERS, gift)
        batches = w.batches - b0
        report = await ledger.verify()
    finally:
        await ledger.close()
    conn = await asyncpg.connect(url)
    try:
        spent, minted = await conn.fetchrow(
            "SELECT SUM(coins_spent)::bigint, SUM(lifetime_diamonds)::bigint FROM accounts"
        )
    finally:
        await conn.close()
    return {
        "gifts_per_s": len(work) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "round_trips_per_batch": (w.round_trips - t0_trips) / batches,
        "gifts_per_batch": (w.operations - o0) / batches,
        "conserved": report.ok and spent == len(work) and minted == spent,
    }


async def run_baseline(url: str, work: list[tuple[int, int]]) -> dict[str, Any]:
    pool = await asyncpg.create_pool(url, min_size=BASELINE_POOL, max_size=BASELINE_POOL)
    try:
        async with pool.acquire() as conn:
            await conn.execute(BASELINE_SCHEMA)
            await conn.copy_records_to_table(
                "ref_accounts", records=[(u, START_COINS, 0) for u in range(1, MEMBERS + 1)]
            )

        async def gift(i: int, pair: tuple[int, int]) -> None:
            s, r = pair
            async with pool.acquire() as conn, conn.transaction():
                debited = await conn.fetchval(
                    "UPDATE ref_accounts SET coins = coins - 1 WHERE user_id = $1"
                    " AND coins >= 1 RETURNING coins",
                    s,
                )
                if debited is not None:
                    await conn.execute(
                        "UPDATE ref_accounts SET diamonds = diamonds + 1 WHERE user_id = $1", r
                    )
                    await conn.execute(
                        "INSERT INTO ref_ledger (key, sender, recipient, coins, diamonds)"
                        " VALUES ($1, $2, $3, 1, 1)",
                        f"b{i}",
                        s,
                        r,
                    )

        elapsed, latencies = await storm(work, SENDERS, gift)
        async with pool.acquire() as conn:
            coins, diamonds = await conn.fetchrow(
                "SELECT SUM(coins)::bigint, SUM(diamonds)::bigint FROM ref_accounts"
            )
            rows, spent = await conn.fetchrow(
                "SELECT COUNT(*), COALESCE(SUM(coins), 0)::bigint FROM ref_ledger"
            )
    finally:
        await pool.close()
    return {
        "gifts_per_s": len(work) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "conserved": rows == len(work)
        and coins == MEMBERS * START_COINS - spent
        and diamonds == spent,
    }


async def one_run(run: int, sizes: dict[str, int]) -> dict[str, dict[str, Any]]:
    from benchmarks.ledger import pairs

    name = f"giftcord_bench_{os.getpid()}_{secrets.token_hex(3)}"
    await _admin(f"CREATE DATABASE {name}")
    try:
        await _admin(f"ALTER DATABASE {name} SET synchronous_commit = on")
        url = f"{SERVER}/{name}"
        conn = await asyncpg.connect(url)
        try:
            sync = await conn.fetchval("SHOW synchronous_commit")
        finally:
            await conn.close()
        if sync != "on":
            raise SystemExit(f"synchronous_commit is {sync}, not on")
        return {
            "giftcord": await run_giftcord(url, pairs(sizes["giftcord"], run)),
            "baseline": await run_baseline(url, pairs(sizes["baseline"], run)),
        }
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(args: Any) -> None:
    runs = args.runs or (1 if args.quick else 3)
    sizes = (
        {"giftcord": 20_000, "baseline": 5_000}
        if args.quick
        else {"giftcord": 100_000, "baseline": 20_000}
    )
    results = [asyncio.run(one_run(i, sizes)) for i in range(runs)]

    def med(design: str, key: str) -> float:
        return median([r[design][key] for r in results])

    conserved = all(r[d]["conserved"] for r in results for d in r)
    ours, base = med("giftcord", "gifts_per_s"), med("baseline", "gifts_per_s")
    trips = med("giftcord", "round_trips_per_batch")
    result = {
        "backend": "postgresql",
        "runs": runs,
        "sizes": sizes,
        "members": MEMBERS,
        "senders": SENDERS,
        "synchronous_commit": "on",
        "gifts_per_s": round(ours),
        "p50_ms": round(med("giftcord", "p50_ms"), 2),
        "p99_ms": round(med("giftcord", "p99_ms"), 2),
        "round_trips_per_batch": round(trips, 2),
        "gifts_per_batch": round(med("giftcord", "gifts_per_batch"), 1),
        "baseline_gifts_per_s": round(base),
        "baseline_p99_ms": round(med("baseline", "p99_ms"), 2),
        "speedup_vs_baseline": round(ours / base, 1),
        "conserved": conserved,
        "targets": {"gifts_per_s>=10000": ours >= 10_000, "speedup>=5x": ours / base >= 5},
    }
    rows = [
        ("giftcord (group commit)", f"{ours:,.0f}", f"{result['p50_ms']:.2f}",
         f"{result['p99_ms']:.2f}", "1.0×"),
        (f"asyncpg, txn per gift (pool {BASELINE_POOL})", f"{base:,.0f}",
         f"{med('baseline', 'p50_ms'):.2f}", f"{result['baseline_p99_ms']:.2f}",
         f"{base / ours:.3f}×"),
    ]  # fmt: skip
    text = (
        f"ledger on PostgreSQL: {MEMBERS:,} members, {SENDERS} concurrent senders, "
        f"synchronous_commit=on, median of {runs} run(s)\n"
        + table(rows, ["design", "gifts/s", "p50 ms", "p99 ms", "vs giftcord"])
        + f"\nspeed-up over the baseline: {result['speedup_vs_baseline']}×   round trips per "
        f"batch: {trips:.1f} (mean batch {result['gifts_per_batch']} gifts)   conserved: "
        f"{'yes' if conserved else 'NO'}"
    )
    emit("ledger-postgresql", text, result, args.json)
    if not conserved:
        raise SystemExit("conservation failed: the ledger lost or created value")
