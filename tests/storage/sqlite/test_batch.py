"""The SQLite batch's safety nets, forced: they never fire in an ordinary run (the batch looks
up every key under the write lock), so these tests break that look-up on purpose."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.economy.reads import GetAccount
from bot.economy.requests import SendGift
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, fund, key


async def test_a_key_the_look_up_missed_is_still_applied_once(
    ledger: SqliteLedger, monkeypatch: Any
) -> None:
    """A fast batch buffers its txns rows; if the unique index refuses one at the flush (the
    key was used after all — the look-up went stale), the whole batch runs again carefully and
    the key replays its first result instead of charging twice."""
    from bot.storage.batch import Tx

    await fund(ledger, 1, 10)
    first = await ledger.run(SendGift(GUILD, 1, 2, key="once", gift_name="Rose", count=3))
    real = Tx.replay

    def stale(self: Tx, req: Any, *, ask: bool = False) -> Any:
        return real(self, req, ask=ask) if self.careful else None  # the fast run misses it

    monkeypatch.setattr(Tx, "replay", stale)
    again, other = await asyncio.gather(
        ledger.run(SendGift(GUILD, 1, 2, key="once", gift_name="Rose", count=3)),
        ledger.run(SendGift(GUILD, 1, 3, key=key(), gift_name="Rose", count=2)),
    )
    assert again.replayed
    assert again.txn_id == first.txn_id
    assert not other.replayed
    assert (await ledger.run(GetAccount(GUILD, 1))).coins == 10 - 3 - 2
    assert (await ledger.verify()).ok
