"""One label per ledger transaction kind, for `/history`, `/mod history` and `/mod audit` alike."""

from __future__ import annotations

from bot.economy.kinds import TxnKind

TXN_LABELS: dict[TxnKind, str] = {
    TxnKind.PURCHASE: "Bought coins",
    TxnKind.GIFT: "Gift",
    TxnKind.GIFT_SENT: "Gift sent",
    TxnKind.GIFT_RECEIVED: "Gift received",
    TxnKind.GRANT: "Moderator grant",
    TxnKind.REVOKE: "Moderator revoke",
    TxnKind.SET: "Moderator set",
    TxnKind.BULK_GRANT: "Role grant",
    TxnKind.FREEZE: "Frozen",
    TxnKind.UNFREEZE: "Unfrozen",
    TxnKind.CASHOUT_REQUEST: "Cash-out requested",
    TxnKind.CASHOUT_APPROVE: "Cash-out approved",
    TxnKind.CASHOUT_REJECT: "Cash-out rejected (diamonds returned)",
    TxnKind.EVENT_START: "Event started",
    TxnKind.EVENT_END: "Event ended",
    TxnKind.EXCHANGE: "Exchanged diamonds for coins",
    TxnKind.LIVE_START: "Went LIVE",
    TxnKind.LIVE_END: "LIVE ended",
    TxnKind.LEVEL_ROLE: "Level role set",
    TxnKind.TREASURE_DROP: "Dropped a treasure box",
    TxnKind.TREASURE_OPEN: "Opened a treasure box",
    TxnKind.TREASURE_SPLIT: "Treasure box share",
    TxnKind.TREASURE_RETURN: "Treasure box returned (nobody opened it)",
    TxnKind.BATTLE_START: "LIVE Match started",
    TxnKind.BATTLE_END: "LIVE Match ended",
}


def txn_label(kind: str) -> str:
    try:
        return TXN_LABELS[TxnKind(kind)]
    except ValueError:  # a kind this version does not know: still readable, never an error
        return kind.replace("_", " ").capitalize()
