"""The fake clock tests hand to the ledger and the cogs (unix seconds); tests move it by hand."""

from __future__ import annotations

from datetime import UTC, datetime

# A fixed, ordinary moment (a Sunday afternoon UTC) so daily caps and periods are predictable.
START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
