"""The plan steps of LIVE Match battles (`OpenBattle`, `CloseBattle`, `BattleMessage`): their
SQL and guards, shared by both backends (plain SQL, `?` placeholders; storage/postgres
translates). Joined to the other steps in each backend's step table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.economy.plan import Applied, BattleMessage, CloseBattle, OpenBattle
from bot.storage.steps import GuardRefused

if TYPE_CHECKING:
    from bot.storage.batch import Tx


def _open_battle(tx: Tx, step: OpenBattle, applied: Applied) -> None:
    cur, g = tx.cur, tx.guild_id
    # Checked first, so the usual refusal ("already in a battle") writes nothing at all.
    busy = cur.execute(
        "SELECT COUNT(*) FROM battle_fighters WHERE guild_id = ? AND user_id IN (?, ?)",
        (g, step.challenger_id, step.opponent_id),
    ).fetchone()[0]
    if busy:
        raise GuardRefused(step)
    battle_id = cur.execute(
        "INSERT INTO battles (guild_id, challenger_id, opponent_id, challenger_live,"
        " opponent_live, gift_name, minutes, channel_id, started_at, ends_at, start_txn)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (g, step.challenger_id, step.opponent_id, step.challenger_live, step.opponent_live,
         step.gift_name, step.minutes, step.channel_id, tx.now, step.ends_at, applied.txn_id),
    ).fetchone()[0]  # fmt: skip
    # The primary key is the guard where writers are not serialised: both sides claimed, or
    # the operation is undone. DO NOTHING answers no row rather than aborting a PostgreSQL
    # transaction.
    claimed = cur.execute(
        "INSERT INTO battle_fighters (guild_id, user_id, battle_id) VALUES (?, ?, ?), (?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO NOTHING RETURNING user_id",
        (g, step.challenger_id, battle_id, g, step.opponent_id, battle_id),
    ).fetchall()
    if len(claimed) != 2:
        tx.op_wrote = True  # the battle row is written: the batch must undo the operation
        raise GuardRefused(step)
    applied.new_id = battle_id


def _close_battle(tx: Tx, step: CloseBattle, applied: Applied) -> None:
    # A guarded transition: only a battle still on ends, once; its scoring ends at this record.
    changed = tx.cur.execute(
        "UPDATE battles SET ended_at = ?, end_txn = ? WHERE id = ? AND guild_id = ?"
        " AND ended_at IS NULL",
        (step.at, applied.txn_id, step.battle_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)
    tx.cur.execute(
        "DELETE FROM battle_fighters WHERE guild_id = ? AND battle_id = ?",
        (tx.guild_id, step.battle_id),
    )


def _battle_message(tx: Tx, step: BattleMessage, applied: Applied) -> None:
    changed = tx.cur.execute(
        "UPDATE battles SET channel_id = ?, message_id = ? WHERE id = ? AND guild_id = ?",
        (step.channel_id, step.message_id, step.battle_id, tx.guild_id),
    ).rowcount
    if changed != 1:
        raise GuardRefused(step)


BATTLE_STEPS: dict[type[Any], Callable[[Tx, Any, Applied], None]] = {
    OpenBattle: _open_battle,
    CloseBattle: _close_battle,
    BattleMessage: _battle_message,
}
