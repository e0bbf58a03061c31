"""`backup PATH` on PostgreSQL: one consistent snapshot of every giftcord table, as a file.

The format (README "Backups"): gzip'd JSON lines. The first line is the header
`{"giftcord_backup": 1, "backend": "postgresql", "schema_version": N}`; then, per table in
`schema.TABLES` order, `{"table": NAME, "columns": [...]}` followed by one JSON array per row.
Ints stay ints, REAL/DOUBLE as floats, Decimals are already TEXT columns. Written to a temporary
name and renamed, so a half-written backup never carries the final name.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from bot.storage.errors import StorageError
from bot.storage.postgres.conn import Cursor
from bot.storage.postgres.migrate import schema_version
from bot.storage.postgres.schema import TABLES

FORMAT = 1


def write_dump(cur: Cursor, dest: Path) -> Path:
    if dest.exists():
        raise StorageError(f"{dest} already exists — choose a new file name for the backup")
    if not dest.parent.is_dir():
        raise StorageError(f"the folder {dest.parent} does not exist — create it first")
    partial = dest.with_name(dest.name + ".partial")
    cur.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            header = {"giftcord_backup": FORMAT, "backend": "postgresql",
                      "schema_version": schema_version(cur)}  # fmt: skip
            out.write(json.dumps(header) + "\n")
            for table in TABLES:
                cols = [r[0] for r in cur.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = ?"
                    " ORDER BY ordinal_position", (table,))]  # fmt: skip
                out.write(json.dumps({"table": table, "columns": cols}) + "\n")
                for row in cur.execute(f"SELECT * FROM {table} ORDER BY 1"):
                    out.write(json.dumps(list(row), separators=(",", ":")) + "\n")
        os.replace(partial, dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"the backup {dest} could not be written: {exc.strerror}") from None
    finally:
        cur.script("ROLLBACK")
    return dest
