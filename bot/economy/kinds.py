"""The kinds of ledger transaction, as one enum.

Values are the strings storage writes in `txns.kind` (StrEnum, so they compare equal to those
strings), plus the two a history read derives from a gift: `gift_sent` / `gift_received`, from
the member's side of the entry. Their labels live in one map, `bot/ui/labels.py`.
"""

from __future__ import annotations

from enum import StrEnum


class TxnKind(StrEnum):
    PURCHASE = "purchase"
    GIFT = "gift"  # stored; history shows it as GIFT_SENT or GIFT_RECEIVED
    GIFT_SENT = "gift_sent"
    GIFT_RECEIVED = "gift_received"
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

    @classmethod
    def of(cls, value: str) -> TxnKind | None:
        """The kind for a stored string; None for one this version does not know (a newer
        version's row read by an older bot), which then renders under a generic label."""
        try:
            return cls(value)
        except ValueError:
            return None
