"""Exceptions: what a test sees (``StandInError`` family) and the Discord-shaped HTTP refusal."""

from __future__ import annotations

from typing import Any


class StandInError(Exception):
    """Base class of every error the stand-in raises into a test."""


class CommandNotSynced(StandInError):
    """``invoke`` before the bot (or the test) registered any command."""


class OptionError(StandInError):
    """The options would be refused by Discord's client (unknown, missing, wrong type, range...)."""


class ComponentError(StandInError):
    """A click Discord's client could not make (no such button, disabled, someone else's ephemeral)."""


class NoBotConnected(StandInError):
    """No gateway session of the target application exists, so nothing would receive the event."""


class InteractionUndelivered(NoBotConnected):
    """The application's session was invalidated (op 9, d=false) and the bot has not identified
    again: Discord drops the interaction, the bot never sees it, and the member is shown "The
    application did not respond"."""


class StandInTimeout(StandInError, TimeoutError):
    """A wait ran out; the message says what was awaited and what was seen instead."""


class InteractionFailed(StandInError):
    """The bot's first answer to an interaction was refused (late, invalid body...)."""

    def __init__(self, message: str, attempt: Any = None) -> None:
        super().__init__(message)
        self.attempt = attempt


class DiscordError(Exception):
    """Raised by route handlers: becomes a Discord-shaped 4xx answer ``{"code", "message"}``."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


# Answers Discord gives that tests provoke on purpose.
def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def unknown_interaction() -> DiscordError:
    return DiscordError(404, 10062, "Unknown interaction")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def invalid_form(errors: Any) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)
