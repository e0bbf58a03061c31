"""Logging set-up: discord.py's formatter, plus a filter that blanks the token wherever it might
appear — the token is a secret and never reaches a log line."""

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
    token = settings.discord.token.get_secret_value() if settings.discord.token else ""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets([token]))
