"""Every ledger query as data (see `bot.economy.requests`): `await ledger.run(GetAccount(g, u))`.

Each is answered from one consistent snapshot and never waits behind writes. Times ("today",
"this week") are the backend's clock reading, taken once per query.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.economy import battle as B
from bot.economy import ledger as L
from bot.economy.requests import Read


@dataclass(frozen=True, slots=True)
class GetAccount(Read[L.Account]):
    """A member's account; a member with no account yet reads as all zeros."""

    result = L.Account
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class GetRank(Read["int | None"]):
    """Competition rank on a board (ties share a rank); None when not on it."""

    result = int
    guild_id: int
    user_id: int
    board: L.Board
    period: L.Period
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class GetLeaderboard(Read[L.Page[L.LeaderRow]]):
    result = L.Page
    guild_id: int
    board: L.Board
    period: L.Period
    event_id: int | None = None
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True, slots=True)
class GetHistory(Read[L.Page[L.HistoryEntry]]):
    """A member's ledger entries, newest first."""

    result = L.Page
    guild_id: int
    user_id: int
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True, slots=True)
class GetAudit(Read[L.Page[L.AuditEntry]]):
    """Moderator actions, newest first, optionally about one member or by one actor."""

    result = L.Page
    guild_id: int
    member_id: int | None = None
    actor_id: int | None = None
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True, slots=True)
class SpentToday(Read[Decimal]):
    """List-price USD of the member's purchases this UTC day (the daily spend cap's input)."""

    result = Decimal
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class CashoutRequestedToday(Read[Decimal]):
    """Gross USD of the member's cash-out requests this UTC day, rejected ones excluded."""

    result = Decimal
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class ListCashouts(Read[L.Page[L.Payout]]):
    result = L.Page
    guild_id: int
    user_id: int | None = None
    state: L.PayoutState | None = None
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True, slots=True)
class GetCashout(Read["L.Payout | None"]):
    """One cash-out request of this server, or None."""

    result = L.Payout
    guild_id: int
    payout_id: int


@dataclass(frozen=True, slots=True)
class EarningsPerDay(Read[list[L.DayEarnings]]):
    """One entry per UTC day of the last `days` days (oldest first), zeros included."""

    result = list
    guild_id: int
    user_id: int
    days: int


@dataclass(frozen=True, slots=True)
class TopGifts(Read[list[L.GiftTotal]]):
    result = list
    guild_id: int
    user_id: int
    days: int
    limit: int = 5


@dataclass(frozen=True, slots=True)
class TopSupporters(Read[list[L.SupporterTotal]]):
    result = list
    guild_id: int
    user_id: int
    days: int
    limit: int = 5


@dataclass(frozen=True, slots=True)
class GetLiveEvent(Read["L.Event | None"]):
    result = L.Event
    guild_id: int


@dataclass(frozen=True, slots=True)
class ListEvents(Read[list[L.Event]]):
    """Newest first: the live event and past ones (for autocomplete and results)."""

    result = list
    guild_id: int
    limit: int = 25


@dataclass(frozen=True, slots=True)
class GetEvent(Read["L.Event | None"]):
    result = L.Event
    guild_id: int
    event_id: int


@dataclass(frozen=True, slots=True)
class DueEvents(Read[list[L.Event]]):
    """Live events whose end time has passed (all servers) — ended at start-up and by timer."""

    result = list


@dataclass(frozen=True, slots=True)
class GetGuildSettings(Read[L.GuildSettings]):
    result = L.GuildSettings
    guild_id: int


@dataclass(frozen=True, slots=True)
class ExportRows(Read[list[dict[str, object]]]):
    """The server's ledger entries, oldest first, as flat rows for CSV."""

    result = list
    guild_id: int
    days: int | None = None


# --- LIVE and levels ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetLive(Read["L.Live | None"]):
    """The member's LIVE now (None when they are not LIVE)."""

    result = L.Live
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class GetLiveById(Read["L.Live | None"]):
    result = L.Live
    guild_id: int
    live_id: int


@dataclass(frozen=True, slots=True)
class OpenLives(Read[list[L.Live]]):
    """Every LIVE now, of one server or (None) all, oldest first."""

    result = list
    guild_id: int | None = None


@dataclass(frozen=True, slots=True)
class DueLives(Read[list[L.Live]]):
    """LIVEs past their `ends_at` (all servers): ended at start-up and by timer."""

    result = list


@dataclass(frozen=True, slots=True)
class LiveStats(Read["L.LiveFigures | None"]):
    """A LIVE's figures (diamonds, gifters, top 3, most-sent gift), derived from its gifts."""

    result = L.LiveFigures
    guild_id: int
    live_id: int
    top: int = 3


@dataclass(frozen=True, slots=True)
class GetLevelRoles(Read[dict[int, int]]):
    """The server's level → role mapping."""

    result = dict
    guild_id: int


@dataclass(frozen=True, slots=True)
class GiftersBetween(Read[list[int]]):
    """Members (not departed) whose lifetime coins sent as gifts are ≥ `at_least` and, when
    given, < `below`: who is at a level range (a new level role's first pass)."""

    result = list
    guild_id: int
    at_least: int
    below: int | None = None


@dataclass(frozen=True, slots=True)
class LifetimeSpent(Read[dict[int, int]]):
    """Lifetime coins sent as gifts of each listed member (their gifter level's input)."""

    result = dict
    guild_id: int
    user_ids: tuple[int, ...]


# --- treasure boxes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetTreasure(Read["L.TreasureBox | None"]):
    """One treasure box of this server with its openers (and shares, once settled), or None."""

    result = L.TreasureBox
    guild_id: int
    box_id: int


@dataclass(frozen=True, slots=True)
class UnfinishedTreasures(Read[list[L.TreasureBox]]):
    """Every box not settled yet, or settled but with its results not posted yet (all
    servers), soonest end first: the treasure service arms a timer for each open one, settles
    the overdue ones at once and posts the results nobody posted."""

    result = list


# --- LIVE Match battles ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetBattle(Read["B.Battle | None"]):
    """The member's battle now (None when they are in none)."""

    result = B.Battle
    guild_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class GetBattleById(Read["B.Battle | None"]):
    result = B.Battle
    guild_id: int
    battle_id: int


@dataclass(frozen=True, slots=True)
class OpenBattles(Read[list[B.Battle]]):
    """Every battle on now (all servers), soonest end first: timers are armed for them at
    start-up, and the overdue ones end."""

    result = list


@dataclass(frozen=True, slots=True)
class BattleScore(Read["B.BattleFigures | None"]):
    """Both sides' points and top supporters, derived from the gift rows of the battle."""

    result = B.BattleFigures
    guild_id: int
    battle_id: int


@dataclass(frozen=True, slots=True)
class BattlesOfLive(Read[list[B.BattleFigures]]):
    """The battles one LIVE fought, oldest first, with their results (the LIVE's recap)."""

    result = list
    guild_id: int
    live_id: int
