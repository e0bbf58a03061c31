"""The one error-to-reply mapper: what a member reads for each kind of failure."""

import logging

import pytest

from bot.economy.errors import InsufficientCoins
from bot.ui.errors import sentence_for


def test_a_domain_error_is_its_own_sentence() -> None:
    text, incident = sentence_for(InsufficientCoins(have=10, need=99))
    assert text == "You need 99 coins but have 10 — 89 missing. Top up with `/coins buy`."
    assert incident is None


def test_an_unexpected_error_is_an_apology_with_an_incident_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="giftcord.errors"):
        text, incident = sentence_for(RuntimeError("token=abc123 at /srv/secret.py"))
    assert incident is not None
    assert f"`{incident}`" in text
    assert "abc123" not in text
    assert "secret" not in text
    # The failure may come after a committed write: never claim nothing changed.
    assert "nothing was changed" not in text
    assert "/history" in text
    assert incident in caplog.text
    assert "RuntimeError" in caplog.text
