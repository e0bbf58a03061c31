"""The PostgreSQL half of the test run: one database per test session, dropped at the end.

`pytest_configure` (tests/conftest.py) asks the server at 127.0.0.1:5432 (user postgres, or
GIFTCORD_TEST_PG, a server URL without the database) whether it answers and creates
`giftcord_test_<pid>_<random>`; every test gets it back empty (`clean`: one TRUNCATE). If the
server does not answer, the PostgreSQL tests are deselected and the terminal summary says so —
or, under CI=true, the run fails with that sentence.
"""

from __future__ import annotations

import asyncio
import os
import secrets

import asyncpg

from bot.storage.postgres.schema import TABLES

SERVER = os.environ.get("GIFTCORD_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
RUN_COMMAND = (
    "start PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres), then python -m pytest -q"
)


class State:
    url: str | None = None  # the session's database, when the server answered
    why_not: str | None = None
    name: str | None = None


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER + "/postgres", timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create() -> None:
    name = f"giftcord_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(f"CREATE DATABASE {name}"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        State.why_not = f"the server at {SERVER} did not answer ({type(exc).__name__}: {exc})"
        return
    State.name, State.url = name, f"{SERVER}/{name}"


def drop() -> None:
    if State.name is not None:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {State.name} WITH (FORCE)"))
        State.name = State.url = None


async def _connect(url: str) -> asyncpg.Connection:
    """The shared server may be restarting (another run's restart test): wait for it."""
    for _ in range(75):
        try:
            return await asyncpg.connect(url)
        except (asyncpg.CannotConnectNowError, ConnectionError, OSError):
            await asyncio.sleep(0.2)
    return await asyncpg.connect(url)


async def clean(url: str) -> None:
    """Empty every giftcord table of the session database (if the schema exists yet)."""
    conn = await _connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('txn_blocks') IS NOT NULL"):
            await conn.execute(
                f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE;"
                " ALTER SEQUENCE txn_blocks RESTART"
            )
    finally:
        await conn.close()
