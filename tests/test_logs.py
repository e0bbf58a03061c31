"""The token never reaches a log line, whatever logs it; discord.py's voice notes never reach one
either (giftcord has no voice), and every other warning does."""

import logging

import discord
import pytest
from pydantic import SecretStr

from bot.logs import DropVoiceNotes, setup_logging
from bot.settings import Settings


def test_the_token_is_blanked_in_every_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings()
    settings.discord.token = SecretStr("MTIz.secret-token-value")
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        setup_logging(settings)
        logging.getLogger("discord.http").warning(
            "request failed with Bot %s", "MTIz.secret-token-value"
        )
        logging.getLogger("giftcord").error("token was MTIz.secret-token-value")
        err = capsys.readouterr().err
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
    assert "secret-token-value" not in err
    assert err.count("[token hidden]") == 2
    assert "\x1b[" not in err  # plain text when stderr is not a terminal


def test_only_discord_pys_voice_notes_are_dropped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a machine without PyNaCl and davey, whatever this one has installed.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    root = logging.getLogger()
    before = list(root.handlers)
    client_logger = logging.getLogger("discord.client")
    filters_before = list(client_logger.filters)
    try:
        setup_logging(Settings())
        setup_logging(Settings())  # installing twice must not stack filters
        discord.Client(intents=discord.Intents.none())  # discord.py's own start-up notes
        client_logger.warning("Application has an interaction endpoint URL set")
        logging.getLogger("giftcord").warning("davey is not installed, voice will NOT be supported")
        err = capsys.readouterr().err
        installed = [f for f in client_logger.filters if isinstance(f, DropVoiceNotes)]
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        for f in client_logger.filters[:]:
            if f not in filters_before:
                client_logger.removeFilter(f)
    assert "PyNaCl" not in err
    assert "discord.client: davey" not in err
    assert "discord.client: Application has an interaction endpoint URL set" in err
    assert "giftcord: davey is not installed" in err  # the same words elsewhere are not dropped
    assert len(installed) == 1
