"""A scratch PostgreSQL database per test run (created, then dropped), on the server every
project machine runs (tests/pg.py: 127.0.0.1:5432, trust authentication, user `postgres`).

Nothing here skips. A server that does not answer, or a tree whose `python -m bot` refuses
`postgresql://`, is a failure with a sentence saying which and what to do.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from tests import pg
from tests.e2e.proc import REPO, run_cli

NOT_READY = (
    "the PostgreSQL backend is not in this tree: `python -m bot check-config` refuses {url} "
    "with «{line}». This test runs two shard processes on one PostgreSQL database and needs "
    "the backend (branch `pg`); it fails, by design, until that is merged — it never skips."
)


class PostgresMissing(AssertionError):
    """PostgreSQL (the server, or giftcord's backend for it) is not there: said in one line."""


@contextlib.asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """A new empty database `<prefix>_<pid>_<random>` on the test server (tests/pg.py); its
    URL; dropped afterwards (with any connection a killed bot left behind)."""
    import asyncpg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        await pg._admin(f'CREATE DATABASE "{name}"')
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        raise PostgresMissing(
            f"PostgreSQL does not answer at {pg.SERVER} ({exc}): {pg.RUN_COMMAND}"
        ) from None
    try:
        yield f"{pg.SERVER}/{name}"
    finally:
        await pg._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def require_backend(url: str, cwd: Path) -> None:
    """Fail loudly unless this tree's `python -m bot` accepts `url` (the PostgreSQL backend)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIFTCORD_", "DISCORD_"))}
    env.update(GIFTCORD_DATABASE__URL=url, DISCORD_TOKEN="unused", PYTHONPATH=str(REPO))
    check = await run_cli("check-config", env=env, cwd=cwd)
    if check.returncode != 0:
        line = (check.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PostgresMissing(NOT_READY.format(url=url, line=line))


async def restart_server() -> None:
    """Restart the PostgreSQL server itself (every connection drops), as an operator would."""
    import asyncio

    versions = sorted(os.listdir("/etc/postgresql"))
    proc = await asyncio.create_subprocess_exec(
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        versions[-1],
        "main",
        "restart",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode(errors="replace")
