"""The bot on two shards through the real discord.py client: one harness, `[discord]
shard_count = 2`, a stand-in world of four guilds, one SQLite ledger.

Every guild's gifts are answered by the shard Discord routes that guild to, balances are right
in every guild, combos stay inside their guild, and `verify` proves the ledger afterwards.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import shards
from bot.economy.config import EconomyConfig
from bot.sandbox.standin import ALICE, BOB, CAROL, DiscordStandIn, InteractionResult
from bot.settings import DiscordSettings
from bot.shards import ShardedGiftcordBot
from bot.storage import tools
from tests.harness import Harness, running_harness

GIFT = "Heart Me"  # 1 coin, not streakable: every gift its own announcement
START = 1_000
GIFTS_PER_SENDER = 5


@pytest.fixture
async def sharded(tmp_path: Path) -> AsyncIterator[Harness]:
    def two_shards(h: Harness) -> None:
        h.discord_settings = DiscordSettings(guild_ready_timeout=0.05, shard_count=2)
        h.guild_ids = h.standin.guild_ids

    standin = DiscordStandIn(guilds=4, max_concurrency=16)
    db = tmp_path / "giftcord.db"
    async with running_harness(standin, db, EconomyConfig(), two_shards) as h:
        yield h


def interaction_guilds(h: Harness) -> dict[tuple[int, int], list[int]]:
    """Shard → the guild ids of every INTERACTION_CREATE its connection received."""
    seen: dict[tuple[int, int], list[int]] = {}
    for session in h.standin.gateway.sessions.values():
        assert session.shard is not None
        for _, text in session.buffer:
            frame = json.loads(text)
            if frame["t"] == "INTERACTION_CREATE":
                seen.setdefault(session.shard, []).append(int(frame["d"]["guild_id"]))
    return seen


async def test_one_bot_on_two_shards_serves_every_guild_and_verify_passes(
    sharded: Harness,
) -> None:
    h, standin = sharded, sharded.standin
    bot = h.bot
    assert isinstance(bot, ShardedGiftcordBot)
    assert sorted(bot.shards) == [0, 1]
    guilds = standin.guild_ids
    assert sorted(g.id for g in bot.guilds) == sorted(guilds)
    for gid in guilds:
        await h.grant(ALICE, START, guild_id=gid)
        await h.grant(CAROL, START, guild_id=gid)

    # In guild i every gift is i + 1 coins, so a gift counted in the wrong guild shows.
    async def gift(gid: int, sender: int, count: int) -> InteractionResult:
        return await standin.user(sender, guild_id=gid).invoke(
            "gift", member=BOB, gift=GIFT, count=count
        )

    sends = [
        (gid, sender, i + 1)
        for i, gid in enumerate(guilds)
        for sender in (ALICE, CAROL)
        for _ in range(GIFTS_PER_SENDER)
    ]
    results = await asyncio.gather(*(gift(*send) for send in sends))  # all guilds at once
    for (gid, _, count), r in zip(sends, results, strict=True):
        assert not r.ephemeral, r.describe()
        assert f"{GIFT} ×{count}" in r.text, r.describe()
        assert r.guild_id == gid

    for i, gid in enumerate(guilds):
        spent = GIFTS_PER_SENDER * (i + 1)
        assert await h.balances(ALICE, CAROL, BOB, guild_id=gid) == [
            (START - spent, 0),
            (START - spent, 0),
            (0, 2 * spent),
        ]

    # Each connection received exactly the interactions of its own guilds.
    routed = interaction_guilds(h)
    assert sorted(routed) == [(0, 2), (1, 2)]
    for (shard, count), got in routed.items():
        assert set(got) == set(standin.guilds_of_shard(shard, count))
        assert len(got) == 2 * GIFTS_PER_SENDER * len(standin.guilds_of_shard(shard, count))

    report = await tools.verify(str(h.db_path), max_balance=h.economy.max_balance)
    assert report.ok, report.violations
    assert report.summary["gifts"] == len(sends)


async def test_combos_stay_inside_their_guild_on_a_sharded_bot(sharded: Harness) -> None:
    h, standin = sharded, sharded.standin
    guilds = standin.guild_ids
    for gid in guilds:
        await h.grant(ALICE, 100, guild_id=gid)
    rose = {"member": BOB, "gift": "Rose"}
    firsts = await asyncio.gather(
        *(standin.user(ALICE, guild_id=g).invoke("gift", **rose) for g in guilds)
    )
    assert all(not r.ephemeral for r in firsts)  # one announcement per guild, not one combo
    h.clock.advance(5)
    seconds = await asyncio.gather(
        *(standin.user(ALICE, guild_id=g).invoke("gift", **rose, count=2) for g in guilds)
    )
    for first, second in zip(firsts, seconds, strict=True):
        assert second.ephemeral, second.describe()
        assert "×3" in second.text, second.describe()  # this guild's 1 + 2, never the others'
        await first.wait_for_text("×3 combo")
    for gid in guilds:
        assert await h.balances(ALICE, BOB, guild_id=gid) == [(97, 0), (0, 3)]


async def test_a_shard_whose_session_ends_waits_before_identifying_again(
    sharded: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Op 9 INVALID_SESSION (d=false) on shard 0: Discord asks for a 1-5 s wait before the
    fresh IDENTIFY. Only that shard identifies again, after at least a second — not at once —
    and its guilds are served again; shard 1 keeps its session."""
    monkeypatch.setattr(shards, "IDENTIFY_INTERVAL", 0.0)  # no bucket pacing to hide the wait
    h, standin = sharded, sharded.standin
    kept = next(s.id for s in standin.gateway.sessions.values() if s.shard == (1, 2))
    before = len(standin.gateway.connections)
    told_at = asyncio.get_running_loop().time()
    [ended] = await standin.gateway.invalidate_sessions(resumable=False, shard=(0, 2))
    await standin.gateway.wait_for_sessions(2, timeout=10)
    [again] = [c for c in standin.gateway.connections[before:] if c.kind == "identify"]
    assert again.identified_at is not None
    assert again.identified_at - told_at >= shards.REIDENTIFY_WAIT[0]  # a lower bound: no flake
    assert standin.gateway.sessions[str(again.session_id)].shard == (0, 2)
    assert ended not in standin.gateway.sessions
    assert kept in standin.gateway.sessions
    [gid, *_] = standin.guilds_of_shard(0, 2)
    await h.grant(ALICE, 5, guild_id=gid)
    r = await standin.user(ALICE, guild_id=gid).invoke("gift", member=BOB, gift=GIFT, count=2)
    assert not r.ephemeral, r.describe()
