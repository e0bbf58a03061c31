"""The e2e benchmark's LIVE workload: the event workload's streams of Roses, to a creator who
is LIVE (benchmarks/e2e.py). The creator goes LIVE through `/live start` on the real client,
so every Rose also pokes the LIVE card's throttle; the card edits are counted, and the card's
final figures are checked against the gifts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.economy.reads import GetLive, LiveStats
from bot.sandbox.standin import GUILD_ID


async def go_live(b: Any, creator: int) -> int:
    """`/live start` as the creator, on giftcord's application; the LIVE's id."""
    await b.standin.deliver(b.standin.user(creator).prepare("live start", title="Benchmark"))
    live = await b.ledger.run(GetLive(GUILD_ID, creator))
    assert live is not None, "the creator did not go LIVE"
    return int(live.id)


async def live(
    b: Any,
    design: str,
    fans: Sequence[int],
    creator: int,
    per_fan: int,
    event: Callable[..., Awaitable[Any]],
) -> Any:
    """The event workload, with the creator LIVE (giftcord) — the bare bot has no LIVE."""
    if design != "giftcord":
        return await event(b, design, fans, creator, per_fan)
    live_id = await go_live(b, creator)
    cog = b.giftcord.get_cog("Live")
    edits0 = cog.boards.edits
    out = await event(b, design, fans, creator, per_fan)
    await cog.boards.throttle.drain()  # the trailing card edit lands too
    out.card_edits = cog.boards.edits - edits0
    figures = await b.ledger.run(LiveStats(GUILD_ID, live_id))
    served = out.interactions - out.failed
    out.combo_ok = (
        bool(out.combo_ok)
        and figures is not None
        and figures.diamonds == served
        and f"{served:,}" in card_text(b, figures.live)  # the trailing edit shows them all
    )
    return out


def card_text(b: Any, live: Any) -> str:
    """The LIVE card as it is now in the stand-in's channel."""
    channel = b.standin.world.channels[live.channel_id]
    return next((m.text for m in channel.log if m.id == live.message_id), "")
