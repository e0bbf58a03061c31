"""One of two independent writers on one SQLite file or PostgreSQL database (the two-writer test).

Run as `python two_writers_driver.py DB_PATH_OR_URL START_FILE OUT_FILE`: waits until START_FILE exists
(so both processes storm at once), sends every gift of the shared plan — the same keys as the
other process — and writes what each key answered as JSON lines to OUT_FILE.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.economy.config import EconomyConfig
from bot.economy.errors import EconomyError
from bot.economy.requests import SendGift
from bot.storage import SqliteLedger
from bot.storage.postgres import PostgresLedger

GUILD, SENDERS, GIFTS = 1, 4, 3000


def plan() -> list[tuple[str, int, int]]:
    """(key, sender, recipient): the same list in both processes, in opposite orders."""
    return [(f"g{i}", 1 + i % SENDERS, 100 + i % 7) for i in range(GIFTS)]


async def main(path: str, start: str, out: str) -> None:
    # exclusive=False: the one-process-per-file lock guards a bot's in-memory state (combos),
    # not the ledger; this test is exactly about two ledgers writing one file.
    if path.startswith("postgresql://"):
        store: Any = await PostgresLedger.open(path, EconomyConfig(), pool_size=2)
    else:
        store = await SqliteLedger.open(path, EconomyConfig(), exclusive=False)
    work = plan()
    if "--reverse" in sys.argv:
        work.reverse()
    Path(out + ".ready").touch()
    while not Path(start).exists():  # noqa: ASYNC110 - another process's signal, not ours
        await asyncio.sleep(0.005)
    answers: list[dict[str, object]] = []

    async def sender(items: list[tuple[str, int, int]]) -> None:
        for k, s, r in items:
            # Paced: a writer that never lets go of the lock would starve the other (SQLite's
            # busy handler retries on a timer), and the test must interleave the two.
            await asyncio.sleep(0.002)
            try:
                res = await store.run(SendGift(GUILD, s, r, key=k, gift_name="Rose", count=1))
            except EconomyError as refusal:
                answers.append({"key": k, "ok": False, "error": type(refusal).__name__})
            else:
                answers.append(
                    {
                        "key": k,
                        "ok": True,
                        "replayed": res.replayed,
                        "txn": res.txn_id,
                        "sender_coins": res.sender_coins,
                    }
                )

    # 20 concurrent senders in this process: batches of several gifts each.
    await asyncio.gather(*(sender(work[i::20]) for i in range(20)))
    await store.close()
    Path(out).write_text("\n".join(json.dumps(a) for a in answers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
