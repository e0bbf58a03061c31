"""What a ledger transaction is: one enum, used by storage (the `kind` column), history and audit.

History shows a gift twice — sent by one member, received by another — so it has two kinds the
storage never writes (`GIFT_SENT`, `GIFT_RECEIVED`): a gift's row is `GIFT`, and each member's view
of it is one side.
"""

from __future__ import annotations

from enum import StrEnum


class TxnKind(StrEnum):
    PURCHASE = "purchase"
    GIFT = "gift"
    GIFT_SENT = "gift_sent"  # history only: the sender's side of a GIFT
    GIFT_RECEIVED = "gift_received"  # history only: the recipient's side of a GIFT
    GRANT = "grant"
    REVOKE = "revoke"
    SET = "set"
    BULK_GRANT = "bulk_grant"
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    CASHOUT_REQUEST = "cashout_request"
    CASHOUT_APPROVE = "cashout_approve"
    CASHOUT_REJECT = "cashout_reject"
    EVENT_START = "event_start"
    EVENT_END = "event_end"
    EXCHANGE = "exchange"  # diamonds turned into coins (`/diamonds exchange`)
    LIVE_START = "live_start"  # a member went LIVE (its txn id starts the LIVE's gift range)
    LIVE_END = "live_end"  # a LIVE ended (its txn id ends the range)
    LEVEL_ROLE = "level_role"  # a moderator mapped (or unmapped) a gifter level to a role
    TREASURE_DROP = "treasure_drop"  # coins from the dropper into escrow
    TREASURE_OPEN = "treasure_open"  # a member opened a box (no money moves; claims the key)
    TREASURE_SPLIT = "treasure_split"  # escrow to the openers, at random
    TREASURE_RETURN = "treasure_return"  # escrow back to the dropper (nobody opened)
    BATTLE_START = "battle_start"  # a LIVE Match began (its txn id starts the scoring range)
    BATTLE_END = "battle_end"  # a LIVE Match ended (its txn id ends the range)
