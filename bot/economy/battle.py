"""LIVE Match battles, as data: the battle row and its figures (pure; no I/O).

A battle stores no scores of its own. Like a LIVE, its start and its end are transaction records
(BATTLE_START, BATTLE_END), and each side's points are the diamonds of the gift rows to that
creator whose txn ids lie between the two (only the named gift when `gift_name` is set), so a
gift during a battle costs nothing more to write and the result is always what the gifts say.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_MINUTES = 1
MAX_MINUTES = 30
DEFAULT_MINUTES = 5
INVITE_SECONDS = 60.0  # the opponent accepts within a minute, or the invitation expires


@dataclass(frozen=True, slots=True)
class Battle:
    id: int
    guild_id: int
    challenger_id: int  # who ran `/battle start` (the left side of the score bar)
    opponent_id: int  # who accepted (the right side)
    challenger_live: int  # the LIVE of each side: its recap lists the battle
    opponent_live: int
    gift_name: str | None  # only this gift scores; None: every gift
    minutes: int
    channel_id: int | None
    message_id: int | None  # the public battle post
    started_at: float  # when the opponent accepted
    ends_at: float  # started_at + minutes
    ended_at: float | None  # None while the battle is on
    start_txn: int
    end_txn: int | None
    replayed: bool = False

    @property
    def on(self) -> bool:
        return self.ended_at is None

    def side_of(self, user_id: int) -> int:
        """0 for the challenger, 1 for the opponent (the caller checks membership)."""
        return 0 if user_id == self.challenger_id else 1


@dataclass(frozen=True, slots=True)
class BattleSide:
    user_id: int
    score: int  # diamonds received during the battle (of the named gift, when there is one)
    top_supporter: int | None  # the sender of most of those diamonds
    top_diamonds: int


@dataclass(frozen=True, slots=True)
class BattleFigures:
    battle: Battle
    challenger: BattleSide
    opponent: BattleSide

    @property
    def winner_id(self) -> int | None:
        """The side with more points; None for a draw."""
        a, b = self.challenger.score, self.opponent.score
        if a == b:
            return None
        return self.challenger.user_id if a > b else self.opponent.user_id
