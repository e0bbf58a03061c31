"""A stream of `/gift`s from several concurrent members through the stand-in, for the gateway
and fault tests of the real process (tests/e2e/test_invalid_session.py, test_fault_storm.py).

Each worker sends one gift after another (a member waits for the answer, and up to `think`
seconds more, before the next) until the test calls `stop` or `limit` gifts were sent. A gift
Discord could not deliver — its session was invalidated and the bot has not identified again —
is recorded as `undelivered` (that member saw "The application did not respond"), and the
worker waits for the bot to be back, as a member retrying later would; any other failure to get
an answer is a `failure`. Also the checks both tests make on what members saw: each gift's
answer (`wrong_answers`) and each combo's final count (`combo_shortfall`).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from bot.sandbox.standin import GENERAL, DiscordStandIn
from bot.sandbox.standin.errors import InteractionUndelivered, StandInError
from tests.e2e.test_crash import GIFT, START_COINS, Sent

ROSE, HEART = "Rose", GIFT  # streakable (repeats edit one announcement) and not
SHOWN = re.compile(rf"{ROSE} ×([\d,]+)")  # the count a Rose announcement's title shows


@dataclass
class Gift(Sent):
    gift: str = GIFT


@dataclass
class GiftStream:
    standin: DiscordStandIn
    members: list[int]
    seed: int = 0
    gifts: tuple[str, ...] = (GIFT,)  # what each gift is, drawn uniformly
    max_count: int = 1
    think: float = 0.0  # a member's pause between two gifts: uniform in [0, think] seconds
    sent: list[Gift] = field(default_factory=list)
    undelivered: list[Gift] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.stopping = False
        self.limit: int | None = None
        self._workers: list[asyncio.Task[None]] = []

    @property
    def acknowledged(self) -> int:
        return self.acknowledged_since(0)

    def acknowledged_since(self, index: int) -> int:
        """Acknowledged gifts among those sent from `sent[index]` on."""
        return sum(s.acknowledged for s in self.sent[index:])

    @property
    def delivered(self) -> list[Gift]:
        """What reached the bot: every gift sent but the undelivered ones."""
        lost = {id(s) for s in self.undelivered}
        return [s for s in self.sent if id(s) not in lost]

    def start(self, workers: int, limit: int | None = None) -> None:
        self.limit = limit
        self._workers = [asyncio.create_task(self._worker()) for _ in range(workers)]

    async def join(self) -> None:
        """Until every worker is done (`limit` reached, or `stop`), each gift answered or failed."""
        for task in self._workers:
            await task

    async def stop(self) -> None:
        """No new gifts; then `join`."""
        self.stopping = True
        await self.join()

    async def wait_for_acknowledged(
        self,
        count: int,
        since: int = 0,
        timeout: float = 30.0,  # noqa: ASYNC109
    ) -> None:
        """Until `count` gifts sent from `sent[since]` on are acknowledged (none may fail)."""
        await self.standin.wait_until(
            lambda: self.acknowledged_since(since) >= count or bool(self.failures),
            timeout=timeout,
            what=f"{count} acknowledged gifts",
        )
        assert not self.failures, self.failures[:3]

    async def _worker(self) -> None:
        while not self.stopping and not self.failures:
            if self.limit is not None and len(self.sent) >= self.limit:
                return
            sender, recipient = self.rng.sample(self.members, 2)
            gift, count = self.rng.choice(self.gifts), self.rng.randint(1, self.max_count)
            r = self.standin.user(sender).prepare("gift", member=recipient, gift=gift, count=count)
            s = Gift(r, sender, recipient, count, gift)
            self.sent.append(s)
            try:
                await self.standin.deliver(r, timeout=20)
            except InteractionUndelivered:
                self.undelivered.append(s)
                await self.standin.gateway.wait_for_sessions(1, timeout=30)
            except StandInError as exc:
                self.failures.append(f"{exc}: {r.describe()}")
            if self.think:
                await asyncio.sleep(self.rng.uniform(0, self.think))

    def expected_balances(self, committed: list[Gift]) -> dict[int, tuple[int, int]]:
        """(coins, diamonds) of every member after exactly `committed` (1 coin = 1 diamond)."""
        spent, got = Counter[int](), Counter[int]()
        for s in committed:
            spent[s.sender] += s.coins
            got[s.recipient] += s.coins
        return {uid: (START_COINS - spent[uid], got[uid]) for uid in self.members}


def announcements(standin: DiscordStandIn) -> list[tuple[int, str]]:
    """(interaction id, text) of every public gift post in #general."""
    return [
        (m.interaction_id, m.text)
        for m in standin.messages(GENERAL)
        if m.interaction_id is not None and "🎁" in m.text
    ]


def combo_shortfall(standin: DiscordStandIn, sent: list[Gift]) -> dict[tuple[int, int], int]:
    """Per (sender, recipient): Roses sent minus what their announcements show (none once every
    combo's last edit has landed with its latest count)."""
    by_id = {s.result.id: s for s in sent}
    gap = Counter[tuple[int, int]]()
    for s in sent:
        if s.gift == ROSE:
            gap[(s.sender, s.recipient)] += s.coins
    for iid, text in announcements(standin):
        s = by_id[iid]
        if s.gift == ROSE:
            shown = SHOWN.search(text)
            assert shown is not None, text
            gap[(s.sender, s.recipient)] -= int(shown.group(1).replace(",", ""))
    return {pair: n for pair, n in gap.items() if n}


def wrong_answers(sent: list[Gift]) -> list[str]:
    """The gifts not answered as promised: a Heart Me by its public announcement, a Rose by its
    announcement or, when it joined a running combo, a private "combo now" note."""
    return [
        s.result.describe()
        for s in sent
        if not s.acknowledged
        or f"{s.gift} ×" not in s.result.text
        or (s.result.ephemeral and (s.gift != ROSE or "combo now" not in s.result.text))
    ]
