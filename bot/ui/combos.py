"""Combo state for streakable gifts: the same sender sending the same streakable gift to the same
member within the combo window edits ONE announcement to "×N combo" instead of posting again.

Edits are coalesced per announcement: at most one edit in flight plus one trailing edit that
carries the latest count, and consecutive edits of one announcement are spaced at least
`min_edit_interval` seconds apart (real time) — never one edit per gift, even when every gift is
answered before the next arrives, because Discord rate-limits message edits.
Memory is bounded: entries expire after the window (checked on every hit) and there is a hard cap.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import discord

log = logging.getLogger("giftcord.combos")

# Interaction tokens live 15 minutes: stop extending a combo well before its first token dies.
TOKEN_LIFETIME_MARGIN = 14 * 60
# Seconds between two edits of the same announcement (Discord allows a handful per few seconds).
MIN_EDIT_INTERVAL = 1.0

ComboKey = tuple[int, int, int, str]  # guild, sender, recipient, gift name (casefolded)


@dataclass
class Combo:
    key: ComboKey
    gift_name: str
    count: int  # gifts in the combo (sum of counts)
    coins: int
    diamonds: int
    first_at: float
    last_at: float
    sends: int = 1
    message: str | None = None  # the first gift's message, kept on the edited announcement
    interaction: discord.Interaction | None = None  # the first announcement's interaction
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    failed: bool = False
    dirty: bool = False
    task: asyncio.Task[None] | None = None
    edits: int = 0  # edits actually sent (for logs and tests)
    next_edit_at: float = 0.0  # event-loop time before which the next edit waits

    @property
    def guild_id(self) -> int:
        return self.key[0]

    @property
    def sender_id(self) -> int:
        return self.key[1]

    @property
    def recipient_id(self) -> int:
        return self.key[2]


Render = Callable[[Combo], discord.Embed]


class ComboTracker:
    def __init__(
        self,
        clock: Callable[[], float],
        window_seconds: float,
        render: Render,
        *,
        max_entries: int = 10_000,
        min_edit_interval: float = MIN_EDIT_INTERVAL,
    ) -> None:
        self.clock = clock
        self.window = window_seconds
        self.render = render
        self.max_entries = max_entries
        self.min_edit_interval = min_edit_interval
        self._combos: OrderedDict[ComboKey, Combo] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._combos)

    def _expire(self, now: float) -> None:
        for key in [
            k
            for k, c in self._combos.items()
            if now - c.last_at > self.window or now - c.first_at > TOKEN_LIFETIME_MARGIN
        ]:
            del self._combos[key]

    def hit(
        self,
        guild_id: int,
        sender_id: int,
        recipient_id: int,
        gift_name: str,
        *,
        count: int,
        coins: int,
        diamonds: int,
        message: str | None,
    ) -> tuple[Combo, bool]:
        """Record one successful streakable gift. Returns (combo, is_first): the first gift of a
        combo owns the announcement (call `attach` once it is sent); a repeat joins the combo
        and the caller asks for an edit with `request_edit`."""
        now = self.clock()
        self._expire(now)
        key = (guild_id, sender_id, recipient_id, gift_name.casefold())
        combo = self._combos.get(key)
        if combo is not None and not combo.failed:
            combo.count += count
            combo.coins += coins
            combo.diamonds += diamonds
            combo.sends += 1
            combo.last_at = now
            self._combos.move_to_end(key)
            return combo, False
        combo = Combo(
            key, gift_name, count, coins, diamonds, first_at=now, last_at=now, message=message
        )
        self._combos[key] = combo
        while len(self._combos) > self.max_entries:
            self._combos.popitem(last=False)  # the least recently extended combo
        return combo, True

    def attach(self, combo: Combo, interaction: discord.Interaction) -> None:
        """The first announcement is out: edits may now go to its interaction's webhook."""
        combo.interaction = interaction
        combo.ready.set()

    def drop(self, combo: Combo) -> None:
        """The first announcement could not be sent: forget the combo so the next gift
        announces afresh."""
        combo.failed = True
        combo.ready.set()
        if self._combos.get(combo.key) is combo:
            del self._combos[combo.key]

    def request_edit(self, combo: Combo) -> None:
        combo.dirty = True
        if combo.task is None or combo.task.done():
            combo.task = asyncio.create_task(self._edit_loop(combo))
            self._tasks.add(combo.task)
            combo.task.add_done_callback(self._tasks.discard)

    async def _edit_loop(self, combo: Combo) -> None:
        try:
            await asyncio.wait_for(combo.ready.wait(), timeout=30)
        except TimeoutError:
            return
        # One edit in flight; anything that arrives meanwhile (or while the next edit waits for
        # its turn) sets `dirty` and is folded into the single trailing edit with the latest count.
        loop = asyncio.get_running_loop()
        while combo.dirty and not combo.failed and combo.interaction is not None:
            delay = combo.next_edit_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                if combo.failed:
                    return
            combo.dirty = False
            combo.next_edit_at = loop.time() + self.min_edit_interval
            try:
                await combo.interaction.edit_original_response(embed=self.render(combo))
                combo.edits += 1
            except discord.HTTPException as exc:  # token expired or message deleted
                log.warning("combo edit failed for %s: %s", combo.key, exc)
                return

    async def drain(self) -> None:
        """Wait for pending edits (shutdown and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
