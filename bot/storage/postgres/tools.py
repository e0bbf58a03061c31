"""`verify`, `backup` and `export` on PostgreSQL without opening the ledger for writing: one
connection of their own, no migration, one REPEATABLE READ snapshot — safe while bots run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.economy.reads import ExportRows
from bot.storage import queries, tools
from bot.storage.errors import StorageError
from bot.storage.postgres import dump
from bot.storage.postgres.conn import Cursor, PgWorker, connect_error, is_pg_error, redact, snapshot
from bot.storage.postgres.migrate import schema_version
from bot.storage.postgres.schema import LATEST

T = TypeVar("T")


def dsn(url: str) -> str:
    """asyncpg takes postgresql:// (and postgres://); `postgresql+asyncpg://` is SQLAlchemy's."""
    return "postgresql://" + url.split("://", 1)[1]


def require_schema(cur: Cursor, url: str) -> None:
    version = schema_version(cur)
    if version == 0:
        raise StorageError(f"{redact(url)} has no giftcord schema — check database.url")
    if version != LATEST:
        newer = version > LATEST
        raise StorageError(
            f"the database {redact(url)} has schema version {version}, "
            + (
                f"newer than this giftcord knows ({LATEST}): upgrade giftcord"
                if newer
                else f"older than this giftcord's ({LATEST}): run `python -m bot migrate` first"
            )
        )


async def with_connection(url: str, fn: Callable[..., T], *args: Any) -> T:
    worker = PgWorker(dsn(url), "giftcord-pg-tool", app="giftcord-tool")
    try:

        def run(cur: Cursor) -> T:
            require_schema(cur, url)
            return fn(cur, *args)

        return await worker.call(run)
    except Exception as exc:
        if is_pg_error(exc):
            raise connect_error(exc, url) from None
        raise
    finally:
        await worker.close()


async def verify(url: str, *, max_balance: int) -> tools.VerifyReport:
    return await with_connection(url, tools.verify_connection, max_balance)


async def backup(url: str, dest: Path) -> Path:
    return await with_connection(url, dump.write_dump, dest)


async def export_rows(
    url: str, guild_id: int, *, days: int | None, now: float
) -> list[dict[str, object]]:
    return await with_connection(
        url, snapshot, queries.export_rows, ExportRows(guild_id, days), now
    )
