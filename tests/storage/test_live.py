"""LIVE sessions and level roles through the port, on every backend: a LIVE's figures are
derived from the gifts to its member between its start and end, one LIVE per member, a LIVE
ends once, and the level-role reads answer the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.economy import errors as E
from bot.economy.reads import (
    DueLives,
    GetLevelRoles,
    GetLive,
    GetLiveById,
    GiftersBetween,
    LifetimeSpent,
    LiveStats,
    OpenLives,
)
from bot.economy.requests import EndLive, SendGift, SetLevelRole, SetLiveMessage, StartLive
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, MOD, FakeClock, fund, key

A, B, C, D = 10, 11, 12, 13


async def gift(store: SqliteLedger, sender: int, to: int, name: str, count: int = 1) -> None:
    await store.run(SendGift(GUILD, sender, to, key=key(), gift_name=name, count=count))


async def test_a_lives_figures_are_its_gifts_only(ledger: SqliteLedger, clock: FakeClock) -> None:
    await fund(ledger, A, 1_000)
    await fund(ledger, C, 1_000)
    await gift(ledger, A, B, "Rose", 4)  # before the LIVE: not counted
    live = await ledger.run(StartLive(GUILD, B, key(), title="Karaoke", channel_id=5, max_hours=2))
    assert (await ledger.run(GetLive(GUILD, B))) == live
    await ledger.run(SetLiveMessage(GUILD, live.id, 5, 77))
    assert (await ledger.run(GetLiveById(GUILD, live.id))).message_id == 77  # type: ignore[union-attr]
    await gift(ledger, A, B, "Doughnut")  # 30 coins
    await gift(ledger, C, B, "Rose", 2)
    await gift(ledger, A, B, "Rose", 3)
    await gift(ledger, A, D, "Rose")  # to someone not LIVE
    figures = await ledger.run(LiveStats(GUILD, live.id))
    assert figures is not None
    assert (figures.diamonds, figures.coins, figures.gifts, figures.gifters) == (35, 35, 3, 2)
    assert [(g.user_id, g.coins) for g in figures.top] == [(A, 33), (C, 2)]
    assert figures.top_gift is not None
    assert figures.top_gift.gift_name == "Rose"
    assert [x.id for x in await ledger.run(OpenLives(GUILD))] == [live.id]

    with pytest.raises(E.EconomyError):  # one LIVE per member
        await ledger.run(StartLive(GUILD, B, key(), title=None, channel_id=None, max_hours=1))
    ended = await ledger.run(EndLive(GUILD, live.id, ended_by=None))
    assert not ended.live
    again = await ledger.run(EndLive(GUILD, live.id, ended_by=None))  # ends once
    assert again.replayed
    assert again.ended_at == ended.ended_at
    await gift(ledger, A, B, "Rose")  # after the end: not counted
    after = await ledger.run(LiveStats(GUILD, live.id))
    assert after is not None
    assert after.diamonds == 35
    assert await ledger.run(GetLive(GUILD, B)) is None
    assert await ledger.run(OpenLives(GUILD)) == []
    assert (await ledger.verify()).ok


async def test_a_live_past_its_hours_is_due(ledger: SqliteLedger, clock: FakeClock) -> None:
    live = await ledger.run(StartLive(GUILD, B, key(), title=None, channel_id=None, max_hours=1))
    assert await ledger.run(DueLives()) == []
    clock.advance(3601)
    assert [x.id for x in await ledger.run(DueLives())] == [live.id]


async def test_level_roles_and_lifetime_reads(ledger: SqliteLedger) -> None:
    await fund(ledger, A, 1_000)
    await fund(ledger, C, 1_000)
    await gift(ledger, A, B, "Doughnut")  # 30
    await gift(ledger, C, B, "Rose", 5)  # 5
    spent = await ledger.run(LifetimeSpent(GUILD, (A, C, D)))
    assert (spent[A], spent[C], spent.get(D, 0)) == (30, 5, 0)
    assert sorted(await ledger.run(GiftersBetween(GUILD, at_least=5))) == [A, C]
    assert await ledger.run(GiftersBetween(GUILD, at_least=5, below=30)) == [C]
    await ledger.run(SetLevelRole(GUILD, key(), MOD, 5, 1234))
    await ledger.run(SetLevelRole(GUILD, key(), MOD, 10, 5678))
    await ledger.run(SetLevelRole(GUILD, key(), MOD, 5, 4321))  # the last choice stands
    assert await ledger.run(GetLevelRoles(GUILD)) == {5: 4321, 10: 5678}
    await ledger.run(SetLevelRole(GUILD, key(), MOD, 10, None))  # removed
    assert await ledger.run(GetLevelRoles(GUILD)) == {5: 4321}
    assert (await ledger.verify()).ok
