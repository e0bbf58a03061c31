"""Reading the facts a decision asks for (`bot.economy.decide.Needs`) inside the batch's
transaction, so they are exactly what the guarded writes that follow will see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.economy import ledger as L
from bot.economy.decide import Facts, Needs
from bot.storage import battle_queries, codec, live_queries, queries

if TYPE_CHECKING:
    from bot.storage.batch import Tx
    from bot.storage.reading import Q


def live_event(q: Q, guild_id: int) -> L.Event | None:
    row = q.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE guild_id = ? AND ended_at IS NULL",
        (guild_id,),
    ).fetchone()
    return None if row is None else codec.event(row)


def read(tx: Tx, guild_id: int, needs: Needs, *, also: tuple[int, ...] = ()) -> Facts:
    got = Facts(guild_id)
    cur, now = tx.cur, tx.now
    if needs.treasure is not None:
        # First: its openers' and dropper's accounts are facts of the settlement too.
        got.treasure = queries.treasure_row(cur, guild_id, needs.treasure)
        if got.treasure is not None and needs.treasure_accounts:
            also += (*got.treasure.opener_ids, got.treasure.dropper_id)
    if needs.opens_today is not None:
        got.opens_today = queries.opens_today(cur, guild_id, needs.opens_today, now)
    users = tuple(dict.fromkeys(needs.accounts + also))
    for i in range(0, len(users), 500):  # well under SQLite's bound-parameter limit
        chunk = users[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for row in cur.execute(
            f"SELECT user_id, {codec.ACCOUNT_COLS} FROM accounts"
            f" WHERE guild_id = ? AND user_id IN ({marks})",
            (guild_id, *chunk),
        ):
            got.accounts[row[0]] = codec.account(guild_id, row[0], row[1:])
    if needs.spent_today is not None:
        got.spent_today = queries.spent_today_usd(cur, guild_id, needs.spent_today, now)
    if needs.cashout_today is not None:
        got.cashout_today = queries.cashout_today_usd(cur, guild_id, needs.cashout_today, now)
    if needs.live_event:
        got.live_event = tx.live_event(guild_id)
    if needs.payout is not None:
        got.payout = queries.payout_row(cur, guild_id, needs.payout)
    if needs.event is not None:
        got.event = queries.event_row(cur, guild_id, needs.event)
    if needs.guild_settings:
        got.guild_settings = queries.settings_row(cur, guild_id)
    if needs.live_of is not None:
        got.live = live_queries.live_of(cur, guild_id, needs.live_of)
    if needs.live_id is not None:
        got.live = live_queries.live_row(cur, guild_id, needs.live_id)
    for uid in needs.fighters:
        if (live := live_queries.live_of(cur, guild_id, uid)) is not None:
            got.lives[uid] = live
        if (battle := battle_queries.battle_of(cur, guild_id, uid)) is not None:
            got.battles[uid] = battle
    if needs.battle is not None:
        got.battle = battle_queries.battle_row(cur, guild_id, needs.battle)
    return got
