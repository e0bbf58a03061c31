"""LIVE Match battles through the port (`Ledger.run` and `verify` only, so every backend runs
them): the start's refusals, the guard on "in no other battle" under concurrent starts, a
battle that ends once with two enders, the scores derived from the gift rows (window and gift
filter), the recap's battles of a LIVE, and replays."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.economy import errors as E
from bot.economy.reads import BattleScore, BattlesOfLive, GetBattle, GetBattleById, OpenBattles
from bot.economy.requests import EndBattle, SendGift, SetBattleMessage, StartBattle, StartLive
from tests.clock import FakeClock
from tests.storage.conftest import GUILD, fund, key

BOB, CAROL, DAVE, ERIN = 31, 32, 33, 34
FAN1, FAN2 = 41, 42


async def go_live(ledger: Any, *user_ids: int) -> dict[int, Any]:
    return {
        uid: await ledger.run(StartLive(GUILD, uid, key("live"), None, 7, max_hours=12))
        for uid in user_ids
    }


def start(a: int, b: int, *, minutes: int = 5, gift: str | None = None, **kw: Any) -> Any:
    return StartBattle(GUILD, a, b, kw.pop("k", None) or key("battle"), minutes, gift, 7, **kw)


async def send(ledger: Any, sender: int, recipient: int, gift: str, count: int = 1) -> None:
    await ledger.run(SendGift(GUILD, sender, recipient, key=key("g"), gift_name=gift, count=count))


async def test_refusals_change_nothing(ledger: Any) -> None:
    await go_live(ledger, BOB)
    with pytest.raises(E.InvalidState, match="/live start"):
        await ledger.run(start(CAROL, BOB))  # the challenger is not LIVE
    with pytest.raises(E.InvalidState, match="is not LIVE"):
        await ledger.run(start(BOB, CAROL))
    await go_live(ledger, CAROL)
    with pytest.raises(E.InvalidInput, match="yourself"):
        await ledger.run(start(BOB, BOB))
    with pytest.raises(E.InvalidInput, match="Bots"):
        await ledger.run(start(BOB, CAROL, opponent_is_bot=True))
    for minutes in (0, 31):
        with pytest.raises(E.InvalidInput, match="1–30 minutes"):
            await ledger.run(start(BOB, CAROL, minutes=minutes))
    with pytest.raises(E.UnknownGift) as typo:
        await ledger.run(start(BOB, CAROL, gift="Rosse"))
    assert "Rose" in typo.value.suggestions
    assert await ledger.run(OpenBattles()) == []
    assert (await ledger.verify()).ok


async def test_one_battle_per_fighter_even_with_concurrent_starts(ledger: Any) -> None:
    await go_live(ledger, BOB, CAROL, DAVE, ERIN)
    # Bob and Dave both start with Carol at once; Erin with Dave: Carol fights once.
    results = await asyncio.gather(
        ledger.run(start(BOB, CAROL)),
        ledger.run(start(DAVE, CAROL)),
        return_exceptions=True,
    )
    started = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(started) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], E.InvalidState)
    assert "already in a battle" in str(refused[0])
    battle = started[0]
    assert (await ledger.run(GetBattle(GUILD, CAROL))).id == battle.id
    other = DAVE if battle.challenger_id == BOB else BOB
    assert await ledger.run(GetBattle(GUILD, other)) is None
    with pytest.raises(E.InvalidState, match="already in a battle"):
        await ledger.run(start(ERIN, battle.challenger_id))
    # The same accept delivered twice starts one battle.
    again = start(other, ERIN, k="accept-1")
    first = await ledger.run(again)
    replay = await ledger.run(again)
    assert replay.replayed
    assert replay.id == first.id
    assert len(await ledger.run(OpenBattles())) == 2
    assert (await ledger.verify()).ok


async def test_scores_window_gift_filter_and_one_end(ledger: Any, clock: FakeClock) -> None:
    await fund(ledger, FAN1, 100_000)
    await fund(ledger, FAN2, 100_000)
    lives = await go_live(ledger, BOB, CAROL, DAVE)
    await send(ledger, FAN1, BOB, "Rose", 50)  # before the battle: no points
    everything = await ledger.run(start(BOB, CAROL, minutes=2))
    await send(ledger, FAN1, BOB, "Doughnut", 2)  # 60
    await send(ledger, FAN2, BOB, "Rose", 3)  # 3
    await send(ledger, FAN2, CAROL, "Rose", 70)  # 70
    await send(ledger, FAN1, DAVE, "Rose", 9)  # Dave is not in it
    score = await ledger.run(BattleScore(GUILD, everything.id))
    assert (score.challenger.score, score.opponent.score) == (63, 70)
    assert (score.challenger.top_supporter, score.challenger.top_diamonds) == (FAN1, 60)
    assert (score.opponent.top_supporter, score.winner_id) == (FAN2, CAROL)

    clock.advance(121)  # its time is up; a gift now does not count, even before the end
    await send(ledger, FAN1, BOB, "Doughnut", 10)
    enders = await asyncio.gather(
        ledger.run(EndBattle(GUILD, everything.id)),
        ledger.run(EndBattle(GUILD, everything.id, key="other-ender")),
    )
    assert sorted(e.replayed for e in enders) == [False, True]
    ended = await ledger.run(GetBattleById(GUILD, everything.id))
    assert ended.ended_at == ended.ends_at
    assert ended.end_txn is not None
    final = await ledger.run(BattleScore(GUILD, everything.id))
    assert (final.challenger.score, final.opponent.score) == (63, 70)
    assert await ledger.run(GetBattle(GUILD, BOB)) is None

    # Only the named gift scores.
    roses = await ledger.run(start(DAVE, BOB, gift="ROSE", minutes=1))
    assert roses.gift_name == "Rose"
    await send(ledger, FAN1, DAVE, "Doughnut", 5)
    await send(ledger, FAN2, DAVE, "Rose", 2)
    await send(ledger, FAN1, BOB, "Rose", 2)
    tie = await ledger.run(BattleScore(GUILD, roses.id))
    assert (tie.challenger.score, tie.opponent.score, tie.winner_id) == (2, 2, None)
    await ledger.run(SetBattleMessage(GUILD, roses.id, 7, 777))
    assert (await ledger.run(GetBattleById(GUILD, roses.id))).message_id == 777
    with pytest.raises(E.NotFound):
        await ledger.run(SetBattleMessage(GUILD, 999_999, 7, 1))

    # Bob's LIVE fought both; Carol's one.
    bob = await ledger.run(BattlesOfLive(GUILD, lives[BOB].id))
    assert [f.battle.id for f in bob] == [everything.id, roses.id]
    carol = await ledger.run(BattlesOfLive(GUILD, lives[CAROL].id))
    assert [(f.challenger.score, f.opponent.score) for f in carol] == [(63, 70)]
    assert (await ledger.verify()).ok
