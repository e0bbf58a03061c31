"""A gift storm for the crash test: prints each key only after its gift was acknowledged.

Run as `python crash_driver.py DB_PATH SEED`; the test SIGKILLs it at a random moment.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.requests import Adjust, SendGift
from bot.storage import SqliteLedger

SENDERS = 20


async def main(path: str, seed: str) -> None:
    store = await SqliteLedger.open(path, EconomyConfig())
    for sender in range(1, SENDERS + 1):
        await store.run(
            Adjust(
                1,
                sender,
                key=f"fund-{seed}-{sender}",
                actor_id=0,
                currency=Currency.COINS,
                mode=AdjustMode.GRANT,
                amount=10**9,
                reason="crash test",
            )
        )
    print("ready", flush=True)

    async def worker(sender: int) -> None:
        i = 0
        while True:
            k = f"{seed}-{sender}-{i}"
            await store.run(
                SendGift(
                    1,
                    sender,
                    100 + (i * 7 + sender) % 500,
                    key=k,
                    gift_name="Rose",
                    count=1 + i % 3,
                )
            )
            print(k, flush=True)  # acknowledged: it must survive the kill
            i += 1

    await asyncio.gather(*(worker(s) for s in range(1, SENDERS + 1)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
