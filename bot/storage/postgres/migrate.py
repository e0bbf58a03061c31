"""Applying the PostgreSQL schema steps (schema.py) at open and by `python -m bot migrate`."""

from __future__ import annotations

from bot.storage.postgres.conn import Cursor
from bot.storage.postgres.schema import LATEST, MIGRATION_LOCK, MIGRATIONS, VERSION_TABLE


def schema_version(cur: Cursor) -> int:
    if cur.execute("SELECT to_regclass('schema_version')").fetchone() == (None,):
        return 0
    row = cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])


def apply_migrations(cur: Cursor) -> tuple[int, int]:
    """Every pending step in its own transaction with its version row, under an advisory lock
    so two processes starting at once migrate once. Returns (before, after)."""
    before = schema_version(cur)
    if before > LATEST:
        raise RuntimeError(
            f"the database schema is version {before} but this giftcord knows only up to "
            f"{LATEST}: upgrade giftcord (or restore a backup made by this version)"
        )
    for version in range(before + 1, LATEST + 1):
        cur.script("BEGIN")
        try:
            cur.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            cur.script(VERSION_TABLE)
            if schema_version(cur) >= version:  # another process got here first
                cur.script("COMMIT")
                continue
            cur.script(MIGRATIONS[version - 1])
            cur.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            cur.script("COMMIT")
        except BaseException:
            if cur.conn.is_in_transaction():
                cur.script("ROLLBACK")
            raise
    return before, schema_version(cur)
