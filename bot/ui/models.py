"""View-models: the plain data `bot/services` hands to `bot/ui` to render.

They live on the rendering side so `bot/ui` never imports `bot/services` (services depend on ui,
never the other way round)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.economy.ledger import Event, GuildSettings, LeaderRow

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PostOutcome:
    """What happened to an audit (or announcement) post, phrased for the moderator."""

    posted: bool
    note: str
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class EventBoard:
    """An event and its top gifters and creators: what a progress or results post shows."""

    event: Event
    gifters: list[LeaderRow]
    creators: list[LeaderRow]


@dataclass(frozen=True, slots=True)
class Audited(Generic[R]):
    """A moderator action's ledger result and how its audit post went; `audit` is None when
    nothing was posted (a replayed key, or a change that changed nothing)."""

    result: R
    audit: PostOutcome | None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """A `/settings set`: the settings before and after, and where the change was posted — in
    the audit channel, and in the previous one too when the audit channel moved."""

    before: GuildSettings
    after: GuildSettings
    audit: PostOutcome
    previous_audit: PostOutcome | None
