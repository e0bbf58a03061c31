"""`sync` and `run` when Discord cannot be reached — a DNS failure, a closed port — through the
real `python -m bot` process: one line naming where, exit code 3, no traceback, and no
`giftcord.db` left behind, nor after a refused token (issue 16, item 12)."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.requests import ConfirmAge
from bot.sandbox.standin import DiscordStandIn
from bot.storage import SqliteLedger
from tests.e2e.proc import REPO, alarming_lines, bot_env, run_cli

EXIT_UNREACHABLE = 3


def closed_port() -> int:
    """A loopback port nothing listens on (bound once to learn a free number, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline_env(api_base: str) -> dict[str, str]:
    """No database URL: the default `sqlite:///giftcord.db`, in the process's folder."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIFTCORD_", "DISCORD_", "PYTHON"))
    }
    env.update(
        DISCORD_TOKEN="offline-token-for-test",
        GIFTCORD_DISCORD__API_BASE=api_base,
        GIFTCORD_DISCORD__GATEWAY_URL=api_base.replace("http", "ws", 1),
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


UNREACHABLE = {
    "dns": lambda: "http://discord-api.giftcord-test.invalid/api/v10",
    "closed-port": lambda: f"http://127.0.0.1:{closed_port()}/api/v10",
}


@pytest.mark.parametrize("where", sorted(UNREACHABLE))
@pytest.mark.parametrize("command", [("sync", "--guild", "1"), ("run",)], ids=lambda c: c[0])
async def test_no_discord_is_one_line_exit_3_and_no_new_database(
    tmp_path: Path, where: str, command: tuple[str, ...]
) -> None:
    api_base = UNREACHABLE[where]()
    result = await run_cli(*command, env=offline_env(api_base), cwd=tmp_path)
    assert result.returncode == EXIT_UNREACHABLE, str(result)
    assert "Traceback" not in result.output
    assert not alarming_lines(result.output), result.output
    failure = [line for line in result.stderr.splitlines() if line.startswith("giftcord: ")]
    assert len(failure) == 1, result.stderr
    assert failure[0].startswith(f"giftcord: could not reach Discord at {api_base} ("), failure
    assert failure[0].endswith("— check the network, DNS and discord.api_base")
    assert list(tmp_path.iterdir()) == []  # no giftcord.db, no -wal, no lock file


async def test_run_on_an_existing_database_without_discord_leaves_it_intact(
    tmp_path: Path,
) -> None:
    db = tmp_path / "giftcord.db"
    ledger = await SqliteLedger.open(db, EconomyConfig())
    await ledger.run(ConfirmAge(1, 2))
    await ledger.close()
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    result = await run_cli("run", env=offline_env(api_base), cwd=tmp_path)
    assert result.returncode == EXIT_UNREACHABLE, str(result)
    assert "Traceback" not in result.output
    assert f"could not reach Discord at {api_base}" in result.stderr
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 1
    finally:
        conn.close()


async def test_run_with_a_refused_token_creates_no_database(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "giftcord.db"
    env = {**bot_env(standin, db), "DISCORD_TOKEN": "not-the-token"}
    result = await run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2, str(result)
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "giftcord: Discord refused the token (discord.token / DISCORD_TOKEN): check it in the "
        "developer portal"
    )
    assert list(tmp_path.iterdir()) == []  # no folder, no database, no lock file
