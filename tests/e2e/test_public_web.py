"""`[web] enabled`: the real `python -m bot` process serves the public leaderboard pages next to
the bot — 404 until a moderator opts in, then the boards follow the gifts."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from bot.sandbox.standin import ALICE, BOB, GUILD_ID, MODERATOR, DiscordStandIn
from tests.e2e.proc import BotProcess, alarming_lines, bot_env, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_running_bot_serves_the_public_page_of_a_server_that_opted_in(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    port = free_port()
    env = bot_env(standin, tmp_path / "giftcord.db") | {
        "GIFTCORD_WEB__ENABLED": "true",
        "GIFTCORD_WEB__PORT": str(port),
    }
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
    assert sync.returncode == 0, str(sync)
    bot = await BotProcess.start(env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        await bot.wait_ready(standin)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/g/{GUILD_ID}") as response:
                assert response.status == 404
                assert "has not turned on its giftcord page" in await response.text()

            opted = await standin.user(MODERATOR).invoke("settings set", public_page=True)
            assert "Settings saved" in opted.text, opted.describe()
            await standin.user(MODERATOR).invoke(
                "mod grant", member=ALICE, currency="coins", amount="100", reason="e2e"
            )
            gift = await standin.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3)
            assert not gift.ephemeral, gift.describe()

            async with http.get(f"{base}/g/{GUILD_ID}") as response:
                assert response.status == 200
                assert response.content_type == "text/html"
            url = f"{base}/api/g/{GUILD_ID}/leaderboard?board=gifters&period=today"
            async with http.get(url) as response:
                assert response.status == 200
                body = await response.json()
        assert body["rows"] == [{"rank": 1, "name": "Alice", "avatar": None, "value": 3}]
    finally:
        code, _ = await bot.stop()
    assert code == 0, bot.output
    assert f"public pages: http://127.0.0.1:{port}/g/<server id>" in bot.output
    assert not alarming_lines(bot.output), bot.output
