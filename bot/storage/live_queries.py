"""Read queries for LIVE sessions and gifter levels (see `bot.storage.queries` for the rest).

A LIVE's figures are derived from the gift rows: the gifts to its member whose txn ids lie
between its LIVE_START and LIVE_END records, read in the order of `txns_gifts_received`
(guild, recipient, id), so they cost one index range per refresh and nothing per gift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.economy import ledger as L
from bot.economy import reads as R
from bot.storage import codec
from bot.storage.reading import Q

_NO_END = 1 << 62  # above any txn id: a LIVE still on has no end record yet


def _live(row: tuple[Any, ...]) -> L.Live:
    return L.Live(*row)


def live_of(q: Q, guild_id: int, user_id: int) -> L.Live | None:
    row = q.execute(
        f"SELECT {codec.LIVE_COLS} FROM lives"
        " WHERE guild_id = ? AND user_id = ? AND ended_at IS NULL",
        (guild_id, user_id),
    ).fetchone()
    return None if row is None else _live(row)


def live_row(q: Q, guild_id: int, live_id: int) -> L.Live | None:
    row = q.execute(
        f"SELECT {codec.LIVE_COLS} FROM lives WHERE guild_id = ? AND id = ?", (guild_id, live_id)
    ).fetchone()
    return None if row is None else _live(row)


def get_live(q: Q, r: R.GetLive, now: float) -> L.Live | None:
    return live_of(q, r.guild_id, r.user_id)


def get_live_by_id(q: Q, r: R.GetLiveById, now: float) -> L.Live | None:
    return live_row(q, r.guild_id, r.live_id)


def open_lives(q: Q, r: R.OpenLives, now: float) -> list[L.Live]:
    if r.guild_id is None:
        rows = q.execute(
            f"SELECT {codec.LIVE_COLS} FROM lives WHERE ended_at IS NULL ORDER BY id"
        ).fetchall()
    else:
        rows = q.execute(
            f"SELECT {codec.LIVE_COLS} FROM lives WHERE guild_id = ? AND ended_at IS NULL"
            " ORDER BY id",
            (r.guild_id,),
        ).fetchall()
    return [_live(row) for row in rows]


def due_lives(q: Q, r: R.DueLives, now: float) -> list[L.Live]:
    rows = q.execute(
        f"SELECT {codec.LIVE_COLS} FROM lives WHERE ended_at IS NULL AND ends_at <= ?"
        " ORDER BY ends_at",
        (now,),
    ).fetchall()
    return [_live(row) for row in rows]


# The LIVE's gifts: to its member, after its start record, before its end record, and not
# after its scheduled end (a gift between `ends_at` and the timer's close does not count).
_RANGE = (
    " FROM txns WHERE guild_id = ? AND counterparty_id = ? AND kind = 'gift'"
    " AND id > ? AND id < ? AND created_at <= ?"
)


def live_stats(q: Q, r: R.LiveStats, now: float) -> L.LiveFigures | None:
    live = live_row(q, r.guild_id, r.live_id)
    if live is None:
        return None
    args = (r.guild_id, live.user_id, live.start_txn, live.end_txn or _NO_END, live.ends_at)
    by_sender = q.execute(
        "SELECT subject_id, SUM(amount), SUM(diamonds), COUNT(*)" + _RANGE
        + " GROUP BY subject_id ORDER BY SUM(amount) DESC, subject_id",
        args,
    ).fetchall()  # fmt: skip
    top_gift = q.execute(
        "SELECT gift_name, SUM(count), SUM(diamonds)" + _RANGE
        + " GROUP BY gift_name ORDER BY SUM(count) DESC, SUM(diamonds) DESC, gift_name LIMIT 1",
        args,
    ).fetchone()  # fmt: skip
    return L.LiveFigures(
        live,
        diamonds=sum(row[2] for row in by_sender),
        coins=sum(row[1] for row in by_sender),
        gifts=sum(row[3] for row in by_sender),
        gifters=len(by_sender),
        top=[L.LiveGifter(row[0], row[1]) for row in by_sender[: max(0, r.top)]],
        top_gift=None if top_gift is None else L.GiftTotal(*top_gift),
    )


def level_roles(q: Q, r: R.GetLevelRoles, now: float) -> dict[int, int]:
    return dict(
        q.execute(
            "SELECT level, role_id FROM level_roles WHERE guild_id = ? ORDER BY level",
            (r.guild_id,),
        ).fetchall()
    )


def gifters_between(q: Q, r: R.GiftersBetween, now: float) -> list[int]:
    # accounts_gifters (guild, coins_spent DESC) WHERE coins_spent > 0 AND departed = 0
    rows = q.execute(
        "SELECT user_id FROM accounts WHERE guild_id = ? AND coins_spent > 0 AND departed = 0"
        " AND coins_spent >= ? AND coins_spent < ? ORDER BY coins_spent DESC, user_id",
        (r.guild_id, r.at_least, _NO_END if r.below is None else r.below),
    ).fetchall()
    return [row[0] for row in rows]


def lifetime_spent(q: Q, r: R.LifetimeSpent, now: float) -> dict[int, int]:
    out: dict[int, int] = {}
    users = tuple(dict.fromkeys(r.user_ids))
    for i in range(0, len(users), 500):  # well under SQLite's bound-parameter limit
        chunk = users[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        out.update(
            q.execute(
                f"SELECT user_id, coins_spent FROM accounts WHERE guild_id = ?"
                f" AND user_id IN ({marks})",
                (r.guild_id, *chunk),
            ).fetchall()
        )
    return out


READS: dict[type[Any], Callable[[Q, Any, float], Any]] = {
    R.GetLive: get_live,
    R.GetLiveById: get_live_by_id,
    R.OpenLives: open_lives,
    R.DueLives: due_lives,
    R.LiveStats: live_stats,
    R.GetLevelRoles: level_roles,
    R.GiftersBetween: gifters_between,
    R.LifetimeSpent: lifetime_spent,
}
