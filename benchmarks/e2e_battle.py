"""The e2e benchmark's battle workload: the event workload's streams of Roses, to a creator who
is LIVE and in a LIVE Match (benchmarks/e2e.py). Both creators go LIVE and the battle starts
through `/battle start` and its Accept button on the real client, so every Rose pokes the LIVE
card's throttle and the battle post's; the battle post's edits are counted (they must stay
coalesced), and its final score is checked against the gifts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from benchmarks.e2e_live import go_live
from bot.economy.reads import BattleScore, GetBattle
from bot.sandbox.standin import GUILD_ID


async def start_battle(b: Any, creator: int, opponent: int) -> int:
    """Both LIVE, `/battle start` by the creator, Accept by the opponent; the battle's id."""
    for uid in (creator, opponent):
        await go_live(b, uid)
    invitation = b.standin.user(creator).prepare("battle start", opponent=opponent, minutes=30)
    await b.standin.deliver(invitation)
    message = invitation.message
    accept = next(
        item["custom_id"]
        for row in message.components
        for item in row.get("components", [])
        if item.get("label") == "Accept"
    )
    await b.standin.deliver(b.standin.user(opponent).prepare_click(message, accept))
    battle = await b.ledger.run(GetBattle(GUILD_ID, creator))
    assert battle is not None, "the battle did not start"
    return int(battle.id)


async def battle(
    b: Any,
    design: str,
    fans: Sequence[int],
    creator: int,
    opponent: int,
    per_fan: int,
    event: Callable[..., Awaitable[Any]],
) -> Any:
    """The event workload, with the creator battling (giftcord) — the bare bot has no battle."""
    if design != "giftcord":
        return await event(b, design, fans, creator, per_fan)
    battle_id = await start_battle(b, creator, opponent)
    cog = b.giftcord.get_cog("Battle")
    edits0 = cog.boards.edits
    out = await event(b, design, fans, creator, per_fan)
    await cog.boards.throttle.drain()  # the trailing post edit lands too
    out.card_edits = cog.boards.edits - edits0
    score = await b.ledger.run(BattleScore(GUILD_ID, battle_id))
    served = out.interactions - out.failed
    out.combo_ok = (
        bool(out.combo_ok)
        and score is not None
        and score.challenger.score == served
        and f" {served:,} ▰" in post_text(b, score.battle)  # the trailing edit shows them all
    )
    await cog.boards.finish(GUILD_ID, battle_id)  # the next run's creators start afresh
    return out


def post_text(b: Any, battle: Any) -> str:
    channel = b.standin.world.channels[battle.channel_id]
    return next((m.text for m in channel.log if m.id == battle.message_id), "")
