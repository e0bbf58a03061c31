"""Small checks shared by the write operations (writer thread only)."""

from __future__ import annotations

from bot.economy.errors import AccountFrozen, InvalidInput
from bot.storage.batch import Tx

MAX_REASON = 500


def account_frozen(tx: Tx, guild_id: int, user_id: int) -> bool:
    row = tx.cur.execute(
        "SELECT frozen FROM accounts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    ).fetchone()
    return bool(row and row[0])


def refuse_frozen(tx: Tx, guild_id: int, user_id: int, *, own: bool) -> None:
    if account_frozen(tx, guild_id, user_id):
        raise AccountFrozen(own=own)


def require_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("A reason is required — it goes into the audit log.")
    return text[:MAX_REASON]
