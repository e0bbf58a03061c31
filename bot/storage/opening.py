"""`[database] url` → the backend: `sqlite:///…` (or a plain path) or `postgresql://…`.

One place decides, so the bot, the CLI tools and the settings check agree on what a URL means.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.economy.config import EconomyConfig
from bot.storage import tools
from bot.storage.errors import StorageError
from bot.storage.sqlite.connection import database_path

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def check_url(url: str) -> None:
    """Refuse, with a sentence, a URL no backend can open (the settings check calls this)."""
    if not is_postgres(url):
        database_path(url)
        return
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise StorageError("the PostgreSQL URL cannot be parsed (check the port)") from None
    if not parts.hostname or not parts.path.strip("/"):
        raise StorageError(
            "a PostgreSQL URL names a host and a database: postgresql://user:password@host/db"
        )


def shown(url: str) -> str:
    """The URL as logs and `check-config` print it: the password replaced by ***."""
    if not is_postgres(url):
        return url
    from bot.storage.postgres.conn import redact

    return redact(url)


async def open_ledger(url: str, economy: EconomyConfig, *, pool_size: int = 10, **kw: Any) -> Any:
    """Open the ledger named by `url` (migrating it); SQLite's options pass through to it."""
    check_url(url)
    if is_postgres(url):
        from bot.storage.postgres import PostgresLedger

        kw.pop("synchronous", None)  # PostgreSQL's durability is the server's synchronous_commit
        return await PostgresLedger.open(url, economy, pool_size=pool_size, **kw)
    from bot.storage.sqlite import SqliteLedger

    return await SqliteLedger.open(database_path(url), economy, **kw)


async def verify(url: str, *, max_balance: int) -> tools.VerifyReport:
    if is_postgres(url):
        from bot.storage.postgres import tools as pg_tools

        return await pg_tools.verify(url, max_balance=max_balance)
    return await tools.verify(database_path(url), max_balance=max_balance)


async def backup(url: str, dest: Path) -> Path:
    if is_postgres(url):
        from bot.storage.postgres import tools as pg_tools

        return await pg_tools.backup(url, dest)
    return await tools.backup(database_path(url), dest)


async def export_rows(
    url: str, guild_id: int, *, days: int | None, now: float | None = None
) -> list[dict[str, object]]:
    now = time.time() if now is None else now
    if is_postgres(url):
        from bot.storage.postgres import tools as pg_tools

        return await pg_tools.export_rows(url, guild_id, days=days, now=now)
    return await tools.export_rows(database_path(url), guild_id, days=days, now=now)
