"""Contract: the stand-in shards like Discord, through the real discord.py client.

A world of several guilds whose ids spread over the shards; each IDENTIFY with
`shard: [id, count]` gets READY and GUILD_CREATE for its guilds only; each guild's interactions
reach the connection of shard `(guild_id >> 22) % count` and nobody else; an IDENTIFY for a
shard already connected or out of range is closed with 4010, one holding too many guilds with
4011; `GET /gateway/bot` answers the configured shard count.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.sandbox.standin import GUILD_ID, DiscordStandIn, run_bot, start_bot
from tests.standin_contract.test_standin_contract import FastShardedBot


class WhereBot(FastShardedBot):
    """`/where` answers which shard and guild the interaction arrived on."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            **options,
        )
        self.answered: list[tuple[int | None, int | None]] = []

        @self.tree.command(name="where", description="which shard got this")
        async def where(interaction: discord.Interaction) -> None:
            shard = interaction.guild.shard_id if interaction.guild else None
            self.answered.append((shard, interaction.guild_id))
            await interaction.response.send_message(f"shard {shard} guild {interaction.guild_id}")

    async def setup_hook(self) -> None:
        await self.tree.sync()  # global: every guild


@contextlib.asynccontextmanager
async def patched(**options: Any) -> AsyncIterator[DiscordStandIn]:
    """A started stand-in with discord.py pointed at it; it must have seen nothing unexpected."""
    async with DiscordStandIn(**options) as standin:
        with standin.patch_discord_py():
            yield standin
        standin.assert_no_unexpected()


def session_shards(standin: DiscordStandIn) -> list[tuple[int, int] | None]:
    return sorted(s.shard for s in standin.gateway.sessions.values() if s.ws)  # type: ignore[type-var]


async def test_the_guilds_spread_over_any_shard_count() -> None:
    async with DiscordStandIn(guilds=4) as standin:
        guilds = standin.guild_ids
        assert len(guilds) == 4
        assert guilds[0] == GUILD_ID  # the default guild stays, with its well-known ids
        for count in (1, 2, 3, 4):
            per_shard = [len(standin.guilds_of_shard(s, count)) for s in range(count)]
            assert sum(per_shard) == 4
            assert max(per_shard) - min(per_shard) <= 1, (count, per_shard)
        for gid in guilds[1:]:
            guild = standin.guild(gid)
            assert {c.name for c in guild.channels.values()} >= {"general", "giftcord-audit"}
            assert {m.user.username for m in guild.members.values()} >= {"alice", "bob", "carol"}
            assert standin.general_channel(gid) in guild.channels


async def test_two_shards_in_one_process_each_see_and_answer_only_their_guilds() -> None:
    async with patched(guilds=4) as standin:
        first, second = (
            WhereBot(shard_count=2, shard_ids=[0]),
            WhereBot(shard_count=2, shard_ids=[1]),
        )
        async with run_bot(first, standin.token), run_bot(second, standin.token):
            assert session_shards(standin) == [(0, 2), (1, 2)]
            for shard, bot in enumerate((first, second)):
                assert sorted(g.id for g in bot.guilds) == sorted(standin.guilds_of_shard(shard, 2))
                assert all(not g.unavailable and g.member_count for g in bot.guilds)
            for gid in standin.guild_ids:
                result = await standin.user(standin.guild(gid).owner_id, guild_id=gid).invoke(
                    "where"
                )
                shard = (gid >> 22) % 2
                assert result.text == f"shard {shard} guild {gid}", result.describe()
            assert sorted(first.answered) == [(0, g) for g in sorted(standin.guilds_of_shard(0, 2))]
            assert sorted(second.answered) == [
                (1, g) for g in sorted(standin.guilds_of_shard(1, 2))
            ]


async def test_an_identify_for_a_connected_or_missing_shard_is_closed_with_4010() -> None:
    async with patched(guilds=2) as standin:
        async with run_bot(WhereBot(shard_count=2, shard_ids=[0]), standin.token):
            twin = WhereBot(shard_count=2, shard_ids=[0])
            with pytest.raises(discord.ConnectionClosed) as closed:
                await start_bot(twin, standin.token)
            assert closed.value.code == 4010
            assert session_shards(standin) == [(0, 2)]  # the first one is still connected
            beyond = WhereBot(shard_count=2, shard_ids=[2])  # discord.py sends [2, 2] as given
            with pytest.raises(discord.ConnectionClosed) as closed:
                await start_bot(beyond, standin.token)
            assert closed.value.code == 4010
        refused = [c for c in standin.gateway.connections if c.kind == "rejected"]
        assert [c.close_code for c in refused] == [4010, 4010]
        # Once its process is gone the shard may connect again.
        async with run_bot(WhereBot(shard_count=2, shard_ids=[0]), standin.token):
            assert session_shards(standin) == [(0, 2)]


async def test_too_many_guilds_on_one_connection_is_closed_with_4011() -> None:
    async with patched(guilds=4, max_guilds_per_shard=2) as standin:
        unsharded = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        with pytest.raises(discord.ConnectionClosed) as closed:
            await start_bot(unsharded, standin.token)
        assert closed.value.code == 4011
        async with run_bot(WhereBot(shard_count=2), standin.token) as bot:  # 2 guilds each: fine
            assert len(bot.guilds) == 4
            assert session_shards(standin) == [(0, 2), (1, 2)]


async def test_gateway_bot_answers_the_configured_shard_count() -> None:
    async with (
        patched(guilds=4, recommended_shards=4, max_concurrency=16) as standin,
        run_bot(WhereBot(), standin.token) as bot,  # no count: it asks Discord
    ):
        assert standin.route_counts["GET /gateway/bot"] >= 1
        assert bot.shard_count == 4
        assert session_shards(standin) == [(s, 4) for s in range(4)]
        assert {g.id: g.shard_id for g in bot.guilds} == {
            g: (g >> 22) % 4 for g in standin.guild_ids
        }
        limits = await bot.fetch_session_start_limits()
        assert limits.max_concurrency == 16
