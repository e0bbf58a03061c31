"""Contract: the real discord.py client accepts the stand-in's gateway and REST answers.

READY / GUILD_CREATE, RESUME after a forced 4000 close, member chunking, member/channel/role
events, AutoShardedBot via /gateway/bot, login failures, exact JSON headers, unknown routes, and a
client in a subprocess pointed at ``api_base`` / ``gateway_url``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import discord
import pytest
from discord.ext import commands

from bot.sandbox.standin import (
    ALICE,
    AUDIT,
    BOB,
    BOT_MEMBER,
    BOT_USER_ID,
    CAROL,
    DEPARTED,
    GENERAL,
    GUILD_ID,
    LOCKED,
    MANAGER_ROLE,
    MOD_HELPER,
    MOD_ROLE,
    MODERATOR,
    OWNER,
    DiscordStandIn,
    run_bot,
)
from tests.standin_contract.contract_bot import ContractBot

REPO = Path(__file__).resolve().parents[2]


class FastShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5-second pause between the shards' IDENTIFYs on loopback."""


async def test_ready_and_guild_create_populate_the_cache(
    bot: ContractBot, standin: DiscordStandIn
) -> None:
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    assert not guild.unavailable
    assert bot.user is not None
    assert bot.user.id == BOT_USER_ID
    assert bot.application_id == standin.app.id
    assert guild.me.id == BOT_USER_ID
    assert guild.owner_id == OWNER
    assert guild.chunked
    assert guild.member_count == len(standin.guild().members)
    assert {c.id for c in guild.text_channels} >= {GENERAL, AUDIT, LOCKED}
    moderator, helper, alice = (
        guild.get_member(MODERATOR),
        guild.get_member(MOD_HELPER),
        guild.get_member(ALICE),
    )
    assert moderator
    assert helper
    assert alice
    assert moderator.guild_permissions.manage_guild
    assert guild.get_role(MANAGER_ROLE) in moderator.roles
    assert not helper.guild_permissions.manage_guild
    assert guild.get_role(MOD_ROLE) in helper.roles
    assert not alice.guild_permissions.manage_guild
    assert guild.get_member(BOT_MEMBER).bot  # type: ignore[union-attr]
    assert guild.get_member(DEPARTED) is None
    locked, general = guild.get_channel(LOCKED), guild.get_channel(GENERAL)
    assert not locked.permissions_for(guild.me).send_messages  # type: ignore[union-attr]
    assert general.permissions_for(guild.me).send_messages  # type: ignore[union-attr]
    first = standin.gateway.connections[0]
    assert first.path == "/"
    assert first.query["v"] == "10"
    assert first.query["encoding"] == "json"
    assert first.kind == "identify"


async def test_resume_after_forced_4000_replays_missed_events(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    session = next(iter(standin.gateway.sessions.values()))
    assert await standin.gateway.force_close(4000) == 1
    # Sent while the client is disconnected: buffered, then replayed on RESUME.
    result = await standin.user(ALICE).invoke("ping", n=7)
    assert result.content == "pong 7"
    await standin.gateway.wait_for_resumes(1)
    resumed = standin.gateway.connections[-1]
    assert resumed.kind == "resume"
    assert resumed.path == "/resume"
    assert resumed.session_id == session.id
    await standin.wait_until(lambda: ("resumed", None) in synced.events, what="on_resumed")
    assert len(standin.gateway.sessions) == 1  # same session, not a new IDENTIFY


async def test_unresumable_close_makes_the_client_identify_again(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    await standin.gateway.force_close(4000, resumable=False)
    await standin.wait_until(
        lambda: (
            [c.kind for c in standin.gateway.connections[-2:]] == ["rejected", "identify"]
            and synced.is_ready()
        ),
        what="INVALID_SESSION then a fresh IDENTIFY",
    )
    await standin.gateway.wait_for_sessions(1)
    # Surprise: discord.py 2.7.1 re-IDENTIFYs on the stale resume URL, not on DEFAULT_GATEWAY
    # (client.connect() only refreshes ws_params['gateway'] when resuming).
    assert [c.path for c in standin.gateway.connections] == ["/", "/resume", "/resume"]
    assert (await standin.user(BOB).invoke("ping", n=1)).content == "pong 1"


async def test_member_chunking_answers_with_the_nonce(
    bot: ContractBot, standin: DiscordStandIn
) -> None:
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    members = await guild.chunk()
    assert {m.id for m in members} == set(standin.guild().members)
    found = await guild.query_members(user_ids=[ALICE, DEPARTED])
    assert [m.id for m in found] == [ALICE]
    named = await guild.query_members("bo")
    assert [m.id for m in named] == [BOB]


async def test_large_guild_is_chunked_at_startup() -> None:
    async with DiscordStandIn() as standin:
        standin.add_members(1_200)
        with standin.patch_discord_py():
            async with run_bot(ContractBot(), standin.token) as bot:
                guild = bot.get_guild(GUILD_ID)
                assert guild is not None
                assert guild.large
                assert guild.chunked
                assert len(guild.members) == len(standin.guild().members) == 1_208
        assert standin.route_counts["GET /users/@me"] == 1


async def test_member_channel_and_role_events(bot: ContractBot, standin: DiscordStandIn) -> None:
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    await standin.remove_member(BOB)
    await standin.add_member(DEPARTED)
    await standin.wait_until(lambda: ("member_join", DEPARTED) in bot.events, what="member events")
    assert ("member_remove", BOB) in bot.events
    assert guild.get_member(BOB) is None
    assert guild.get_member(DEPARTED) is not None
    await standin.deny_bot(GENERAL)
    await standin.wait_until(
        lambda: ("channel_update", GENERAL) in bot.events, what="channel update"
    )
    assert not guild.get_channel(GENERAL).permissions_for(guild.me).send_messages  # type: ignore[union-attr]
    role = await standin.add_role("Whales")
    await standin.set_roles(ALICE, [role.id])
    standin.guild().members[CAROL].nick = "Caz"  # changed directly, then pushed
    await standin.sync_members(user_ids=[CAROL])
    extra = await standin.add_channel("extra")
    await standin.remove_channel(AUDIT)
    await standin.wait_until(
        lambda: (
            guild.get_channel(AUDIT) is None
            and guild.get_channel(extra.id) is not None
            and guild.get_role(role.id) in guild.get_member(ALICE).roles  # type: ignore[union-attr]
            and guild.get_member(CAROL).nick == "Caz"  # type: ignore[union-attr]
        ),
        what="role/channel/member-update events applied",
    )


async def test_fetch_routes(bot: ContractBot, standin: DiscordStandIn) -> None:
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    assert (await guild.fetch_member(ALICE)).name == "alice"
    assert (await bot.fetch_user(DEPARTED)).name == "departed"
    assert (await bot.fetch_channel(AUDIT)).name == "giftcord-audit"  # type: ignore[union-attr]
    assert (await bot.fetch_guild(GUILD_ID)).name == "Giftcord Test Server"
    with pytest.raises(discord.NotFound):
        await guild.fetch_member(DEPARTED)
    with pytest.raises(discord.NotFound):
        await bot.fetch_user(42)
    assert [(r.status, r.code) for r in standin.rejections] == [(404, 10007), (404, 10013)]


async def test_autosharded_bot_uses_gateway_bot_and_shard_routing() -> None:
    async with DiscordStandIn(recommended_shards=2) as standin:
        with standin.patch_discord_py():
            bot = FastShardedBot(
                command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
            )
            async with run_bot(bot, standin.token):
                assert standin.route_counts["GET /gateway/bot"] >= 1
                assert sorted(s.shard or (0, 0) for s in standin.gateway.sessions.values()) == [
                    (0, 2),
                    (1, 2),
                ]  # type: ignore[type-var]
                guild = bot.get_guild(GUILD_ID)
                assert guild is not None
                assert guild.shard_id == (GUILD_ID >> 22) % 2


async def test_wrong_token_fails_login(standin: DiscordStandIn) -> None:
    bot = ContractBot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()
    assert standin.rejections[-1].status == 401


async def test_rest_answers_exact_json_and_records_unknown_routes(standin: DiscordStandIn) -> None:
    headers = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{standin.api_base}/users/@me", headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["id"] == str(BOT_USER_ID)
        async with http.get(
            f"{standin.api_base}/users/@me", headers={"Authorization": "Bot nope"}
        ) as resp:
            assert resp.status == 401
            assert resp.headers["Content-Type"] == "application/json"
        async with http.get(f"{standin.api_base}/no/such/route", headers=headers) as resp:
            assert resp.status == 404
            assert (await resp.json())["code"] == 0
        async with http.post(f"{standin.api_base}/users/@me", headers=headers) as resp:
            assert 400 <= resp.status < 500
        async with http.get(f"{standin.api_base}/channels/{AUDIT}", headers=headers) as resp:
            assert (await resp.json())["name"] == "giftcord-audit"
    assert [u.kind for u in standin.unexpected] == ["rest", "rest"]
    assert "/no/such/route" in standin.unexpected[0].detail
    standin.unexpected.clear()


async def test_unknown_route_through_discord_py_is_a_4xx_not_a_retry(
    bot: ContractBot, standin: DiscordStandIn
) -> None:
    route = discord.http.Route("GET", "/applications/{app}/entitlements", app=standin.app.id)
    with pytest.raises(discord.NotFound):
        await bot.http.request(route)
    assert standin.unexpected
    assert "entitlements" in standin.unexpected[0].detail
    standin.unexpected.clear()


async def test_a_client_in_a_subprocess_uses_api_base_and_gateway_url(
    standin: DiscordStandIn,
) -> None:
    script = textwrap.dedent(
        """
        import asyncio, os, discord, yarl
        discord.http.Route.BASE = os.environ["API_BASE"]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["GATEWAY_URL"])
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        @client.event
        async def on_ready():
            print("READY", client.guilds[0].name, flush=True)
            await client.close()
        client.run(os.environ["TOKEN"], log_handler=None)
        """
    )
    env = os.environ | {
        "API_BASE": standin.api_base,
        "GATEWAY_URL": standin.gateway_url,
        "TOKEN": standin.token,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert out.decode().strip() == "READY Giftcord Test Server"
