"""The all-time boards are index reads (storage/boards.py): pages, competition ranks with ties
across a page boundary, departed members hidden and `rank` agree with a plain ranking."""

from __future__ import annotations

from bot.economy.ledger import Board, Period
from bot.economy.reads import GetLeaderboard, GetRank
from bot.economy.requests import SendGift, SetDeparted
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, fund, key

CREATOR = 999


def competition_ranks(values: dict[int, int]) -> list[tuple[int, int, int]]:
    """(rank, member, value), best first, ties sharing a rank, as the board must show it."""
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(1 + sum(v > value for v in values.values()), m, value) for m, value in ordered]


async def test_all_time_pages_and_ranks_match_a_plain_ranking(ledger: SqliteLedger) -> None:
    # 23 gifters; counts chosen so ties straddle the 10-per-page boundaries.
    counts = {m: c for m, c in zip(range(1, 24), [9, 9, 8, 7, 7, 7, 6, 5, 4, 3, 3, 3, 3, 2,
                                                   2, 2, 1, 1, 1, 1, 1, 1, 1], strict=True)}  # fmt: skip
    for member, count in counts.items():
        await fund(ledger, member, 100)
        await ledger.run(SendGift(GUILD, member, CREATOR, key=key(), gift_name="Rose", count=count))
    await ledger.run(SetDeparted(GUILD, 7, True))  # hidden from every board
    visible = {m: c for m, c in counts.items() if m != 7}
    expected = competition_ranks(visible)
    shown = []
    for page in (1, 2, 3):
        got = await ledger.run(GetLeaderboard(GUILD, Board.GIFTERS, Period.ALL, page=page))
        assert (got.page, got.pages, got.total) == (page, 3, len(visible))
        shown += [(row.rank, row.user_id, row.value) for row in got.items]
    assert shown == expected
    for rank_, member, _value in expected:
        assert await ledger.run(GetRank(GUILD, member, Board.GIFTERS, Period.ALL)) == rank_
    assert await ledger.run(GetRank(GUILD, 7, Board.GIFTERS, Period.ALL)) is None
    assert await ledger.run(GetRank(GUILD, 12345, Board.GIFTERS, Period.ALL)) is None
    past_the_end = await ledger.run(GetLeaderboard(GUILD, Board.GIFTERS, Period.ALL, page=9))
    assert past_the_end.page == 3
    creators = await ledger.run(GetLeaderboard(GUILD, Board.CREATORS, Period.ALL))
    assert [(r.rank, r.user_id, r.value) for r in creators.items] == [
        (1, CREATOR, sum(counts.values()))
    ]
