"""Read queries for LIVE Match battles. A battle's points are derived from the gift rows, like
a LIVE's figures (`live_queries`): the gifts to each creator whose txn ids lie between its
BATTLE_START and BATTLE_END records, not after its scheduled end, and only of the named gift
when it has one — one index range of `txns_gifts_received` per side and refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.economy import battle as B
from bot.economy import reads as R
from bot.storage.reading import Q

_NO_END = 1 << 62  # above any txn id: a battle still on has no end record yet

COLS = (
    "id, guild_id, challenger_id, opponent_id, challenger_live, opponent_live, gift_name,"
    " minutes, channel_id, message_id, started_at, ends_at, ended_at, start_txn, end_txn"
)
_SELECT = f"SELECT {COLS} FROM battles"

_RANGE = (
    "SELECT subject_id, SUM(diamonds) FROM txns WHERE guild_id = ? AND counterparty_id = ?"
    " AND kind = 'gift' AND id > ? AND id < ? AND created_at <= ?"
)
_GROUP = " GROUP BY subject_id ORDER BY SUM(diamonds) DESC, subject_id"
_ALL_GIFTS = _RANGE + _GROUP
_ONE_GIFT = _RANGE + " AND gift_name = ?" + _GROUP


def _battle(row: tuple[Any, ...] | None) -> B.Battle | None:
    return None if row is None else B.Battle(*row)


def battle_row(q: Q, guild_id: int, battle_id: int) -> B.Battle | None:
    return _battle(
        q.execute(_SELECT + " WHERE guild_id = ? AND id = ?", (guild_id, battle_id)).fetchone()
    )


def battle_of(q: Q, guild_id: int, user_id: int) -> B.Battle | None:
    return _battle(
        q.execute(
            _SELECT + " WHERE id = (SELECT battle_id FROM battle_fighters"
            " WHERE guild_id = ? AND user_id = ?)",
            (guild_id, user_id),
        ).fetchone()
    )


def _side(q: Q, battle: B.Battle, user_id: int) -> B.BattleSide:
    args: tuple[Any, ...] = (
        battle.guild_id, user_id, battle.start_txn, battle.end_txn or _NO_END, battle.ends_at,
    )  # fmt: skip
    if battle.gift_name is None:
        rows = q.execute(_ALL_GIFTS, args).fetchall()
    else:
        rows = q.execute(_ONE_GIFT, (*args, battle.gift_name)).fetchall()
    top = rows[0] if rows and rows[0][1] else None
    return B.BattleSide(
        user_id,
        score=int(sum(row[1] for row in rows)),
        top_supporter=None if top is None else top[0],
        top_diamonds=0 if top is None else int(top[1]),
    )


def figures(q: Q, battle: B.Battle) -> B.BattleFigures:
    return B.BattleFigures(
        battle, _side(q, battle, battle.challenger_id), _side(q, battle, battle.opponent_id)
    )


def get_battle(q: Q, r: R.GetBattle, now: float) -> B.Battle | None:
    return battle_of(q, r.guild_id, r.user_id)


def get_battle_by_id(q: Q, r: R.GetBattleById, now: float) -> B.Battle | None:
    return battle_row(q, r.guild_id, r.battle_id)


def open_battles(q: Q, r: R.OpenBattles, now: float) -> list[B.Battle]:
    rows = q.execute(_SELECT + " WHERE ended_at IS NULL ORDER BY ends_at, id").fetchall()
    return [B.Battle(*row) for row in rows]


def battle_score(q: Q, r: R.BattleScore, now: float) -> B.BattleFigures | None:
    battle = battle_row(q, r.guild_id, r.battle_id)
    return None if battle is None else figures(q, battle)


def battles_of_live(q: Q, r: R.BattlesOfLive, now: float) -> list[B.BattleFigures]:
    rows = q.execute(
        _SELECT + " WHERE guild_id = ? AND (challenger_live = ? OR opponent_live = ?) ORDER BY id",
        (r.guild_id, r.live_id, r.live_id),
    ).fetchall()
    return [figures(q, B.Battle(*row)) for row in rows]


READS: dict[type[Any], Callable[[Q, Any, float], Any]] = {
    R.GetBattle: get_battle,
    R.GetBattleById: get_battle_by_id,
    R.OpenBattles: open_battles,
    R.BattleScore: battle_score,
    R.BattlesOfLive: battles_of_live,
}
