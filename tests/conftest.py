"""Shared fixtures. `harness`: the real bot on the real discord.py client against the local
Discord stand-in, with a real SQLite ledger in a temporary directory and a fake clock.

Every harness test also fails if discord.py or giftcord logged an error (an unexpected
exception is logged with an incident id, not raised) or if the stand-in saw a request it does
not know."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.economy.config import EconomyConfig
from bot.sandbox.standin import DiscordStandIn
from tests.harness import Harness, running_harness


@pytest.fixture
def economy() -> EconomyConfig:
    """The economy under test; override this fixture in a module to change a rule."""
    return EconomyConfig()


@pytest.fixture
def harness_backend(request: pytest.FixtureRequest) -> str:
    """The harness's ledger: "sqlite", or "postgres" for a module that parametrizes it
    (`pytest.mark.parametrize("harness_backend", [...], indirect=True)`)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
async def harness(
    tmp_path: Path, economy: EconomyConfig, harness_backend: str
) -> AsyncIterator[Harness]:
    from tests import pg

    url = None
    if harness_backend == "postgres":
        assert pg.State.url is not None, pg.State.why_not
        await pg.clean(pg.State.url)
        url = pg.State.url
    standin, db = DiscordStandIn(), tmp_path / "giftcord.db"
    async with running_harness(standin, db, economy, db_url=url) as h:
        yield h


# --- the PostgreSQL half (tests/pg.py) ------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    from tests import pg

    if not hasattr(config, "workerinput"):
        pg.create()
    if pg.State.why_not and os.environ.get("CI") == "true":
        raise pytest.UsageError(f"PostgreSQL is required under CI=true: {pg.State.why_not}")


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests import pg

    pg.drop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests import pg

    if pg.State.url is not None:
        return
    kept = [i for i in items if not _needs_postgres(i)]
    dropped = [i for i in items if _needs_postgres(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        config.stash[_PG_NOT_RUN] = len(dropped)


_PG_NOT_RUN = pytest.StashKey[int]()


def _needs_postgres(item: pytest.Item) -> bool:
    """A test of the `postgres` backend parameter, or marked `postgres`."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgres" in callspec.params.values():
        return True
    return item.get_closest_marker("postgres") is not None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from tests import pg

    count = config.stash.get(_PG_NOT_RUN, 0)
    if count:
        terminalreporter.write_sep("!", "PostgreSQL half did not run", red=True, bold=True)
        terminalreporter.write_line(
            f"PostgreSQL half did not run ({count} tests): {pg.State.why_not}; "
            f"run it with: {pg.RUN_COMMAND}",
            red=True,
            bold=True,
        )
