"""Logging set-up: discord.py's formatter, a filter that blanks the token wherever it might
appear — the token is a secret and never reaches a log line — and one that drops discord.py's
notes that the optional voice libraries are missing."""

from __future__ import annotations

import logging
import sys

import discord

from bot.settings import Settings


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            if any(s in text for s in self.secrets):
                for s in self.secrets:
                    text = text.replace(s, "[token hidden]")
                record.msg, record.args = text, None
        return True


class DropVoiceNotes(logging.Filter):
    """discord.py warns at every client start that PyNaCl and davey are not installed, so voice
    will not work. giftcord never joins a voice channel: those two lines only teach operators to
    ignore WARNING. Only those exact messages are dropped; every other warning of the logger
    still shows (lowering the level of `discord.client` would hide real ones)."""

    LOGGER = "discord.client"
    MESSAGES = frozenset(
        {
            "PyNaCl is not installed, voice will NOT be supported",
            "davey is not installed, voice will NOT be supported",
        }
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and record.msg in self.MESSAGES)


def setup_logging(settings: Settings) -> None:
    # discord.py colours its output inside Docker even when it goes to a file or a pipe;
    # colour only a terminal, so log files and `docker logs | grep` stay plain text.
    level = getattr(logging, settings.logging.level)
    if sys.stderr.isatty():
        discord.utils.setup_logging(level=level, root=True)
    else:
        plain = logging.Formatter(
            "{asctime} {levelname:<8} {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{"
        )
        discord.utils.setup_logging(level=level, root=True, formatter=plain)
    # On the logger, not a handler: the records are dropped before any handler sees them, and
    # a test's own log capture sees what an operator would.
    voice_logger = logging.getLogger(DropVoiceNotes.LOGGER)
    if not any(isinstance(f, DropVoiceNotes) for f in voice_logger.filters):
        voice_logger.addFilter(DropVoiceNotes())
    token = settings.discord.token.get_secret_value() if settings.discord.token else ""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets([token]))
