"""What happens after a committed gift besides its answer: event boards, LIVE cards, battle posts
and level roles each learn of it here.

Plain synchronous calls, in the order the cogs registered them, on the event loop right after the
commit. Each hook only notes the gift (a dictionary look-up, a throttle poke) and starts its own
task when there is real work, such as a card to refresh or a role to give. discord.py's
`dispatch` made a task per listener per gift: four tasks for every `/gift`, whether or not any
board cared (docs/performance.md). A failing hook is logged and never reaches the gift's
sender, whose gift is already committed and announced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.economy.ledger import GiftResult

log = logging.getLogger("giftcord.gift_hooks")

GiftHook = Callable[[int, GiftResult], None]


class GiftHooks:
    def __init__(self) -> None:
        self._hooks: list[GiftHook] = []

    def add(self, hook: GiftHook) -> None:
        self._hooks.append(hook)

    def remove(self, hook: GiftHook) -> None:
        self._hooks.remove(hook)

    def committed(self, guild_id: int, result: GiftResult) -> None:
        """A gift was committed (never called for a replay: it changed nothing)."""
        for hook in self._hooks:
            try:
                hook(guild_id, result)
            except Exception:
                log.exception("after-gift hook %s failed for gift %s", hook, result.txn_id)
