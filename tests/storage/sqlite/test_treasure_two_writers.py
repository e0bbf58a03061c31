"""Two independent ledgers — two writers, each with its own connection and group-commit
batches — on one SQLite file, pressing Open on the same box at once: exactly `openers` get in,
each member at most once, and settling from both writers splits the box once.

The guards are the database's (the counted update, the (box, member) primary key, the
settlement's state transition), not one writer thread's ordering."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.economy import errors as E
from bot.economy.config import EconomyConfig
from bot.economy.ledger import TreasureState
from bot.economy.reads import GetTreasure
from bot.economy.requests import DropTreasure, OpenTreasure, SettleTreasure
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, fund

OPENERS, MEMBERS = 10, 100


async def test_two_writers_let_exactly_openers_in_and_split_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    a = await SqliteLedger.open(path, EconomyConfig(), exclusive=False)
    b = await SqliteLedger.open(path, EconomyConfig(), exclusive=False)
    try:
        await fund(a, 1, 5_000)
        box = await a.run(DropTreasure(GUILD, 1, "drop", 5_000, OPENERS, 5, channel_id=None))
        members = range(1_000, 1_000 + MEMBERS)

        def press(uid: int, click: int) -> OpenTreasure:
            return OpenTreasure(GUILD, box.id, uid, f"open-{uid}-{click}", daily_limit=20)

        # Every member presses through one writer; every third double-clicks through the other.
        calls = [(a if uid % 2 else b).run(press(uid, 1)) for uid in members]
        calls += [(b if uid % 2 else a).run(press(uid, 2)) for uid in members if uid % 3 == 0]
        outcomes: list[Any] = await asyncio.gather(*calls, return_exceptions=True)
        won = [o for o in outcomes if not isinstance(o, BaseException)]
        assert all(isinstance(o, E.InvalidState) for o in outcomes if isinstance(o, BaseException))
        assert len(won) == OPENERS
        assert len({o.user_id for o in won}) == OPENERS

        settled = await asyncio.gather(
            a.run(SettleTreasure(GUILD, box.id, seed=1)),
            b.run(SettleTreasure(GUILD, box.id, seed=2)),
        )
        assert sorted(s.replayed for s in settled) == [False, True]
        assert settled[0].shares == settled[1].shares
        stored = await a.run(GetTreasure(GUILD, box.id))
        assert stored.state is TreasureState.SPLIT
        assert sorted(stored.opener_ids) == sorted(o.user_id for o in won)
        assert sum(stored.shares) == 5_000
        assert min(stored.shares) >= 1
        report = await a.verify()
        assert report.ok, report.violations
    finally:
        await a.close()
        await b.close()
