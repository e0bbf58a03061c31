"""What a real start prints: `python -m bot run` against the stand-in logs no notes about voice
support (giftcord has no voice), while any other warning, even one from the same discord.py
logger, still reaches the operator."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from discord import voice_client

from bot.sandbox.standin import DiscordStandIn
from tests.e2e.proc import SECRET_TOKEN, BotProcess, alarming_lines, bot_env, plain

VOICE_NOTE = "voice will NOT be supported"
ENDPOINT_WARNING = "Application has an interaction endpoint URL set"


def voice_notes_of_a_bare_client() -> list[str]:
    """The control: what discord.py itself prints when a client is built with plain logging,
    so this test knows how many notes there are to drop on this machine."""
    code = (
        "import logging, discord; logging.basicConfig();"
        "discord.Client(intents=discord.Intents.none())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return [line for line in proc.stderr.splitlines() if VOICE_NOTE in line]


async def test_a_real_start_drops_the_voice_notes_and_keeps_other_warnings(
    tmp_path: Path,
) -> None:
    missing = [not voice_client.has_nacl, not voice_client.has_dave].count(True)
    assert len(voice_notes_of_a_bare_client()) == missing  # one note per missing library

    async with DiscordStandIn(token=SECRET_TOKEN) as standin:
        # discord.py warns, from the same `discord.client` logger as the voice notes, that an
        # application with an interactions endpoint gets no interactions over the gateway.
        standin.app.interactions_endpoint_url = "https://giftcord.invalid/interactions"
        bot = await BotProcess.start(bot_env(standin, tmp_path / "giftcord.db"), tmp_path)
        try:
            await bot.wait_ready(standin)
            code, _ = await bot.stop(signal.SIGTERM)
        finally:
            await bot.kill()
        standin.assert_no_unexpected()

    assert code == 0, bot.output
    assert VOICE_NOTE not in plain(bot.output), bot.output
    alarming = alarming_lines(bot.output)
    assert len(alarming) == 1, bot.output
    assert "WARNING" in alarming[0]
    assert f"discord.client: {ENDPOINT_WARNING}" in alarming[0]
