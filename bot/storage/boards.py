"""Leaderboards and ranks: every board × period, and a server event's board.

The all-time boards are index reads (accounts_gifters / accounts_creators, partial indexes in
board order): a page reads its own rows, its first rank is one range count, and the size of
the board one index count — not the whole board ranked for every page. The period and event
boards aggregate first (periods.py keeps a week or month to one row per member) and rank the
result in one pass.
"""

from __future__ import annotations

from typing import Any

from bot.economy import ledger as L
from bot.economy import reads as R
from bot.economy.rules import period_start, utc_day
from bot.storage import periods
from bot.storage.reading import Q, page_bounds

# The all-time column of each board, and the WHERE of its partial index (schema V1).
_ALL_TIME = {L.Board.GIFTERS: "coins_spent", L.Board.CREATORS: "lifetime_diamonds"}


def _visible(col: str) -> str:
    return f"guild_id = ? AND {col} > 0 AND departed = 0"


def _all_time_page(q: Q, guild_id: int, col: str, page: int, per_page: int) -> L.Page[L.LeaderRow]:
    where = _visible(col)
    total = q.execute(f"SELECT COUNT(*) FROM accounts WHERE {where}", (guild_id,)).fetchone()[0]
    page, pages, offset = page_bounds(total, page, per_page)
    rows = q.execute(
        f"SELECT user_id, {col} FROM accounts WHERE {where} ORDER BY {col} DESC, user_id"
        " LIMIT ? OFFSET ?",
        (guild_id, max(1, per_page), offset),
    ).fetchall()
    items: list[L.LeaderRow] = []
    for i, (user_id, value) in enumerate(rows):
        if items and value == items[-1].value:
            rank = items[-1].rank  # a tie shares its rank
        elif i == 0 and offset:
            rank = 1 + _above(q, guild_id, col, value)  # ties may reach back onto the last page
        else:
            rank = offset + i + 1
        items.append(L.LeaderRow(rank, user_id, value))
    return L.Page(items, page, pages, total)


def _above(q: Q, guild_id: int, col: str, value: int) -> int:
    """How many visible members have more than `value`: one range of the board's index."""
    return int(
        q.execute(
            f"SELECT COUNT(*) FROM accounts WHERE {_visible(col)} AND {col} > ?", (guild_id, value)
        ).fetchone()[0]
    )


def _all_time_rank(q: Q, guild_id: int, col: str, user_id: int) -> int | None:
    row = q.execute(
        f"SELECT {col}, departed FROM accounts WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    ).fetchone()
    if row is None or row[0] <= 0 or row[1]:
        return None
    return 1 + _above(q, guild_id, col, row[0])


def _board_source(
    q: Q, board: L.Board, period: L.Period, event_id: int | None, guild_id: int, now: float
) -> tuple[str, tuple[Any, ...]]:
    """SQL yielding (user_id, value) for every visible member with a positive value."""
    col = "coins_spent" if L.Board(board) is L.Board.GIFTERS else "diamonds_earned"
    if event_id is not None:
        return (
            f"SELECT s.user_id, s.{col} AS value FROM event_stats s"
            " JOIN events e ON e.id = s.event_id AND e.guild_id = ?"
            " LEFT JOIN accounts a ON a.guild_id = e.guild_id AND a.user_id = s.user_id"
            f" WHERE s.event_id = ? AND s.{col} > 0 AND COALESCE(a.departed, 0) = 0",
            (guild_id, event_id),
        )
    start = period_start(L.Period(period).value, now)
    if start is None:  # all time, as one source (the pages and ranks read the index instead)
        acol = _ALL_TIME[L.Board(board)]
        return f"SELECT user_id, {acol} AS value FROM accounts WHERE {_visible(acol)}", (guild_id,)
    kind = L.Period(period).value
    if kind in periods.ROLLED:  # closed days come rolled up: one row per member
        sql, args = periods.board_sql(q, col, guild_id, kind, utc_day(start))
    else:  # today: the day's own rows
        sql = f"SELECT user_id, {col} AS value FROM daily_stats WHERE guild_id = ? AND day = ?"
        args = (guild_id, utc_day(start))
    # Aggregate first, then look up `departed` once per member on the board.
    return (
        f"SELECT g.user_id, g.value FROM ({sql}) g"
        " LEFT JOIN accounts a ON a.guild_id = ? AND a.user_id = g.user_id"
        " WHERE g.value > 0 AND COALESCE(a.departed, 0) = 0",
        (*args, guild_id),
    )


def leaderboard(q: Q, r: R.GetLeaderboard, now: float) -> L.Page[L.LeaderRow]:
    guild_id, board, period, event_id, page, per_page = (
        r.guild_id,
        r.board,
        r.period,
        r.event_id,
        r.page,
        r.per_page,
    )
    if event_id is None and L.Period(period) is L.Period.ALL:
        return _all_time_page(q, guild_id, _ALL_TIME[L.Board(board)], page, per_page)
    sql, args = _board_source(q, board, period, event_id, guild_id, now)
    # One pass builds the board, ranks it and counts it (COUNT(*) OVER ()): a week or month
    # board aggregates every day's row in the period, so building it once per page matters.
    page_sql = (
        f"SELECT RANK() OVER (ORDER BY value DESC), user_id, value, COUNT(*) OVER () FROM ({sql})"
        " ORDER BY value DESC, user_id LIMIT ? OFFSET ?"
    )
    size = max(1, per_page)
    rows = q.execute(page_sql, (*args, size, (max(1, page) - 1) * size)).fetchall()
    if rows:
        total = rows[0][3]
        page, pages, _ = page_bounds(total, page, per_page)
    else:  # an empty board, or a page past the end: count, then show the last page
        total = q.execute(f"SELECT COUNT(*) FROM ({sql})", args).fetchone()[0]
        page, pages, offset = page_bounds(total, page, per_page)
        rows = q.execute(page_sql, (*args, size, offset)).fetchall() if total else []
    return L.Page([L.LeaderRow(r[0], r[1], r[2]) for r in rows], page, pages, total)


def rank(q: Q, r: R.GetRank, now: float) -> int | None:
    """Competition rank (ties share a rank); None when the member is not on the board.
    One pass over the board, like `leaderboard`, instead of one for the value and one more
    for the count above it."""
    guild_id, user_id, board, period, event_id = (
        r.guild_id,
        r.user_id,
        r.board,
        r.period,
        r.event_id,
    )
    if event_id is None and L.Period(period) is L.Period.ALL:
        return _all_time_rank(q, guild_id, _ALL_TIME[L.Board(board)], user_id)
    sql, args = _board_source(q, board, period, event_id, guild_id, now)
    row = q.execute(
        f"SELECT r FROM (SELECT user_id, RANK() OVER (ORDER BY value DESC) AS r FROM ({sql}))"
        " WHERE user_id = ?",
        (*args, user_id),
    ).fetchone()
    return None if row is None else int(row[0])
