"""Combo windows for streakable gifts: the same sender sending the same streakable gift to the
same member within the combo window edits ONE announcement to "×N combo" instead of posting again.

Edits are coalesced per announcement: at most one edit in flight plus one trailing edit that
carries the latest count, and consecutive edits of one announcement are spaced at least
`min_edit_interval` seconds apart (real time) — never one edit per gift, even when every gift is
answered before the next arrives, because Discord rate-limits message edits. A server's combos
also share a budget of edits per second, so a server-wide burst of combos cannot take the
bot's time from answering gifts.

Memory is small and bounded. A window keeps only what the edit needs (`AnnouncementRef`: the
application id, the interaction token and the message id — not the whole `Interaction`), and
windows expire by time: they are kept in order of their last gift, so a sweep pops the expired
ones from the front without scanning the live ones; a sweeper task runs while any window is
open. A hard cap bounds a burst.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import discord

log = logging.getLogger("giftcord.combos")

# Interaction tokens live 15 minutes: stop extending a combo well before its first token dies.
TOKEN_LIFETIME_MARGIN = 14 * 60
# Seconds between two edits of the same announcement (Discord allows a handful per few seconds).
MIN_EDIT_INTERVAL = 1.0
# Combo edits per second in one server, all its combos together. An edit costs the bot about
# what answering a gift costs; when a whole server combos at once (an event: 150 fans sending
# Roses to one creator), the answers come first and the counters catch up in turn, each
# announcement's latest count still arriving in its trailing edit (docs/performance.md).
SERVER_EDITS_PER_SECOND = 10.0
# Real seconds between two sweeps for expired windows while any is open.
SWEEP_INTERVAL = 5.0
# An edit that waits longer than this for its first announcement gives up.
READY_TIMEOUT = 30.0
# At shutdown, how long the edits still owed may take: a trailing edit waits at most
# MIN_EDIT_INTERVAL for its turn, plus the request (and a retry if Discord answers 5xx).
CLOSE_FLUSH_SECONDS = 3.0

ComboKey = tuple[int, int, int, str]  # guild, sender, recipient, gift name (casefolded)


@dataclass(frozen=True, slots=True)
class AnnouncementRef:
    """Where a combo's announcement is: enough to edit it through the interaction's webhook."""

    application_id: int
    token: str
    message_id: int


@dataclass(slots=True)
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
    ref: AnnouncementRef | None = None  # set once the first announcement is out
    # Made only when an edit has to wait for the first announcement (rare): most windows
    # never need one.
    ready: asyncio.Future[None] | None = None
    failed: bool = False
    dirty: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)
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

    def _settle(self) -> None:
        if self.ready is not None and not self.ready.done():
            self.ready.set_result(None)


Render = Callable[[Combo], discord.Embed]
Edit = Callable[[AnnouncementRef, discord.Embed], Awaitable[object]]


def webhook_editor(client: discord.Client) -> Edit:
    """Edit an announcement through its interaction's webhook, on the client's HTTP session."""

    async def edit(ref: AnnouncementRef, embed: discord.Embed) -> None:
        webhook = discord.Webhook.partial(ref.application_id, ref.token, client=client)
        await webhook.edit_message(ref.message_id, embed=embed)

    return edit


async def announcement_ref(
    interaction: discord.Interaction, message_id: int | None
) -> AnnouncementRef:
    """The announcement this interaction's answer posted (`message_id`, from `respond`). None
    when another delivery of the same interaction answered first; its answer is still this
    interaction's original response, so one request looks its message id up."""
    if message_id is None:
        message_id = (await interaction.original_response()).id
    return AnnouncementRef(interaction.application_id, interaction.token, message_id)


class ComboTracker:
    def __init__(
        self,
        clock: Callable[[], float],
        window_seconds: float,
        render: Render,
        edit: Edit,
        *,
        max_entries: int = 10_000,
        min_edit_interval: float = MIN_EDIT_INTERVAL,
        server_edits_per_second: float = SERVER_EDITS_PER_SECOND,
        sweep_interval: float = SWEEP_INTERVAL,
    ) -> None:
        self.clock = clock
        self.window = window_seconds
        self.render = render
        self.edit = edit
        self.max_entries = max_entries
        self.min_edit_interval = min_edit_interval
        self.server_edit_spacing = 1.0 / server_edits_per_second
        self.sweep_interval = sweep_interval
        # Per server, the loop time of the next free edit slot: edits across the server's
        # combos go out spaced `server_edit_spacing` apart, first come first served.
        self._next_server_slot: dict[int, float] = {}
        # In order of each window's last gift (a hit moves its window to the end), so the
        # expired windows are always at the front.
        self._combos: OrderedDict[ComboKey, Combo] = OrderedDict()
        self._tasks: dict[asyncio.Task[None], Combo] = {}  # edit loops running, and their combo
        self._sweeper: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._combos)

    def _expired(self, combo: Combo, now: float) -> bool:
        return now - combo.last_at > self.window or now - combo.first_at > TOKEN_LIFETIME_MARGIN

    def prune(self, now: float) -> int:
        """Drop the windows whose time is up; how many. Stops at the first live window (the
        front one has the oldest last gift), so a sweep costs only what it removes. A window
        past the token margin but not its window waits for its window, or its next gift."""
        dropped = 0
        while self._combos:
            combo = next(iter(self._combos.values()))
            if now - combo.last_at <= self.window:
                break
            del self._combos[combo.key]
            dropped += 1
        return dropped

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while self._combos:
            await asyncio.sleep(self.sweep_interval)
            self.prune(self.clock())
            now = loop.time()
            self._next_server_slot = {g: at for g, at in self._next_server_slot.items() if at > now}

    def _ensure_sweeper(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.create_task(self._sweep(), name="combo-sweeper")

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
        self.prune(now)
        key = (guild_id, sender_id, recipient_id, gift_name.casefold())
        combo = self._combos.get(key)
        if combo is not None and not combo.failed and not self._expired(combo, now):
            combo.count += count
            combo.coins += coins
            combo.diamonds += diamonds
            combo.sends += 1
            combo.last_at = now
            self._combos.move_to_end(key)
            return combo, False
        self._combos.pop(key, None)  # a window past its token margin starts afresh
        combo = Combo(
            key, gift_name, count, coins, diamonds, first_at=now, last_at=now, message=message
        )
        self._combos[key] = combo
        while len(self._combos) > self.max_entries:
            self._combos.popitem(last=False)  # the least recently extended combo
        self._ensure_sweeper()
        return combo, True

    def attach(self, combo: Combo, ref: AnnouncementRef) -> None:
        """The first announcement is out: edits may now go to it."""
        combo.ref = ref
        combo._settle()

    def drop(self, combo: Combo) -> None:
        """The first announcement could not be sent: forget the combo so the next gift
        announces afresh."""
        combo.failed = True
        combo._settle()
        if self._combos.get(combo.key) is combo:
            del self._combos[combo.key]

    def request_edit(self, combo: Combo) -> None:
        combo.dirty = True
        if combo.task is None or combo.task.done():
            combo.task = asyncio.create_task(self._edit_loop(combo))
            self._tasks[combo.task] = combo
            combo.task.add_done_callback(self._forget_task)

    async def _edit_loop(self, combo: Combo) -> None:
        if combo.ref is None and not combo.failed:
            if combo.ready is None:
                combo.ready = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(asyncio.shield(combo.ready), timeout=READY_TIMEOUT)
            except TimeoutError:
                return
        # One edit in flight; anything that arrives meanwhile (or while the next edit waits for
        # its turn) sets `dirty` and is folded into the single trailing edit with the latest count.
        loop = asyncio.get_running_loop()
        while combo.dirty and not combo.failed and combo.ref is not None:
            now = loop.time()
            at = max(now, combo.next_edit_at, self._next_server_slot.get(combo.guild_id, 0.0))
            self._next_server_slot[combo.guild_id] = at + self.server_edit_spacing
            delay = at - now
            if delay > 0:
                await asyncio.sleep(delay)
                if combo.failed:
                    return
            combo.dirty = False
            combo.next_edit_at = loop.time() + self.min_edit_interval
            if not await self._send(combo):
                return

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    async def _send(self, combo: Combo) -> bool:
        """One edit with the combo's latest count; False when Discord refused it."""
        assert combo.ref is not None
        try:
            await self.edit(combo.ref, self.render(combo))
        except discord.HTTPException as exc:  # token expired or message deleted
            log.warning("combo edit failed for %s: %s", combo.key, exc)
            return False
        combo.edits += 1
        return True

    async def drain(self) -> None:
        """Wait for pending edits (shutdown and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, flush_timeout: float = CLOSE_FLUSH_SECONDS) -> None:
        """The cog is unloading (the process stops, or the extension reloads): the edits still
        owed go out at once, without the pacing (for up to `flush_timeout` seconds), then what
        is left and the sweeper are cancelled. The window lives only in memory: cancelling at
        once, or waiting for the server's edit slots, would leave an announcement showing an
        older count for good when the bot stops right after a repeat."""
        owed = list(self._tasks.items())
        for loop_task, _ in owed:
            loop_task.cancel()
        await asyncio.gather(*(loop_task for loop_task, _ in owed), return_exceptions=True)
        # An edit cut off in flight is owed too: its count may not have landed.
        final = [
            asyncio.create_task(self._send(combo))
            for _, combo in owed
            if combo.ref is not None and not combo.failed
        ]
        if final:
            _, late = await asyncio.wait(final, timeout=flush_timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*final, return_exceptions=True)
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        self._sweeper = None
