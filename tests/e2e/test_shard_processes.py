"""Sharded start-up of the real `python -m bot` process on SQLite: a second shard process on
the same file is refused with a sentence (SQLite is one machine, one process), a process whose
shard another process already holds is told so by Discord (4010), and a bot that Discord
requires to shard (4011) is told to set `shard_count`. Each is one line, never a traceback.

(Several shard processes sharing one PostgreSQL database: test_shard_postgres.py.)
"""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.standin import ALICE, BOB, GUILD_ID, DiscordStandIn
from tests.e2e.proc import SECRET_TOKEN, BotProcess, alarming_lines, bot_env, run_cli
from tests.e2e.test_storage_safety import giftcord_lines, lock_refusal, seed

# The default guild is guild 0 of the stand-in's world: (GUILD_ID >> 22) % 4 == 3.
FIRST = (4, [2, 3])
SECOND = (4, [0, 1])


def live_shards(standin: DiscordStandIn) -> list[tuple[int, int] | None]:
    return sorted(s.shard for s in standin.gateway.sessions_for(standin.app) if s.ws)  # type: ignore[type-var]


async def test_a_second_shard_process_on_the_same_sqlite_file_is_refused(
    four_guilds: DiscordStandIn, tmp_path: Path
) -> None:
    standin, db = four_guilds, tmp_path / "giftcord.db"
    assert (GUILD_ID >> 22) % 4 == 3  # served by FIRST
    first_env = bot_env(standin, db, shards=FIRST)
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=first_env, cwd=tmp_path)
    assert sync.returncode == 0, str(sync)
    await seed(db)
    first = await BotProcess.start(first_env, tmp_path)
    second: BotProcess | None = None
    try:
        await first.wait_ready(standin, shards=FIRST)
        second = await BotProcess.start(bot_env(standin, db, shards=SECOND), tmp_path)
        assert await second.wait_exit() == 1, second.output
        assert giftcord_lines(second.output) == [lock_refusal(first, db)], second.output
        assert not alarming_lines(second.output), second.output
        assert live_shards(standin) == [(2, 4), (3, 4)]  # the refused one never connected
        gift = await standin.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=1)
        assert not gift.ephemeral, gift.describe()  # the first keeps serving its guilds
        code, _ = await first.stop()
        assert code == 0, first.output
    finally:
        for proc in (first, second):
            if proc is not None:
                await proc.kill()
    assert not alarming_lines(first.output), first.output


async def test_a_shard_another_process_holds_is_refused_by_discord_with_a_sentence(
    four_guilds: DiscordStandIn, tmp_path: Path
) -> None:
    standin = four_guilds
    first = await BotProcess.start(bot_env(standin, tmp_path / "a.db", shards=FIRST), tmp_path)
    twin: BotProcess | None = None
    try:
        await first.wait_ready(standin, shards=FIRST)
        # Another file, so the lock does not stop it first: Discord does (close code 4010).
        twin = await BotProcess.start(
            bot_env(standin, tmp_path / "b.db", shards=(4, [3])), tmp_path
        )
        assert await twin.wait_exit() == 2, twin.output
        lines = giftcord_lines(twin.output)
        assert len(lines) == 1, twin.output
        assert lines[0].startswith("giftcord: Discord refused shard 3 (close code 4010")
        assert "discord.shard_ids / GIFTCORD_DISCORD__SHARD_IDS" in lines[0]
        assert "Traceback" not in twin.output
        assert live_shards(standin) == [(2, 4), (3, 4)]
    finally:
        for proc in (first, twin):
            if proc is not None:
                await proc.kill()


async def test_a_bot_discord_requires_to_shard_is_told_to_set_shard_count(
    tmp_path: Path,
) -> None:
    async with DiscordStandIn(token=SECRET_TOKEN, guilds=4, max_guilds_per_shard=2) as standin:
        bot = await BotProcess.start(bot_env(standin, tmp_path / "g.db"), tmp_path)
        try:
            assert await bot.wait_exit() == 2, bot.output
        finally:
            await bot.kill()
        assert giftcord_lines(bot.output) == [
            "giftcord: Discord requires sharding for this bot (close code 4011: too many servers "
            "for one connection): set discord.shard_count / GIFTCORD_DISCORD__SHARD_COUNT"
        ], bot.output
        assert "Traceback" not in bot.output
        standin.assert_no_unexpected()
