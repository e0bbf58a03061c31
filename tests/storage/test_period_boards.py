"""Week and month boards read closed days rolled up (storage/periods.py) plus the days after:
across day, week and month boundaries they equal the plain sum of each member's days, and
`verify` checks the rolled-up totals against those days."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bot.economy.config import EconomyConfig
from bot.economy.ledger import Board, Period
from bot.economy.reads import GetLeaderboard, GetRank
from bot.economy.requests import SendGift
from bot.economy.rules import period_start, utc_day
from tests.clock import FakeClock
from tests.storage.conftest import GUILD, fund, key, open_backend

# Thursday 25 January 2024, noon: the run crosses a Monday (29th) and a month (1 February).
START = datetime(2024, 1, 25, 12, tzinfo=UTC).timestamp()
MEMBERS = range(1, 9)


async def test_period_boards_equal_the_sum_of_their_days(tmp_path: Path, backend: str) -> None:
    clock = FakeClock(START)
    ledger = await open_backend(backend, tmp_path / "p.db", EconomyConfig(), clock)
    rng = random.Random(5)
    spent: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # day → member
    earned: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    try:
        for member in MEMBERS:
            await fund(ledger, member, 10_000)
        for _day in range(12):
            for _ in range(15):
                s, r = rng.sample(list(MEMBERS), 2)
                count = rng.randint(1, 5)
                await ledger.run(SendGift(GUILD, s, r, key=key(), gift_name="Rose", count=count))
                spent[utc_day(clock())][s] += count
                earned[utc_day(clock())][r] += count
            for period in (Period.WEEK, Period.MONTH):
                first = utc_day(period_start(period.value, clock()) or 0)
                for board, by_day in ((Board.GIFTERS, spent), (Board.CREATORS, earned)):
                    expected: dict[int, int] = defaultdict(int)
                    for day, members in by_day.items():
                        if day >= first:
                            for member, value in members.items():
                                expected[member] += value
                    got = await ledger.run(GetLeaderboard(GUILD, board, period, per_page=50))
                    assert {row.user_id: row.value for row in got.items} == {
                        m: v for m, v in expected.items() if v
                    }, (period, board, datetime.fromtimestamp(clock(), UTC))
                    if got.items:
                        top = got.items[0]
                        assert await ledger.run(GetRank(GUILD, top.user_id, board, period)) == 1
            assert (await ledger.verify()).ok
            clock.advance(86_400)
    finally:
        await ledger.close()
