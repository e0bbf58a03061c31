"""Domain errors. Each one carries the sentence a member should read, saying what to do next.

The error-to-reply mapper in `bot/app.py` shows `error.message` ephemerally and nothing else;
anything that is not an `EconomyError` becomes an apology with an incident id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def _fmt(n: int) -> str:
    return f"{n:,}"


class EconomyError(Exception):
    """A refusal the user can act on. `message` is shown to them verbatim."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(EconomyError):
    """A typed amount that is not a whole, positive number of coins or diamonds within range."""


class InvalidInput(EconomyError):
    """An option Discord should have validated but a modified client sent anyway."""


class InsufficientCoins(EconomyError):
    def __init__(self, have: int, need: int) -> None:
        self.have, self.need, self.missing = have, need, need - have
        super().__init__(
            f"You need {_fmt(need)} coins but have {_fmt(have)} — {_fmt(need - have)} missing. "
            "Top up with `/coins buy`."
        )


class InsufficientDiamonds(EconomyError):
    def __init__(self, have: int, need: int) -> None:
        self.have, self.need, self.missing = have, need, need - have
        super().__init__(
            f"You asked for {_fmt(need)} diamonds but have {_fmt(have)} — "
            f"{_fmt(need - have)} short. Check `/diamonds balance`."
        )


class UnknownGift(EconomyError):
    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name, self.suggestions = name, list(suggestions)
        hint = (
            "Did you mean " + ", ".join(f"**{s}**" for s in suggestions) + "?"
            if suggestions
            else "See `/gifts` for the catalogue."
        )
        super().__init__(f"There is no gift called “{name}”. {hint}")


class SelfGift(EconomyError):
    def __init__(self) -> None:
        super().__init__("You can't send a gift to yourself — pick another member.")


class BotRecipient(EconomyError):
    def __init__(self) -> None:
        super().__init__("Bots can't receive gifts — pick a member of the server.")


class NotAMember(EconomyError):
    def __init__(self) -> None:
        super().__init__("That person is not a member of this server.")


class AccountFrozen(EconomyError):
    def __init__(self, *, own: bool) -> None:
        self.own = own
        super().__init__(
            "Your account is frozen: you can't send, receive or cash out. Ask a moderator."
            if own
            else "That member's account is frozen and can't receive gifts right now."
        )


class BalanceLimit(EconomyError):
    def __init__(self, currency: str, limit: int) -> None:
        super().__init__(
            f"That would take a {currency} balance above the maximum of {_fmt(limit)}. "
            "Try a smaller amount."
        )


class DailyCapReached(EconomyError):
    def __init__(self, what: str, remaining: str, resets_at: datetime) -> None:
        self.resets_at = resets_at
        stamp = int(resets_at.timestamp())
        super().__init__(
            f"That is over today's {what}: {remaining} left. "
            f"The limit resets <t:{stamp}:R> (midnight UTC)."
        )


class AgeConfirmationRequired(EconomyError):
    def __init__(self) -> None:
        super().__init__(
            "Buying coins and cashing out need a one-time confirmation that you are 18 or older."
        )


class NotEligible(EconomyError):
    def __init__(self, failed: Sequence[str]) -> None:
        self.failed = list(failed)
        super().__init__(
            "You can't cash out yet: "
            + "; ".join(failed)
            + ". Run `/creator register` and see `/creator status`."
        )


class BelowMinimum(EconomyError):
    def __init__(self, usd: str, minimum: str, missing_diamonds: int) -> None:
        super().__init__(
            f"A cash-out must be at least {minimum}; {usd} is below it — "
            f"{_fmt(missing_diamonds)} more diamonds needed."
        )


class NotFound(EconomyError):
    """A referenced record (cash-out request, event) does not exist in this server."""


class InvalidState(EconomyError):
    """The operation does not fit the record's current state (e.g. an already decided payout)."""


class NotModerator(EconomyError):
    def __init__(self) -> None:
        super().__init__(
            "Only moderators can do that (Manage Server permission or the moderator role)."
        )


class NoPrivateMessageError(EconomyError):
    def __init__(self) -> None:
        super().__init__("giftcord works inside a server — run this command there.")
