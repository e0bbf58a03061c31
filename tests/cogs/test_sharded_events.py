"""Events on shard processes: the due-events timer of a sharded bot ends only the events of the
servers its own shards carry (a guild lives on one shard; another process owns the rest), and
each event's results are posted once, in its own server.

Two sharded bots in one process, shard 0 and shard 1 of 2, on one SQLite ledger — what two
processes on one PostgreSQL database would be, without the processes.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.reads import GetAccount, GetLive, GetLiveEvent
from bot.economy.requests import Adjust
from bot.sandbox.standin import ALICE, BOB, MODERATOR, DiscordStandIn, run_bot
from bot.services import Services
from bot.services.shard_scope import shard_of
from bot.settings import DiscordSettings
from bot.shards import make_bot
from bot.storage import SqliteLedger
from tests.clock import FakeClock


@dataclass
class TwoShards:
    standin: DiscordStandIn
    ledger: SqliteLedger
    clock: FakeClock
    bots: list[Any]
    guild_of: dict[int, int]  # shard → its one server


@contextlib.asynccontextmanager
async def two_shard_bots(tmp_path: Path) -> AsyncIterator[TwoShards]:
    """Shard 0 and shard 1 of 2, each its own bot, one server each, on one ledger; their
    commands synced to their servers."""
    economy, clock = EconomyConfig(), FakeClock()
    async with DiscordStandIn(guilds=2, max_concurrency=16) as standin:
        with standin.patch_discord_py():
            ledger = await SqliteLedger.open(tmp_path / "giftcord.db", economy, clock=clock)
            services = Services(ledger, economy, clock)
            bots = [
                make_bot(
                    services,
                    DiscordSettings(guild_ready_timeout=0.05, shard_count=2, shard_ids=[shard]),
                )
                for shard in (0, 1)
            ]
            guild_of = {shard_of(g, 2): g for g in standin.guild_ids}  # one guild per shard
            try:
                async with run_bot(bots[0], standin.token), run_bot(bots[1], standin.token):
                    for shard, bot in enumerate(bots):
                        guild = discord.Object(id=guild_of[shard])
                        bot.tree.copy_global_to(guild=guild)
                        await bot.tree.sync(guild=guild)
                    yield TwoShards(standin, ledger, clock, bots, guild_of)
            finally:
                await ledger.close()
        standin.assert_no_unexpected()


async def test_each_shard_ends_and_posts_only_its_own_servers_events(tmp_path: Path) -> None:
    async with two_shard_bots(tmp_path) as world:
        standin, ledger, guild_of = world.standin, world.ledger, world.guild_of
        for gid in guild_of.values():
            channel = standin.general_channel(gid)
            started = await standin.user(MODERATOR, guild_id=gid).invoke(
                "event start", name=f"Gala {gid % 10}", minutes=5, channel=channel
            )
            assert "has started" in started.text, started.describe()
        world.clock.advance(6 * 60)  # both events are due now

        boards = [bot.get_cog("Events").boards for bot in world.bots]
        assert await boards[0].end_due_events() == 1  # shard 0's server only
        assert await ledger.run(GetLiveEvent(guild_of[0])) is None
        assert await ledger.run(GetLiveEvent(guild_of[1])) is not None
        assert await boards[0].end_due_events() == 0  # the other is not its to end
        assert await boards[1].end_due_events() == 1
        assert await ledger.run(GetLiveEvent(guild_of[1])) is None
        for gid in guild_of.values():
            posted = standin.messages(standin.general_channel(gid))
            # the progress post (edited to the end state) and ONE results post
            assert len(posted) == 2, [m.text[:80] for m in posted]
            assert f"Gala {gid % 10} — results" in posted[-1].text


async def test_each_shard_ends_its_own_servers_lives_and_settles_its_own_boxes(
    tmp_path: Path,
) -> None:
    """The due-LIVEs check and the treasure sweep are timers too: each shard process ends the
    LIVEs and settles the boxes of its own servers only, and posts each result once."""
    async with two_shard_bots(tmp_path) as world:
        standin, ledger, guild_of = world.standin, world.ledger, world.guild_of
        for gid in guild_of.values():
            await ledger.run(
                Adjust(gid, ALICE, f"seed-{gid}", MODERATOR, Currency.COINS,
                       AdjustMode.GRANT, 100, "treasure to drop")
            )  # fmt: skip
            live = await standin.user(BOB, guild_id=gid).invoke("live start")
            assert "LIVE" in live.text, live.describe()
            drop = await standin.user(ALICE, guild_id=gid).invoke(
                "treasure drop", coins="50", openers=3, minutes=2
            )
            assert "50 coins" in drop.text, drop.describe()
        world.clock.advance(13 * 3600)  # past [live] max_hours and every box's end

        lives = [bot.get_cog("Live").boards for bot in world.bots]
        boxes = [bot.get_cog("Treasure").boxes for bot in world.bots]
        assert await lives[0].end_due() == 1  # shard 0's server only
        assert await ledger.run(GetLive(guild_of[1], BOB)) is not None
        assert await boxes[0].settle_due() == 1
        assert await lives[0].end_due() == 0  # the other server is not its own
        assert await boxes[0].settle_due() == 0
        assert await lives[1].end_due() == 1
        assert await boxes[1].settle_due() == 1
        for gid in guild_of.values():
            assert await ledger.run(GetLive(gid, BOB)) is None
            alice = await ledger.run(GetAccount(gid, ALICE))
            assert alice.coins == 100  # nobody opened: the box came back
        assert (await ledger.verify()).ok
