"""The token never reaches a log line, whatever logs it."""

import logging

import pytest
from pydantic import SecretStr

from bot.logs import setup_logging
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
