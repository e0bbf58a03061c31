"""`python -m bot sandbox` refusals: one line and exit 2, never a traceback, nothing left running."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.sandbox.app import database_url


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """`main()` sets up logging on the root logger (a handler on this test's captured stderr):
    take it off again, or later tests would log into a closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_the_database_argument_takes_a_url_or_a_path() -> None:
    assert database_url(None) == "sqlite:///sandbox.db"
    assert database_url("demo.db") == "sqlite:///demo.db"
    assert database_url("sqlite:///x/y.db") == "sqlite:///x/y.db"


def test_the_sandbox_never_opens_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIFTCORD_DATABASE__URL", "sqlite:///live.db")
    assert main(["sandbox", "--database", "live.db"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("giftcord: --database sqlite:///live.db is the configured database")
    assert not (tmp_path / "live.db").exists()


def test_a_port_in_use_is_one_line_and_everything_started_is_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["sandbox", "--port", str(port), "--database", str(tmp_path / "s.db")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"giftcord: cannot serve on 127.0.0.1:{port}")
    assert err.endswith("Pass --port to choose another.")


def test_a_bad_port_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--port", "70000"]) == 2
    assert "--port must be between 0 and 65535" in capsys.readouterr().err
