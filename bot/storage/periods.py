"""Week and month boards without summing every member's every day: closed days, rolled up.

A past day's `daily_stats` never change — a write only ever adds to its own batch's day — so
the totals of a period's closed days can be summed once into `period_stats`, and a board reads
those totals plus the days after the roll-up (usually just today): exact, and one row per
member instead of one per member per day of the period (a month board at 1M ledger rows read
~220,000 rows before).

The writer rolls up inside a batch (`roll_up`); the roll-up's own row (`rollups.through_day`,
read in the batch's transaction) says how far it got, so two writers never add a day twice,
and a board is exact whether or not the roll-up has run yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.economy.rules import day_start, period_start, utc_day

if TYPE_CHECKING:
    from bot.storage.reading import Q

ROLLED = ("week", "month")


def first_day(kind: str, day: int) -> int:
    """The first day (days since the epoch) of the week or month holding `day`."""
    start = period_start(kind, day_start(day))
    assert start is not None  # week and month always start somewhere
    return utc_day(start)


def rolled_through(q: Q, guild_id: int, kind: str, start: int) -> int:
    """The last day of the period starting on `start` whose totals are in period_stats."""
    row = q.execute(
        "SELECT through_day FROM rollups WHERE guild_id = ? AND kind = ? AND start_day = ?",
        (guild_id, kind, start),
    ).fetchone()
    return start - 1 if row is None else int(row[0])


def roll_up(q: Q, guild_id: int, today: int) -> None:
    """Add every closed day of this week and this month not rolled up yet (writer only)."""
    yesterday = today - 1
    for kind in ROLLED:
        start = first_day(kind, today)
        done = rolled_through(q, guild_id, kind, start)
        if done >= yesterday:
            continue
        q.execute(
            "INSERT INTO period_stats (guild_id, kind, start_day, user_id, coins_spent,"
            " diamonds_earned) SELECT guild_id, ?, ?, user_id, SUM(coins_spent),"
            " SUM(diamonds_earned) FROM daily_stats WHERE guild_id = ? AND day BETWEEN ? AND ?"
            " GROUP BY guild_id, user_id ON CONFLICT (guild_id, kind, start_day, user_id) DO UPDATE SET"
            " coins_spent = coins_spent + excluded.coins_spent,"
            " diamonds_earned = diamonds_earned + excluded.diamonds_earned",
            (kind, start, guild_id, done + 1, yesterday),
        )
        q.execute(
            "INSERT INTO rollups (guild_id, kind, start_day, through_day) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, kind, start_day) DO UPDATE SET through_day = ?4",
            (guild_id, kind, start, yesterday),
        )
        # Earlier periods are never read again.
        for table in ("period_stats", "rollups"):
            q.execute(
                f"DELETE FROM {table} WHERE guild_id = ? AND kind = ? AND start_day < ?",
                (guild_id, kind, start),
            )


def board_sql(
    q: Q, col: str, guild_id: int, kind: str, start: int
) -> tuple[str, tuple[int | str, ...]]:
    """SQL yielding (user_id, value) of the period starting on day `start`: its rolled-up
    totals plus every day after the roll-up."""
    after = rolled_through(q, guild_id, kind, start)
    return (
        f"SELECT user_id, SUM(v) AS value FROM ("
        f"SELECT user_id, {col} AS v FROM period_stats"
        " WHERE guild_id = ? AND kind = ? AND start_day = ?"
        f" UNION ALL SELECT user_id, {col} FROM daily_stats WHERE guild_id = ? AND day > ?"
        ") GROUP BY user_id",
        (guild_id, kind, start, guild_id, after),
    )
